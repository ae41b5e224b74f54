"""Demo statistics: a month of synthetic events, marked `synthetic`, for `make demo`.

Plausible, not real: conversations spread over the route's countries in their
languages (Spanish most, Portuguese in Brazil, Haitian Creole where Haitians are,
English in Trinidad and Guyana), a few topics each, searches in each country's main
admin-1 areas (PrEP and PEP found less often), fallbacks, SMS segments, and a
reminder programme with its answers. Written through `events.record_many`, so the
same vocabulary applies; the views show them with `?synthetic=true` only. Periods
end with the last ended week, so every generated day is visible.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .. import gazetteer
from .events import record_many, touch_ended_periods, StatsEvent
from .retention import StatsWeekly

COUNTRIES = {"co": 30, "pe": 18, "ec": 10, "br": 10, "cl": 10, "mx": 8, "pa": 4, "do": 4,
             "tt": 3, "gy": 3}
LANGUAGES = {"br": {"pt": 80, "es": 12, "ht": 8}, "do": {"es": 50, "ht": 45, "fr": 5},
             "cl": {"es": 80, "ht": 18, "fr": 2}, "mx": {"es": 85, "ht": 10, "fr": 5},
             "tt": {"en": 50, "es": 50}, "gy": {"en": 45, "es": 50, "pt": 5}}
CHANNELS = {"sms": 55, "whatsapp": 40, "web": 5}
INTENTS = {"find_service": 30, "ask_rights": 15, "ask_cost": 10, "ask_documents": 8,
           "ask_confidentiality": 5, "greet": 12, "thanks": 8, "set_reminder": 3,
           "talk_to_human": 2, "emergency": 1, "report_discrimination": 1, "moving_country": 3,
           "help": 2}
SERVICES = {"hiv_testing": 30, "prep": 15, "hiv_treatment": 12, "sti_testing": 10,
            "contraception": 10, "pep": 6, "prenatal_care": 6, "tb_testing": 4,
            "mental_health": 4, "gbv_care": 3}
#: Chance that a search finds nothing, and that its nearest is beyond reach.
HARD_TO_FIND = {"prep": (0.35, 0.2), "pep": (0.3, 0.2), "mental_health": (0.25, 0.15)}


def _pick(rnd: random.Random, weights: dict[str, int]) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def generate(days: int = 30, *, end: date | None = None, per_day: int = 150,
             seed: int = 7) -> Iterator[dict[str, Any]]:
    """Synthetic events (mappings for `record_many`) for the `days` days before `end`
    (default: this week's Monday)."""
    rnd = random.Random(seed)
    today = datetime.now(timezone.utc).date()
    end = end or today - timedelta(days=today.weekday())
    areas = {country: gazetteer.main_areas(country, 6) for country in COUNTRIES}
    people = [(_pick(rnd, COUNTRIES), rnd.random()) for _ in range(per_day * 2)]
    for offset in range(days, 0, -1):
        day = end - timedelta(days=offset)
        for _ in range(int(per_day * rnd.uniform(0.7, 1.3))):
            yield from _conversation(rnd, day, areas)
        yield from _reminders(rnd, day, people)


def _moment(rnd: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(rnd.randint(0, 23)), tzinfo=timezone.utc)


def _conversation(rnd: random.Random, day: date, areas: dict[str, list[str]]) -> Iterator[dict]:
    country = _pick(rnd, COUNTRIES)
    base = {"country": country, "language": _pick(rnd, LANGUAGES.get(country, {"es": 1})),
            "channel": _pick(rnd, CHANNELS), "now": _moment(rnd, day), "synthetic": True}
    yield {"kind": "conversation_started", **base}
    for _ in range(rnd.randint(1, 4)):
        understood = rnd.random() > (0.18 if base["language"] == "ht" else 0.08)
        intent = _pick(rnd, INTENTS) if understood else None
        yield {"kind": "topic", "intent": intent, **base} if understood else {"kind": "fallback", **base}
        if base["channel"] == "sms":
            yield {"kind": "sms_segments", "value": rnd.choice((1, 1, 2, 2, 3)), **base}
        if intent == "find_service":
            yield _search(rnd, base, areas[country])
        elif intent in ("ask_rights", "ask_cost") and rnd.random() < 0.05:
            yield {"kind": "no_content", **base, "country": rnd.choice(("cr", "ve", "ar")),
                   "service_type": _pick(rnd, SERVICES), "intent": intent}
        elif intent == "emergency":
            yield {"kind": "urgent_answer", **base}
        elif intent == "talk_to_human":
            yield {"kind": "handoff", **base}
        elif intent == "report_discrimination":
            yield {"kind": "discrimination_report", **base}


def _search(rnd: random.Random, base: dict, areas: list[str]) -> dict:
    service = _pick(rnd, SERVICES)
    nothing, far = HARD_TO_FIND.get(service, (0.08, 0.07))
    roll = rnd.random()
    found = 0 if roll < nothing else rnd.choice((1, 2, 3))
    band = None if not found else ">100km" if roll < nothing + far else rnd.choice(
        ("<5km", "<5km", "5-25km"))
    area = rnd.choices(areas, weights=[2 ** (len(areas) - i) for i in range(len(areas))])[0] if areas else None
    return {"kind": "search", **base, "area": area, "service_type": service,
            "outcome": "0" if not found else "1-2" if found < 3 else "3-5", "distance_band": band}


def _reminders(rnd: random.Random, day: date, people: list[tuple[str, float]]) -> Iterator[dict]:
    for country, steadiness in people:
        base = {"country": country, "language": "es", "channel": "sms",
                "service_type": "hiv_treatment", "now": _moment(rnd, day), "synthetic": True}
        yield {"kind": "reminder_sent", "outcome": "dose", **base}
        if rnd.random() < 0.05:
            yield {"kind": "reminder_failed", **base}
            continue
        yield {"kind": "reminder_delivered", **base}
        if rnd.random() < 0.5 + 0.4 * steadiness:
            yield {"kind": "checkin_answer", "outcome": "taken", **base}
        elif rnd.random() < 0.5:
            yield {"kind": "checkin_answer", "outcome": rnd.choice(("ok", "ok", "problem")), **base}
    for _ in range(rnd.randint(1, 5)):
        yield {"kind": "reminder_opt_in", "country": rnd.choice(people)[0], "now": _moment(rnd, day),
               "synthetic": True}
    if rnd.random() < 0.5:
        yield {"kind": "reminder_opt_out", "country": rnd.choice(people)[0],
               "now": _moment(rnd, day), "synthetic": True}


def replace_demo_events(session: Session, days: int = 30, **options: Any) -> int:
    """Delete every synthetic event (raw and rolled) and write a fresh set; the caller
    commits. Real events are never touched."""
    session.execute(delete(StatsEvent).where(StatsEvent.synthetic.is_(True)))
    session.execute(delete(StatsWeekly).where(StatsWeekly.synthetic.is_(True)))
    touch_ended_periods(session)
    written, batch = 0, []
    for event in generate(days, **options):
        batch.append(event)
        if len(batch) == 5000:
            written += record_many(session, batch)
            batch = []
    return written + record_many(session, batch)
