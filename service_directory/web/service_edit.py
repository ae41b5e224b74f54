"""`/ui/services/{id}`: edit a service's text, types, safety promises and staleness
limit with the admin API's own rules (`_change`: validation, ownership, If-Match).

Errors go next to their field. When someone else saved the service since she opened
it, nothing is overwritten: both versions are shown, her input kept, and saving again
is her decision.
"""
from __future__ import annotations

from datetime import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..deps import can_curate, get_session
from ..messages import N_, SERVICE_TYPE_NAMES
from sqlalchemy import delete, or_, select

from .. import audit
from ..models.directory import SAFETY_FLAGS, Schedule, Service, ServiceAtLocation
from ..routers import admin_directory as api
from ..config import get_settings
from . import auth
from . import service_places as places
from ..reminders.texts import day_names
from ..hsds.texts import problem_sentence, said_in
from ..i18n import translations
from .pages import language_of, render

router = APIRouter(prefix="/ui", include_in_schema=False)
TEXT_FIELDS = ("name", "description", "url", "email", "fees_description")
LABELS = {"name": N_("Name"), "description": N_("Description"), "url": N_("Web page"),
          "email": N_("E-mail"), "fees_description": N_("What it costs")}
TYPES = [code for code in SERVICE_TYPE_NAMES if code not in ("emergency_care", "health_care")]
# What each flag promises a migrant, in plain words (shown next to it).
PROMISES = {
    "serves_undocumented": N_("Treats people without papers, whatever their migration status."),
    "free_of_charge": N_("Costs the person nothing, tests and medicine included."),
    "confidential_no_immigration_reporting": N_(
        "Never reports anyone to immigration and keeps health information confidential."),
    "lgbtqi_friendly": N_("Welcomes LGBTQI+ people without judgement."),
    "sex_worker_friendly": N_("Welcomes sex workers without judgement."),
    "youth_friendly": N_("Serves young people, on their own where the law allows."),
}


DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
CONFLICT_NOTE = N_("Someone else changed this while you were editing; it shows theirs now. "
                   "Yours was: {yours}. Nothing was overwritten: check it and save again.")


def _own_schedules(service: Service):
    """Her service's hours at the service level and at each of its places (not a
    location's hours shared with other services)."""
    places = select(ServiceAtLocation.id).where(ServiceAtLocation.service_id == service.id)
    return or_(Schedule.service_id == service.id, Schedule.service_at_location_id.in_(places))


SLOTS = 2  # intervals offered per day (08:00–12:00 and 14:00–18:00); more are kept


def _field(day: str, slot: int, end: str) -> str:
    """The form field of one end of one interval: MO_opens, MO_opens_2, ..."""
    return f"{day}_{end}" + (f"_{slot + 1}" if slot else "")


def weekly_hours(session: Session, service: Service) -> dict[str, list[dict[str, str]]]:
    """Day → her intervals that day, earliest first ({"opens", "closes"}; none when
    closed or unknown), from her schedules."""
    hours: dict[str, list[dict[str, str]]] = {day: [] for day in DAYS}
    for row in session.scalars(select(Schedule).where(_own_schedules(service))
                               .order_by(Schedule.opens_at)):
        if row.opens_at is None or row.closes_at is None:
            continue
        span = {"opens": row.opens_at.strftime("%H:%M"), "closes": row.closes_at.strftime("%H:%M")}
        days = [d.strip().upper()[-2:] for d in (row.byday or ",".join(DAYS)).split(",")]
        for day in days:
            if day in hours and span not in hours[day]:
                hours[day].append(span)
    for spans in hours.values():
        spans.sort(key=lambda span: span["opens"])
    return hours


def hour_slots(hours: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """The form's rows: each day's intervals and empty ones up to `SLOTS`."""
    return {day: [*spans, *[{"opens": "", "closes": ""}] * max(0, SLOTS - len(spans))]
            for day, spans in hours.items()}


HALF_INTERVAL = N_("give both times, or neither (closed)")
NOT_A_TIME = N_("{value} is not a time; write it as 08:00")
OVERLAP = N_("{first} and {second} overlap")


def _read_hours(form, gettext=lambda text: text) -> tuple[dict[str, list[dict[str, str]]],
                                                         dict[str, str]]:
    """The week she typed, and what is wrong with each day in her language."""
    hours, errors = {}, {}
    for day in DAYS:
        spans, slot = [], 0
        while slot < SLOTS or _field(day, slot, "opens") in form:
            opens = (form.get(_field(day, slot, "opens")) or "").strip()
            closes = (form.get(_field(day, slot, "closes")) or "").strip()
            slot += 1
            if not opens and not closes:
                continue
            spans.append({"opens": opens, "closes": closes})
            if bool(opens) != bool(closes):
                errors[day] = gettext(HALF_INTERVAL)
                continue
            for value in (opens, closes):
                if value:
                    try:
                        time.fromisoformat(value)
                    except ValueError:
                        errors[day] = gettext(NOT_A_TIME).format(value=repr(value))
        if day not in errors:
            spans.sort(key=lambda span: span["opens"])
            for first, second in zip(spans, spans[1:]):
                if first["closes"] > second["opens"] and first["closes"] > first["opens"]:
                    errors[day] = gettext(OVERLAP).format(
                        first=f"{first['opens']}–{first['closes']}",
                        second=f"{second['opens']}–{second['closes']}")
        hours[day] = spans
    return hours, errors


def save_hours(session: Session, service: Service, hours: dict[str, list[dict[str, str]]],
               user) -> bool:
    """Replace her service's own hours by the week she typed, one schedule per interval
    (audited); False if the same as before."""
    before = weekly_hours(session, service)
    if before == hours:
        return False
    session.execute(delete(Schedule).where(_own_schedules(service))
                    .execution_options(synchronize_session=False))
    for day, spans in hours.items():
        for span in spans:
            session.add(Schedule(service_id=service.id, freq="WEEKLY", byday=day,
                                 opens_at=time.fromisoformat(span["opens"]),
                                 closes_at=time.fromisoformat(span["closes"])))
    session.flush()
    audit.record(session, user, "update_hours", "service", service.id,
                 before={"hours": before}, after={"hours": hours})
    return True


def _editable(request: Request, session: Session, service_id: str) -> tuple[auth.WebSession, Service]:
    web = auth.require(request, session)
    service = session.get(Service, service_id)
    if service is None or not can_curate(web.user, service.organization_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such service")
    return web, service


def current_values(session: Session, service: Service) -> dict[str, Any]:
    data = api._service_data(session, service)
    values = {f: data.get(f) or "" for f in TEXT_FIELDS}
    values.update({f: data.get(f) for f in SAFETY_FLAGS})
    values["staleness_limit_days"] = service.staleness_limit_days
    values["service_types"] = sorted(data.get("service_types") or [])
    return values


def _page(request: Request, web: auth.WebSession, service: Service, values: dict[str, Any],
          errors: dict[str, str] | None = None, theirs: dict[str, Any] | None = None,
          version: int | None = None, status_code: int = 200,
          hours: dict | None = None, contacts: places.Plan | None = None) -> Response:
    contacts = contacts or places.Plan(places=places.current_places(service),
                                       phones=places.current_phones(service),
                                       languages=places.current_languages(service))
    gettext = translations(language_of(request)).gettext
    errors = {field: said_in(sentence, gettext) for field, sentence in (errors or {}).items()}
    return render(request, "service_edit.html", {
        "places": contacts.places, "phones": contacts.phones, "spoken": contacts.languages,
        "map_tiles": get_settings().map_tile_url,
        "days": DAYS, "hours": hour_slots(hours) if hours is not None else {},
        "field": _field,
        "day_names": [n.capitalize() for n in day_names(language_of(request))],
        "user": web.user, "csrf": web.csrf, "service": service, "values": values,
        "errors": errors or {}, "theirs": theirs, "version": version or service.version,
        "types": {c: SERVICE_TYPE_NAMES[c] for c in TYPES}, "promises": PROMISES,
        "text_fields": TEXT_FIELDS, "labels": LABELS, "saved": request.query_params.get("saved"),
        "deleted": request.query_params.get("deleted")},
        status_code=status_code)


def _place_conflict(request: Request, web: auth.WebSession, service_id: str, session: Session,
                    contacts: places.Plan, key: str) -> Response:
    """A colleague changed a place or phone meanwhile: the form shows theirs, her own
    entry is quoted beside it, nothing of hers overwrote it; the rest was saved."""
    fresh = session.get(Service, service_id)
    mine = next((p for p in contacts.places + contacts.phones if p["key"] == key), {})
    typed = ", ".join(str(v) for k, v in mine.items() if k in places.PLACE_FIELDS + ("number",) and v)
    shown = places.Plan(places=places.current_places(fresh), phones=places.current_phones(fresh),
                        languages=places.current_languages(fresh))
    error = {key: translations(language_of(request)).gettext(CONFLICT_NOTE).format(yours=typed)}
    return _page(request, web, fresh, current_values(session, fresh),
                 {f"{key}_{'number' if key.startswith('phone') else 'name'}": error[key]},
                 hours=weekly_hours(session, fresh), contacts=shown, status_code=409)


@router.get("/services/{service_id}")
def edit_page(service_id: str, request: Request,
              session: Session = Depends(get_session)) -> Response:
    web, service = _editable(request, session, service_id)
    return _page(request, web, service, current_values(session, service),
                 hours=weekly_hours(session, service))


def _from_form(form) -> dict[str, Any]:
    """What she submitted, as the API's fields (empty text → None, flags tri-state)."""
    values: dict[str, Any] = {f: (form.get(f) or "").strip() or None for f in TEXT_FIELDS}
    for flag in SAFETY_FLAGS:
        values[flag] = {"yes": True, "no": False}.get(form.get(flag) or "")
    values["service_types"] = sorted(form.getlist("service_types"))
    raw = (form.get("staleness_limit_days") or "").strip()
    if raw:  # left empty: the limit stays as it is
        values["staleness_limit_days"] = raw
    return values


@router.post("/services/{service_id}")
async def save(service_id: str, request: Request,
               session: Session = Depends(get_session)) -> Response:
    web, service = _editable(request, session, service_id)
    form = await request.form()
    if not auth.csrf_ok(web, form.get("csrf")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="missing or wrong CSRF token")
    submitted = _from_form(form)
    hours, hour_errors = _read_hours(form, translations(language_of(request)).gettext)
    contacts = places.read_form(form, service)
    shown = {**submitted, **{f: submitted[f] or "" for f in TEXT_FIELDS}}
    try:
        body = api.ServiceFields(**submitted)
    except ValidationError as error:
        errors = {str(e["loc"][0]): problem_sentence(e) for e in error.errors()}
        return _page(request, web, service, shown, errors | hour_errors | contacts.errors,
                     hours=hours, contacts=contacts, status_code=422)
    if hour_errors or contacts.errors:
        return _page(request, web, service, shown, hour_errors | contacts.errors, hours=hours,
                     contacts=contacts, status_code=422)
    try:
        api._change(api.ENTITIES["services"], service.id, body, False, session, web.user,
                    Response(), f'"v{form.get("version")}"')
    except HTTPException as error:
        session.rollback()
        if error.status_code == status.HTTP_412_PRECONDITION_FAILED:
            fresh = session.get(Service, service_id)
            theirs = current_values(session, fresh)
            return _page(request, web, fresh, shown, theirs=theirs, version=fresh.version,
                         hours=hours, contacts=contacts, status_code=409)
        if error.status_code == 422 and isinstance(error.detail, list):
            errors = {str(d["loc"][-1]): d["msg"] for d in error.detail}
            return _page(request, web, service, shown, errors, hours=hours, contacts=contacts,
                         status_code=422)
        raise
    # _change committed the service; the hours, places, phones and languages follow in
    # their own audited writes
    save_hours(session, session.get(Service, service_id), hours, web.user)
    session.commit()
    clash = places.save(session, session.get(Service, service_id), contacts, web.user)
    if clash is not None:
        return _place_conflict(request, web, service_id, session, contacts, clash)
    return RedirectResponse(f"/ui/services/{service_id}?saved=1",
                            status_code=status.HTTP_303_SEE_OTHER)
