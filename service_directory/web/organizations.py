"""`/ui/organizations` (admins): the NGOs in the directory, how many services and
curators each has, whether it is a legal partner (its curators may keep the statements
of rights current); create one, change its name, description, e-mail and web page, and
mark it a legal partner or not. Curators and analysts get 404, as for what is not theirs.

Every write goes through the admin API's own code: `OrganizationFields` checks the
fields (an e-mail or a web address that is not one is said in her language, beside its
field), `_create` and `_change` write and audit them, and the form carries the version
she opened as If-Match, so a colleague's save meanwhile is shown beside hers and
nothing is overwritten.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..deps import get_session
from ..hsds.texts import problem_sentence, said_in
from ..i18n import translations
from ..messages import N_
from ..models.accounts import User, UserOrganization
from ..models.directory import Organization, Service
from ..routers import admin_directory as api
from . import auth
from .pages import language_of, render

router = APIRouter(prefix="/ui", include_in_schema=False)
ADMINS = ("admin",)
FIELDS = ("name", "description", "email", "website")
LABELS = {"name": N_("Name"), "description": N_("Description"), "email": N_("E-mail"),
          "website": N_("Web page")}
NAME_MISSING = N_("Give the organization's name.")
NO_VERSION = N_("The form has no version; open the organization again.")


def organization_rows(session: Session) -> list[dict[str, Any]]:
    """Every organization with its number of services and of curators, by name."""
    services = (select(Service.organization_id, func.count().label("n"))
                .group_by(Service.organization_id).subquery())
    curators = (select(UserOrganization.organization_id, func.count().label("n"))
                .join(User, User.id == UserOrganization.user_id)
                .where(User.role == "curator", User.active.is_(True))
                .group_by(UserOrganization.organization_id).subquery())
    query = (select(Organization, func.coalesce(services.c.n, 0), func.coalesce(curators.c.n, 0))
             .outerjoin(services, services.c.organization_id == Organization.id)
             .outerjoin(curators, curators.c.organization_id == Organization.id)
             .order_by(Organization.name, Organization.id))
    return [{"org": org, "services": n_services, "curators": n_curators}
            for org, n_services, n_curators in session.execute(query)]


def form_values(organization: Organization | None) -> dict[str, str]:
    return {f: (getattr(organization, f) or "") if organization else "" for f in FIELDS}


def _submitted(form) -> dict[str, str]:
    return {f: (form.get(f) or "").replace("\r\n", "\n").strip() for f in FIELDS}


def _body(submitted: dict[str, str]) -> api.OrganizationFields:
    """Her form as the API's fields (an emptied field clears it; the name is required)."""
    return api.OrganizationFields(**{f: submitted[f] or None for f in FIELDS})


def field_errors(error: ValidationError, gettext) -> dict[str, str]:
    """The API model's complaints by field, in her language (`values` raises `Text`)."""
    found: dict[str, str] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "name"
        found.setdefault(field, said_in(problem_sentence(problem), gettext))
    return found


def _edit_page(request: Request, web: auth.WebSession, organization: Organization | None,
               values: dict[str, str], errors: dict[str, str] | None = None,
               theirs: dict[str, str] | None = None, version: int | None = None,
               status_code: int = 200) -> Response:
    return render(request, "organization_edit.html", {
        "user": web.user, "csrf": web.csrf, "organization": organization, "values": values,
        "errors": errors or {}, "theirs": theirs, "fields": FIELDS, "labels": LABELS,
        "version": version if version is not None else (organization.version
                                                        if organization else None),
        "saved": request.query_params.get("saved")}, status_code=status_code)


def _organization_or_404(session: Session, organization_id: str) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return organization


@router.get("/organizations")
def organizations_page(request: Request, session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, ADMINS)
    return render(request, "organizations.html", {
        "user": web.user, "csrf": web.csrf, "rows": organization_rows(session),
        "changed": request.query_params.get("changed"),
        "stale": request.query_params.get("stale")})


@router.get("/organizations/new")
def new_page(request: Request, session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, ADMINS)
    return _edit_page(request, web, None, form_values(None))


@router.post("/organizations/new")
async def create(request: Request, session: Session = Depends(get_session)) -> Response:
    form = await request.form()
    web = auth.require(request, session, ADMINS, form.get("csrf") or "")
    gettext = translations(language_of(request)).gettext
    submitted = _submitted(form)
    if not submitted["name"]:
        return _edit_page(request, web, None, submitted, {"name": gettext(NAME_MISSING)},
                          status_code=422)
    try:
        body = _body(submitted)
    except ValidationError as error:
        return _edit_page(request, web, None, submitted, field_errors(error, gettext),
                          status_code=422)
    made = api._create(api.ENTITIES["organizations"], body, session, web.user, Response())
    return RedirectResponse(f"/ui/organizations/{made['id']}?saved=1",
                            status_code=status.HTTP_303_SEE_OTHER)


@router.get("/organizations/{organization_id}")
def edit_page(organization_id: str, request: Request,
              session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, ADMINS)
    organization = _organization_or_404(session, organization_id)
    return _edit_page(request, web, organization, form_values(organization))


@router.post("/organizations/{organization_id}")
async def save(organization_id: str, request: Request,
               session: Session = Depends(get_session)) -> Response:
    form = await request.form()
    web = auth.require(request, session, ADMINS, form.get("csrf") or "")
    organization = _organization_or_404(session, organization_id)
    gettext = translations(language_of(request)).gettext
    submitted = _submitted(form)
    if not submitted["name"]:
        return _edit_page(request, web, organization, submitted,
                          {"name": gettext(NAME_MISSING)}, status_code=422)
    try:
        body = _body(submitted)
    except ValidationError as error:
        return _edit_page(request, web, organization, submitted, field_errors(error, gettext),
                          status_code=422)
    version = (form.get("version") or "").strip()
    if not version.isdigit():
        return _edit_page(request, web, organization, submitted, {"name": gettext(NO_VERSION)},
                          status_code=422)
    try:
        api._change(api.ENTITIES["organizations"], organization_id, body, False, session,
                    web.user, Response(), f'"v{version}"')
    except HTTPException as error:  # 412: someone saved meanwhile
        if error.status_code != status.HTTP_412_PRECONDITION_FAILED:
            raise
        session.rollback()
        fresh = _organization_or_404(session, organization_id)
        session.refresh(fresh)
        return _edit_page(request, web, fresh, submitted, theirs=form_values(fresh),
                          version=fresh.version, status_code=status.HTTP_409_CONFLICT)
    return RedirectResponse(f"/ui/organizations/{organization_id}?saved=1",
                            status_code=status.HTTP_303_SEE_OTHER)


@router.post("/organizations/{organization_id}/legal-partner")
def set_legal_partner(organization_id: str, request: Request, legal_partner: str = Form(""),
                      csrf: str = Form(""), version: str = Form(""),
                      session: Session = Depends(get_session)) -> Response:
    """Mark it a legal partner, or not: the API's PATCH (admins only, audited). The
    button carries the version she saw; when the organization changed since, nothing
    is changed and the list shows it as it is now."""
    web = auth.require(request, session, ADMINS, csrf)
    _organization_or_404(session, organization_id)
    if_match = f'"v{version.strip()}"' if version.strip().isdigit() else "*"
    try:
        api._change(api.ENTITIES["organizations"], organization_id,
                    api.OrganizationFields(legal_partner=legal_partner == "1"), False, session,
                    web.user, Response(), if_match)
    except HTTPException as error:
        if error.status_code != status.HTTP_412_PRECONDITION_FAILED:
            raise
        session.rollback()
        return RedirectResponse(f"/ui/organizations?stale={organization_id}#org-{organization_id}",
                                status_code=status.HTTP_303_SEE_OTHER)
    return RedirectResponse(f"/ui/organizations?changed={organization_id}#org-{organization_id}",
                            status_code=status.HTTP_303_SEE_OTHER)
