"""The NGOs' queue of follow-up requests ("2, I need help" after a check-in).

Curators see their organizations' requests, admins all (and those no organization
took). A request shows what she chose to say and where, never the pseudonym.
"""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..deps import get_session, not_found, require_roles
from ..models.accounts import User
from .models import FollowUpRequest

router = APIRouter(prefix="/admin/followups", tags=["admin: follow-up requests"])
reviewer = require_roles("admin", "curator")


class StatusChange(BaseModel):
    status: Literal["new", "in_review", "resolved"]
    note: str | None = Field(None, max_length=4000, description="what was done")


def as_dict(request: FollowUpRequest) -> dict[str, Any]:
    return {"id": request.id, "created_at": request.created_at.isoformat(),
            "organization_id": request.organization_id, "country": request.country,
            "service_type": request.service_type, "reason": request.reason,
            "status": request.status, "resolution_note": request.resolution_note}


def _readable(session: Session, request_id: str, user: User) -> FollowUpRequest:
    request = session.get(FollowUpRequest, request_id)
    if request is None or (user.role != "admin" and not user.curates(request.organization_id)):
        raise not_found("follow-up request", request_id)
    return request


def visible_followups(user: User):
    """The requests she may see, newest first: her organizations' (admins: all, and
    those no organization took)."""
    query = select(FollowUpRequest).order_by(FollowUpRequest.created_at.desc(),
                                             FollowUpRequest.id)
    if user.role != "admin":
        query = query.where(FollowUpRequest.organization_id.in_(user.organization_ids or [""]))
    return query


@router.get("", summary="List follow-up requests (newest first)")
def list_followups(status_filter: Literal["new", "in_review", "resolved"] | None = Query(
                       None, alias="status"),
                   limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0),
                   session: Session = Depends(get_session),
                   user: User = Depends(reviewer)) -> list[dict[str, Any]]:
    query = visible_followups(user)
    if status_filter:
        query = query.where(FollowUpRequest.status == status_filter)
    return [as_dict(r) for r in session.scalars(query.limit(limit).offset(offset))]


@router.post("/{request_id}/status", summary="Move a request along (in review, resolved)")
def change_status(request_id: str, body: StatusChange, session: Session = Depends(get_session),
                  user: User = Depends(reviewer)) -> dict[str, Any]:
    request = _readable(session, request_id, user)
    move_along(session, request, user, body.status, body.note)
    session.commit()
    return as_dict(request)


def move_along(session: Session, request: FollowUpRequest, user: User, new_status: str,
               note: str | None) -> None:
    """In review or resolved (with what was done), audited; the API and the web share it."""
    if new_status == "resolved" and not (note or "").strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail="say what was done in `note` to resolve a request")
    before = audit.snapshot(request)
    request.status = new_status
    if note and note.strip():
        request.resolution_note = note.strip()
    session.flush()
    audit.record(session, user, "update", "followup_request", request.id, before,
                 audit.snapshot(request))
