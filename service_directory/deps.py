"""Shared FastAPI dependencies: database session, who is calling, and what they may do.

- `get_session`: one SQLAlchemy session per request (routes commit explicitly).
- `current_user`: the user behind `Authorization: Bearer KEY` (401 otherwise).
- `require_roles("admin", "curator")`: 403 for any other role.
- `require_roles_key_or_session("analyst", "admin")`: the same, also accepting the web
  UI's session (for what the dashboard reads, the statistics).
- `ensure_can_curate(user, organization_id)`: the check every directory write reuses,
  so a curator changes only their own organizations' data.
- `require_internal`: calls from Puente's own processes (the bot's actions), proven
  by the shared secret in `X-Puente-Internal` (the value of APP_SECRET).
"""
from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from . import accounts
from .config import get_settings
from .db import session_factory
from .models.accounts import User
from .web import auth as web_auth

INTERNAL_HEADER = "X-Puente-Internal"

_bearer = HTTPBearer(auto_error=False, description="An API key from `puente users create`")


def get_session() -> Iterator[Session]:
    """A session for this request; anything not committed by the route is rolled back."""
    session = session_factory()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": "Bearer"})


def current_user(credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
                 session: Session = Depends(get_session)) -> User:
    """The active user whose API key is in `Authorization: Bearer KEY`."""
    if credentials is None or not credentials.credentials:
        raise _unauthorized("missing API key: send the header 'Authorization: Bearer KEY' "
                            "(create a key with `puente users create`)")
    user = accounts.authenticate_key(session, credentials.credentials)
    if user is None:
        raise _unauthorized("invalid or revoked API key")
    if session.dirty:  # the key's last use moved on: keep it even if the route only reads
        session.commit()
    return user


def require_roles(*roles: str) -> Callable[..., User]:
    """A dependency returning the current user if their role is one of `roles` (403 otherwise)."""
    allowed = ", ".join(roles)

    def _check(user: User = Depends(current_user)) -> User:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"this needs the role {allowed}; your role is {user.role}")
        return user

    _check.__name__ = f"require_{'_or_'.join(roles)}"
    return _check


def require_roles_key_or_session(*roles: str) -> Callable[..., User]:
    """Like `require_roles`, but a signed-in web UI session proves who calls as well as
    an API key (a key, when sent, decides): 401 with neither, 403 for another role."""
    check = require_roles(*roles)

    def _check(request: Request,
               credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
               session: Session = Depends(get_session)) -> User:
        if credentials is not None and credentials.credentials:
            return check(current_user(credentials, session))
        web = web_auth.read(request, session)
        if web is None:
            raise _unauthorized("send an API key ('Authorization: Bearer KEY') or sign in "
                                "to the web UI")
        return check(web.user)

    _check.__name__ = f"require_{'_or_'.join(roles)}_key_or_session"
    return _check


def can_curate(user: User, organization_id: str | None) -> bool:
    """Admins curate everything; curators their own organizations; analysts nothing."""
    if user.role == "admin":
        return True
    return user.role == "curator" and user.curates(organization_id)


def ensure_can_curate(user: User, organization_id: str | None) -> None:
    """Raise 403 unless `user` may change data of `organization_id`."""
    if not can_curate(user, organization_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="you can only change or read data of the organizations you curate"
            if user.role == "curator" else
            f"this needs the role admin or curator; your role is {user.role}")


def require_internal(x_puente_internal: str | None = Header(
        None, alias=INTERNAL_HEADER,
        description="APP_SECRET: only Puente's own processes call this route")) -> str:
    """Accept only callers that know APP_SECRET (the bot's action server)."""
    if not x_puente_internal:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            detail=f"internal route: send the header {INTERNAL_HEADER}")
    if not hmac.compare_digest(x_puente_internal.encode(), get_settings().app_secret.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail=f"wrong {INTERNAL_HEADER} secret")
    return "internal:bot"


def not_found(entity: str, entity_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no {entity} with id {entity_id}")
