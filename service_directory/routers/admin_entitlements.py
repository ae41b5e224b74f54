"""Admin API for the entitlements knowledge and per-country contacts (admins only, audited)."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..config import LANGUAGES
from ..deps import get_session, not_found, require_roles
from ..hsds.values import optional_lower_country
from ..messages_rights import MESSAGES_RIGHTS
from ..models.accounts import User
from ..models.entitlements import (
    CONFIDENCE, CONTACT_KINDS, COSTS, DOCUMENTS, ENTITLED, ENTITLEMENT_SERVICE_TYPES,
    ENTRY_TOPICS, SITUATIONS, Entitlement, EntitlementContact,
)

router = APIRouter(prefix="/admin", tags=["admin: entitlements"])
admin_only = require_roles("admin")

ServiceType = Literal[ENTITLEMENT_SERVICE_TYPES]  # type: ignore[valid-type]
Situation = Literal[SITUATIONS]  # type: ignore[valid-type]
Topic = Literal[ENTRY_TOPICS]  # type: ignore[valid-type]
Entitled = Literal[ENTITLED]  # type: ignore[valid-type]
Cost = Literal[COSTS]  # type: ignore[valid-type]
Document = Literal[DOCUMENTS]  # type: ignore[valid-type]
Confidence = Literal[CONFIDENCE]  # type: ignore[valid-type]
ContactKind = Literal[CONTACT_KINDS]  # type: ignore[valid-type]


def _check_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise ValueError("must be a public http(s) URL")
    return value


class EntitlementFields(BaseModel):
    """Fields of an entitlement; see `models/entitlements.py` for their meaning."""

    country: str | None = None
    topic: Topic | None = None
    service_type: ServiceType | None = None
    situation: Situation | None = None
    entitled: Entitled | None = None
    cost: Cost | None = None
    documents: list[Document] | None = None
    guidance_key: str | None = Field(None, description="key of a catalog text (messages_rights)")
    guidance: dict[str, str] | None = Field(None, description="text per language, e.g. {'es': '...'}")
    legal_basis: str | None = None
    cite: str | None = Field(None, max_length=120, description="the legal basis in a few words, for SMS")
    confidence: Confidence | None = Field(None, description="medium: indirect or disputed source")
    source_url: str | None = Field(None, description="public source of the statement")
    last_reviewed: date | None = None
    reviewer: str | None = None
    needs_local_review: bool | None = None

    _country = field_validator("country")(optional_lower_country)
    _url = field_validator("source_url")(_check_url)

    @field_validator("guidance_key")
    @classmethod
    def _known_key(cls, value: str | None) -> str | None:
        if value is not None and value not in MESSAGES_RIGHTS:
            raise ValueError(f"unknown catalog key {value!r} (see messages_rights.py)")
        return value

    @field_validator("guidance")
    @classmethod
    def _languages(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None:
            unknown = sorted(set(value) - set(LANGUAGES))
            if unknown:
                raise ValueError(f"unknown language(s) {', '.join(unknown)}; use {', '.join(LANGUAGES)}")
        return value


class EntitlementCreate(EntitlementFields):
    country: str
    topic: Topic = "access"
    confidence: Confidence = "high"
    documents: list[Document] | None = None
    legal_basis: str = ""
    source_url: str
    last_reviewed: date
    reviewer: str
    needs_local_review: bool = True

    @model_validator(mode="after")
    def _complete(self) -> EntitlementCreate:
        if not self.guidance_key and not self.guidance:
            raise ValueError("give guidance_key or guidance (how to access, per language)")
        if self.topic == "access" and (self.service_type is None or self.entitled is None):
            raise ValueError("an access entry needs service_type and entitled")
        return self


class EntitlementUpdate(EntitlementFields):
    version: int | None = Field(None, description="the version you read; 409 if it changed since")


class ContactFields(BaseModel):
    country: str | None = Field(None, description="null = regional contact for unknown countries")
    kind: ContactKind | None = None
    name: str | None = None
    phone: str | None = None
    whatsapp: str | None = None
    url: str | None = None
    sample: bool | None = None
    source_url: str | None = None
    position: int | None = None

    _country = field_validator("country")(optional_lower_country)
    _urls = field_validator("url", "source_url")(_check_url)


class ContactCreate(ContactFields):
    kind: ContactKind
    name: str
    sample: bool = False
    position: int = 0

    @model_validator(mode="after")
    def _reachable(self) -> ContactCreate:
        if not self.sample and not (self.phone or self.whatsapp):
            raise ValueError("give a phone or WhatsApp number: the bot never tells a person "
                             "to call a name or a web address")
        return self


def _as_dict(entry: Entitlement) -> dict[str, Any]:
    return audit.snapshot(entry) or {}


def _get(session: Session, model, entity_id: str, name: str):
    row = session.get(model, entity_id)
    if row is None:
        raise not_found(name, entity_id)
    return row


@router.get("/entitlements", summary="List entitlements")
def list_entitlements(country: str | None = Query(None), service_type: str | None = Query(None),
                      session: Session = Depends(get_session),
                      _: User = Depends(admin_only)) -> list[dict[str, Any]]:
    query = select(Entitlement).order_by(Entitlement.country, Entitlement.topic,
                                         Entitlement.service_type, Entitlement.situation)
    if country:
        query = query.where(Entitlement.country == country.lower())
    if service_type:
        query = query.where(Entitlement.service_type == service_type)
    return [_as_dict(row) for row in session.scalars(query)]


@router.post("/entitlements", status_code=status.HTTP_201_CREATED, summary="Add an entitlement")
def create_entitlement(body: EntitlementCreate, session: Session = Depends(get_session),
                       user: User = Depends(admin_only)) -> dict[str, Any]:
    entry = Entitlement(**body.model_dump())
    session.add(entry)
    session.flush()
    after = _as_dict(entry)
    audit.record(session, user, "create", "entitlement", entry.id, None, after)
    session.commit()
    return after


@router.get("/entitlements/{entitlement_id}", summary="Read an entitlement")
def read_entitlement(entitlement_id: str, session: Session = Depends(get_session),
                     _: User = Depends(admin_only)) -> dict[str, Any]:
    return _as_dict(_get(session, Entitlement, entitlement_id, "entitlement"))


@router.patch("/entitlements/{entitlement_id}", summary="Change an entitlement")
def update_entitlement(entitlement_id: str, body: EntitlementUpdate,
                       session: Session = Depends(get_session),
                       user: User = Depends(admin_only)) -> dict[str, Any]:
    entry = _get(session, Entitlement, entitlement_id, "entitlement")
    changes = body.model_dump(exclude_unset=True)
    expected = changes.pop("version", None)
    if expected is not None and expected != entry.version:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"entitlement changed since you read it (version {entry.version}, "
                                   f"you sent {expected}); read it again and reapply your change")
    before = _as_dict(entry)
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.version = (entry.version or 1) + 1
    session.flush()
    after = _as_dict(entry)
    audit.record(session, user, "update", "entitlement", entry.id, before, after)
    session.commit()
    return after


@router.delete("/entitlements/{entitlement_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete an entitlement")
def delete_entitlement(entitlement_id: str, session: Session = Depends(get_session),
                       user: User = Depends(admin_only)) -> Response:
    entry = _get(session, Entitlement, entitlement_id, "entitlement")
    audit.record(session, user, "delete", "entitlement", entry.id, _as_dict(entry), None)
    session.delete(entry)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/entitlement-contacts", summary="List contacts (emergency, support, NGO lines)")
def list_contacts(country: str | None = Query(None), session: Session = Depends(get_session),
                  _: User = Depends(admin_only)) -> list[dict[str, Any]]:
    query = select(EntitlementContact).order_by(EntitlementContact.country,
                                                EntitlementContact.position)
    if country:
        query = query.where(EntitlementContact.country == country.lower())
    return [audit.snapshot(row) for row in session.scalars(query)]


@router.post("/entitlement-contacts", status_code=status.HTTP_201_CREATED, summary="Add a contact")
def create_contact(body: ContactCreate, session: Session = Depends(get_session),
                   user: User = Depends(admin_only)) -> dict[str, Any]:
    contact = EntitlementContact(**body.model_dump())
    session.add(contact)
    session.flush()
    after = audit.snapshot(contact)
    audit.record(session, user, "create", "entitlement_contact", contact.id, None, after)
    session.commit()
    return after


@router.patch("/entitlement-contacts/{contact_id}", summary="Change a contact")
def update_contact(contact_id: str, body: ContactFields, session: Session = Depends(get_session),
                   user: User = Depends(admin_only)) -> dict[str, Any]:
    contact = _get(session, EntitlementContact, contact_id, "contact")
    before = audit.snapshot(contact)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(contact, name, value)
    session.flush()
    after = audit.snapshot(contact)
    audit.record(session, user, "update", "entitlement_contact", contact.id, before, after)
    session.commit()
    return after


@router.delete("/entitlement-contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a contact")
def delete_contact(contact_id: str, session: Session = Depends(get_session),
                   user: User = Depends(admin_only)) -> Response:
    contact = _get(session, EntitlementContact, contact_id, "contact")
    audit.record(session, user, "delete", "entitlement_contact", contact.id,
                 audit.snapshot(contact), None)
    session.delete(contact)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
