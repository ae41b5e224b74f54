"""Nearest services that will really treat a migrant: the directory's search.

`nearest_services(session, SearchQuery(...))` answers nearest first by great-circle
(haversine) distance. It never scans the whole table: a bounding box computed from
the radius is matched against the composite (latitude, longitude) index, ordered in
SQL by a cheap equirectangular distance (plain arithmetic, so SQLite and PostgreSQL
agree), and only that short list gets the exact haversine in Python. When fewer than
`limit` services are inside the radius it widens (5 → 15 → 50 → 150 km) and says so.

DESIGN: a stale service (unverified for longer than its staleness limit) is still
returned, always with `stale=True`, so a reply can warn before sending someone there.
No HTTP here: the router validates and delegates, tests call this directly.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from .models.directory import (
    SAFETY_FLAGS,
    SERVICE_TYPE_TAXONOMY,
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.195  # great-circle km per degree of latitude at EARTH_RADIUS_KM
DEFAULT_RADII_KM: tuple[float, ...] = (5, 15, 50, 150)
MAX_LIMIT = 20
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class SearchError(ValueError):
    """A query that cannot be answered as asked (bad coordinates, unknown code)."""


@dataclass(frozen=True)
class SearchQuery:
    """What a person asked for. `require` names safety flags that must be true."""

    latitude: float
    longitude: float
    service_type: str | None = None
    country: str | None = None
    language: str | None = None  # language the service must speak (ISO 639-1)
    require: frozenset[str] = frozenset()
    open_now: bool = False
    limit: int = 3
    offset: int = 0
    radii_km: tuple[float, ...] = DEFAULT_RADII_KM
    now: datetime | None = None
    person_language: str | None = None  # to mark `speaks_language` in results

    def validate(self) -> None:
        if not (-90 <= self.latitude <= 90) or math.isnan(self.latitude):
            raise SearchError(f"latitude {self.latitude} is outside -90..90")
        if not (-180 <= self.longitude <= 180) or math.isnan(self.longitude):
            raise SearchError(f"longitude {self.longitude} is outside -180..180")
        unknown = set(self.require) - set(SAFETY_FLAGS)
        if unknown:
            raise SearchError(f"unknown safety flag(s): {', '.join(sorted(unknown))}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise SearchError(f"limit must be between 1 and {MAX_LIMIT}")
        if self.offset < 0:
            raise SearchError("offset must be 0 or more")
        if not self.radii_km:
            raise SearchError("at least one radius is needed")


@dataclass(frozen=True)
class NextOpening:
    days_ahead: int  # 0 = later today, 1 = tomorrow, ...
    weekday: int  # date.weekday() of that day, in the location's zone
    opens: str  # "08:00", local time


@dataclass
class OpeningInterval:
    opens: str  # "HH:MM", local time of the location
    closes: str


@dataclass
class ServiceResult:
    """One service at its nearest location, with what a person needs to go there."""

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
    hours_today: list[OpeningInterval] | None
    open_now: bool | None
    safety: dict[str, bool | None]
    languages: list[str]
    speaks_language: bool | None
    last_verified_at: date | None
    verified_by: str | None
    verified_days_ago: int | None
    stale: bool
    # When it is not open any more today: the next day it opens (1 = tomorrow) and when.
    next_opening: NextOpening | None = None


@dataclass
class SearchOutcome:
    """A page of results and how they were found (radius used, whether it widened)."""

    results: list[ServiceResult]
    radius_km: float
    widened: bool
    offset: int
    limit: int
    has_more: bool
    total_in_radius: int = 0
    query: SearchQuery | None = field(default=None, repr=False)


# --- geometry --------------------------------------------------------------------

def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains the circle of `radius_km`."""
    dlat = radius_km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlon = min(radius_km / (KM_PER_DEGREE * cos_lat), 180.0)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# --- opening hours ---------------------------------------------------------------

def _zone(name: str | None) -> ZoneInfo:
    try:
        return _zone_cached(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return _zone_cached("UTC")


@lru_cache(maxsize=256)
def _zone_cached(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _applies_on(schedule: Schedule, day: date) -> bool:
    if schedule.valid_from and day < schedule.valid_from:
        return False
    if schedule.valid_to and day > schedule.valid_to:
        return False
    if schedule.until and day > schedule.until:
        return False
    freq = (schedule.freq or "WEEKLY").upper()
    if freq == "DAILY":
        return True
    if freq != "WEEKLY":
        return False  # monthly rules are too rare here to claim an answer
    if not schedule.byday:
        return True
    days = {d.strip().upper()[-2:] for d in schedule.byday.split(",") if d.strip()}
    return _WEEKDAYS[day.weekday()] in days


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def opening_today(
    schedules: Sequence[Schedule], tz_name: str | None, now: datetime
) -> tuple[list[OpeningInterval] | None, bool | None]:
    """Today's opening intervals and whether it is open now, in the location's timezone.

    (None, None) when no usable schedule is known: unknown is not "closed".
    An interval whose closing time is not after its opening time runs past midnight.
    """
    timed = [s for s in schedules if s.opens_at is not None and s.closes_at is not None]
    if not timed:
        return None, None
    local = now.astimezone(_zone(tz_name))
    today, minute = local.date(), local.hour * 60 + local.minute
    yesterday = today - timedelta(days=1)
    intervals: list[OpeningInterval] = []
    open_now = False
    for schedule in sorted(timed, key=lambda s: s.opens_at):
        opens, closes = _minutes(schedule.opens_at), _minutes(schedule.closes_at)
        overnight = closes <= opens
        if _applies_on(schedule, today):
            intervals.append(
                OpeningInterval(schedule.opens_at.strftime("%H:%M"), schedule.closes_at.strftime("%H:%M"))
            )
            if (opens <= minute < closes) or (overnight and minute >= opens):
                open_now = True
        if overnight and _applies_on(schedule, yesterday) and minute < closes:
            open_now = True
    return intervals, open_now


def next_opening(schedules: Sequence[Schedule], tz_name: str | None,
                 now: datetime) -> NextOpening | None:
    """The next time it opens within a week, when it is not open now (None: open now,
    or no usable schedule): "closed now, opens tomorrow 08:00"."""
    timed = [s for s in schedules if s.opens_at is not None and s.closes_at is not None]
    if not timed:
        return None
    local = now.astimezone(_zone(tz_name))
    minute = local.hour * 60 + local.minute
    for ahead in range(0, 8):
        day = local.date() + timedelta(days=ahead)
        opens = sorted(_minutes(s.opens_at) for s in timed if _applies_on(s, day))
        upcoming = [m for m in opens if ahead > 0 or m > minute]
        if upcoming:
            return NextOpening(ahead, day.weekday(), f"{upcoming[0] // 60:02d}:{upcoming[0] % 60:02d}")
    return None


# --- verification ----------------------------------------------------------------

def verification_age(assured: date | None, today: date) -> int | None:
    return None if assured is None else (today - assured).days


def is_stale(assured: date | None, limit_days: int | None, today: date) -> bool:
    """Unverified, or verified longer ago than the service's staleness limit."""
    if assured is None:
        return True
    return (today - assured).days > (limit_days if limit_days is not None else 180)


# --- the query -------------------------------------------------------------------
#
# A search sends one statement per radius tried, then three: all Core (no ORM
# identity map), each built once per shape and reused from SQLAlchemy's compiled
# cache, every lookup backed by an index:
#   1. candidates: ids and coordinates inside the bounding box, filters applied in SQL
#      (the service type through its taxonomy term, no separate look-up);
#   2. schedules of the page, the three HSDS levels in one UNION ALL;
#   3. the page's rows: service, organization and addresses, by service_at_location id;
#   4. the page's small facts: service types, languages and phones, in one UNION ALL.
# With `open_now`, 1 and 2 run once per radius tried (2 then for every candidate).
# Reading service-at-location hours by index needs `schedule.service_at_location_id`
# indexed; without that index statement 2 reads the whole schedule table.

@dataclass
class _Candidate:
    service_id: str
    location_id: str
    sal_id: str
    latitude: float
    longitude: float
    distance_km: float
    timezone: str | None
    country: str | None


@dataclass(frozen=True)
class _Hours:
    """The columns of a `schedule` row that opening hours are computed from."""

    id: str
    service_id: str | None
    location_id: str | None
    service_at_location_id: str | None
    valid_from: date | None
    valid_to: date | None
    until: date | None
    freq: str | None
    byday: str | None
    opens_at: time | None
    closes_at: time | None


def _selective(condition, dialect: str):
    """Tell SQLite that `condition` (an `IN` list of a few ids) picks few rows.

    A column that is NULL in most rows (schedules and phones are rarely per location)
    gets ANALYZE statistics that make SQLite scan the whole table for
    `column IN (...)`; a lookup by a handful of ids is always selective, and SQLite's
    `unlikely()` makes it use the column's index. PostgreSQL's statistics know NULLs.
    """
    return func.unlikely(condition) if dialect == "sqlite" else condition


def _not_an_index_key(column, dialect: str):
    """`column`, same value, but a term the planner cannot answer from an index on it.

    Without fresh statistics (a fresh install, rows just imported: SQLite keeps none
    until ANALYZE) the planners rated an index on a low-selectivity column above the
    one that keeps the search small: `country = ?` on `ix_location_country` read every
    location of a country instead of the bounding box (12-17 ms instead of 0.5 ms at
    100,000 services), `taxonomy_term_id` read every attribute of a service type, and
    `... IS NULL` read every schedule without a service-at-location. Wrapping such a
    column (SQLite's no-op unary `+`, PostgreSQL's `|| ''`) leaves it a filter on the
    rows the right index yields, so the plan does not depend on statistics at all.
    tests/service_directory/test_search_plan.py checks the plans on both databases.
    """
    if dialect == "sqlite":
        return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)
    return column.concat(literal_column("''"))


@lru_cache(maxsize=256)
def _candidates_statement(
    dialect: str, country: bool, flags: tuple[str, ...], service_type: bool, language: bool
):
    """The bounding-box query for one shape of filters; values come as bound parameters."""
    lat0, lon0, k = bindparam("lat0"), bindparam("lon0"), bindparam("k")
    approx = (Location.latitude - lat0) * (Location.latitude - lat0) + (
        (Location.longitude - lon0) * k
    ) * ((Location.longitude - lon0) * k)
    stmt = (
        select(
            Service.id, Location.id, ServiceAtLocation.id, Location.latitude,
            Location.longitude, Location.timezone, Location.country,
        )
        .select_from(Location)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(
            Location.latitude.between(bindparam("min_lat"), bindparam("max_lat")),
            Location.longitude.between(bindparam("min_lon"), bindparam("max_lon")),
            Service.status == "active",
        )
    )
    if country:
        stmt = stmt.where(_not_an_index_key(Location.country, dialect) == bindparam("country"))
    for flag in flags:
        stmt = stmt.where(getattr(Service, flag).is_(True))
    if service_type:
        term_ids = (
            select(TaxonomyTerm.id)
            .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(Taxonomy.name == SERVICE_TYPE_TAXONOMY, TaxonomyTerm.code == bindparam("service_type"))
        )
        stmt = stmt.where(
            exists().where(
                Attribute.link_id == Service.id,
                Attribute.link_entity == "service",
                Attribute.taxonomy_term_id.in_(term_ids),
            )
        )
    if language:
        stmt = stmt.where(
            exists().where(Language.service_id == Service.id, Language.code == bindparam("language"))
        )
    return stmt.order_by(approx, Service.id).limit(bindparam("cap"))


def _candidates(
    session: Session, query: SearchQuery, radius_km: float, cap: int
) -> list[_Candidate]:
    """Services inside the circle, nearest first, one row per service (nearest location)."""
    lat0, lon0 = query.latitude, query.longitude
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat0, lon0, radius_km)
    connection = session.connection()
    stmt = _candidates_statement(
        connection.dialect.name, bool(query.country), tuple(sorted(query.require)),
        bool(query.service_type), bool(query.language),
    )
    params = {
        "lat0": lat0, "lon0": lon0, "k": math.cos(math.radians(lat0)), "cap": cap,
        "min_lat": min_lat, "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon,
        "country": query.country.lower() if query.country else None,
        "service_type": query.service_type,
        "language": query.language.lower() if query.language else None,
    }
    best: dict[str, _Candidate] = {}
    for sid, lid, sal_id, lat, lon, tz, country in connection.execute(stmt, params):
        distance = haversine_km(lat0, lon0, lat, lon)
        if distance > radius_km:
            continue
        current = best.get(sid)
        if current is None or distance < current.distance_km:
            best[sid] = _Candidate(sid, lid, sal_id, lat, lon, distance, tz, country)
    return sorted(best.values(), key=lambda c: (c.distance_km, c.service_id))


_CHUNK = 256  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


def _bucket(count: int) -> int:
    """Size of the IN (...) list for `count` ids: a power of two, so few shapes exist."""
    return 1 << max(0, count - 1).bit_length()


def _id_list(name: str, size: int) -> list:
    """`size` plain bound parameters for an IN (...) list.

    Plain parameters rather than one "expanding" parameter: the statement is then
    compiled once per size and reused as is, instead of being rewritten for every
    execution (which cost more than SQLite's own work for these small lookups).
    """
    return [bindparam(f"{name}_{i}") for i in range(size)]


def _id_params(name: str, values: Sequence[str], size: int) -> dict[str, str | None]:
    """Values for `_id_list(name, size)`, padded by repeating the last id (NULL,
    which matches nothing, when there is none)."""
    padded = list(values) + [values[-1] if values else None] * (size - len(values))
    return {f"{name}_{i}": value for i, value in enumerate(padded)}


_HOURS_COLUMNS = (
    Schedule.id, Schedule.service_id, Schedule.location_id, Schedule.service_at_location_id,
    Schedule.valid_from, Schedule.valid_to, Schedule.until, Schedule.freq, Schedule.byday,
    Schedule.opens_at, Schedule.closes_at,
)


@lru_cache(maxsize=256)
def _schedules_statement(dialect: str, n_sal: int, n_sids: int, n_lids: int):
    """The schedules of a set of candidates at each HSDS level, in one statement."""
    sal_level = select(*_HOURS_COLUMNS).where(
        _selective(Schedule.service_at_location_id.in_(_id_list("sal_ids", n_sal)), dialect)
    )
    service_level = select(*_HOURS_COLUMNS).where(
        Schedule.service_id.in_(_id_list("sids", n_sids)),
        _not_an_index_key(Schedule.service_at_location_id, dialect).is_(None),
    )
    location_level = select(*_HOURS_COLUMNS).where(
        _selective(Schedule.location_id.in_(_id_list("lids", n_lids)), dialect),
        _not_an_index_key(Schedule.service_id, dialect).is_(None),
        _not_an_index_key(Schedule.service_at_location_id, dialect).is_(None),
    )
    levels = union_all(sal_level, service_level, location_level).subquery()
    return select(*levels.c).order_by(levels.c.id)


def _schedules_for(session: Session, candidates: Sequence[_Candidate]) -> dict[str, list[_Hours]]:
    """Schedules per candidate service: the most specific level that has any wins
    (service-at-location, then service, then location)."""
    if not candidates:
        return {}
    by_service: dict[str, list[_Hours]] = defaultdict(list)
    by_location: dict[str, list[_Hours]] = defaultdict(list)
    by_sal: dict[str, list[_Hours]] = defaultdict(list)
    connection = session.connection()
    sids = sorted({c.service_id for c in candidates})
    lids = sorted({c.location_id for c in candidates})
    sal_ids = sorted({c.sal_id for c in candidates})
    for start in range(0, max(len(sids), len(lids), len(sal_ids)), _CHUNK):
        chunk = {
            "sal_ids": sal_ids[start : start + _CHUNK], "sids": sids[start : start + _CHUNK],
            "lids": lids[start : start + _CHUNK],
        }
        sizes = {name: _bucket(len(values)) for name, values in chunk.items()}
        stmt = _schedules_statement(connection.dialect.name, sizes["sal_ids"], sizes["sids"], sizes["lids"])
        params = {}
        for name, values in chunk.items():
            params.update(_id_params(name, values, sizes[name]))
        for row in connection.execute(stmt, params):
            hours = _Hours(*row)
            if hours.service_at_location_id is not None:
                by_sal[hours.service_at_location_id].append(hours)
            elif hours.service_id is not None:
                by_service[hours.service_id].append(hours)
            else:
                by_location[hours.location_id].append(hours)
    return {
        c.service_id: by_sal.get(c.sal_id) or by_service.get(c.service_id) or by_location.get(c.location_id, [])
        for c in candidates
    }
_FLAG_COLUMNS = tuple(getattr(Service, flag) for flag in SAFETY_FLAGS)


@lru_cache(maxsize=64)
def _page_statement(dialect: str, n_sal: int):
    """Service, organization and every address of the page's service-at-locations."""
    return (
        select(
            ServiceAtLocation.id, Service.name, Service.url, Service.email, Service.assured_date,
            Service.assurer_email, Service.staleness_limit_days, Organization.name,
            Address.location_id, Address.address_1, Address.address_2, Address.city,
            Address.country, Address.address_type, *_FLAG_COLUMNS,
        )
        .select_from(ServiceAtLocation)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .outerjoin(Address, Address.location_id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.id.in_(_id_list("sal_ids", n_sal)))
        .order_by(ServiceAtLocation.id, Address.id)
    )


_TYPE, _LANGUAGE, _SERVICE_PHONE, _LOCATION_PHONE = 1, 2, 3, 4


@lru_cache(maxsize=64)
def _facts_statement(dialect: str, n_sids: int, n_lids: int):
    """Service types, languages and phones of the page's services, in one statement.

    Rows are (kind, owner id, value), ordered as each fact is shown: types and
    languages by code, phones by id (the first one wins).
    """
    sids = _id_list("sids", n_sids)
    lids = _id_list("lids", n_lids)

    def kind(value: int):
        return literal_column(str(value)).label("kind")

    types = (
        select(kind(_TYPE), Attribute.link_id.label("owner"), TaxonomyTerm.code.label("value"),
               TaxonomyTerm.code.label("sort"))
        .join(TaxonomyTerm, TaxonomyTerm.id == _not_an_index_key(Attribute.taxonomy_term_id, dialect))
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(Attribute.link_id.in_(sids), Attribute.link_entity == "service",
               Taxonomy.name == SERVICE_TYPE_TAXONOMY)
    )
    languages = select(kind(_LANGUAGE), Language.service_id, Language.code, Language.code).where(
        Language.service_id.in_(sids), Language.code.is_not(None)
    )
    service_phones = select(kind(_SERVICE_PHONE), Phone.service_id, Phone.number, Phone.id).where(
        Phone.service_id.in_(sids)
    )
    # A location's phone, unless it belongs to one of the page's services (then it
    # is that service's phone and was read above).
    location_phones = select(kind(_LOCATION_PHONE), Phone.location_id, Phone.number, Phone.id).where(
        _selective(Phone.location_id.in_(lids), dialect),
        or_(Phone.service_id.is_(None), Phone.service_id.not_in(sids)),
    )
    facts = union_all(types, languages, service_phones, location_phones).subquery()
    return select(facts.c.kind, facts.c.owner, facts.c.value).order_by(facts.c.kind, facts.c.sort)


@dataclass
class _PageRow:
    name: str
    url: str | None
    email: str | None
    assured_date: date | None
    assurer_email: str | None
    staleness_limit_days: int | None
    organization: str
    safety: dict[str, bool | None]
    address: tuple | None = None  # (address_1, address_2, city, country, address_type)


def _details(
    session: Session, page: Sequence[_Candidate], schedules: dict[str, list[_Hours]],
    query: SearchQuery, now: datetime,
) -> list[ServiceResult]:
    if not page:
        return []
    connection = session.connection()
    dialect = connection.dialect.name
    sids = sorted({c.service_id for c in page})
    lids = sorted({c.location_id for c in page})
    sal_ids = sorted({c.sal_id for c in page})
    n_sal, n_sids, n_lids = _bucket(len(sal_ids)), _bucket(len(sids)), _bucket(len(lids))
    rows: dict[str, _PageRow] = {}
    for sal_id, name, url, email, assured, assurer, limit_days, org_name, address_location, \
            address_1, address_2, city, address_country, address_type, *flags in connection.execute(
                _page_statement(dialect, n_sal), _id_params("sal_ids", sal_ids, n_sal)):
        row = rows.get(sal_id)
        if row is None:
            row = rows[sal_id] = _PageRow(name, url, email, assured, assurer, limit_days, org_name,
                                          dict(zip(SAFETY_FLAGS, flags)))
        if address_location is None:
            continue
        # The first address by id, unless a later one is the physical address.
        if row.address is None or (row.address[4] != "physical" and address_type == "physical"):
            row.address = (address_1, address_2, city, address_country, address_type)
    types: dict[str, list[str]] = defaultdict(list)
    languages: dict[str, list[str]] = defaultdict(list)
    phones_by_service: dict[str, str] = {}
    phones_by_location: dict[str, str] = {}
    facts = _facts_statement(dialect, n_sids, n_lids)
    params = {**_id_params("sids", sids, n_sids), **_id_params("lids", lids, n_lids)}
    for kind, owner, value in connection.execute(facts, params):
        if kind == _TYPE:
            if value not in types[owner]:
                types[owner].append(value)
        elif kind == _LANGUAGE:
            if value not in languages[owner]:
                languages[owner].append(value)
        elif kind == _SERVICE_PHONE:
            phones_by_service.setdefault(owner, value)
        else:
            phones_by_location.setdefault(owner, value)

    results = []
    for c in page:
        row = rows[c.sal_id]
        address = row.address
        local_today = now.astimezone(_zone(c.timezone)).date()
        hours, open_now = opening_today(schedules.get(c.service_id, []), c.timezone, now)
        langs = languages.get(c.service_id, [])
        results.append(
            ServiceResult(
                service_id=c.service_id,
                location_id=c.location_id,
                name=row.name,
                organization=row.organization,
                service_types=types.get(c.service_id, []),
                distance_km=round(c.distance_km, 2),
                address=_one_line(address),
                city=address[2] if address else None,
                country=c.country or (address[3].lower() if address and address[3] else None),
                latitude=c.latitude,
                longitude=c.longitude,
                timezone=c.timezone,
                phone=phones_by_service.get(c.service_id) or phones_by_location.get(c.location_id),
                url=row.url,
                email=row.email,
                hours_today=hours,
                open_now=open_now,
                next_opening=None if open_now else next_opening(
                    schedules.get(c.service_id, []), c.timezone, now),
                safety=dict(row.safety),
                languages=langs,
                speaks_language=(query.person_language in langs) if query.person_language and langs else None,
                last_verified_at=row.assured_date,
                verified_by=row.assurer_email,
                verified_days_ago=verification_age(row.assured_date, local_today),
                stale=is_stale(row.assured_date, row.staleness_limit_days, local_today),
            )
        )
    return results


def _one_line(address: tuple | None) -> str | None:
    if address is None:
        return None
    parts = address[:3]  # address_1, address_2, city
    return ", ".join(p.strip() for p in parts if p and p.strip()) or None


def nearest_services(session: Session, query: SearchQuery) -> SearchOutcome:
    """The nearest active services matching `query`, nearest first, one page of them.

    Widens the radius through `query.radii_km` until `offset + limit` services are
    found or the largest radius is reached; `widened` says whether it had to.
    An unknown `service_type` finds nothing at every radius.
    """
    query.validate()
    now = query.now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    wanted = query.offset + query.limit
    # Enough rows to fill the page after de-duplicating services with several
    # locations; "open now" filtering needs a longer list to choose from.
    cap = max(40, wanted * (20 if query.open_now else 4))
    radius = query.radii_km[0]
    found: list[_Candidate] = []
    schedules: dict[str, list[_Hours]] = {}
    for radius in query.radii_km:
        found = _candidates(session, query, radius, cap)
        if query.open_now:
            schedules = _schedules_for(session, found)
            found = [
                c for c in found
                if opening_today(schedules.get(c.service_id, []), c.timezone, now)[1] is True
            ]
        if len(found) >= wanted:
            break
    page = found[query.offset : wanted]
    if not query.open_now:
        schedules = _schedules_for(session, page)
    results = _details(session, page, schedules, query, now)
    return SearchOutcome(
        results=results,
        radius_km=radius,
        widened=radius != query.radii_km[0],
        offset=query.offset,
        limit=query.limit,
        has_more=len(found) > wanted,
        total_in_radius=len(found),
        query=query,
    )


def naive_nearest(session: Session, latitude: float, longitude: float, limit: int = 10) -> list[tuple[str, float]]:
    """Full scan reference (benchmarks and tests only): every location, exact distance."""
    rows = session.execute(
        select(ServiceAtLocation.service_id, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(Service.status == "active", Location.latitude.is_not(None))
    )
    best: dict[str, float] = {}
    for sid, lat, lon in rows:
        d = haversine_km(latitude, longitude, lat, lon)
        if d < best.get(sid, math.inf):
            best[sid] = d
    return sorted(best.items(), key=lambda item: (item[1], item[0]))[:limit]


__all__ = [
    "DEFAULT_RADII_KM",
    "MAX_LIMIT",
    "OpeningInterval",
    "SearchError",
    "SearchOutcome",
    "SearchQuery",
    "ServiceResult",
    "bounding_box",
    "haversine_km",
    "is_stale",
    "naive_nearest",
    "nearest_services",
    "opening_today",
]
