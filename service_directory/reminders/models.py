"""Reminder plans, their occurrences, and follow-up requests for the NGOs.

A plan knows a pseudonym, never a number (the connectors' vault has that). Each
occurrence is one message due at one instant; its `key` (plan, local date, kind) is
unique, so however many workers materialise the same day, one row exists, and the
connector refuses a key it has already sent: that pair is what makes sending
exactly once. A worker claims a batch by writing a lease (token and expiry); a
worker that dies leaves leases that expire and are claimed again.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ..models.accounts import ORGANIZATION_TABLE

PLAN_STATUSES = ("active", "paused", "stopped")
MODES = ("daily", "weekly")
KINDS = ("dose", "checkin")
# due -> leased -> sent -> delivered | failed; or skipped_late, skipped_optout, cancelled
OCCURRENCE_STATUSES = ("due", "leased", "sent", "delivered", "failed", "skipped_late",
                       "skipped_optout", "cancelled")
ANSWERS = ("taken", "ok", "problem")
FOLLOWUP_STATUSES = ("new", "in_review", "resolved")
FOLLOWUP_REASONS = ("side_effects", "no_medicine", "moved", "other")


def _uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ReminderPlan(Base):
    """One person's reminder: when (local time, days, zone), how it reads, its state."""

    __tablename__ = "reminder_plan"
    __table_args__ = (Index("ix_reminder_plan_status_next_due_at", "status", "next_due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    pseudonym: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # twilio_sms | twilio_whatsapp
    language: Mapped[str] = mapped_column(String(5))
    country: Mapped[str | None] = mapped_column(String(2))
    place: Mapped[str | None] = mapped_column(String(120))  # as resolved, for the zone
    timezone: Mapped[str] = mapped_column(String(64))
    local_time: Mapped[str] = mapped_column(String(5))  # "20:00"
    days: Mapped[str] = mapped_column(String(7), default="0123456")  # date.weekday() digits
    mode: Mapped[str] = mapped_column(String(10), default="daily")
    # Her own words, if she chose them; else the neutral default (no illness named).
    codeword: Mapped[str | None] = mapped_column(String(60))
    # hiv_treatment / tb_treatment when she said which: "2" offers that service.
    treatment: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="active")
    paused_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)


class ReminderOccurrence(Base):
    """One message due at one instant, sent at most once."""

    __tablename__ = "reminder_occurrence"
    __table_args__ = (Index("ix_reminder_occurrence_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(
        ForeignKey("reminder_plan.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="due")
    lease_token: Mapped[str | None] = mapped_column(String(36), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FollowUpRequest(Base):
    """"I need help" after a check-in, in the queue of the NGO that curates the service
    offered. Only the pseudonym (never shown to curators) and what she chose to say."""

    __tablename__ = "followup_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey(f"{ORGANIZATION_TABLE}.id", ondelete="SET NULL"), index=True)
    pseudonym: Mapped[str | None] = mapped_column(String(128), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    service_type: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="new")
    resolution_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
