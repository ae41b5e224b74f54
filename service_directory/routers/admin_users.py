"""Users and API keys (admins only): create, change roles and organizations, issue, revoke."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import accounts, audit
from ..config import get_settings
from ..deps import get_session, not_found, require_roles
from ..models.accounts import ApiKey, User

router = APIRouter(prefix="/admin/users", tags=["admin: users"])
admin_only = require_roles("admin")
Role = Literal["admin", "curator", "analyst"]


class UserCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    role: Role
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    organization_ids: list[str] = Field([], description="organizations a curator curates")


class UserUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    role: Role | None = None
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    organization_ids: list[str] | None = None
    active: bool | None = None


class KeyCreate(BaseModel):
    label: str | None = Field(None, max_length=200)


def user_dict(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role,
            "active": user.active, "organization_ids": user.organization_ids,
            "has_password": bool(user.password_hash),
            "created_at": user.created_at.isoformat() if user.created_at else None}


def _audit_view(user: User) -> dict[str, Any]:
    return {**(audit.snapshot(user) or {}), "organization_ids": user.organization_ids}


def key_dict(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "prefix": key.prefix, "label": key.label,
            "created_at": key.created_at.isoformat() if key.created_at else None,
            "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None,
            "revoked": key.revoked_at is not None}


def _user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found("user", user_id)
    return user


def _unprocessable(error: Exception) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error))


@router.get("", summary="List users")
def list_users(session: Session = Depends(get_session),
               _: User = Depends(admin_only)) -> list[dict[str, Any]]:
    return [user_dict(u) for u in session.scalars(select(User).order_by(User.created_at))]


@router.post("", status_code=status.HTTP_201_CREATED,
             summary="Create a user; answers their first API key (shown once)")
def create_user(body: UserCreate, session: Session = Depends(get_session),
                admin: User = Depends(admin_only)) -> dict[str, Any]:
    try:
        user = accounts.create_user(session, name=body.name, role=body.role, email=body.email,
                                    organization_ids=body.organization_ids)
    except accounts.AccountError as error:
        raise _unprocessable(error) from None
    issued = accounts.issue_api_key(session, user)
    answer = {**user_dict(user), "api_key": issued.token}
    if user.email:
        answer["invite_url"] = accounts.invite_url(get_settings().app_url,
                                                   accounts.create_invite(session, user))
    audit.record(session, admin, "create", "user", user.id, None, _audit_view(user))
    session.commit()
    return answer


@router.get("/{user_id}", summary="Read a user")
def read_user(user_id: str, session: Session = Depends(get_session),
              _: User = Depends(admin_only)) -> dict[str, Any]:
    return user_dict(_user(session, user_id))


@router.patch("/{user_id}", summary="Change a user's name, email, role, organizations or access")
def update_user(user_id: str, body: UserUpdate, session: Session = Depends(get_session),
                admin: User = Depends(admin_only)) -> dict[str, Any]:
    user = _user(session, user_id)
    before = _audit_view(user)
    changes = body.model_dump(exclude_unset=True)
    if user.id == admin.id and (changes.get("active") is False or changes.get("role", "admin") != "admin"):
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="you cannot demote or deactivate yourself; ask another admin")
    try:
        if "organization_ids" in changes:
            accounts.set_organizations(session, user, changes.pop("organization_ids") or [])
        if "email" in changes and changes["email"]:
            changes["email"] = changes["email"].strip().lower()
            other = session.scalar(select(User).where(User.email == changes["email"], User.id != user.id))
            if other is not None:
                raise accounts.AccountError(f"a user with email {changes['email']} already exists")
    except accounts.AccountError as error:
        raise _unprocessable(error) from None
    for name, value in changes.items():
        setattr(user, name, value)
    session.flush()
    audit.record(session, admin, "update", "user", user.id, before, _audit_view(user))
    session.commit()
    return user_dict(user)


@router.get("/{user_id}/api-keys", summary="List a user's API keys (prefixes only)")
def list_keys(user_id: str, session: Session = Depends(get_session),
              _: User = Depends(admin_only)) -> list[dict[str, Any]]:
    return [key_dict(k) for k in _user(session, user_id).api_keys]


@router.post("/{user_id}/api-keys", status_code=status.HTTP_201_CREATED,
             summary="Issue a new API key (the key is shown once)")
def create_key(user_id: str, body: KeyCreate | None = None, session: Session = Depends(get_session),
               admin: User = Depends(admin_only)) -> dict[str, Any]:
    user = _user(session, user_id)
    issued = accounts.issue_api_key(session, user, label=body.label if body else None)
    audit.record(session, admin, "create", "api_key", issued.key.id, None, key_dict(issued.key))
    session.commit()
    return {**key_dict(issued.key), "api_key": issued.token}


@router.delete("/{user_id}/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Revoke an API key")
def revoke_key(user_id: str, key_id: str, session: Session = Depends(get_session),
               admin: User = Depends(admin_only)) -> Response:
    key = session.get(ApiKey, key_id)
    if key is None or key.user_id != user_id:
        raise not_found("API key", key_id)
    before = key_dict(key)
    accounts.revoke_api_key(key)
    audit.record(session, admin, "revoke", "api_key", key.id, before, key_dict(key))
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{user_id}/invite", status_code=status.HTTP_201_CREATED,
             summary="A new one-time link to set a web UI password")
def invite(user_id: str, session: Session = Depends(get_session),
           admin: User = Depends(admin_only)) -> dict[str, Any]:
    user = _user(session, user_id)
    if not user.email:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail="this user has no email; set one first (web UI login is by email)")
    url = accounts.invite_url(get_settings().app_url, accounts.create_invite(session, user))
    audit.record(session, admin, "invite", "user", user.id, None, {"invite": "issued"})
    session.commit()
    return {"invite_url": url}
