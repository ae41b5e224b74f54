"""Review queue of discrimination reports: curators see their organizations', admins all."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from .. import reports
from ..deps import ensure_can_curate, get_session, not_found, require_roles
from ..models.accounts import User
from ..models.reports import DiscriminationReport

router = APIRouter(prefix="/admin/reports", tags=["admin: reports"])
reviewer = require_roles("admin", "curator")


class Resolution(BaseModel):
    note: str = Field(..., min_length=1, max_length=4000,
                      description="what was done (e.g. talked to the clinic's director)")


def _readable(session: Session, report_id: str, user: User) -> DiscriminationReport:
    report = session.get(DiscriminationReport, report_id)
    if report is None:
        raise not_found("report", report_id)
    if user.role != "admin" and report.organization_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="this report is not tied to an organization you curate")
    ensure_can_curate(user, report.organization_id)
    return report


@router.get("", summary="List reports (newest first)")
def list_reports(status_filter: Literal["open", "resolved"] | None = Query(None, alias="status"),
                 limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0),
                 session: Session = Depends(get_session),
                 user: User = Depends(reviewer)) -> list[dict[str, Any]]:
    rows = reports.visible_reports(session, user, status=status_filter, limit=limit, offset=offset)
    return [reports.as_dict(row) for row in rows]


@router.get("/{report_id}", summary="Read a report")
def read_report(report_id: str, session: Session = Depends(get_session),
                user: User = Depends(reviewer)) -> dict[str, Any]:
    return reports.as_dict(_readable(session, report_id, user))


@router.post("/{report_id}/resolve", summary="Resolve a report with a note")
def resolve_report(report_id: str, body: Resolution, session: Session = Depends(get_session),
                   user: User = Depends(reviewer)) -> dict[str, Any]:
    report = _readable(session, report_id, user)
    if report.status == "resolved":
        raise HTTPException(status.HTTP_409_CONFLICT, detail="this report is already resolved")
    reports.resolve(session, report, user, body.note)
    session.commit()
    return reports.as_dict(report)
