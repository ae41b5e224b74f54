"""`/ui/services/{id}`: edit a service's text, types, safety promises and staleness
limit with the admin API's own rules (`_change`: validation, ownership, If-Match).

Errors go next to their field. When someone else saved the service since she opened
it, nothing is overwritten: both versions are shown, her input kept, and saving again
is her decision.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..deps import get_session
from ..messages import N_, SERVICE_TYPE_NAMES
from ..models.directory import SAFETY_FLAGS, Service
from ..routers import admin_directory as api
from . import auth
from .pages import _login_redirect, render

router = APIRouter(prefix="/ui", include_in_schema=False)
TEXT_FIELDS = ("name", "description", "url", "email", "fees_description")
LABELS = {"name": N_("Name"), "description": N_("Description"), "url": N_("Web page"),
          "email": N_("E-mail"), "fees_description": N_("What it costs")}
TYPES = [code for code in SERVICE_TYPE_NAMES if code not in ("emergency_care", "health_care")]
# What each flag promises a migrant, in plain words (shown next to it).
PROMISES = {
    "serves_undocumented": N_("Treats people without papers, whatever their migration status."),
    "free_of_charge": N_("Costs the person nothing, tests and medicine included."),
    "confidential_no_immigration_reporting": N_(
        "Never reports anyone to immigration and keeps health information confidential."),
    "lgbtqi_friendly": N_("Welcomes LGBTQI+ people without judgement."),
    "sex_worker_friendly": N_("Welcomes sex workers without judgement."),
    "youth_friendly": N_("Serves young people, on their own where the law allows."),
}


def _editable(request: Request, session: Session, service_id: str) -> tuple[auth.WebSession, Service]:
    web = auth.read(request, session)
    if web is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": "/ui/login"})
    service = session.get(Service, service_id)
    if service is None or not (web.user.role == "admin" or web.user.curates(service.organization_id)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such service")
    return web, service


def current_values(session: Session, service: Service) -> dict[str, Any]:
    data = api._service_data(session, service)
    values = {f: data.get(f) or "" for f in TEXT_FIELDS}
    values.update({f: data.get(f) for f in SAFETY_FLAGS})
    values["staleness_limit_days"] = service.staleness_limit_days
    values["service_types"] = sorted(data.get("service_types") or [])
    return values


def _page(request: Request, web: auth.WebSession, service: Service, values: dict[str, Any],
          errors: dict[str, str] | None = None, theirs: dict[str, Any] | None = None,
          version: int | None = None, status_code: int = 200) -> Response:
    return render(request, "service_edit.html", {
        "user": web.user, "csrf": web.csrf, "service": service, "values": values,
        "errors": errors or {}, "theirs": theirs, "version": version or service.version,
        "types": {c: SERVICE_TYPE_NAMES[c] for c in TYPES}, "promises": PROMISES,
        "text_fields": TEXT_FIELDS, "labels": LABELS, "saved": request.query_params.get("saved")},
        status_code=status_code)


@router.get("/services/{service_id}")
def edit_page(service_id: str, request: Request,
              session: Session = Depends(get_session)) -> Response:
    if auth.read(request, session) is None:
        return _login_redirect()
    web, service = _editable(request, session, service_id)
    return _page(request, web, service, current_values(session, service))


def _from_form(form) -> dict[str, Any]:
    """What she submitted, as the API's fields (empty text → None, flags tri-state)."""
    values: dict[str, Any] = {f: (form.get(f) or "").strip() or None for f in TEXT_FIELDS}
    for flag in SAFETY_FLAGS:
        values[flag] = {"yes": True, "no": False}.get(form.get(flag) or "")
    values["service_types"] = sorted(form.getlist("service_types"))
    raw = (form.get("staleness_limit_days") or "").strip()
    if raw:  # left empty: the limit stays as it is
        values["staleness_limit_days"] = raw
    return values


@router.post("/services/{service_id}")
async def save(service_id: str, request: Request,
               session: Session = Depends(get_session)) -> Response:
    web, service = _editable(request, session, service_id)
    form = await request.form()
    if not auth.csrf_ok(web, form.get("csrf")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token")
    submitted = _from_form(form)
    shown = {**submitted, **{f: submitted[f] or "" for f in TEXT_FIELDS}}
    try:
        body = api.ServiceFields(**submitted)
    except ValidationError as error:
        errors = {str(e["loc"][0]): e["msg"].removeprefix("Value error, ") for e in error.errors()}
        return _page(request, web, service, shown, errors, status_code=422)
    try:
        api._change(api.ENTITIES["services"], service.id, body, False, session, web.user,
                    Response(), f'"v{form.get("version")}"')
    except HTTPException as error:
        session.rollback()
        if error.status_code == status.HTTP_412_PRECONDITION_FAILED:
            fresh = session.get(Service, service_id)
            theirs = current_values(session, fresh)
            return _page(request, web, fresh, shown, theirs=theirs, version=fresh.version,
                         status_code=409)
        if error.status_code == 422 and isinstance(error.detail, list):
            errors = {str(d["loc"][-1]): d["msg"] for d in error.detail}
            return _page(request, web, service, shown, errors, status_code=422)
        raise
    return RedirectResponse(f"/ui/services/{service_id}?saved=1",
                            status_code=status.HTTP_303_SEE_OTHER)
