"""Anonymous usage events: what was searched where, never who searched.

Statistics (`/stats/`) are built from these rows, so DESIGN.md's privacy rules are
enforced here, at the only place events are written: no pseudonym, no phone number,
no free text, no coordinates; the area is coarse (a city or admin-1 region name) and
the time is truncated to the hour; the number found is a bucket, not a count.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base

FOUND_BUCKETS = ("0", "1-2", "3-5", "6+")


class UsageEvent(Base):
    """One anonymous event (for now only `kind='search'`)."""

    __tablename__ = "usage_events"
    __table_args__ = (Index("ix_usage_events_kind_occurred_hour", "kind", "occurred_hour"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    area: Mapped[str | None] = mapped_column(String(200))
    service_type: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(5))
    found_bucket: Mapped[str] = mapped_column(String(8))
    radius_km: Mapped[int | None] = mapped_column(Integer)
    occurred_hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def found_bucket(count: int) -> str:
    """Coarse bucket of a result count ("0" is unmet demand)."""
    if count <= 0:
        return "0"
    if count <= 2:
        return "1-2"
    if count <= 5:
        return "3-5"
    return "6+"


def truncate_to_hour(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def record_search(
    session: Session,
    *,
    country: str | None,
    area: str | None,
    service_type: str | None,
    language: str | None,
    found: int,
    radius_km: float | None = None,
    now: datetime | None = None,
) -> UsageEvent:
    """Add one anonymous search event to `session` (the caller commits).

    Takes only coarse facts by design: there is no parameter through which a
    pseudonym, number, text or coordinate could reach the table.
    """
    event = UsageEvent(
        kind="search",
        country=(country or None) and country.lower()[:2],
        area=(area or None) and area[:200],
        service_type=service_type,
        language=language,
        found_bucket=found_bucket(found),
        radius_km=int(round(radius_km)) if radius_km is not None else None,
        occurred_hour=truncate_to_hour(now or datetime.now(timezone.utc)),
    )
    session.add(event)
    return event
