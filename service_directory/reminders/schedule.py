"""When a reminder is due: local wall-clock time in her zone, as an instant in UTC.

Her reminder is "8 pm where she is". Chile and Haiti change their clocks, Colombia
and Peru do not, so every instant is computed from the local date and time in the
IANA zone on that date (zoneinfo), never by adding 24 hours to the last one. A time
that does not exist on a spring-forward day is sent at the same offset as the day
before (an hour later on the new clock); a time that exists twice is sent once, the
first time. Check-ins never arrive in quiet hours: they move to the next morning.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Where she is decides the clock. Countries with several zones use the zone of most
# of the people Puente serves there; a place she names refines it (the gazetteer's).
COUNTRY_ZONES: dict[str, str] = {
    "co": "America/Bogota", "pe": "America/Lima", "ec": "America/Guayaquil",
    "br": "America/Sao_Paulo", "cl": "America/Santiago", "pa": "America/Panama",
    "mx": "America/Mexico_City", "do": "America/Santo_Domingo",
    "tt": "America/Port_of_Spain", "gy": "America/Guyana", "ht": "America/Port-au-Prince",
    "ve": "America/Caracas", "cr": "America/Costa_Rica", "ni": "America/Managua",
    "hn": "America/Tegucigalpa", "gt": "America/Guatemala", "sv": "America/El_Salvador",
    "bo": "America/La_Paz", "ar": "America/Argentina/Buenos_Aires", "us": "America/New_York",
    "cu": "America/Havana", "jm": "America/Jamaica", "sr": "America/Paramaribo",
    "gf": "America/Cayenne",
}
QUIET_START = time(22, 0)
QUIET_END = time(7, 0)
MORNING = time(8, 0)
ALL_DAYS = "0123456"


class UnknownZone(ValueError):
    """Neither the place nor the country gives a time zone."""


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownZone(name) from error


def zone_for(country: str | None, place_zone: str | None = None) -> str:
    """The IANA zone of her place, else of her country; UnknownZone when neither."""
    for candidate in (place_zone, COUNTRY_ZONES.get((country or "").lower())):
        if candidate:
            zone(candidate)  # refuse a name zoneinfo does not know
            return candidate
    raise UnknownZone(country or "")


def local_instant(day: date, at: time, zone_name: str) -> datetime:
    """`at` on `day` in the zone, as an aware UTC datetime (fold=0 on ambiguous times)."""
    tz = zone(zone_name)
    local = datetime.combine(day, at, tzinfo=tz)
    # A time in a spring-forward gap does not round-trip; zoneinfo gives it the
    # offset before the change, which lands an hour later on the new clock.
    return local.astimezone(timezone.utc)


def parse_hhmm(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def next_due(local_time: str, days: str, zone_name: str, after: datetime,
             weekly: bool = False) -> tuple[datetime, date]:
    """The first due instant strictly after `after`, and its local date.

    `days` are `date.weekday()` digits; weekly plans use the first of them only.
    """
    at = parse_hhmm(local_time)
    allowed = {int(d) for d in (days[:1] if weekly else days) or ALL_DAYS}
    start = after.astimezone(zone(zone_name)).date()
    for offset in range(0, 15):
        day = start + timedelta(days=offset)
        if day.weekday() not in allowed:
            continue
        due = local_instant(day, at, zone_name)
        if due > after:
            return due, day
    raise ValueError(f"no due day in days={days!r}")  # unreachable with 1+ allowed day


def in_quiet_hours(moment: datetime, zone_name: str) -> bool:
    local = moment.astimezone(zone(zone_name)).time()
    return local >= QUIET_START or local < QUIET_END


def checkin_due(sent_at: datetime, zone_name: str, after_minutes: int) -> datetime:
    """When to check in on an unanswered reminder: after a while, but never at night
    (then at 8:00 the next morning, her time)."""
    due = sent_at + timedelta(minutes=after_minutes)
    if not in_quiet_hours(due, zone_name):
        return due
    local = due.astimezone(zone(zone_name))
    morning_day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return local_instant(morning_day, MORNING, zone_name)


def occurrence_key(plan_id: str, local_day: date, kind: str) -> str:
    """Idempotency key of one occurrence: one per plan, local date and kind."""
    return f"{plan_id}:{local_day.isoformat()}:{kind}"


def zone_label(zone_name: str) -> str:
    """"Santiago" for America/Santiago: how the confirmation names her clock."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")
