"""`/ui/queue`: her organizations' discrimination reports and reminder follow-up
requests, in the person's own words (reports) or choice (follow-ups), to review and
close with a note. Same rules and functions as the admin API. With htmx each change
comes back as the item itself, changed in place; without JavaScript, the queue again."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import reports
from ..deps import can_curate, get_session
from ..models.reports import DiscriminationReport
from ..reminders.admin_api import move_along
from ..reminders.models import FollowUpRequest
from . import auth
from .pages import REASONS, followups, fragment, render, wants_fragment

router = APIRouter(prefix="/ui", include_in_schema=False)
REVIEWERS = ("admin", "curator")


@router.get("/queue")
def queue(request: Request, session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, REVIEWERS)
    return render(request, "queue.html", {
        "user": web.user, "csrf": web.csrf, "reasons": REASONS,
        "reports": reports.visible_reports(session, web.user, status="open", limit=100),
        "followups": followups(session, web.user, limit=100),
        "done": request.query_params.get("done")})


@router.post("/reports/{report_id}/resolve")
def resolve_report(report_id: str, request: Request, note: str = Form(""), csrf: str = Form(""),
                   session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, REVIEWERS, csrf)
    report = session.get(DiscriminationReport, report_id)
    if report is None or not can_curate(web.user, report.organization_id) or report.status != "open":
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such open report")
    if not note.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="say what was done")
    reports.resolve(session, report, web.user, note.strip())
    session.commit()
    if wants_fragment(request):
        return fragment(request, "_queue_report.html", {"user": web.user, "csrf": web.csrf,
                                                        "report": report})
    return RedirectResponse("/ui/queue?done=report", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/followups/{request_id}/status")
def followup_status(request_id: str, request: Request, new_status: str = Form("", alias="status"),
                    note: str = Form(""), csrf: str = Form(""),
                    session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, REVIEWERS, csrf)
    item = session.get(FollowUpRequest, request_id)
    if item is None or not can_curate(web.user, item.organization_id) \
            or new_status not in ("in_review", "resolved"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such follow-up request")
    move_along(session, item, web.user, new_status, note)
    session.commit()
    if wants_fragment(request):
        return fragment(request, "_queue_followup.html", {
            "user": web.user, "csrf": web.csrf, "item": item, "reasons": REASONS,
            "moved_now": True})
    return RedirectResponse("/ui/queue?done=followup", status_code=status.HTTP_303_SEE_OTHER)
