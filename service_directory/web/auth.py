"""Who is using the web UI: a signed session cookie, a CSRF token, and slowed logins.

- The cookie holds the user id, a CSRF token and when it was issued, signed with
  APP_SECRET (itsdangerous); HttpOnly, SameSite=Lax, Secure when PUBLIC_BASE_URL is
  https, expiring after `SESSION_HOURS`. Logging out or a deactivated account ends it.
- Every state-changing form carries the session's CSRF token (403 without it).
- Failed logins are counted per account and per address: after `SLOW_AFTER` failures
  each answer waits longer; after `LOCK_AFTER` within `WINDOW` the account (or the
  address) is locked for `LOCK_FOR`. Kept in this process (one app process serves the
  UI); a restart forgets them, which only shortens a lock.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from fastapi import HTTPException, Request, status
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import get_settings
from ..models.accounts import User

COOKIE = "puente_session"
SESSION_HOURS = 8
SLOW_AFTER = 3
LOCK_AFTER = 5
WINDOW = 15 * 60
LOCK_FOR = 15 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().app_secret, salt="puente-ui-session")


@dataclass(frozen=True)
class WebSession:
    user: User
    csrf: str


def issue(user: User) -> str:
    """The cookie value for a fresh login (a new CSRF token each time)."""
    return _serializer().dumps({"uid": user.id, "csrf": secrets.token_urlsafe(24)})


def cookie_options() -> dict:
    secure = get_settings().public_base_url.startswith("https://")
    return {"httponly": True, "samesite": "lax", "secure": secure,
            "max_age": SESSION_HOURS * 3600, "path": "/ui"}


def read(request: Request, session: Session) -> WebSession | None:
    """The logged-in user of this request, or None (no, bad or expired cookie)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=SESSION_HOURS * 3600)
    except BadSignature:
        return None
    user = session.get(User, data.get("uid"))
    if user is None or not user.active:
        return None
    return WebSession(user, data.get("csrf", ""))


def csrf_ok(web: WebSession, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(web.csrf.encode(), (token or "").encode())


EVERYONE = ("admin", "curator", "analyst")


def require(request: Request, session: Session, roles: tuple[str, ...] = EVERYONE,
            csrf: str | None = None) -> WebSession:
    """The signed-in user of a page, or the answer every page gives: no session → the
    login page (303); a role with no business here → 404, as the API hides what is
    not hers; a state-changing form (`csrf` given) without the session's token → 403."""
    web = read(request, session)
    if web is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": "/ui/login"})
    if web.user.role not in roles:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if csrf is not None and not csrf_ok(web, csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token")
    return web


def keeps_rights(session: Session, user: User) -> bool:
    """Whether she may keep the entitlements current: admins, and curators of an
    organization marked `legal_partner` (rights are law, not a clinic's own data)."""
    from ..models.directory import Organization

    if user.role == "admin":
        return True
    if user.role != "curator" or not user.organization_ids:
        return False
    return session.scalar(select(Organization.id).where(
        Organization.id.in_(user.organization_ids), Organization.legal_partner.is_(True))
        .limit(1)) is not None


@dataclass
class LoginThrottle:
    """Failures per key (an e-mail or an address) within the window."""

    failures: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> list[float]:
        recent = [t for t in self.failures.get(key, []) if now - t < WINDOW]
        self.failures[key] = recent
        return recent

    def locked_for(self, keys: list[str], now: float | None = None) -> int:
        """Seconds until these keys may try again (0: now)."""
        now = time.time() if now is None else now
        with self.lock:
            waits = [int(LOCK_FOR - (now - recent[-1])) for key in keys
                     if len(recent := self._recent(key, now)) >= LOCK_AFTER]
        return max([w for w in waits if w > 0], default=0)

    def delay(self, keys: list[str]) -> float:
        """How long to make a wrong answer wait (slows guessing, not people)."""
        now = time.time()
        with self.lock:
            worst = max((len(self._recent(k, now)) for k in keys), default=0)
        return 0.0 if worst < SLOW_AFTER else min(0.5 * (worst - SLOW_AFTER + 1), 2.0)

    def fail(self, keys: list[str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeed(self, keys: list[str]) -> None:
        with self.lock:
            for key in keys:
                self.failures.pop(key, None)


throttle = LoginThrottle()
