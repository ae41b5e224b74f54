"""Deleting from the web: a service's place or phone, and a statement of rights.

Each goes through a page that asks first ("Delete the place Sede Centro?"), a plain
form that works without JavaScript and carries the session's CSRF token and the
version she saw. The delete itself is the admin API's own (`_delete` for places and
phones, `delete_entitlement` for statements): ownership, a conditional write on that
version, and the audit log with the row as it was. Another organization's place or
phone, or a place not of this service, is a 404 as everything not hers; when a
colleague changed the row since she opened the question, nothing is deleted and the
question is asked again about the row as it is now.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ..deps import can_curate, get_session
from ..entitlements import guidance_text
from ..i18n import translations
from ..messages import N_
from ..models.directory import Location, Phone, Service
from ..models.entitlements import Entitlement
from ..routers import admin_directory as api
from ..routers.admin_entitlements import delete_entitlement
from . import auth
from .entitlements import keeper, statement_or_404
from .pages import language_of, render

router = APIRouter(prefix="/ui", include_in_schema=False)
CHANGED = N_("Someone else changed it since you opened this page; this is how it is now. "
             "Nothing was deleted. Delete it anyway?")


def _service_of(request: Request, session: Session, service_id: str,
                csrf: str | None = None) -> tuple[auth.WebSession, Service]:
    web = auth.require(request, session, ("admin", "curator"), csrf)
    service = session.get(Service, service_id)
    if service is None or not can_curate(web.user, service.organization_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such service")
    return web, service


def _place_of(service: Service, location_id: str, user) -> Location:
    """One of the service's places that she curates, or 404."""
    for sal in service.service_at_locations:
        location = sal.location
        if location.id == location_id and can_curate(user, location.organization_id):
            return location
    raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such place")


def _phone_of(session: Session, service: Service, phone_id: str) -> Phone:
    phone = session.get(Phone, phone_id)
    if phone is None or phone.service_id != service.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such phone")
    return phone


def _ask(request: Request, web: auth.WebSession, question: str, lines: list[str],
         action: str, back: str, guard: str, changed: bool = False) -> Response:
    """The page that asks before deleting (409 when asked again after a change)."""
    return render(request, "delete.html", {
        "user": web.user, "csrf": web.csrf, "question": question, "lines": lines,
        "action": action, "back": back, "guard": guard, "changed": changed},
        status_code=status.HTTP_409_CONFLICT if changed else 200)


# --- a place --------------------------------------------------------------------------
def _place_question(request: Request, web: auth.WebSession, service: Service,
                    location: Location, changed: bool = False) -> Response:
    _ = translations(language_of(request)).gettext
    address = location.addresses[0] if location.addresses else None
    lines = [", ".join(part for part in (address.address_1, address.city) if part)] \
        if address else []
    if location.latitude is not None and location.longitude is not None:
        lines.append(f"{location.latitude}, {location.longitude}")
    others = sorted(sal.service.name for sal in location.service_at_locations
                    if sal.service_id != service.id)
    lines.append(_("Its address, and the phones and hours kept at this place, go with it; "
                   "the bot stops sending people there."))
    if others:
        lines.append(_("Other services are at this place and lose it too: {services}.")
                     .format(services=", ".join(others)))
    return _ask(request, web, _("Delete the place {name}?").format(name=location.name or location.id),
                lines, f"/ui/services/{service.id}/places/{location.id}/delete",
                f"/ui/services/{service.id}", str(location.version), changed)


@router.get("/services/{service_id}/places/{location_id}/delete")
def ask_place(service_id: str, location_id: str, request: Request,
              session: Session = Depends(get_session)) -> Response:
    web, service = _service_of(request, session, service_id)
    return _place_question(request, web, service, _place_of(service, location_id, web.user))


@router.post("/services/{service_id}/places/{location_id}/delete")
def delete_place(service_id: str, location_id: str, request: Request, csrf: str = Form(""),
                 guard: str = Form(""), session: Session = Depends(get_session)) -> Response:
    web, service = _service_of(request, session, service_id, csrf)
    _place_of(service, location_id, web.user)
    return _deleted_or_asked_again(
        request, session, lambda: api._delete(api.ENTITIES["locations"], location_id, session,
                                              web.user, f'"v{guard}"'),
        f"/ui/services/{service_id}?deleted=place",
        lambda: _place_question(request, web, session.get(Service, service_id),
                                _place_of(session.get(Service, service_id), location_id,
                                          web.user), changed=True))


# --- a phone --------------------------------------------------------------------------
def _phone_question(request: Request, web: auth.WebSession, service: Service, phone: Phone,
                    changed: bool = False) -> Response:
    _ = translations(language_of(request)).gettext
    return _ask(request, web, _("Delete the phone {number}?").format(number=phone.number),
                [_("The bot stops giving this number for {service}.").format(service=service.name)],
                f"/ui/services/{service.id}/phones/{phone.id}/delete",
                f"/ui/services/{service.id}", api.etag_of(phone), changed)


@router.get("/services/{service_id}/phones/{phone_id}/delete")
def ask_phone(service_id: str, phone_id: str, request: Request,
              session: Session = Depends(get_session)) -> Response:
    web, service = _service_of(request, session, service_id)
    return _phone_question(request, web, service, _phone_of(session, service, phone_id))


@router.post("/services/{service_id}/phones/{phone_id}/delete")
def delete_phone(service_id: str, phone_id: str, request: Request, csrf: str = Form(""),
                 guard: str = Form(""), session: Session = Depends(get_session)) -> Response:
    web, service = _service_of(request, session, service_id, csrf)
    _phone_of(session, service, phone_id)
    return _deleted_or_asked_again(
        request, session, lambda: api._delete(api.ENTITIES["phones"], phone_id, session,
                                              web.user, guard),
        f"/ui/services/{service_id}?deleted=phone",
        lambda: _phone_question(request, web, session.get(Service, service_id),
                                _phone_of(session, session.get(Service, service_id), phone_id),
                                changed=True))


# --- a statement of rights ------------------------------------------------------------
def _statement_question(request: Request, web: auth.WebSession, entry: Entitlement,
                        changed: bool = False) -> Response:
    lang = language_of(request)
    _ = translations(lang).gettext
    lines = [guidance_text(entry, lang), entry.source_url or "",
             _("The bot stops telling people this.")]
    return _ask(request, web, _("Delete this statement of rights for {country}?").format(
        country=(entry.country or "").upper()), [line for line in lines if line],
        f"/ui/entitlements/{entry.id}/delete", f"/ui/entitlements/{entry.id}",
        f'"v{entry.version}"', changed)


@router.get("/entitlements/{entry_id}/delete")
def ask_statement(entry_id: str, request: Request,
                  session: Session = Depends(get_session)) -> Response:
    web = keeper(request, session)
    return _statement_question(request, web, statement_or_404(session, entry_id))


@router.post("/entitlements/{entry_id}/delete")
def delete_statement(entry_id: str, request: Request, csrf: str = Form(""),
                     guard: str = Form(""), session: Session = Depends(get_session)) -> Response:
    web = keeper(request, session, csrf)
    statement_or_404(session, entry_id)
    return _deleted_or_asked_again(
        request, session, lambda: delete_entitlement(entry_id, guard or '"none"', session,
                                                     web.user),
        "/ui/entitlements?deleted=1",
        lambda: _statement_question(request, web, statement_or_404(session, entry_id),
                                    changed=True))


def _deleted_or_asked_again(request: Request, session: Session, delete: Any, done: str,
                            ask_again: Any) -> Response:
    """Delete through the API; when the row changed since she saw it (412), nothing is
    deleted and she is asked again about the row as it is now."""
    try:
        delete()
    except HTTPException as error:
        session.rollback()
        if error.status_code != status.HTTP_412_PRECONDITION_FAILED:
            raise
        session.expire_all()
        return ask_again()
    return RedirectResponse(done, status_code=status.HTTP_303_SEE_OTHER)
