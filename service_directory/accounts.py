"""Accounts logic: create users, issue and check API keys, invites and passwords.

Kept apart from HTTP so the CLI (`puente users create`), the admin API and the web
UI share one implementation. Tokens are random (256 bits) and only their SHA-256
digests are stored; passwords are hashed with argon2.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models.accounts import ROLES, ApiKey, InviteToken, User, UserOrganization

KEY_PREFIX = "pk_"
VISIBLE_PREFIX_LENGTH = 11  # "pk_" + 8 characters: enough to tell keys apart
INVITE_TTL = timedelta(days=7)
# How precisely a key's last use is kept: admins see which keys lie idle (to revoke
# them) without a database write on every request.
USE_RESOLUTION = timedelta(minutes=5)

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with the reason (in English,
    for the API and the CLI) and a `code` a page can say in the person's language."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued API key: `token` is shown once and never stored."""

    key: ApiKey
    token: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: treat them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """True when `password` matches; never raises on a bad or missing hash."""
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, *, name: str, role: str, email: str | None = None,
                organization_ids: list[str] | tuple[str, ...] = ()) -> User:
    """A new active user; curators should curate at least one organization."""
    name = (name or "").strip()
    if not name:
        raise AccountError("a user needs a name", "no_name")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", "unknown_role")
    email = email.strip().lower() if email else None
    if email and session.scalar(select(User).where(User.email == email)):
        raise AccountError(f"a user with email {email} already exists", "email_taken")
    user = User(name=name, role=role, email=email, active=True)
    session.add(user)
    set_organizations(session, user, organization_ids)
    session.flush()
    return user


def set_organizations(session: Session, user: User, organization_ids) -> None:
    """Replace the organizations `user` curates (unknown ids are refused)."""
    wanted = sorted(set(organization_ids or ()))
    _check_organizations_exist(session, wanted)
    user.organization_links = [UserOrganization(organization_id=org) for org in wanted]


def _check_organizations_exist(session: Session, organization_ids: list[str]) -> None:
    if not organization_ids:
        return
    try:
        from .models.directory import Organization  # the directory's model
    except ImportError:  # directory not installed yet: nothing to check against
        return
    found = set(session.scalars(
        select(Organization.id).where(Organization.id.in_(organization_ids))))
    missing = [org for org in organization_ids if org not in found]
    if missing:
        raise AccountError(f"unknown organization id(s): {', '.join(missing)}",
                           "unknown_organization")


def issue_api_key(session: Session, user: User, label: str | None = None) -> IssuedKey:
    """A new key for `user`; the clear token exists only in the returned value."""
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(user=user, prefix=token[:VISIBLE_PREFIX_LENGTH], key_hash=digest(token),
                 label=label)
    session.add(key)
    session.flush()
    return IssuedKey(key=key, token=token)


def authenticate_key(session: Session, token: str) -> User | None:
    """The active user owning the unrevoked key `token`, or None."""
    if not token or not token.startswith(KEY_PREFIX):
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(token)))
    if key is None or key.revoked_at is not None or not key.user.active:
        return None
    note_use(key, datetime.now(timezone.utc))
    return key.user


def note_use(key: ApiKey, now: datetime) -> None:
    """Set `last_used_at` when it is unset or older than USE_RESOLUTION."""
    last = key.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite gives naive UTC back
        last = last.replace(tzinfo=timezone.utc)
    if last is None or now - last >= USE_RESOLUTION:
        key.last_used_at = now


def revoke_api_key(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = datetime.now(timezone.utc)


def create_invite(session: Session, user: User, ttl: timedelta = INVITE_TTL) -> str:
    """A one-time token to set a password; earlier unused invites stop working."""
    now = datetime.now(timezone.utc)
    for old in session.scalars(select(InviteToken).where(
            InviteToken.user_id == user.id, InviteToken.used_at.is_(None))):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    session.add(InviteToken(user=user, token_hash=digest(token), expires_at=now + ttl))
    session.flush()
    return token


def invite_url(app_url: str, token: str) -> str:
    return f"{app_url.rstrip('/')}/ui/invite/{token}"


def find_invite(session: Session, token: str) -> InviteToken | None:
    """The invite for `token` if it is unused and unexpired (for the web page)."""
    invite = session.scalar(select(InviteToken).where(InviteToken.token_hash == digest(token)))
    if invite is None or invite.used_at is not None:
        return None
    if _aware(invite.expires_at) <= datetime.now(timezone.utc):
        return None
    return invite


def accept_invite(session: Session, token: str, password: str) -> User:
    """Set the password of the invited user and spend the invite."""
    if len(password or "") < 10:
        raise AccountError("a password needs at least 10 characters")
    invite = find_invite(session, token)
    if invite is None:
        raise AccountError("this invite link is unknown, used or expired; ask an admin for a new one")
    invite.used_at = datetime.now(timezone.utc)
    invite.user.password_hash = hash_password(password)
    session.flush()
    return invite.user


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (for the web UI login)."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active or not verify_password(user, password):
        return None
    return user
