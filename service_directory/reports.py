"""Discrimination reports: filing (from the bot), the curators' review queue, erasure.

A report is tied to the service's organization when filed, so the curators of that
organization see it; a report naming a service only by free text is matched to the
one directory service of the country that name means (`_match_service_by_name`), and
is otherwise seen by admins only. The pseudonym is never part of what curators read.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import audit
from .models.accounts import User
from .models.directory import Location, Service, ServiceAtLocation
from .gazetteer import normalize
from .models.reports import DiscriminationReport
from .stats import events


class ReportError(ValueError):
    """A report that cannot be filed as given."""


# Words a person adds around a clinic's name ("la clínica Esperanza de Cúcuta"), and the
# marker of sample data, which she never types.
_AROUND_A_NAME = re.compile(r"\b(sample|la|el|los|las|le|les|the|a|o|do|da|de|del|du|in|en|em|"
                            r"nan|lan)\b")


_KINDS = {"clinica", "clinic", "clinique", "klinik", "hospital", "hopital", "lopital", "centro",
          "centre", "center", "sant", "sante", "salud", "saude", "health", "posto", "ubs",
          "cesfam", "consultorio", "dispensario", "ips", "eps", "ese"}


def _name_key(name: str) -> str:
    return " ".join(_AROUND_A_NAME.sub(" ", normalize(name)).split())


def _match_service_by_name(session: Session, name: str, country: str | None) -> Service | None:
    """The one service she means by the name she typed: the same name (any case), else
    the one service of her country whose name, accents, case, punctuation and little
    words aside, is inside what she typed or holds all of it ("clinica puente nuevo en
    cucuta" is "[SAMPLE] Clínica Puente Nuevo"). Two candidates: none (an admin decides)."""
    query = select(Service)
    if country:
        query = (query.join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
                 .join(Location, Location.id == ServiceAtLocation.location_id)
                 .where(Location.country == country))
    matches = list(session.scalars(query.where(func.lower(Service.name) == name.strip().lower())
                                   .distinct().limit(2)))
    if matches or not country:
        return matches[0] if len(matches) == 1 else None
    typed = _name_key(name)
    if sum(len(word) for word in typed.split() if word not in _KINDS) < 4:
        return None  # "la clínica", "el hospital": a kind of place, not one of them
    found = {service.id: service for service in session.scalars(query.distinct())
             if (key := _name_key(service.name)) and len(key) >= 6
             and (f" {key} " in f" {typed} " or f" {typed} " in f" {key} ")}
    return next(iter(found.values())) if len(found) == 1 else None


def file_report(session: Session, *, actor: audit.Actor, description: str,
                pseudonym: str | None = None, service_id: str | None = None,
                service_name: str | None = None, country: str | None = None,
                language: str | None = None) -> DiscriminationReport:
    """Store a report (audited without the pseudonym, counted in the statistics
    by country and language only); the caller commits."""
    description = (description or "").strip()
    if not description:
        raise ReportError("a report needs what happened (description)")
    if not service_id and not (service_name or "").strip():
        raise ReportError("a report needs the service: service_id or service_name")
    service = None
    if service_id:
        service = session.get(Service, service_id)
        if service is None:
            raise ReportError(f"no service with id {service_id}")
    elif service_name:
        service = _match_service_by_name(session, service_name, country)
    report = DiscriminationReport(
        pseudonym=pseudonym or None, description=description,
        service_id=service.id if service else None,
        service_name=(service_name or (service.name if service else None)),
        organization_id=service.organization_id if service else None,
        country=country, language=language, status="open")
    session.add(report)
    session.flush()
    audit.record(session, actor, "create", "discrimination_report", report.id, None,
                 audit.snapshot(report))
    events.record(session, "discrimination_report", country=country, language=language)
    return report


def visible_reports(session: Session, user: User, *, status: str | None = None,
                    limit: int = 100, offset: int = 0) -> list[DiscriminationReport]:
    """Newest first: all for admins, their organizations' reports for curators."""
    query = select(DiscriminationReport).order_by(DiscriminationReport.created_at.desc(),
                                                  DiscriminationReport.id)
    if user.role != "admin":
        query = query.where(DiscriminationReport.organization_id.in_(user.organization_ids or [""]))
    if status:
        query = query.where(DiscriminationReport.status == status)
    return list(session.scalars(query.limit(limit).offset(offset)))


def resolve(session: Session, report: DiscriminationReport, user: User, note: str) -> None:
    """Close a report with the reviewer's note (audited); the caller commits."""
    before = audit.snapshot(report)
    report.status = "resolved"
    report.resolved_at = datetime.now(timezone.utc)
    report.resolved_by = user.id
    report.resolution_note = note
    session.flush()
    audit.record(session, user, "resolve", "discrimination_report", report.id, before,
                 audit.snapshot(report))


def unlink_person(session: Session, pseudonym: str) -> int:
    """Remove the pseudonym from every report (the reports stay, anonymous)."""
    result = session.execute(update(DiscriminationReport)
                             .where(DiscriminationReport.pseudonym == pseudonym)
                             .values(pseudonym=None))
    return int(result.rowcount or 0)


def as_dict(report: DiscriminationReport) -> dict[str, Any]:
    """What reviewers read: never the pseudonym."""
    return {key: value for key, value in (audit.snapshot(report) or {}).items()}
