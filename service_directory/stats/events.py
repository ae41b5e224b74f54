"""Anonymous usage events: one table, written only through `record` and `record_many`.

DESIGN.md's privacy rules are enforced here, at the only place events are written:
- no parameter can carry a pseudonym, a phone number, free text or a position;
- every field is checked against a fixed vocabulary (kinds, channels, languages,
  the region's countries, the gazetteer's admin-1 areas, the contract's intents and
  service types, a few outcomes per kind, a small value for the kinds that have one):
  an unknown kind refuses the event, any other unknown value is stored as None;
- the time is the hour (UTC) the app recorded it, never one sent by a caller.

Recording never breaks or delays an answer: the row joins the caller's transaction
(one INSERT; on PostgreSQL inside a SAVEPOINT, since a failed statement there spoils
the whole transaction), and any error is logged as one line naming the kind and the
error's class, nothing else, then forgotten: a statistic is lost, never a reply.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .. import gazetteer
from ..config import LANGUAGES
from ..db import Base

log = logging.getLogger(__name__)

KINDS = (
    "conversation_started", "topic", "search", "fallback", "no_content",
    "discrimination_report", "urgent_answer", "handoff", "reminder_opt_in",
    "reminder_opt_out", "reminder_sent", "reminder_delivered", "reminder_failed",
    "checkin_answer", "sms_segments",
)
CHANNELS = ("sms", "whatsapp", "web")
#: Rasa's channel names, as the bot and the reminder plans know them.
CHANNEL_ALIASES = {"twilio_sms": "sms", "twilio_whatsapp": "whatsapp", "rest": "web"}
#: The conversation contract's intents (DESIGN.md).
INTENTS = (
    "greet", "goodbye", "thanks", "affirm", "deny", "help", "choose_language",
    "find_service", "inform_location", "ask_rights", "ask_cost", "ask_documents",
    "ask_confidentiality", "set_reminder", "change_reminder", "stop_reminder",
    "dose_taken", "report_discrimination", "delete_my_data", "talk_to_human",
    "emergency", "moving_country", "bot_challenge", "out_of_scope",
)
RESULT_BUCKETS = ("0", "1-2", "3-5", "6+")
DISTANCE_BANDS = ("<5km", "5-25km", "25-100km", ">100km")
#: The outcomes a kind may carry; a kind not listed carries none.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "search": RESULT_BUCKETS,
    "reminder_sent": ("dose", "checkin"),
    "checkin_answer": ("taken", "ok", "missed", "problem"),
}
#: Kinds that carry a value, and its largest allowed value.
VALUE_MAX = {"sms_segments": 20}
#: Countries an event may name: the route and its neighbours (where people come from,
#: and where a question may have no content yet).
COUNTRIES = gazetteer.REGION_COUNTRIES


class UnknownKind(ValueError):
    """An event kind outside `KINDS`: the whole event is refused."""


class EventFacts:
    """The facts an event may hold, shared by raw events and their weekly rollup."""

    kind: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str | None] = mapped_column(String(2))
    country: Mapped[str | None] = mapped_column(String(2))
    area: Mapped[str | None] = mapped_column(String(80))
    intent: Mapped[str | None] = mapped_column(String(32))
    service_type: Mapped[str | None] = mapped_column(String(24))
    outcome: Mapped[str | None] = mapped_column(String(10))
    distance_band: Mapped[str | None] = mapped_column(String(10))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class StatsEvent(EventFacts, Base):
    """One anonymous event. `period` is the day its time chunk starts: the Monday of its
    ISO week, or the 1st of the month when a month begins inside that week, so both
    weekly and monthly figures are whole sums of periods (see `period_start`)."""

    __tablename__ = "stats_event"
    __table_args__ = (
        # Covering: a view's GROUP BY reads this index only, never the table.
        Index("ix_stats_event_cube", "synthetic", "kind", "period", "country", "language",
              "channel", "intent", "outcome", "service_type", "area", "distance_band", "value"),
        Index("ix_stats_event_occurred_hour", "occurred_hour"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    period: Mapped[date] = mapped_column(Date)
    value: Mapped[int | None] = mapped_column(Integer)


class StatsState(Base):
    """One row: a token that changes whenever an ended period may have changed (an
    event stamped in the past, a roll, demo data), so `queries` may keep the base cells
    of ended periods in memory: live events only ever land in the current period."""

    __tablename__ = "stats_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[str] = mapped_column(String(36))


#: The descriptive columns (everything but id, time and value), shared with the rollup.
DIMENSIONS = tuple(EventFacts.__annotations__)


def truncate_to_hour(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def period_start(moment: datetime | date) -> date:
    """The start of the chunk holding `moment` (UTC): its ISO week's Monday, or the 1st
    of its month when the month began later in that week."""
    day = truncate_to_hour(moment).date() if isinstance(moment, datetime) else moment
    monday = day - timedelta(days=day.weekday())
    return max(monday, day.replace(day=1))


def results_bucket(count: int) -> str:
    """Coarse bucket of a result count ("0" is unmet demand)."""
    if count <= 0:
        return "0"
    if count <= 2:
        return "1-2"
    if count <= 5:
        return "3-5"
    return "6+"


def distance_band(km: float | None) -> str | None:
    """Coarse band of the nearest result's distance."""
    if km is None:
        return None
    if km < 5:
        return "<5km"
    if km < 25:
        return "5-25km"
    if km < 100:
        return "25-100km"
    return ">100km"


def _service_types() -> tuple[str, ...]:
    # imported here: the models package imports this module to register its table
    from ..models.directory import SERVICE_TYPES

    return SERVICE_TYPES


def _choice(value: Any, allowed: Iterable[str]) -> str | None:
    if not isinstance(value, str):
        return None
    clean = value.strip().lower()
    return clean if clean in allowed else None


def _channel(value: Any) -> str | None:
    if isinstance(value, str):
        value = CHANNEL_ALIASES.get(value.strip().lower(), value)
    return _choice(value, CHANNELS)


def _value(kind: str, value: Any) -> int | None:
    top = VALUE_MAX.get(kind)
    if top is None or isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= top else None


def clean(kind: str, *, channel: Any = None, language: Any = None, country: Any = None,
          area: Any = None, intent: Any = None, service_type: Any = None,
          outcome: Any = None, distance_band: Any = None, value: Any = None,
          synthetic: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """The row to store for one event: every field checked, unknown values dropped to
    None. Raises `UnknownKind` for a kind outside `KINDS`."""
    if kind not in KINDS:
        raise UnknownKind(f"unknown event kind {kind!r}; use one of {', '.join(KINDS)}")
    country_code = _choice(country, COUNTRIES)
    area_name = gazetteer.admin1_area_named(country_code, area) if isinstance(area, str) else None
    hour = truncate_to_hour(now or datetime.now(timezone.utc))
    return {
        "kind": kind, "occurred_hour": hour, "period": period_start(hour),
        "channel": _channel(channel), "language": _choice(language, LANGUAGES),
        "country": country_code, "area": area_name, "intent": _choice(intent, INTENTS),
        "service_type": _choice(service_type, _service_types()),
        "outcome": _choice(outcome, OUTCOMES.get(kind, ())),
        "distance_band": _choice(distance_band, DISTANCE_BANDS) if kind == "search" else None,
        "value": _value(kind, value), "synthetic": bool(synthetic),
    }


def record(session: Session, kind: str, *, channel: str | None = None,
           language: str | None = None, country: str | None = None, area: str | None = None,
           intent: str | None = None, service_type: str | None = None,
           outcome: str | None = None, distance_band: str | None = None,
           value: int | None = None, now: datetime | None = None) -> bool:
    """Add one event to the caller's transaction (the caller commits). Never raises:
    False when the event was refused or could not be written (logged, without data)."""
    try:
        row = clean(kind, channel=channel, language=language, country=country, area=area,
                    intent=intent, service_type=service_type, outcome=outcome,
                    distance_band=distance_band, value=value, now=now)
    except UnknownKind:
        log.warning("statistics event refused: unknown kind")
        return False
    return _insert(session, [row]) == 1


def record_now(session: Session, kind: str, **fields: Any) -> bool:
    """`record` and commit at once, for a caller that has nothing else to commit (a
    read-only answer): a failed commit is logged and rolled back, never raised."""
    if not record(session, kind, **fields):
        return False
    return commit_quietly(session, kind)


def record_many(session: Session, events: Iterable[Mapping[str, Any]],
                now: datetime | None = None) -> int:
    """Add many events in one INSERT (the caller commits): each a mapping of `clean`'s
    keyword arguments and `kind`; keys outside them are ignored. Raises `UnknownKind`
    before writing anything if one kind is unknown; returns how many were written."""
    allowed = ("channel", "language", "country", "area", "intent", "service_type",
               "outcome", "distance_band", "value", "synthetic", "now")
    rows = []
    for event in events:
        fields = {key: event[key] for key in allowed if key in event}
        fields.setdefault("now", now)
        rows.append(clean(str(event.get("kind")), **fields))
    return _insert(session, rows)


def generation(session: Session) -> str | None:
    """The current token of `StatsState` (None before any change to an ended period)."""
    return session.scalar(select(StatsState.generation).where(StatsState.id == 1))


def touch_ended_periods(session: Session) -> None:
    """Say that ended periods changed (in the caller's transaction)."""
    token = str(uuid.uuid4())
    if not session.execute(update(StatsState).where(StatsState.id == 1)
                           .values(generation=token)).rowcount:
        session.execute(insert(StatsState).values(id=1, generation=token))


def _insert(session: Session, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    current = period_start(datetime.now(timezone.utc))
    try:
        if session.get_bind().dialect.name == "postgresql":
            with session.begin_nested():
                _write(session, rows, current)
        else:  # SQLite keeps the transaction after a failed statement (and pysqlite's
            _write(session, rows, current)  # SAVEPOINT cannot open one safely)
    except Exception as error:  # noqa: BLE001 - a statistic must never break an answer
        log.warning("statistics lost: %d %s event(s) not recorded (%s)", len(rows),
                    rows[0]["kind"], type(error).__name__)
        return 0
    return len(rows)


def _write(session: Session, rows: list[dict[str, Any]], current: date) -> None:
    session.execute(StatsEvent.__table__.insert(), rows)  # Core: 4-8x the ORM's bulk path
    if any(row["period"] < current for row in rows):  # tests, demo data, migrations
        touch_ended_periods(session)


def commit_quietly(session: Session, kind: str) -> bool:
    """Commit events (and nothing else pending); on failure log, roll back, say False."""
    try:
        session.commit()
    except Exception as error:  # noqa: BLE001
        log.warning("statistics lost: a %s event not committed (%s)", kind, type(error).__name__)
        try:
            session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone
            pass
        return False
    return True
