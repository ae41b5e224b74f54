"""`/ui/queue`: her organizations' discrimination reports and reminder follow-up
requests, in the person's own words (reports) or choice (follow-ups), to review and
close with a note. Same rules and functions as the admin API. With htmx each change
comes back as the item itself, changed in place; without JavaScript, the queue again.
Resolving without saying what was done changes nothing and puts the reason beside the
note field: in the item (htmx, status 200 so it is swapped in) or in the queue (422)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import reports
from ..deps import can_curate, get_session
from ..i18n import translations
from ..messages import N_
from ..models.reports import DiscriminationReport
from ..reminders.admin_api import move_along
from ..reminders.models import FollowUpRequest
from . import auth
from .pages import REASONS, followups, fragment, language_of, render, wants_fragment

router = APIRouter(prefix="/ui", include_in_schema=False)
REVIEWERS = ("admin", "curator")
NOTE_NEEDED = N_("Say what was done before resolving it.")


def _queue_page(request: Request, session: Session, web: auth.WebSession,
                note_errors: dict[str, str] | None = None) -> Response:
    return render(request, "queue.html", {
        "user": web.user, "csrf": web.csrf, "reasons": REASONS,
        "reports": reports.visible_reports(session, web.user, status="open", limit=100),
        "followups": followups(session, web.user, limit=100),
        "note_errors": note_errors or {}, "done": request.query_params.get("done")},
        status_code=422 if note_errors else 200)


@router.get("/queue")
def queue(request: Request, session: Session = Depends(get_session)) -> Response:
    return _queue_page(request, session, auth.require(request, session, REVIEWERS))


def _note_missing(request: Request, session: Session, web: auth.WebSession, item_id: str,
                  template: str, context: dict) -> Response:
    """Nothing resolved: the note field says why. htmx swaps only 2xx answers, so the
    item comes back with 200; a plain form gets the queue with 422."""
    error = {item_id: translations(language_of(request)).gettext(NOTE_NEEDED)}
    if wants_fragment(request):
        return fragment(request, template, {"user": web.user, "csrf": web.csrf,
                                            "note_errors": error, **context})
    return _queue_page(request, session, web, error)


@router.post("/reports/{report_id}/resolve")
def resolve_report(report_id: str, request: Request, note: str = Form(""), csrf: str = Form(""),
                   session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, REVIEWERS, csrf)
    report = session.get(DiscriminationReport, report_id)
    if report is None or not can_curate(web.user, report.organization_id) or report.status != "open":
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such open report")
    if not note.strip():
        return _note_missing(request, session, web, report.id, "_queue_report.html",
                             {"report": report})
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
    if new_status == "resolved" and not note.strip():
        return _note_missing(request, session, web, item.id, "_queue_followup.html",
                             {"item": item, "reasons": REASONS})
    move_along(session, item, web.user, new_status, note)
    session.commit()
    if wants_fragment(request):
        return fragment(request, "_queue_followup.html", {
            "user": web.user, "csrf": web.csrf, "item": item, "reasons": REASONS,
            "moved_now": True})
    return RedirectResponse("/ui/queue?done=followup", status_code=status.HTTP_303_SEE_OTHER)
