"""`/ui/services`: her services with text search, filters (type, country, not checked
in time, safety flags) and pages of 20; the same visibility as the admin API."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from ..deps import get_session
from ..messages import FLAG_LABELS, SERVICE_TYPE_NAMES
from ..models.accounts import User
from ..models.directory import (SAFETY_FLAGS, SERVICE_TYPE_TAXONOMY, Attribute, Location,
                                Service, ServiceAtLocation, Taxonomy, TaxonomyTerm)
from . import auth
from .pages import render, service_row, visible_services

router = APIRouter(prefix="/ui", include_in_schema=False)
PAGE = 20
COUNTRIES = ("co", "pe", "ec", "br", "cl", "pa", "mx", "do", "tt", "gy")


def stale_clause(dialect: str, today: date):
    """Unverified, or verified longer ago than the service's own staleness limit."""
    if dialect == "postgresql":
        expires = Service.assured_date + Service.staleness_limit_days * literal(1)
    else:  # SQLite: julianday arithmetic on ISO dates
        expires = func.julianday(Service.assured_date) + Service.staleness_limit_days
        return or_(Service.assured_date.is_(None), expires < func.julianday(today))
    return or_(Service.assured_date.is_(None), expires < today)


def find_services(session: Session, user: User, *, q: str = "", service_type: str = "",
                  country: str = "", stale: bool = False, flag: str = "",
                  page: int = 1) -> tuple[list[Service], int]:
    """One page of the services she may see, matching the filters, and the total.

    Counted and paged on service ids alone (the page walks `ix_service_name_id`), then
    the page's 20 services are read: at 100,000 services an admin's last page no
    longer sorts every row (benchmarks/web.py)."""
    query = visible_services(user).with_only_columns(Service.id)
    if q.strip():
        query = query.where(func.lower(Service.name).contains(q.strip().lower()))
    if service_type in SERVICE_TYPE_NAMES:
        term = (select(TaxonomyTerm.id).join(Taxonomy)
                .where(Taxonomy.name == SERVICE_TYPE_TAXONOMY, TaxonomyTerm.code == service_type)
                .scalar_subquery())
        typed = select(Attribute.link_id).where(Attribute.link_entity == "service",
                                                Attribute.taxonomy_term_id == term)
        query = query.where(Service.id.in_(typed))
    if country in COUNTRIES:
        there = (select(ServiceAtLocation.service_id).join(Location)
                 .where(Location.country == country))
        query = query.where(Service.id.in_(there))
    if stale:
        today = datetime.now(timezone.utc).date()
        query = query.where(stale_clause(session.get_bind().dialect.name, today))
    if flag in SAFETY_FLAGS:
        query = query.where(getattr(Service, flag).is_(True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = session.scalars(query.order_by(Service.name, Service.id)
                          .limit(PAGE).offset((max(page, 1) - 1) * PAGE)).all()
    found = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_(ids)))}
    return [found[i] for i in ids], total


@router.get("/services")
def services(request: Request, q: str = "", type: str = "", country: str = "",
             stale: str = "", flag: str = "", page: int = 1,
             session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session)
    if web.user.role not in ("admin", "curator"):
        return render(request, "home.html", {"user": web.user, "csrf": web.csrf})
    rows, total = find_services(session, web.user, q=q, service_type=type, country=country,
                                stale=bool(stale), flag=flag, page=page)
    today = datetime.now(timezone.utc).date()
    items: list[dict[str, Any]] = [service_row(s, today) for s in rows]
    pages = max(1, -(-total // PAGE))
    filters = {"q": q, "type": type, "country": country, "stale": stale, "flag": flag}
    return render(request, "services.html", {
        "user": web.user, "csrf": web.csrf, "items": items, "total": total,
        "page": min(max(page, 1), pages), "pages": pages,
        "filters": filters, "query": urlencode({k: v for k, v in filters.items() if v}),
        "types": SERVICE_TYPE_NAMES, "flags": FLAG_LABELS, "flag_labels": FLAG_LABELS,
        "countries": COUNTRIES})
