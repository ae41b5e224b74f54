"""`/ui/export`: download the directory as an HSDS 3.0 package (zip), made by the
exporter of `puente directory export-hsds` (`hsds.package_files`).

Admins get everything; a curator her organizations' rows only (their services,
places, addresses, phones, hours, languages and attributes, with the shared
taxonomies), so a package she downloads can be imported back by her. On top of the
specification, `services.csv` carries each service's `staleness_limit_days` (how many
days after its last check people are told it may be out of date), declared in
`datapackage.json`; HSDS tools ignore a column they do not know.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..deps import get_session
from ..hsds import exporter, mapping, spec
from ..hsds.reader import DESCRIPTOR
from ..models.accounts import User
from ..models.directory import Service
from . import auth

router = APIRouter(prefix="/ui", include_in_schema=False)
EXPORTERS = ("admin", "curator")
STALENESS = "staleness_limit_days"
STALENESS_FIELD = {"name": STALENESS, "type": "integer", "constraints": {"required": False},
                   "description": "Puente: days after its last check (assured_date) when "
                                  "people are told the service may be out of date"}
# Which columns tie a row to rows of another resource (and so to an organization).
_OWNERS = {"organization": {"id": "organization"}, "location": {"organization_id": "organization"},
           "service": {"organization_id": "organization"}, **mapping.HARD_REFERENCES}
_SHARED = ("taxonomy", "taxonomy_term")  # vocabularies: every package carries them


def _rows(data: bytes) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    return tuple(reader.fieldnames or ()), list(reader)


def _mine(resource: str, row: dict[str, str], kept: dict[str, set[str]]) -> bool:
    """Every reference the row has points to a kept row (at least one does)."""
    if resource == "attribute":
        return row.get("link_id", "") in kept.get(row.get("link_entity", ""), set())
    links = [(column, target) for column, target in _OWNERS[resource].items()
             if target != "taxonomy_term" and row.get(column)]
    return bool(links) and all(row[column] in kept[target] for column, target in links)


def scoped(files: dict[str, bytes], organization_ids: list[str] | None) -> dict[str, bytes]:
    """The package's files with only the rows of these organizations (None: all),
    resources read in the exporter's dependency order so a row's owners are known."""
    if organization_ids is None:
        return files
    kept: dict[str, set[str]] = {"organization": set(organization_ids)}
    out = dict(files)
    for resource in mapping.ORDER:
        path = spec.resource(resource).path
        if resource in _SHARED or path not in files:
            continue
        columns, rows = _rows(files[path])
        rows = [row for row in rows if _mine(resource, row, kept)]
        kept[resource] = {row["id"] for row in rows}
        out[path] = exporter._csv(columns, rows)
    return out


def with_staleness(session: Session, files: dict[str, bytes]) -> dict[str, bytes]:
    """`services.csv` and `datapackage.json` with each service's staleness limit."""
    limits = dict(session.execute(select(Service.id, Service.staleness_limit_days)).all())
    path = spec.resource("service").path
    columns, rows = _rows(files[path])
    for row in rows:
        row[STALENESS] = str(limits.get(row["id"], ""))
    descriptor: dict[str, Any] = json.loads(files[DESCRIPTOR])
    for resource in descriptor["resources"]:
        if resource["path"] == path:
            resource["schema"]["fields"].append(STALENESS_FIELD)
    return {**files, path: exporter._csv(columns + (STALENESS,), rows),
            DESCRIPTOR: (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode()}


def package_zip(session: Session, user: User) -> bytes:
    """Her package as a zip (fixed timestamps and order, as the exporter's)."""
    files = exporter.package_files(session)
    files = with_staleness(session, scoped(files, None if user.role == "admin"
                                           else user.organization_ids))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=exporter._ZIP_TIME), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@router.get("/export")
def export(request: Request, session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, EXPORTERS)
    data = package_zip(session, web.user)
    session.rollback()  # the exporter only reads (its taxonomies are there already)
    scope = "all" if web.user.role == "admin" else "-".join(web.user.organization_ids) or "none"
    scope = "".join(c for c in scope if c.isalnum() or c in "-_")[:80]
    name = f"puente-hsds-{scope}-{date.today().isoformat()}.zip"
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
