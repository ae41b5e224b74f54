"""Admin API for the entitlements knowledge and per-country contacts (admins only, audited).

A statement's ETag is `"v<version>"`. A write that sends it back (`If-Match`) is
claimed by one conditional UPDATE (`... WHERE id = :id AND version = :v`), as the
directory's `_claim` does, so of two people saving the same version at once one wins
and the other gets 412, never a silent overwrite.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Response, status
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
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


def etag_of(entry: Entitlement) -> str:
    return f'"v{entry.version}"'


def _stale() -> HTTPException:
    return HTTPException(status.HTTP_412_PRECONDITION_FAILED,
                         detail="someone else changed this entitlement since you read it; GET "
                                "it again, re-apply your change and send the new ETag in If-Match")


def version_in(if_match: str, entry: Entitlement) -> int:
    """The version an If-Match header names ("*": the one there is now); 412 when it
    names none, or another than the statement's."""
    tags = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in tags:
        return entry.version
    versions = [int(found.group(1)) for tag in tags if (found := re.fullmatch(r'"v(\d+)"', tag))]
    if entry.version not in versions:
        raise _stale()
    return entry.version


def claim(session: Session, entry: Entitlement, version: int,
          stale: HTTPException | None = None) -> None:
    """Compare-and-set on the statement's version: bump it only if it is still
    `version`. Concurrent writers serialise on the row (PostgreSQL re-reads it after
    the first commits); the loser finds the condition false and gets `stale` (412)."""
    refused = stale or _stale()
    entry_id = entry.id
    for _attempt in range(3):
        try:
            result = session.execute(
                update(Entitlement).where(Entitlement.id == entry_id,
                                          Entitlement.version == version)
                .values(version=version + 1).execution_options(synchronize_session=False))
        except OperationalError:
            # SQLite: a writer committed after this transaction's first read. Start
            # again and look whether it was this statement.
            session.rollback()
            fresh = session.get(Entitlement, entry_id, populate_existing=True)
            if fresh is None or fresh.version != version:
                raise refused from None
            continue
        if result.rowcount != 1:
            session.rollback()
            raise refused
        entry.version = version + 1
        return
    raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "1"},
                        detail="the directory is busy with other changes; try again")


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
def create_entitlement(body: EntitlementCreate, response: Response,
                       session: Session = Depends(get_session),
                       user: User = Depends(admin_only)) -> dict[str, Any]:
    entry = Entitlement(**body.model_dump())
    session.add(entry)
    session.flush()
    after = _as_dict(entry)
    audit.record(session, user, "create", "entitlement", entry.id, None, after)
    session.commit()
    response.headers["ETag"] = etag_of(entry)
    return after


@router.get("/entitlements/{entitlement_id}", summary="Read an entitlement (ETag header)")
def read_entitlement(entitlement_id: str, response: Response,
                     session: Session = Depends(get_session),
                     _: User = Depends(admin_only)) -> dict[str, Any]:
    entry = _get(session, Entitlement, entitlement_id, "entitlement")
    response.headers["ETag"] = etag_of(entry)
    return _as_dict(entry)


@router.patch("/entitlements/{entitlement_id}",
              summary="Change an entitlement (If-Match required; 412 if it changed since)")
def update_entitlement(entitlement_id: str, body: EntitlementUpdate, response: Response,
                       if_match: str | None = Header(None),
                       session: Session = Depends(get_session),
                       user: User = Depends(admin_only)) -> dict[str, Any]:
    """The ETag from GET goes back in If-Match (412 when stale); `version` in the body
    is still understood (409 when stale). Either way the check and the write are one
    conditional UPDATE, so two saves of the same version cannot both win."""
    entry = _get(session, Entitlement, entitlement_id, "entitlement")
    changes = body.model_dump(exclude_unset=True)
    expected = changes.pop("version", None)
    stale: HTTPException | None = None
    if if_match is not None:
        version = version_in(if_match, entry)
    elif expected is not None:
        version = expected
        stale = HTTPException(status.HTTP_409_CONFLICT,
                              detail=f"entitlement changed since you read it (version "
                                     f"{entry.version}, you sent {expected}); read it again "
                                     "and reapply your change")
        if expected != entry.version:
            raise stale
    else:
        raise HTTPException(status.HTTP_428_PRECONDITION_REQUIRED,
                            detail="send If-Match with the ETag of the entitlement from your "
                                   "last GET, so a change made meanwhile by someone else is "
                                   "not overwritten")
    before = _as_dict(entry)
    claim(session, entry, version, stale)
    for name, value in changes.items():
        setattr(entry, name, value)
    session.flush()
    after = _as_dict(entry)
    audit.record(session, user, "update", "entitlement", entry.id, before, after)
    session.commit()
    response.headers["ETag"] = etag_of(entry)
    return after


@router.post("/entitlements/{entitlement_id}/review",
             summary="Mark an entitlement as still accurate today")
def review_entitlement(entitlement_id: str, response: Response,
                       if_match: str | None = Header(None),
                       session: Session = Depends(get_session),
                       user: User = Depends(admin_only)) -> dict[str, Any]:
    """Stamps `last_reviewed` (today) and `reviewer` (the caller). If-Match is optional,
    as for a service's verify: confirming a statement overwrites nobody's edit."""
    entry = _get(session, Entitlement, entitlement_id, "entitlement")
    after = mark_reviewed(session, entry, user,
                          None if if_match is None else version_in(if_match, entry))
    session.commit()
    response.headers["ETag"] = etag_of(entry)
    return after


def mark_reviewed(session: Session, entry: Entitlement, user: User,
                  version: int | None = None) -> dict[str, Any]:
    """"Still accurate": today and who said so, audited (the API and the web's one-click
    button share it); a conditional write on the version; the caller commits."""
    before = _as_dict(entry)
    claim(session, entry, entry.version if version is None else version)
    entry.last_reviewed = datetime.now(timezone.utc).date()
    entry.reviewer = user.email or user.name
    session.flush()
    after = _as_dict(entry)
    audit.record(session, user, "review", "entitlement", entry.id, before, after)
    return after


@router.delete("/entitlements/{entitlement_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete an entitlement (If-Match: 412 if it changed since)")
def delete_entitlement(entitlement_id: str, if_match: str | None = Header(None),
                       session: Session = Depends(get_session),
                       user: User = Depends(admin_only)) -> Response:
    """With If-Match, the check and the delete are one conditional write: a colleague's
    edit made meanwhile is not discarded unseen (412)."""
    entry = _get(session, Entitlement, entitlement_id, "entitlement")
    before = _as_dict(entry)
    if if_match is not None:
        claim(session, entry, version_in(if_match, entry))
    audit.record(session, user, "delete", "entitlement", entry.id, before, None)
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
