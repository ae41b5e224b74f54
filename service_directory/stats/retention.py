"""Retention: raw events older than STATS_RAW_DAYS become weekly counts, then go.

`roll` moves every raw event older than the cutoff into `stats_weekly` (one row per
period and combination of dimensions, with the count and the sum of values) and
deletes those events, in one transaction: a view reads raw and rolled rows as one
(`queries`), so its figures are the same before and after a roll. Rolled rows keep
the event's period (a week, split at a month's first day), every dimension and
`synthetic`; only the hour goes. Rolling twice adds rows, never changes a sum.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Date, Index, Integer, delete, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from ..config import get_settings
from ..db import Base
from .events import DIMENSIONS, EventFacts, StatsEvent, touch_ended_periods


log = logging.getLogger(__name__)
# PostgreSQL advisory lock: one roll at a time, however many workers run the daily roll
# (two at once would both count the same old events before either deleted them).
ROLL_LOCK_KEY = 0x50554E54  # "PUNT"
ROLL_EVERY_SECONDS = 86400.0


class StatsWeekly(EventFacts, Base):
    """Rolled events: how many (and their values' sum) per period and facts."""

    __tablename__ = "stats_weekly"
    __table_args__ = (Index("ix_stats_weekly_kind_period", "synthetic", "kind", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[date] = mapped_column(Date)
    events: Mapped[int] = mapped_column(Integer)
    value_sum: Mapped[int | None] = mapped_column(Integer)


@dataclass(frozen=True)
class RollResult:
    cutoff: datetime
    events: int
    rows: int


def roll(session: Session, *, raw_days: int | None = None,
         now: datetime | None = None) -> RollResult:
    """Move raw events older than `raw_days` (default STATS_RAW_DAYS) into weekly
    counts and delete them; the caller commits (both happen or neither)."""
    days = get_settings().stats_raw_days if raw_days is None else raw_days
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    # Bounded by id too, so an event written while rolling is neither counted nor deleted.
    last = session.scalar(select(func.max(StatsEvent.id)).where(StatsEvent.occurred_hour < cutoff))
    if last is None:
        return RollResult(cutoff=cutoff, events=0, rows=0)
    old = (StatsEvent.occurred_hour < cutoff) & (StatsEvent.id <= last)
    columns = [StatsEvent.period, *(getattr(StatsEvent, name) for name in DIMENSIONS)]
    grouped = (select(*columns, func.count(), func.sum(StatsEvent.value))
               .where(old).group_by(*columns))
    names = ["period", *DIMENSIONS, "events", "value_sum"]
    moved = rows = 0
    batch: list[dict] = []
    for values in session.execute(grouped):
        row = dict(zip(names, values))
        moved += row["events"]
        batch.append(row)
        if len(batch) >= 1000:
            session.execute(StatsWeekly.__table__.insert(), batch)
            rows, batch = rows + len(batch), []
    if batch:
        session.execute(StatsWeekly.__table__.insert(), batch)
        rows += len(batch)
    session.execute(delete(StatsEvent).where(old))
    touch_ended_periods(session)
    return RollResult(cutoff=cutoff, events=moved, rows=rows)


def roll_exclusively(session: Session, **kwargs) -> RollResult | None:
    """`roll`, unless another process is rolling now (then None). SQLite needs no lock:
    it lets one writer at a time."""
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ROLL_LOCK_KEY}):
        return None
    return roll(session, **kwargs)


def roll_every(factory: sessionmaker, seconds: float = ROLL_EVERY_SECONDS,
               stop: threading.Event | None = None) -> None:
    """Retention without a cron: `puente worker` rolls at start and then daily, in a
    thread of its own; a failure (the database restarting) waits for the next day."""
    stop = stop or threading.Event()
    while True:
        try:
            with factory() as session:
                result = roll_exclusively(session)
                session.commit()
            if result is not None and result.events:
                log.info("statistics: rolled %d raw events into %d weekly rows",
                         result.events, result.rows)
        except Exception:
            log.exception("statistics roll failed; trying again in %.0f s", seconds)
        if stop.wait(seconds):
            return
