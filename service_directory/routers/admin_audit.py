"""`GET /admin/audit`: the audit log, newest first (admins only)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from .. import audit
from ..deps import get_session, require_roles
from ..models.accounts import User

router = APIRouter(prefix="/admin", tags=["admin: audit"])


@router.get("/audit", summary="Read the audit log")
def read_audit(entity_type: str | None = Query(None), entity_id: str | None = Query(None),
               limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
               session: Session = Depends(get_session),
               _: User = Depends(require_roles("admin"))) -> list[dict[str, Any]]:
    rows = audit.entries(session, entity_type=entity_type, entity_id=entity_id,
                         limit=limit, offset=offset)
    return [audit.as_dict(row) for row in rows]
