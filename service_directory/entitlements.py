"""Entitlements queries: what a person may get in a country, rendered in their language.

`lookup` answers the bot's questions (ask_rights, ask_cost, ask_documents,
ask_confidentiality, moving_country) for one country, asking for migration status
only when it decides the answer: `depends_on_situation` is true when no entry holds
for everyone and none was given. Texts come from the catalogs (messages_rights).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .i18n import gettext_for
from .messages_rights import (
    CONTACT_LABELS, COST_TEXT, DOCUMENT_NAMES, ENTITLED_TEXT, MESSAGES_RIGHTS, SITUATION_TEXT,
)
from .models.entitlements import EMERGENCY_KINDS, Entitlement, EntitlementContact

TOPIC_FOR_QUERY = {"rights": "access", "cost": "access", "documents": "access",
                   "confidentiality": "confidentiality", "enrolment": "enrolment"}


@dataclass
class EntitlementAnswer:
    """What `GET /v1/entitlements` returns (see `as_dict`)."""

    country: str
    known: bool
    service_type: str | None
    situation: str | None
    topic: str | None
    lang: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    contact_list: list[dict[str, Any]] = field(default_factory=list)
    depends_on_situation: bool = False
    situations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"country": self.country, "known": self.known,
                "service_type": self.service_type, "situation": self.situation,
                "topic": self.topic, "lang": self.lang,
                "depends_on_situation": self.depends_on_situation,
                "situations": self.situations, "entries": self.entries,
                "contacts": group_contacts(self.contact_list),
                "contact_list": self.contact_list}


def _t(lang: str, key: str) -> str:
    return gettext_for(lang, MESSAGES_RIGHTS[key].sms)


def guidance_text(entry: Entitlement, lang: str) -> str:
    """How to access (or, for confidentiality, what may be shared) in `lang`."""
    if entry.guidance_key and entry.guidance_key in MESSAGES_RIGHTS:
        return _t(lang, entry.guidance_key)
    texts = entry.guidance or {}
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


def documents_text(documents: list[str] | None, lang: str) -> str:
    """One sentence naming the papers asked for, saying none are, or nothing if unknown."""
    if documents is None:
        return ""
    if not documents or documents == ["none"]:
        return _t(lang, "rights_documents_none")
    names = [_t(lang, DOCUMENT_NAMES[code]) if code in DOCUMENT_NAMES else code
             for code in documents if code != "none"]
    return _t(lang, "rights_documents_list").format(documents=", ".join(names))


def summary(entry: Entitlement, lang: str, topic: str | None) -> str:
    """The short text the bot sends for `entry`: the right, the cost, the papers and
    how to get it, with the fact that was asked (`topic`) first."""
    situation = _t(lang, SITUATION_TEXT[entry.situation]) if entry.situation else ""
    if entry.topic in ("confidentiality", "enrolment"):
        return " ".join(p for p in (situation, guidance_text(entry, lang)) if p)
    facts = {
        "rights": _t(lang, ENTITLED_TEXT[entry.entitled]) if entry.entitled else "",
        "cost": _t(lang, COST_TEXT[entry.cost]) if entry.cost else "",
        "documents": documents_text(entry.documents, lang),
    }
    first = topic if topic in facts else "rights"
    ordered = [facts[first]] + [text for key, text in facts.items() if key != first]
    return " ".join(p for p in (situation, *ordered, guidance_text(entry, lang)) if p)


def entry_dict(entry: Entitlement, lang: str, topic: str | None = None) -> dict[str, Any]:
    return {
        "id": entry.id, "country": entry.country, "topic": entry.topic,
        "service_type": entry.service_type, "situation": entry.situation,
        "entitled": entry.entitled, "cost": entry.cost, "documents": entry.documents,
        "how_to_access": guidance_text(entry, lang), "legal_basis": entry.legal_basis,
        "cite": entry.cite, "confidence": entry.confidence,
        "source_url": entry.source_url, "last_reviewed": entry.last_reviewed.isoformat(),
        "reviewer": entry.reviewer, "needs_local_review": entry.needs_local_review,
        "summary": summary(entry, lang, topic),
    }


def contact_dict(contact: EntitlementContact, lang: str) -> dict[str, Any]:
    label_key = CONTACT_LABELS.get(contact.kind)
    return {**contact.as_dict(), "label": _t(lang, label_key) if label_key else contact.kind}


def contacts_for(session: Session, country: str | None, lang: str) -> list[dict[str, Any]]:
    """A country's contacts (or, with `country=None`, the regional ones), in display order."""
    where = (EntitlementContact.country.is_(None) if country is None
             else EntitlementContact.country == country)
    rows = session.scalars(select(EntitlementContact).where(where)
                           .order_by(EntitlementContact.position, EntitlementContact.name))
    return [contact_dict(row, lang) for row in rows]


def group_contacts(contacts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Contacts by what they are for: `emergency` (emergency, ambulance and police
    numbers), `gbv`, `suicide`, `mental_health`, `ngo_hotline`, `regional`; display
    order kept within each group."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for contact in contacts:
        key = "emergency" if contact["kind"] in EMERGENCY_KINDS else contact["kind"]
        groups.setdefault(key, []).append(contact)
    return groups


def known_countries(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(Entitlement.country).distinct())))


def lookup(session: Session, country: str, *, service_type: str | None = None,
           situation: str | None = None, topic: str | None = None,
           lang: str = "en") -> EntitlementAnswer:
    """Entries for the question, with the situation rule applied (see module docstring).

    Within each (service type, entry topic) group: with a situation, the entries for
    that situation win over the general ones (situation null); without one, the
    general entries answer (they hold for everyone; the situation-specific ones are
    exceptions she would name), and only a group with no general entry (the answer
    really differs by situation, as with or without a permit in Colombia) returns its
    specific entries with `depends_on_situation`, so the bot asks; `situations` lists
    the situations that have their own entries in the groups asked.
    """
    country = country.lower()
    answer = EntitlementAnswer(country=country, known=False, service_type=service_type,
                               situation=situation, topic=topic, lang=lang)
    if session.scalar(select(Entitlement.id).where(Entitlement.country == country).limit(1)) is None:
        answer.contact_list = contacts_for(session, None, lang)
        return answer
    answer.known = True
    answer.contact_list = contacts_for(session, country, lang)

    query = select(Entitlement).where(Entitlement.country == country)
    if service_type:
        query = query.where(or_(Entitlement.service_type == service_type,
                                Entitlement.service_type.is_(None)))
    if topic:
        query = query.where(Entitlement.topic == TOPIC_FOR_QUERY[topic])
    rows = list(session.scalars(query))

    groups: dict[tuple, list[Entitlement]] = {}
    for row in rows:
        groups.setdefault((row.service_type or "", row.topic), []).append(row)

    chosen: list[Entitlement] = []
    decisive: set[str] = set()
    with_own_entries: set[str] = set()
    for group in groups.values():
        general = [row for row in group if row.situation is None]
        specific = [row for row in group if row.situation is not None]
        if situation:
            exact = [row for row in specific if row.situation == situation]
            chosen.extend(exact or general)
        elif general:
            chosen.extend(general)
        else:  # only situation-specific rows: the answer depends on it
            chosen.extend(specific)
            decisive.update(row.situation for row in specific)
        with_own_entries.update(row.situation for row in specific)

    answer.situations = sorted(with_own_entries)
    answer.depends_on_situation = not situation and bool(decisive)
    chosen.sort(key=lambda row: (row.topic != "access", row.service_type is None,
                                 row.service_type or "", row.situation is not None,
                                 row.situation or ""))
    answer.entries = [entry_dict(row, lang, topic) for row in chosen]
    return answer
