"""Discrimination reports: a person says a service treated them badly; its NGO reviews it.

Nothing identifies the person beyond the pseudonym, which is kept only so that
`delete_my_data` can unlink their reports (it is never shown to curators). The
organization is copied from the service when the report is filed, so the right
curators see it even if the service is later removed.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .accounts import ORGANIZATION_TABLE

SERVICE_TABLE = "service"
REPORT_STATUSES = ("open", "resolved")


def _uuid() -> str:
    return str(uuid.uuid4())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class DiscriminationReport(Base):
    """One report of discrimination, in the person's own words."""

    __tablename__ = "discrimination_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow,
                                                 index=True)
    pseudonym: Mapped[str | None] = mapped_column(String(128), index=True)
    service_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey(f"{SERVICE_TABLE}.id", ondelete="SET NULL"), index=True)
    service_name: Mapped[str | None] = mapped_column(String(300))
    organization_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey(f"{ORGANIZATION_TABLE}.id", ondelete="SET NULL"), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(5))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="SET NULL"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
