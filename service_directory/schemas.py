"""Response models of the public search API (`GET /v1/services/search`).

The bot's actions consume this shape; keep it stable. A response is:

```
{
  "status": "ok" | "ambiguous_place",
  "query": {"latitude": 7.89, "longitude": -72.5, "near": "Cucuta" | null,
            "place": {"name": "Cúcuta", "country": "co", "latitude": .., "longitude": ..,
                      "kind": "city", "label": "Cúcuta (CO)"} | null,
            "service_type": "hiv_testing" | null, "country": "co" | null, "lang": "es" | null,
            "speaks": null, "require": ["free_of_charge", "serves_undocumented"],
            "open_now": false},
  "radius_km": 5.0,            # radius finally searched
  "widened": false,            # true when the first radius had too few services
  "offset": 0, "limit": 3,
  "has_more": true,            # another page exists (reply "MORE": offset += limit)
  "count": 3,                  # results on this page
  "results": [ServiceOut, ...],   # nearest first
  "choices": []                # when status == "ambiguous_place": PlaceOut list, no results
}
```

A `ServiceOut` is documented on the class. Unknown `near` place → HTTP 422 with
`detail` = {"error": "place_not_found", "place": NAME, "message": ...}.
"""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class PlaceOut(BaseModel):
    """A resolved place, or one choice of an ambiguous name (show `label`)."""

    name: str
    country: str
    latitude: float
    longitude: float
    kind: str = Field(description="city (dataset), area (curated neighbourhood) or directory")
    label: str = Field(description='short text for a choice list, e.g. "San José (CR)"')


class OpeningIntervalOut(BaseModel):
    opens: str = Field(description="HH:MM, local time of the location")
    closes: str = Field(description="HH:MM; not after `opens` means past midnight")


class SafetyOut(BaseModel):
    """Migrant-safety facts: true/false as verified, null = unknown (never say yes)."""

    serves_undocumented: bool | None
    free_of_charge: bool | None
    confidential_no_immigration_reporting: bool | None
    lgbtqi_friendly: bool | None
    sex_worker_friendly: bool | None
    youth_friendly: bool | None


class NextOpeningOut(BaseModel):
    """When it opens next (when not open now): `days_ahead` 0 = later today, 1 =
    tomorrow; `weekday` 0 = Monday, in the location's zone; `opens` local time."""

    days_ahead: int
    weekday: int
    opens: str


class ServiceOut(BaseModel):
    """One service at its nearest location.

    Fields: `service_id`, `location_id`, `name`, `organization` (name),
    `service_types` (codes), `distance_km` (great-circle, 2 decimals), `address`
    (one line: street, area, city), `city`, `country` (ISO alpha-2 lower),
    `latitude`, `longitude`, `timezone` (IANA), `phone` (E.164 or null), `url`,
    `email`, `hours_today` (list of intervals in local time; [] = closed today;
    null = hours unknown), `open_now` (null = unknown), `safety` (flags),
    `languages` (ISO 639-1 spoken), `speaks_language` (speaks the person's `lang`;
    null when not asked or unknown), `last_verified_at` (date or null),
    `verified_by`, `verified_days_ago`, `stale` (true = not verified within its
    staleness limit: say so to the person).
    """

    service_id: str
    location_id: str
    name: str
    organization: str
    service_types: list[str]
    distance_km: float
    address: str | None
    city: str | None
    country: str | None
    latitude: float
    longitude: float
    timezone: str | None
    phone: str | None
    url: str | None
    email: str | None
    hours_today: list[OpeningIntervalOut] | None
    open_now: bool | None
    next_opening: NextOpeningOut | None = None
    safety: SafetyOut
    languages: list[str]
    speaks_language: bool | None
    last_verified_at: date | None
    verified_by: str | None
    verified_days_ago: int | None
    stale: bool


class SearchQueryOut(BaseModel):
    """The query as understood (after resolving `near`)."""

    latitude: float | None
    longitude: float | None
    near: str | None
    place: PlaceOut | None
    service_type: str | None
    country: str | None
    lang: str | None
    speaks: str | None
    require: list[str]
    open_now: bool


class SearchResponse(BaseModel):
    """Response of `GET /v1/services/search` (see the module docstring for the shape)."""

    status: str = Field(description='"ok", or "ambiguous_place" with `choices` and no results')
    query: SearchQueryOut
    radius_km: float | None
    widened: bool
    offset: int
    limit: int
    has_more: bool
    count: int
    results: list[ServiceOut]
    choices: list[PlaceOut] = Field(default_factory=list)
