"""Load the sample entitlements (one YAML file per country) into the database.

Idempotent: each row's id is derived from what it answers (country, topic, service
type, situation, guidance), so loading twice updates rather than duplicates. Every
value is checked against the codes of `models/entitlements.py`, every text key
against `messages_rights.py`, every inline `guidance` for all five languages and its
SMS length, and every contact for a number to call: a typo or a gap fails loudly
instead of reaching a migrant.
"""
from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ..config import LANGUAGES
from ..messages_rights import MESSAGES_RIGHTS
from ..models.entitlements import (
    CONFIDENCE, CONTACT_KINDS, COSTS, DOCUMENTS, ENTITLED, ENTITLEMENT_SERVICE_TYPES,
    ENTRY_TOPICS, SITUATIONS, Entitlement, EntitlementContact,
)

DATA_DIR = Path(__file__).resolve().parent
_NAMESPACE = uuid.UUID("5b0f7a4e-2f7e-4c43-9d55-6c1f3a1e0b11")
_ENTRY_FIELDS = ("topic", "service_type", "situation", "entitled", "cost", "documents",
                 "guidance_key", "guidance", "confidence", "cite", "legal_basis", "source_url")
# An answer is at most 3 SMS segments (459 GSM-7 characters): the guidance gets this much,
# the rest is the right, the cost, the papers and the citation.
GUIDANCE_MAX_CHARS = 240
CITE_MAX_CHARS = 80


class SampleDataError(ValueError):
    """A sample file that does not follow the schema (file and entry named)."""


def _stable_id(*parts: Any) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join("" if p is None else str(p) for p in parts)))


def _check(where: str, name: str, value: Any, allowed: tuple, nullable: bool = True) -> None:
    if value is None and nullable:
        return
    if value not in allowed:
        raise SampleDataError(f"{where}: {name}={value!r} is not one of {', '.join(allowed)}")


def _entry_rows(path: Path, data: dict[str, Any]) -> list[dict[str, Any]]:
    country = data["country"]
    defaults = data.get("defaults") or {}
    rows = []
    for index, raw in enumerate(data.get("entries") or [], start=1):
        where = f"{path.name} entry {index}"
        unknown = set(raw) - set(_ENTRY_FIELDS)
        if unknown:
            raise SampleDataError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        entry = {field: raw.get(field, defaults.get(field)) for field in _ENTRY_FIELDS}
        entry["topic"] = entry["topic"] or "access"
        _check(where, "topic", entry["topic"], ENTRY_TOPICS, nullable=False)
        _check(where, "service_type", entry["service_type"], ENTITLEMENT_SERVICE_TYPES)
        _check(where, "situation", entry["situation"], SITUATIONS)
        _check(where, "entitled", entry["entitled"], ENTITLED)
        _check(where, "cost", entry["cost"], COSTS)
        for code in entry["documents"] or []:
            _check(where, "documents", code, DOCUMENTS, nullable=False)
        _check_guidance(where, entry)
        entry["confidence"] = entry["confidence"] or "high"
        _check(where, "confidence", entry["confidence"], CONFIDENCE, nullable=False)
        if entry["cite"] and len(entry["cite"]) > CITE_MAX_CHARS:
            raise SampleDataError(f"{where}: cite is {len(entry['cite'])} characters, "
                                  f"keep it under {CITE_MAX_CHARS} for SMS")
        if not str(entry["source_url"] or "").startswith("https://") and not str(
                entry["source_url"] or "").startswith("http://"):
            raise SampleDataError(f"{where}: every statement needs its public source_url")
        if entry["topic"] == "access" and (not entry["service_type"] or not entry["entitled"]):
            raise SampleDataError(f"{where}: an access entry needs service_type and entitled")
        entry.update(
            id=_stable_id(country, entry["topic"], entry["service_type"], entry["situation"],
                          entry["guidance_key"] or "inline"),
            country=country, legal_basis=entry["legal_basis"] or "",
            reviewer=data["reviewer"], last_reviewed=_as_date(data["last_reviewed"]),
            needs_local_review=True)
        rows.append(entry)
    return rows


def _check_guidance(where: str, entry: dict[str, Any]) -> None:
    """A catalog key, or a text in every language short enough for one SMS answer."""
    texts = entry["guidance"]
    if texts is None:
        if entry["guidance_key"] not in MESSAGES_RIGHTS:
            raise SampleDataError(f"{where}: guidance_key {entry['guidance_key']!r} is not in "
                                  "messages_rights (or give `guidance` in every language)")
        return
    if entry["guidance_key"] is not None:
        raise SampleDataError(f"{where}: give guidance_key or guidance, not both")
    missing = [lang for lang in LANGUAGES if not str((texts or {}).get(lang) or "").strip()]
    if missing:
        raise SampleDataError(f"{where}: guidance has no text in {', '.join(missing)}")
    for lang in LANGUAGES:
        if len(texts[lang]) > GUIDANCE_MAX_CHARS:
            raise SampleDataError(f"{where}: guidance in {lang} is {len(texts[lang])} characters; "
                                  f"keep it under {GUIDANCE_MAX_CHARS} (3 SMS for the answer)")
    entry["guidance"] = {lang: " ".join(str(texts[lang]).split()) for lang in LANGUAGES}


def _contact_rows(path: Path, data: dict[str, Any]) -> list[dict[str, Any]]:
    country = data.get("country")
    rows = []
    for position, raw in enumerate(data.get("contacts") or []):
        where = f"{path.name} contact {position + 1}"
        _check(where, "kind", raw.get("kind"), CONTACT_KINDS, nullable=False)
        if raw.get("kind") == "ngo_hotline" and not raw.get("sample"):
            raise SampleDataError(f"{where}: NGO lines in sample data must be marked sample: true")
        if not raw.get("sample") and not (raw.get("phone") or raw.get("whatsapp")):
            raise SampleDataError(f"{where}: {raw.get('name')!r} has no phone or WhatsApp "
                                  "number: a person cannot call a web address")
        rows.append({
            "id": _stable_id("contact", country, raw["kind"], raw["name"]),
            "country": country, "kind": raw["kind"], "name": raw["name"],
            "phone": raw.get("phone"), "whatsapp": raw.get("whatsapp"), "url": raw.get("url"),
            "sample": bool(raw.get("sample", False)), "source_url": raw.get("source_url"),
            "position": position,
        })
    return rows


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def read_sample(directory: Path = DATA_DIR) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All entries and contacts of the YAML files in `directory`, checked."""
    entries: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if data.get("entries"):
            entries.extend(_entry_rows(path, data))
        contacts.extend(_contact_rows(path, data))
    return entries, contacts


def load_sample_entitlements(session: Session, directory: Path = DATA_DIR) -> dict[str, int]:
    """Insert or update the sample content; the caller commits. Returns counts."""
    entries, contacts = read_sample(directory)
    for row in entries:
        session.merge(Entitlement(**row))
    for row in contacts:
        session.merge(EntitlementContact(**row))
    session.flush()
    return {"entitlements": len(entries), "contacts": len(contacts),
            "countries": len({row["country"] for row in entries})}
