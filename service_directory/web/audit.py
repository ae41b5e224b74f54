"""`/ui/audit`: who changed what and when, with the row before and after side by side;
filtered by service, by person and by date, newest first, 50 a page.

Admins see every entry. A curator sees the entries about her organizations' rows
(their services, places, phones, languages, addresses, reports and follow-ups) and
her own; never the entries about anyone else's, nor about accounts. The log itself is
`service_directory/audit.py`; this page only reads it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import Session

from ..deps import get_session
from ..models.accounts import AuditEntry, User
from ..models.directory import (Address, Language, Location, Phone, Schedule, Service,
                                ServiceAtLocation)
from ..models.reports import DiscriminationReport
from ..reminders.models import FollowUpRequest
from . import auth
from .pages import render

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE = 50
READERS = ("admin", "curator")
NOT_SHOWN = {"created_at", "updated_at"}


def _of(entity_type: str, ids) -> Any:
    return and_(AuditEntry.entity_type == entity_type, AuditEntry.entity_id.in_(ids))


def _any_of(*conditions) -> Any:
    """Entries matching any of `conditions`, as one id set: a union of one indexed
    read per condition (`ix_audit_log_entity`, `ix_audit_log_actor_user_id`) rather
    than an OR that both databases answer by reading the whole log."""
    return AuditEntry.id.in_(union(*(select(AuditEntry.id).where(c) for c in conditions)))


def visible_to(user: User):
    """The condition for the entries she may read (None: all of them)."""
    if user.role == "admin":
        return None
    orgs = user.organization_ids or [""]
    # each read once (a CTE used by several branches is materialized by both databases)
    services = select(select(Service.id).where(Service.organization_id.in_(orgs))
                      .cte("her_services").c.id)
    locations = select(select(Location.id).where(Location.organization_id.in_(orgs))
                       .cte("her_locations").c.id)
    return _any_of(
        AuditEntry.actor_user_id == user.id,
        _of("organization", orgs), _of("service", services), _of("location", locations),
        _of("phone", _ids(Phone.id, Phone.service_id.in_(services),
                          Phone.location_id.in_(locations), Phone.organization_id.in_(orgs))),
        _of("language", _ids(Language.id, Language.service_id.in_(services),
                             Language.location_id.in_(locations))),
        _of("address", select(Address.id).where(Address.location_id.in_(locations))),
        _of("schedule", _ids(Schedule.id, Schedule.service_id.in_(services),
                             Schedule.location_id.in_(locations))),
        _of("discrimination_report", select(DiscriminationReport.id).where(
            DiscriminationReport.organization_id.in_(orgs))),
        _of("followup_request", select(FollowUpRequest.id).where(
            FollowUpRequest.organization_id.in_(orgs))))


def _ids(column, *conditions) -> Any:
    """The ids of the rows meeting any of `conditions`: one indexed read each."""
    return union(*(select(column).where(c) for c in conditions))


def _about_services(session: Session, user: User, text: str):
    """Entries about the services whose name contains `text` (or whose id it is) and
    about their places, phones and languages."""
    needle = text.strip().lower()
    services = select(Service.id).where(or_(Service.id == text.strip(),
                                            func.lower(Service.name).contains(needle)))
    if user.role != "admin":
        services = services.where(Service.organization_id.in_(user.organization_ids or [""]))
    services = services.cte("named_services")  # read once, used by every branch
    places = select(ServiceAtLocation.location_id).where(
        ServiceAtLocation.service_id.in_(select(services.c.id)))
    return _any_of(_of("service", select(services.c.id)), _of("location", places),
                   _of("phone", select(Phone.id).where(Phone.service_id.in_(select(services.c.id)))),
                   _of("language", select(Language.id).where(
                       Language.service_id.in_(select(services.c.id)))),
                   _of("address", select(Address.id).where(Address.location_id.in_(places))))


def _by_person(text: str):
    """Entries by the people whose name, e-mail or role contains `text` (an account
    is read from the few people, not from every entry's text), and entries made by
    no account (the importer, the bot) whose label contains it."""
    needle = text.strip().lower()
    people = select(User.id).where(or_(func.lower(User.name).contains(needle),
                                       func.lower(User.email).contains(needle),
                                       func.lower(User.role).contains(needle)))
    return or_(AuditEntry.actor_user_id.in_(people),
               and_(AuditEntry.actor_user_id.is_(None),
                    func.lower(AuditEntry.actor).contains(needle)))


def find_entries(session: Session, user: User, *, service: str = "", who: str = "",
                 since: date | None = None, until: date | None = None,
                 page: int = 1) -> tuple[list[AuditEntry], int]:
    """One page of the entries she may read that match the filters, and their total."""
    query = select(AuditEntry.id)
    scope = visible_to(user)
    if scope is not None:
        query = query.where(scope)
    if service.strip():
        query = query.where(_about_services(session, user, service))
    if who.strip():
        query = query.where(_by_person(who))
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time(), timezone.utc))
    if until:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time(),
                                                             timezone.utc))
    ordered = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(PAGE) \
        .offset((max(page, 1) - 1) * PAGE)
    if scope is None and not service.strip():
        # the whole log (an admin's): counted on its own, the page walks `ix_audit_log_at`
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ids = list(session.scalars(ordered))
    else:
        # a few thousand entries gathered from the indexes: gathered once, the total
        # counted over them with the page (a window count) instead of a second time
        rows = session.execute(ordered.add_columns(func.count().over())).all()
        ids = [row[0] for row in rows]
        total = rows[0][1] if rows else session.scalar(
            select(func.count()).select_from(query.subquery())) or 0
    found = {e.id: e for e in session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids)))}
    return [found[i] for i in ids], total


def side_by_side(entry: AuditEntry) -> list[dict[str, Any]]:
    """Each field that differs, with its value before and after (every field for a
    creation or a deletion); timestamps left out."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in NOT_SHOWN]
    return [{"field": k, "before": _shown(before.get(k)), "after": _shown(after.get(k))}
            for k in keys if before.get(k) != after.get(k)]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/audit")
def audit_page(request: Request, service: str = "", who: str = "", since: str = "",
               until: str = "", page: int = 1,
               session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, READERS)
    rows, total = find_entries(session, web.user, service=service, who=who,
                               since=_day(since), until=_day(until), page=page)
    pages = max(1, -(-total // PAGE))
    filters = {"service": service, "who": who, "since": since, "until": until}
    return render(request, "audit.html", {
        "user": web.user, "csrf": web.csrf, "total": total, "pages": pages,
        "page": min(max(page, 1), pages), "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "entries": [{"entry": e, "changes": side_by_side(e)} for e in rows]})
