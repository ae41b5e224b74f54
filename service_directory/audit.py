"""The audit log: every admin write records who, when, what, and the entity before and after.

Call `record(...)` in the same session as the change, before the commit, so the log
and the change land together or not at all. `snapshot(obj)` turns a model row into
JSON; columns holding secrets or a person's pseudonym are never copied into the log
(erasure must not leave a pseudonym behind in it).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from .models.accounts import AuditEntry, User

NEVER_LOGGED = frozenset({"password_hash", "key_hash", "token_hash", "pseudonym"})

Actor = User | str
"""A user, or a label for a non-human writer: `"cli"`, `"internal:bot"`, `"loader"`."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any, exclude: frozenset[str] | set[str] = frozenset()) -> dict[str, Any] | None:
    """The column values of a mapped object as JSON-ready data (None for None)."""
    if obj is None:
        return None
    mapper = inspect(obj).mapper
    skip = NEVER_LOGGED | set(exclude)
    return {attr.key: _jsonable(getattr(obj, attr.key))
            for attr in mapper.column_attrs if attr.key not in skip}


def record(session: Session, actor: Actor, action: str, entity_type: str,
           entity_id: Any = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEntry:
    """Add one audit row to `session` (committed with the change it describes)."""
    if isinstance(actor, User):
        actor_user_id, label = actor.id, f"user:{actor.name} ({actor.role})"
    else:
        actor_user_id, label = None, str(actor)
    entry = AuditEntry(
        actor_user_id=actor_user_id, actor=label[:250], action=action,
        entity_type=entity_type, entity_id=None if entity_id is None else str(entity_id),
        before=_strip(before), after=_strip(after),
    )
    session.add(entry)
    return entry


def _strip(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {k: v for k, v in _jsonable(data).items() if k not in NEVER_LOGGED}


def entries(session: Session, *, entity_type: str | None = None, entity_id: str | None = None,
            limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """The newest audit rows first, optionally for one entity type or entity."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": _jsonable(entry.at), "actor": entry.actor,
            "actor_user_id": entry.actor_user_id, "action": entry.action,
            "entity_type": entry.entity_type, "entity_id": entry.entity_id,
            "before": entry.before, "after": entry.after}
