"""Parse and check single values, shared by the HSDS import and the admin API.

Each function takes text as a person or another tool wrote it and returns the value
Puente stores, or raises `ValueError` with a message that says what is wrong and what
is expected: the import prefixes it with file, line and column, the API returns it
as a 422.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timezone
from urllib.parse import urlsplit

import phonenumbers

from ..models.directory import SAFETY_FLAGS, SERVICE_TYPES
from .texts import N_, Text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DAY = r"(?:[+-]?\d{1,2})?(?:MO|TU|WE|TH|FR|SA|SU)"
_BYDAY = re.compile(rf"^{_DAY}(?:,{_DAY})*$")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
TRUE_WORDS = {"true": True, "false": False}


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(Text(N_("{value} is not a number"), value=repr(text))) from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(Text(N_("{value} is not a finite number"), value=repr(text)))
    return value


def integer(text: str) -> int:
    value = number(text)
    if not value.is_integer():
        raise ValueError(Text(N_("{value} is not a whole number"), value=repr(text)))
    return int(value)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(Text(N_("{value} is not a date; write it as YYYY-MM-DD"), value=repr(text))) from None


def iso_datetime(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(Text(N_("{value} is not a date-time; write it as YYYY-MM-DDTHH:MM:SSZ"),
                              value=repr(text))) from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def clock_time(text: str) -> time:
    """HH:MM or HH:MM:SS, local to the location; a trailing Z or UTC offset (which HSDS
    allows) is accepted and dropped, since Puente keeps hours in the location's timezone."""
    match = _TIME.match(text)
    if not match:
        raise ValueError(Text(N_("{value} is not a time; write it as HH:MM (24-hour clock)"),
                              value=repr(text)))
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(Text(N_("{value} is not a time of day (00:00 to 23:59)"), value=repr(text)))
    return time(hour, minute, second)


def latitude(value: float) -> float:
    if not -90 <= value <= 90:
        raise ValueError(Text(N_("latitude {value} is out of range: it must be between -90 and 90"),
                              value=_fmt(value)))
    return value


def longitude(value: float) -> float:
    if not -180 <= value <= 180:
        raise ValueError(Text(N_("longitude {value} is out of range: it must be between -180 and 180"),
                              value=_fmt(value)))
    return value


def email(text: str) -> str:
    if not _EMAIL.match(text):
        raise ValueError(Text(N_("{value} is not an e-mail address"), value=repr(text)))
    return text


def url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise ValueError(Text(N_("{value} is not a web address; write it in full, e.g. "
                                 "https://example.org/page"), value=repr(text)))
    return text


def phone_e164(text: str, region: str | None = None) -> str:
    """The number in E.164 form (+ country code and digits), checked by `phonenumbers`.

    A national number is read in `region` (ISO alpha-2) when one is known.
    """
    try:
        parsed = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        raise ValueError(Text(N_("{value} is not a phone number; write it in international "
                                 "E.164 form, e.g. +573001234567"), value=repr(text))) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(Text(N_("{value} is not a valid phone number for its country; write it "
                                 "in international E.164 form, e.g. +573001234567"),
                              value=repr(text)))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def language_code(text: str) -> str:
    code = text.strip().lower()
    if not _LANGUAGE.match(code):
        raise ValueError(Text(N_("{value} is not a language code; use ISO 639-1, e.g. es, ht, pt"),
                              value=repr(text)))
    return code


def country_code(text: str) -> str:
    if not _COUNTRY.match(text):
        raise ValueError(Text(N_("{value} is not a country code; use ISO 3166-1 alpha-2, e.g. CO"),
                              value=repr(text)))
    return text


def optional_lower_country(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code in Puente's own lower case ("CO " → "co"); None stays None."""
    if value is None:
        return None
    clean = value.strip().lower()
    if len(clean) != 2 or not clean.isalpha():
        raise ValueError("must be an ISO 3166-1 alpha-2 code like 'co'")
    return clean


def week_start(text: str) -> str:
    """RFC 5545 two-letter day (MO); HSDS also shows three-letter days (MON): both accepted."""
    day = text.strip().upper()[:2]
    if day not in WEEKDAYS or len(text.strip()) not in (2, 3):
        raise ValueError(Text(N_("{value} is not a day of the week; use MO, TU, WE, TH, FR, SA or SU"),
                              value=repr(text)))
    return day


def frequency(text: str) -> str:
    freq = text.strip().upper()
    if freq not in FREQUENCIES:
        raise ValueError(Text(N_("{value} is not a frequency; use {known}"), value=repr(text),
                              known=", ".join(FREQUENCIES)))
    return freq


def by_day(text: str) -> str:
    days = text.replace(" ", "").upper()
    if not _BYDAY.match(days):
        raise ValueError(Text(N_("{value} is not a list of days; write e.g. MO,TU,WE (or 2MO, -1FR)"),
                              value=repr(text)))
    return days


def service_type(code: str) -> str:
    if code not in SERVICE_TYPES:
        raise ValueError(Text(N_("{value} is not a service type; known: {known}"), value=repr(code),
                              known=", ".join(SERVICE_TYPES)))
    return code


def safety_flag(code: str) -> str:
    if code not in SAFETY_FLAGS:
        raise ValueError(Text(N_("{value} is not a safety flag; known: {known}"), value=repr(code),
                              known=", ".join(SAFETY_FLAGS)))
    return code


def boolean_word(text: str | None) -> bool:
    value = TRUE_WORDS.get((text or "").strip().lower())
    if value is None:
        raise ValueError(Text(N_("{value} is not true or false"), value=repr(text)))
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
