"""`GET /v1/services/search`: the nearest services that will treat a migrant safely.

The route only validates and delegates: places go to `gazetteer`, the query to
`search.nearest_services`, the anonymous event to `stats.events`. The
response shape is documented in `schemas.py`.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy.orm import Session

from .. import gazetteer
from ..config import LANGUAGES
from ..db import session_scope
from ..models.directory import SAFETY_FLAGS, SERVICE_TYPES
from ..schemas import PlaceOut, SearchQueryOut, SearchResponse, ServiceOut
from ..search import MAX_LIMIT, SearchError, SearchQuery, nearest_services
from ..stats import events

router = APIRouter(prefix="/v1/services", tags=["services"])

Lang = Literal["en", "es", "fr", "ht", "pt"]
assert set(Lang.__args__) == set(LANGUAGES)  # noqa: S101  (one list of languages)
_DIRECTORY_PLACES_TTL_S = 300.0
_directory_places_cache: dict[str, tuple[float, list[gazetteer.Place]]] = {}


def get_session() -> Iterator[Session]:
    """A database session per request, committed when the route returns (the
    statistics event of a search is written with it)."""
    with session_scope() as session:
        yield session


def _directory_places(session: Session) -> list[gazetteer.Place]:
    key = str(session.get_bind().url)
    cached = _directory_places_cache.get(key)
    if cached and time.monotonic() - cached[0] < _DIRECTORY_PLACES_TTL_S:
        return cached[1]
    places = gazetteer.directory_places(session)
    _directory_places_cache[key] = (time.monotonic(), places)
    return places


def _place_out(place: gazetteer.Place) -> PlaceOut:
    return PlaceOut(
        name=place.name, country=place.country, latitude=place.latitude,
        longitude=place.longitude, kind=place.kind, label=place.label,
    )


def _unprocessable(error: str, message: str, **extra: object) -> HTTPException:
    return HTTPException(status_code=422, detail={"error": error, "message": message, **extra})


@router.get("/search", response_model=SearchResponse)
def search_services(
    lat: float | None = Query(None, ge=-90, le=90, description="latitude, degrees"),
    lon: float | None = Query(None, ge=-180, le=180, description="longitude, degrees"),
    near: str | None = Query(None, min_length=1, max_length=120, description="place name, any of the five languages"),
    service_type: str | None = Query(None, description="one of: " + ", ".join(SERVICE_TYPES)),
    country: str | None = Query(None, pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2; only that country"),
    lang: Lang | None = Query(None, description="the person's language"),
    speaks: Lang | None = Query(None, description="only services that speak this language"),
    limit: int = Query(3, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=1000),
    open_now: bool = Query(False, description="only services open now (local time)"),
    serves_undocumented: bool = Query(False, description="require: serves people without documents"),
    free_of_charge: bool = Query(False, description="require: free of charge"),
    confidential_no_immigration_reporting: bool = Query(False, description="require: never reports to immigration"),
    lgbtqi_friendly: bool = Query(False, description="require: LGBTQI friendly"),
    sex_worker_friendly: bool = Query(False, description="require: sex-worker friendly"),
    youth_friendly: bool = Query(False, description="require: youth friendly"),
    session: Session = Depends(get_session),
) -> SearchResponse:
    """Nearest services first, with distance, filters applied (see `schemas.py`)."""
    if service_type is not None and service_type not in SERVICE_TYPES:
        raise _unprocessable(
            "unknown_service_type", f"service_type {service_type!r} is not one of: {', '.join(SERVICE_TYPES)}",
            service_type=service_type,
        )
    if (lat is None) != (lon is None):
        raise _unprocessable("incomplete_coordinates", "give both lat and lon, or a place name in near")
    if lat is None and not near:
        raise _unprocessable("missing_location", "give lat and lon, or a place name in near")
    country = country.lower() if country else None
    flags = dict(
        serves_undocumented=serves_undocumented, free_of_charge=free_of_charge,
        confidential_no_immigration_reporting=confidential_no_immigration_reporting,
        lgbtqi_friendly=lgbtqi_friendly, sex_worker_friendly=sex_worker_friendly,
        youth_friendly=youth_friendly,
    )
    require = sorted(flag for flag in SAFETY_FLAGS if flags[flag])
    place: gazetteer.Place | None = None
    if lat is None:
        resolution = gazetteer.resolve(near, country, extra_places=_directory_places(session))
        if resolution.status == "not_found":
            raise _unprocessable(
                "place_not_found", f"place not found: {near!r}; try a city or town name", place=near,
            )
        place = resolution.place
        if resolution.status == "ambiguous":
            return SearchResponse(
                status="ambiguous_place",
                query=_query_out(None, None, near, None, service_type, country, lang, speaks, require, open_now),
                radius_km=None, widened=False, offset=offset, limit=limit, has_more=False, count=0,
                results=[], choices=[_place_out(p) for p in resolution.choices],
            )
        lat, lon = place.latitude, place.longitude
    query = SearchQuery(
        latitude=lat, longitude=lon, service_type=service_type, country=country, language=speaks,
        require=frozenset(require), open_now=open_now, limit=limit, offset=offset, person_language=lang,
    )
    try:
        outcome = nearest_services(session, query)
    except SearchError as error:
        raise _unprocessable("bad_query", str(error)) from error
    _record(session, place, lat, lon, country, service_type, lang, outcome)
    return SearchResponse(
        status="ok",
        query=_query_out(lat, lon, near, place, service_type, country, lang, speaks, require, open_now),
        radius_km=outcome.radius_km, widened=outcome.widened, offset=outcome.offset,
        limit=outcome.limit, has_more=outcome.has_more, count=len(outcome.results),
        results=[ServiceOut.model_validate(r, from_attributes=True) for r in outcome.results],
    )


def _query_out(lat, lon, near, place, service_type, country, lang, speaks, require, open_now) -> SearchQueryOut:
    return SearchQueryOut(
        latitude=lat, longitude=lon, near=near, place=_place_out(place) if place else None,
        service_type=service_type, country=country, lang=lang, speaks=speaks, require=require,
        open_now=open_now,
    )


def _record(session, place, lat, lon, country, service_type, lang, outcome) -> None:
    """One anonymous search event: the admin-1 area around the point, never the point;
    how many were found and how far the nearest is, in coarse bands (first page only:
    a second page is the same search)."""
    if outcome.offset:
        return
    nearest = outcome.results[0].distance_km if outcome.results else None
    if country is None:
        city = place if place is not None else gazetteer.nearest_city(lat, lon, max_km=150.0)
        country = city.country if city else None
    events.record(session, "search", country=country, area=gazetteer.coarse_area(lat, lon),
                  service_type=service_type, language=lang,
                  outcome=events.results_bucket(len(outcome.results)),
                  distance_band=events.distance_band(nearest))
