"""`/ui/users` (admins): invite people, change nothing by hand in the database, and
deactivate an account, which ends its sessions and API keys at once (both check
`active` on every request). Same validation and audit as `/admin/users`."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import accounts, audit
from ..config import get_settings
from ..deps import get_session
from ..models.accounts import User
from ..routers.admin_users import UserCreate, UserUpdate, _audit_view, update_user
from . import auth
from .pages import render

router = APIRouter(prefix="/ui", include_in_schema=False)
ADMINS = ("admin",)


def _page(request: Request, session: Session, web: auth.WebSession, **extra) -> Response:
    users = session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    context = {"user": web.user, "csrf": web.csrf, "users": users, "invite": None,
               "error": None, **extra}
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
        message = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
        return _page(request, session, web, error=message)
    link = accounts.invite_url(get_settings().app_url, accounts.create_invite(session, person))
    audit.record(session, web.user, "create", "user", person.id, None, _audit_view(person))
    session.commit()
    return _page(request, session, web, invite={"name": person.name, "link": link})


@router.post("/users/{user_id}/active")
def set_active(user_id: str, request: Request, active: str = Form(""), csrf: str = Form(""),
               session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, ADMINS, csrf)
    update_user(user_id, UserUpdate(active=active == "1"), session, web.user)
    return RedirectResponse("/ui/users", status_code=status.HTTP_303_SEE_OTHER)
