"""`/ui/users` (admins): invite people, change a person's role and organizations, and
deactivate an account, which ends its sessions and API keys at once (both check
`active` on every request). Same validation, rules and audit as `/admin/users`
(`update_user`: an admin cannot demote or deactivate herself; unknown organizations
are refused)."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from .. import accounts, audit
from ..config import get_settings
from ..deps import get_session
from ..i18n import translations
from ..models.accounts import User, UserOrganization
from ..models.directory import Organization
from ..routers.admin_users import UserCreate, UserUpdate, _audit_view, update_user
from . import auth
from .pages import language_of, render

router = APIRouter(prefix="/ui", include_in_schema=False)
ADMINS = ("admin",)
PAGE = 50


def _page(request: Request, session: Session, web: auth.WebSession, **extra) -> Response:
    """Active people first, by name, PAGE at a time; `q` finds a name, an e-mail or an
    organization id (one NGO's curators) among hundreds of people."""
    q = (request.query_params.get("q") or "").strip()
    try:
        page = max(int(request.query_params.get("page") or 1), 1)
    except ValueError:
        page = 1
    query = select(User)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like),
                                func.lower(User.email).like(like),
                                User.id.in_(select(UserOrganization.user_id).where(
                                    func.lower(UserOrganization.organization_id).like(like)))))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE))
    page = min(page, pages)
    users = session.scalars(query.order_by(User.active.desc(), User.name, User.id)
                            .options(selectinload(User.organization_links))
                            .limit(PAGE).offset((page - 1) * PAGE)).all()
    context = {"user": web.user, "csrf": web.csrf, "users": users, "invite": None,
               "error": None, "changed": request.query_params.get("changed"), "q": q,
               "total": total, "page": page, "pages": pages,
               "query": urlencode({"q": q} if q else {}), **extra}
    return render(request, "users.html", context, status_code=422 if extra.get("error") else 200)


@router.get("/users")
def users_page(request: Request, session: Session = Depends(get_session)) -> Response:
    return _page(request, session, auth.require(request, session, ADMINS))


@router.post("/users")
def invite(request: Request, name: str = Form(""), email: str = Form(""), role: str = Form(""),
           organization: str = Form(""), csrf: str = Form(""),
           session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, ADMINS, csrf)
    try:
        body = UserCreate(name=name.strip(), email=email.strip().lower() or None, role=role,
                          organization_ids=[organization.strip()] if organization.strip() else [])
        person = accounts.create_user(session, name=body.name, role=body.role, email=body.email,
                                      organization_ids=body.organization_ids)
    except (ValidationError, accounts.AccountError) as error:
        session.rollback()
        return _page(request, session, web, error=invite_error(
            error, translations(language_of(request)).gettext, email=email.strip(),
            organization=organization.strip()))
    link = accounts.invite_url(get_settings().app_url, accounts.create_invite(session, person))
    audit.record(session, web.user, "create", "user", person.id, None, _audit_view(person))
    session.commit()
    return _page(request, session, web, invite={"name": person.name, "link": link})


def invite_error(error: ValueError, gettext, *, email: str, organization: str) -> str:
    """What is wrong with the invite form, in her language: the API's model
    (`UserCreate`) and `accounts.create_user` say it in English for the API."""
    if isinstance(error, ValidationError):
        field = str(error.errors()[0]["loc"][0]) if error.errors()[0]["loc"] else ""
        if field == "name":
            return gettext("Give the person's name.")
        if field == "email":
            return gettext("{email} is not an e-mail address.").format(email=email)
        if field == "role":
            return gettext("Choose a role: curator, analyst or administrator.")
        return error.errors()[0]["msg"]
    code = getattr(error, "code", "")
    if code == "email_taken":
        return gettext("Someone already has the e-mail {email}.").format(email=email.lower())
    if code == "unknown_organization":
        return gettext("No organization has the id {ids}.").format(ids=organization)
    if code == "no_name":
        return gettext("Give the person's name.")
    if code == "unknown_role":
        return gettext("Choose a role: curator, analyst or administrator.")
    return str(error)


@router.post("/users/{user_id}/active")
def set_active(user_id: str, request: Request, active: str = Form(""), csrf: str = Form(""),
               session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, ADMINS, csrf)
    update_user(user_id, UserUpdate(active=active == "1"), session, web.user)
    return RedirectResponse("/ui/users", status_code=status.HTTP_303_SEE_OTHER)


def organization_list(text: str) -> list[str]:
    """The organization ids typed in one field, separated by commas or spaces."""
    return sorted({part for part in text.replace(",", " ").split() if part})


@router.post("/users/{user_id}/role")
def change_role(user_id: str, request: Request, role: str = Form(""),
                organizations: str = Form(""), csrf: str = Form(""),
                session: Session = Depends(get_session)) -> Response:
    """Her role and the organizations she curates, through `update_user` (audited)."""
    web = auth.require(request, session, ADMINS, csrf)
    _ = translations(language_of(request)).gettext
    wanted = organization_list(organizations)
    known = set(session.scalars(select(Organization.id).where(Organization.id.in_(wanted))))
    if set(wanted) - known:
        return _page(request, session, web, error=_("No organization has the id {ids}.").format(
            ids=", ".join(sorted(set(wanted) - known))))
    try:
        update_user(user_id, UserUpdate(role=role, organization_ids=wanted), session, web.user)
    except ValidationError:
        return _page(request, session, web,
                     error=_("Choose a role: curator, analyst or administrator."))
    except HTTPException as error:
        if error.status_code != status.HTTP_409_CONFLICT:
            raise
        session.rollback()
        return _page(request, session, web, error=_(
            "You cannot change your own role; ask another administrator."))
    return RedirectResponse(f"/ui/users?changed={user_id}", status_code=status.HTTP_303_SEE_OTHER)
