"""`/ui/import`: bring an HSDS package in from the browser, after a dry run.

Upload the zip, or the CSV files without one (one table, like `services.csv`, or
several chosen together; `hsds.reader.package_from_csv` makes the package): the importer runs in a transaction that is rolled back, and the page
lists what would be new, changed and unchanged, every blocking problem (file, line,
column, what to do) and every warning (an empty `state_province`, a phone in an old
format). Confirming imports the valid rows and skips the blocked ones, with the same
importer and rules as `puente directory import-hsds` and the API. Admins import any
package; a curator only packages whose organizations she curates.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ..config import ROOT
from ..deps import get_session
from ..hsds import import_package
from ..hsds.reader import PackageError, package_from_csv, read_package
from ..hsds.texts import N_, Text, said_in, text_of
from ..i18n import translations
from . import auth
from .pages import language_of, render

router = APIRouter(prefix="/ui", include_in_schema=False)
MAX_BYTES = 20 * 2**20
UPLOADS = ROOT / ".cache" / "uploads"
CURATORS = ("admin", "curator")
# The package's tables as the counts name them, in words a curator uses (HSDS's own
# names, "service_at_location", are for the files); a table not listed keeps its name.
TABLES = {"organization": N_("Organizations"), "service": N_("Services"),
          "location": N_("Places"), "service_at_location": N_("Services at each place"),
          "address": N_("Addresses"), "phone": N_("Phones"), "schedule": N_("Opening hours"),
          "language": N_("Languages"), "attribute": N_("Service types and safety flags"),
          "taxonomy": N_("Taxonomies"), "taxonomy_term": N_("Taxonomy terms")}


def _page(request: Request, context: dict, status_code: int = 200) -> Response:
    """The import page; the importer's sentences (English `Text`s) said in her language."""
    gettext = translations(language_of(request)).gettext
    return render(request, "import.html", {
        "say": lambda text: said_in(text, gettext),
        "table_name": lambda name: gettext(TABLES[name]) if name in TABLES else name,
        **context}, status_code=status_code)


def foreign_organizations(data: bytes, web: auth.WebSession) -> list[str]:
    """Organizations in the package that a curator does not curate (none for admins)."""
    if web.user.role == "admin":
        return []
    package = read_package(data)
    named = {row.values.get("id") for row in package.tables["organization"].rows} \
        if "organization" in package.tables else set()
    named |= {row.values.get("organization_id") for row in package.tables["service"].rows} \
        if "service" in package.tables else set()
    return sorted(o for o in named if o and not web.user.curates(o))


def _upload_path(token: str, web: auth.WebSession) -> Path:
    if not token.isalnum():
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return UPLOADS / f"{web.user.id}-{token}.zip"


@router.get("/import")
def import_page(request: Request, session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, CURATORS)
    return _page(request, {"user": web.user, "csrf": web.csrf, "report": None})


async def uploaded_package(uploads: list[UploadFile]) -> bytes:
    """The package she sent: a zip as it is, or CSV files made into one. Refused (as
    PackageError) when it is too large, empty or neither."""
    files: dict[str, bytes] = {}
    size = 0
    for upload in uploads:
        data = await upload.read(MAX_BYTES + 1)
        size += len(data)
        if size > MAX_BYTES:
            raise PackageError(Text(N_("the package is larger than {megabytes} MB"),
                                        megabytes=MAX_BYTES // 2**20))
        if upload.filename or data:
            files[upload.filename or "package"] = data
    zips = [name for name, data in files.items() if data[:4] == b"PK\x03\x04"]
    if zips and len(files) > 1:
        raise PackageError(Text(N_("send either one zip or the CSV files, not both")))
    return files[zips[0]] if zips else package_from_csv(files)


@router.post("/import")
async def dry_run(request: Request, package: list[UploadFile] = File(default=[]),
                  csrf: str = Form(""), session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, CURATORS, csrf)
    context = {"user": web.user, "csrf": web.csrf, "report": None, "error": None, "token": None}
    try:
        data = await uploaded_package(package)
        foreign = foreign_organizations(data, web)
        if foreign:
            context["error"] = Text(N_("this package has rows of organizations you do not "
                                       "curate: {organizations}"),
                                    organizations=", ".join(foreign))
            return _page(request, context, status_code=403)
        report = import_package(session, data, skip_invalid=True, actor=web.user)
    except PackageError as error:
        context["error"] = text_of(error)
        too_large = str(error).startswith("the package is larger")
        return _page(request, context, status_code=413 if too_large else 422)
    finally:
        session.rollback()  # a dry run: nothing stays
    token = secrets.token_hex(16)
    UPLOADS.mkdir(parents=True, exist_ok=True)
    _upload_path(token, web).write_bytes(data)
    context.update(report=report, token=token, dry_run=True)
    return _page(request, context)


@router.post("/import/{token}")
def confirm(token: str, request: Request, csrf: str = Form(""),
            session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, CURATORS, csrf)
    path = _upload_path(token, web)
    if not path.exists():
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="upload the package again")
    data = path.read_bytes()
    if foreign_organizations(data, web):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    report = import_package(session, data, skip_invalid=True, actor=web.user)
    session.commit()
    path.unlink(missing_ok=True)
    return _page(request, {"user": web.user, "csrf": web.csrf, "report": report,
                           "dry_run": False, "token": None})
