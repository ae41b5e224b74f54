"""The pages: sign in (and set a password from an invite), the curator's home with
what needs her first, and the one-click "still accurate".

Forms post plain HTML (they work without JavaScript); every state-changing form
carries the session's CSRF token. Text comes from the gettext catalogs in the
person's chosen language (`?lang=`, remembered in a cookie, else the browser's).
"""
from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from .. import accounts, reports
from ..config import LANGUAGES
from ..deps import can_curate, get_session
from ..i18n import normalise_language, translations
from ..messages import FLAG_LABELS, LANGUAGE_NAMES, N_
from ..models.accounts import AuditEntry, User
from ..models.directory import SAFETY_FLAGS, Service
from ..models.reports import DiscriminationReport
from ..reminders.admin_api import visible_followups
from ..reminders.models import FollowUpRequest
from ..search import is_stale, verification_age
from . import auth

router = APIRouter(prefix="/ui", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
LANG_COOKIE = "puente_lang"
STATIC = Path(__file__).with_name("static")
# What she chose to say after "2, I need help" (a number in the SMS menu).
REASONS = {"side_effects": N_("Side effects"), "no_medicine": N_("No medicine left"),
           "moved": N_("She moved"), "other": N_("Something else"),
           None: N_("No reason given yet")}


def language_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen:
        return normalise_language(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()
        if code and normalise_language(code) == code.split("-")[0].lower():
            return normalise_language(code)
    return "en"


def render(request: Request, name: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    lang = language_of(request)
    catalog = translations(lang)
    user = context.get("user")
    session = object_session(user) if user is not None else None
    page = templates.TemplateResponse(request, name, {
        "_": catalog.gettext, "lang": lang, "languages": LANGUAGE_NAMES,
        "keeps_rights": session is not None and auth.keeps_rights(session, user), **context},
        status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        page.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/ui")
    return page


def wants_fragment(request: Request) -> bool:
    """Sent by htmx (`HX-Request: true`): answer with the changed part of the page, not
    a redirect to the whole of it (the same form without JavaScript gets the redirect)."""
    return request.headers.get("HX-Request") == "true"


def fragment(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    """A piece of a page for htmx to swap in; `Vary` keeps caches from mixing it up
    with the page."""
    page = render(request, name, context)
    page.headers["Vary"] = "HX-Request"
    return page


def service_row(service: Service, today: date) -> dict[str, Any]:
    """A service as the lists show it (home, /ui/services): checked when, its promises,
    and whether "still accurate" is due."""
    return {"id": service.id, "name": service.name,
            "days": verification_age(service.assured_date, today),
            "stale": is_stale(service.assured_date, service.staleness_limit_days, today),
            "flags": [f for f in SAFETY_FLAGS if getattr(service, f) is True]}


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/ui/login", status_code=status.HTTP_303_SEE_OTHER)


# --- signing in -----------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", {"error": None, "email": ""})


@router.post("/login")
def login(request: Request, email: str = Form(""), password: str = Form(""),
          session: Session = Depends(get_session)) -> Response:
    address = request.client.host if request.client else "unknown"
    keys = [f"email:{email.strip().lower()}", f"addr:{address}"]
    _ = translations(language_of(request)).gettext
    wait = auth.throttle.locked_for(keys)
    if wait:
        return render(request, "login.html", {"email": email, "error": _(
            "Too many failed attempts. Try again in {minutes} minutes.").format(
                minutes=max(1, wait // 60))}, status_code=429)
    user = accounts.authenticate_password(session, email, password)
    if user is None:
        time.sleep(auth.throttle.delay(keys))
        auth.throttle.fail(keys)
        return render(request, "login.html", {"email": email, "error": _(
            "Wrong e-mail or password.")}, status_code=401)
    auth.throttle.succeed(keys)
    page = RedirectResponse("/ui/", status_code=status.HTTP_303_SEE_OTHER)
    page.set_cookie(auth.COOKIE, auth.issue(user), **auth.cookie_options())
    return page


@router.post("/logout")
def logout(request: Request, csrf: str = Form(""),
           session: Session = Depends(get_session)) -> Response:
    web = auth.read(request, session)
    if web is not None and not auth.csrf_ok(web, csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token")
    page = _login_redirect()
    page.delete_cookie(auth.COOKIE, path="/ui")
    return page


@router.get("/invite/{token}")
def invite_page(token: str, request: Request,
                session: Session = Depends(get_session)) -> HTMLResponse:
    invite = accounts.find_invite(session, token)
    return render(request, "invite.html", {"valid": invite is not None, "error": None,
                                           "email": invite.user.email if invite else ""},
                  status_code=200 if invite else 404)


@router.post("/invite/{token}")
def accept_invite(token: str, request: Request, password: str = Form(""),
                  repeat: str = Form(""), session: Session = Depends(get_session)) -> Response:
    _ = translations(language_of(request)).gettext
    invite = accounts.find_invite(session, token)
    if invite is None:
        return render(request, "invite.html", {"valid": False, "error": None, "email": ""},
                      status_code=404)
    error = None
    if password != repeat:
        error = _("The two passwords are not the same.")
    elif len(password) < 10:
        error = _("A password needs at least 10 characters.")
    if error:
        return render(request, "invite.html", {"valid": True, "error": error,
                                               "email": invite.user.email}, status_code=422)
    user = accounts.accept_invite(session, token, password)
    session.commit()
    page = RedirectResponse("/ui/", status_code=status.HTTP_303_SEE_OTHER)
    page.set_cookie(auth.COOKIE, auth.issue(user), **auth.cookie_options())
    return page


# --- home ---------------------------------------------------------------------------------
def visible_services(user: User):
    """The services she may see and change, as the admin API scopes them."""
    query = select(Service)
    if user.role != "admin":
        query = query.where(Service.organization_id.in_(user.organization_ids or [""]))
    return query


def stale_services(session: Session, user: User, today: date, limit: int = 20) -> list[dict]:
    """Her services unverified past their staleness limit, the oldest first."""
    found = []
    # never checked first, then the oldest check: two reads that walk
    # `ix_service_assured_date_name` rather than one that sorts every service
    never = visible_services(user).where(Service.assured_date.is_(None)) \
        .order_by(Service.name).limit(limit)
    oldest = visible_services(user).where(Service.assured_date.is_not(None)) \
        .order_by(Service.assured_date, Service.name).limit(500)
    candidates = list(session.scalars(never))
    if len(candidates) < limit:
        candidates += list(session.scalars(oldest))
    for service in candidates:
        if is_stale(service.assured_date, service.staleness_limit_days, today):
            found.append(service_row(service, today))
        if len(found) >= limit:
            break
    return found


def recent_changes(session: Session, user: User, limit: int = 10) -> list[AuditEntry]:
    """What others changed lately in what she curates (admins: anywhere)."""
    query = select(AuditEntry).where(AuditEntry.actor_user_id != user.id) \
        .order_by(AuditEntry.at.desc()).limit(limit)
    if user.role != "admin":
        mine = select(Service.id).where(Service.organization_id.in_(user.organization_ids or [""]))
        query = query.where(AuditEntry.entity_type == "service", AuditEntry.entity_id.in_(mine))
    return list(session.scalars(query))


REPEATED_REPORTS = 2


def repeatedly_reported(session: Session, limit: int = 20) -> list[dict]:
    """Services with several discrimination reports: the admin decides whether their
    safety promises still hold."""
    counted = (select(DiscriminationReport.service_id, func.count().label("reports"))
               .where(DiscriminationReport.service_id.is_not(None))
               .group_by(DiscriminationReport.service_id)
               .having(func.count() >= REPEATED_REPORTS).subquery())
    rows = session.execute(select(Service.id, Service.name, counted.c.reports)
                           .join(counted, counted.c.service_id == Service.id)
                           .order_by(counted.c.reports.desc(), Service.name).limit(limit))
    return [{"id": r.id, "name": r.name, "reports": r.reports} for r in rows]


def followups(session: Session, user: User, limit: int = 20) -> list[FollowUpRequest]:
    query = visible_followups(user).where(FollowUpRequest.status != "resolved")
    return list(session.scalars(query.limit(limit)))


@router.get("/")
def home(request: Request, session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session)
    user = web.user
    if user.role == "analyst":  # statistics are all an analyst sees
        return RedirectResponse("/ui/stats", status_code=status.HTTP_303_SEE_OTHER)
    context: dict[str, Any] = {"user": user, "csrf": web.csrf, "reasons": REASONS,
                               "verified": request.query_params.get("verified"),
                               "flag_labels": FLAG_LABELS}
    if user.role in ("admin", "curator"):
        today = datetime.now(timezone.utc).date()
        context.update(
            stale=stale_services(session, user, today),
            reports=reports.visible_reports(session, user, status="open", limit=20),
            followups=followups(session, user),
            changes=recent_changes(session, user),
            flagged=repeatedly_reported(session) if user.role == "admin" else [])
    return render(request, "home.html", context)


@router.post("/services/{service_id}/verify")
def verify(service_id: str, request: Request, csrf: str = Form(""),
           session: Session = Depends(get_session)) -> Response:
    """One click on "still accurate": today and her e-mail, audited. htmx gets the
    service's row, checked today; a plain form the home page again."""
    from ..routers.admin_directory import mark_verified

    web = auth.require(request, session, csrf=csrf)
    service = session.get(Service, service_id)
    if service is None or not can_curate(web.user, service.organization_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such service")
    mark_verified(session, service, web.user)
    session.commit()
    if wants_fragment(request):
        row = service_row(service, datetime.now(timezone.utc).date()) | {"checked_now": True}
        return fragment(request, "_service_row.html", {
            "user": web.user, "csrf": web.csrf, "service": row, "flag_labels": FLAG_LABELS})
    return RedirectResponse(f"/ui/?verified={service.id}", status_code=status.HTTP_303_SEE_OTHER)
