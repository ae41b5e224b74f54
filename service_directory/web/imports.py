"""`/ui/import`: bring an HSDS package in from the browser, after a dry run.

Upload the zip: the importer runs in a transaction that is rolled back, and the page
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
from ..hsds.reader import PackageError, read_package
from . import auth
from .pages import render

router = APIRouter(prefix="/ui", include_in_schema=False)
MAX_BYTES = 20 * 2**20
UPLOADS = ROOT / ".cache" / "uploads"
CURATORS = ("admin", "curator")


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
    return render(request, "import.html", {"user": web.user, "csrf": web.csrf, "report": None})


@router.post("/import")
async def dry_run(request: Request, package: UploadFile = File(...), csrf: str = Form(""),
                  session: Session = Depends(get_session)) -> Response:
    web = auth.require(request, session, CURATORS, csrf)
    data = await package.read(MAX_BYTES + 1)
    context = {"user": web.user, "csrf": web.csrf, "report": None, "error": None, "token": None}
    if len(data) > MAX_BYTES:
        context["error"] = f"the package is larger than {MAX_BYTES // 2**20} MB"
        return render(request, "import.html", context, status_code=413)
    try:
        foreign = foreign_organizations(data, web)
        if foreign:
            context["error"] = ("this package has rows of organizations you do not curate: "
                                + ", ".join(foreign))
            return render(request, "import.html", context, status_code=403)
        report = import_package(session, data, skip_invalid=True, actor=web.user)
    except PackageError as error:
        context["error"] = str(error)
        return render(request, "import.html", context, status_code=422)
    finally:
        session.rollback()  # a dry run: nothing stays
    token = secrets.token_hex(16)
    UPLOADS.mkdir(parents=True, exist_ok=True)
    _upload_path(token, web).write_bytes(data)
    context.update(report=report, token=token, dry_run=True)
    return render(request, "import.html", context)


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
    return render(request, "import.html", {"user": web.user, "csrf": web.csrf,
                                           "report": report, "dry_run": False, "token": None})
