"""Export the directory as an HSDS 3.0 tabular package (CSV files + datapackage.json).

Deterministic by construction, so that export, import, export gives byte-identical
files: rows sorted by id (in Python, not by a database collation), every column of the
specification in its order, numbers in their shortest exact form, dates in ISO 8601,
UTF-8 without BOM, CRLF line ends as RFC 4180 (and the specification's own example
package) use; the zip has fixed timestamps and a fixed file order.

Safety flags live in service columns; they are written as `attributes` rows pointing
to `puente-safety` terms, with ids derived from (service, flag) so they are the same
on every export.
"""
from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.directory import SAFETY_FLAGS, SAFETY_TAXONOMY, Service, TaxonomyTerm, ensure_taxonomies
from . import mapping, spec
from .reader import DESCRIPTOR

_SAFETY_NAMESPACE = uuid.UUID("5b1f0d3e-8f1c-4f7e-9a51-7c0f2d6b9e10")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SAFETY_LINK_TYPE = "safety"


def safety_attribute_id(service_id: str, flag: str) -> str:
    """The stable id of the attribute that carries `flag` of `service_id`."""
    return str(uuid.uuid5(_SAFETY_NAMESPACE, f"{service_id}/{flag}"))


def package_files(session: Session) -> dict[str, bytes]:
    """Every file of the package, by name: one CSV per kept resource and datapackage.json."""
    ensure_taxonomies(session)
    files: dict[str, bytes] = {}
    for name in mapping.ORDER:
        resource = spec.resource(name)
        table = mapping.MODELS[name].__table__
        columns = mapping.stored_columns(name)
        rows = [{c: _text(v) for c, v in zip(columns, record)}
                for record in session.execute(select(*(table.c[c] for c in columns)))]
        if name == "attribute":
            rows = _linked(session, rows) + _safety_attributes(session)
        rows.sort(key=lambda r: r["id"])
        files[resource.path] = _csv(resource.column_names, rows)
    descriptor = spec.datapackage_descriptor(mapping.ORDER)
    files[DESCRIPTOR] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode()
    return files


def export_folder(session: Session, folder: str | Path) -> list[Path]:
    """Write the package into `folder` (created if needed); returns the files written."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(package_files(session).items()):
        path = target / name
        path.write_bytes(data)
        written.append(path)
    return written


def export_zip(session: Session) -> bytes:
    """The package as a zip, byte-identical for identical data."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(package_files(session).items()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _linked(session: Session, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Attributes whose entity still exists: one whose entity was deleted would not
    import, so it is not exported."""
    existing: dict[str, set[str]] = {}
    kept = []
    for row in rows:
        entity = row["link_entity"]
        if entity not in existing:
            model = mapping.MODELS.get(entity)
            existing[entity] = set(session.scalars(select(model.id))) if model else set()
        if row["link_id"] in existing[entity]:
            kept.append(row)
    return kept


def _safety_attributes(session: Session) -> list[dict[str, str]]:
    terms = {t.code: t.id for t in session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_ref.has(name=SAFETY_TAXONOMY)))}
    rows = []
    flags = [getattr(Service, flag) for flag in SAFETY_FLAGS]
    for service_id, *values in session.execute(select(Service.id, *flags)):
        for flag, value in zip(SAFETY_FLAGS, values):
            if value is None:
                continue
            rows.append({"id": safety_attribute_id(service_id, flag), "link_id": service_id,
                         "taxonomy_term_id": terms[flag], "link_type": SAFETY_LINK_TYPE,
                         "link_entity": "service", "value": "true" if value else "false",
                         "label": ""})
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        text = aware.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
        return text + "Z"
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode("utf-8")
