"""Entitlements knowledge: what a migrant may get, at what cost, with which papers, per country.

One row answers one question for one country: an `access` entry says, for a service
type (and, only where it changes the answer, a migration or life situation), whether
the person is entitled, what it costs, which documents are asked and how to get it;
a `confidentiality` entry says what a clinic may and may not share (service type
null = every service). Texts a person reads come from the catalogs (`guidance_key`,
a key of `messages_rights.MESSAGES_RIGHTS`) or, for content added through the admin
API, from `guidance` (a map language → text). Every row cites a public source and
says when and by whom it was last reviewed.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base

SERVICE_TYPES = (
    "hiv_testing", "hiv_treatment", "prep", "pep", "tb_testing", "tb_treatment",
    "sti_testing", "contraception", "prenatal_care", "gbv_care", "mental_health",
)
# Entitlements also know about emergency care, which the directory does not list.
ENTITLEMENT_SERVICE_TYPES = SERVICE_TYPES + ("emergency_care",)
SITUATIONS = ("regular", "irregular", "asylum_seeker", "pregnant", "minor", "transit")
# `enrolment`: how to join the public health system (its card, its insurance), for the
# country as a whole (service type null).
ENTRY_TOPICS = ("access", "confidentiality", "enrolment")
QUERY_TOPICS = ("rights", "cost", "documents", "confidentiality", "enrolment")
ENTITLED = ("yes", "no", "partial", "emergency_only")
COSTS = ("free", "copay", "fee", "varies")
DOCUMENTS = (
    "none", "any_id", "passport", "national_id_of_origin", "ppt_colombia",
    "carnet_extranjeria", "cpf_or_sus_card", "proof_of_address", "referral",
    "migration_status_document", "sis_affiliation", "health_card",
)
CONTACT_KINDS = ("emergency", "ambulance", "police", "gbv", "suicide", "mental_health",
                 "health_line", "migrant_help", "ngo_hotline", "regional")
# How sure a statement is: `medium` when its source is indirect, old, or sources disagree
# (the answer then says so and names who can confirm).
CONFIDENCE = ("high", "medium")
# Kinds grouped under "emergency" in the API: the numbers to call when life is at risk.
EMERGENCY_KINDS = ("emergency", "ambulance", "police")


def _uuid() -> str:
    return str(uuid.uuid4())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Entitlement(Base):
    """One statement of rights for a country (see the module docstring)."""

    __tablename__ = "entitlement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    country: Mapped[str] = mapped_column(String(2), index=True)
    topic: Mapped[str] = mapped_column(String(20), default="access")
    service_type: Mapped[str | None] = mapped_column(String(40), index=True)
    situation: Mapped[str | None] = mapped_column(String(20))
    entitled: Mapped[str | None] = mapped_column(String(20))
    cost: Mapped[str | None] = mapped_column(String(10))
    # None = not known (no sourced statement); [] or ["none"] = no papers needed.
    documents: Mapped[list[str] | None] = mapped_column(JSON)
    guidance_key: Mapped[str | None] = mapped_column(String(120))
    guidance: Mapped[dict[str, str] | None] = mapped_column(JSON)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    # The legal basis in a few words, as an SMS can carry it ("Lei 8.080/1990 (SUS)").
    cite: Mapped[str | None] = mapped_column(String(120))
    confidence: Mapped[str] = mapped_column(String(10), default="high")
    source_url: Mapped[str] = mapped_column(String(1000))
    last_reviewed: Mapped[date] = mapped_column(Date)
    reviewer: Mapped[str] = mapped_column(String(200))
    needs_local_review: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, onupdate=_utcnow)


class EntitlementContact(Base):
    """A number or link for a country (null country = the regional fallback).

    `sample` marks placeholders that a local partner must replace: Puente never
    invents a real organization's number.
    """

    __tablename__ = "entitlement_contact"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    whatsapp: Mapped[str | None] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(String(1000))
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(Integer, default=0)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "country": self.country, "kind": self.kind, "name": self.name,
                "phone": self.phone, "whatsapp": self.whatsapp, "url": self.url,
                "sample": self.sample, "source_url": self.source_url}
