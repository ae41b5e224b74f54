"""Where a service is and how to reach it, on its edit page: each place's address and
position (latitude and longitude, a place name the gazetteer resolves, or a pin on the
map when `MAP_TILE_URL` is set), its phones and the languages spoken.

Everything she typed is checked first, with the admin API's own models
(`LocationFields`, `PhoneFields`, `LanguageFields`) and rules (`_fill_location`), so an
error is shown next to its field and nothing is saved. Then the rows are written
through the API's own functions (`_change`, `_create`, `_delete`: ownership, If-Match,
audit), so the next search answers with them. A phone written in the national way is
read in the place's country with `phonenumbers`, as the HSDS importer reads it.
A form without these fields (an older page) leaves them as they are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Response, status
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, gazetteer
from ..hsds import values as hsds_values
from ..hsds.texts import N_, Text, problem_sentence
from ..models.accounts import User
from ..models.directory import Address, Language, Location, Phone, Service
from ..routers import admin_directory as api

PLACE_FIELDS = ("name", "address_1", "city", "state_province", "postal_code", "country",
                "latitude", "longitude", "place")
ADDRESS_FIELDS = ("address_1", "city", "state_province", "postal_code")
NEW = "new"
# What is wrong with a place, a phone or the languages: `Text`, English for the code and
# the tests, said in her language by the page (`service_edit._page`).
SEVERAL_PLACES = N_("several places are called {place}: {choices}; give the country or "
                    "the coordinates")
UNKNOWN_PLACE = N_("no place called {place} is known; give the coordinates")
NOT_A_COORDINATE = N_("{value} is not a number; write it like -12.0464")
STREET_AND_CITY = N_("is empty; an address needs the street and the city")
ADDRESS_COUNTRY = N_("is empty; an address needs the country")
PLACE_NAME = N_("give the place a name")


@dataclass
class Plan:
    """What her form asks to change, checked and ready to write; or the errors."""

    places: list[dict[str, Any]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    languages: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    place_writes: list[tuple[dict[str, Any], api.LocationFields]] = field(default_factory=list)
    phone_writes: list[tuple[dict[str, Any], api.PhoneFields | None]] = field(default_factory=list)
    language_codes: list[str] | None = None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _places_of(service: Service) -> list[Location]:
    return sorted((sal.location for sal in service.service_at_locations),
                  key=lambda loc: (loc.name or "", loc.id))


def current_places(service: Service) -> list[dict[str, Any]]:
    """Her service's places as the form shows them, and an empty one to add."""
    shown = []
    for n, location in enumerate(_places_of(service)):
        address = location.addresses[0] if location.addresses else None
        row = {"key": f"loc{n}", "id": location.id, "version": str(location.version),
               "place": "", **{f: _text(getattr(location, f)) for f in
                               ("name", "country", "latitude", "longitude")}}
        row.update({f: _text(getattr(address, f, None)) for f in ADDRESS_FIELDS})
        shown.append(row)
    shown.append({"key": NEW, "id": "", "version": "", **{f: "" for f in PLACE_FIELDS}})
    return shown


def current_phones(service: Service) -> list[dict[str, str]]:
    phones = sorted(service.phones, key=lambda p: p.id)
    return [{"key": f"phone{n}", "id": p.id, "etag": api.etag_of(p), "number": p.number}
            for n, p in enumerate(phones)] + [{"key": "phone_new", "id": "", "etag": "",
                                               "number": ""}]


def current_languages(service: Service) -> str:
    return ", ".join(sorted({lang.code for lang in service.languages if lang.code}))


def _errors_of(error: ValidationError, prefix: str) -> dict[str, str]:
    """The model's complaints by field, as `Text` where the validator said one (the
    page says them in her language)."""
    return {f"{prefix}_{problem['loc'][0] if problem['loc'] else 'latitude'}":
            problem_sentence(problem) for problem in error.errors()}


def _number(text: str) -> float | None:
    """A coordinate as typed; a decimal comma (-12,0464) is read as a point."""
    text = text.strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return float(text) if text else None


def _read_place(form, key: str, before: dict[str, Any] | None,
                errors: dict[str, str]) -> dict[str, Any]:
    shown = {"key": key, "id": _text(form.get(f"{key}_id")),
             "version": _text(form.get(f"{key}_version")),
             **{f: _text(form.get(f"{key}_{f}")).strip() for f in PLACE_FIELDS}}
    shown["country"] = shown["country"].lower()
    if shown["place"]:  # a place name wins over the coordinates: she typed it last
        found = gazetteer.resolve(shown["place"], shown["country"] or None)
        if found.status == "found" and found.place is not None:
            shown.update(latitude=f"{found.place.latitude:.6f}".rstrip("0").rstrip("."),
                         longitude=f"{found.place.longitude:.6f}".rstrip("0").rstrip("."),
                         country=shown["country"] or found.place.country, place="")
        elif found.status == "ambiguous":
            errors[f"{key}_place"] = Text(SEVERAL_PLACES, place=repr(shown["place"]),
                                          choices=", ".join(p.label for p in found.choices))
        else:
            errors[f"{key}_place"] = Text(UNKNOWN_PLACE, place=repr(shown["place"]))
    for axis in ("latitude", "longitude"):
        try:
            _number(shown[axis])
        except ValueError:
            errors[f"{key}_{axis}"] = Text(NOT_A_COORDINATE, value=repr(shown[axis]))
    if before is not None and all(shown[f] == before[f] for f in PLACE_FIELDS):
        shown["unchanged"] = True
    return shown


def _location_body(shown: dict[str, Any], errors: dict[str, str]) -> api.LocationFields | None:
    """The place as the API's LocationFields, checked by its own validators and by
    `_fill_location` (both coordinates or neither)."""
    key = shown["key"]
    try:
        body = api.LocationFields(
            name=shown["name"] or None, country=shown["country"].upper() or None,
            latitude=_number(shown["latitude"]), longitude=_number(shown["longitude"]))
        api._fill_location(Location(latitude=body.latitude, longitude=body.longitude), body)
    except ValidationError as error:
        errors.update(_errors_of(error, key))
        return None
    except HTTPException as error:
        errors.update({f"{key}_{d['loc'][-1]}": d["msg"] for d in error.detail})
        return None
    except ValueError:
        return None  # a coordinate that is not a number, already said
    if any(shown[f] for f in ADDRESS_FIELDS):
        for needed in ("address_1", "city"):
            if not shown[needed]:
                errors[f"{key}_{needed}"] = Text(STREET_AND_CITY)
        if not shown["country"]:
            errors[f"{key}_country"] = Text(ADDRESS_COUNTRY)
    return body


def read_places(form, service: Service, plan: Plan) -> None:
    before = {p["key"]: p for p in current_places(service)}
    for key, shown in before.items():
        if f"{key}_name" not in form:
            plan.places.append(shown)
            continue
        if shown["id"] and form.get(f"{key}_id") != shown["id"]:
            raise HTTPException(status.HTTP_409_CONFLICT, detail="the service's places changed; "
                                "open the page again")
        place = _read_place(form, key, None if key == NEW else shown, plan.errors)
        plan.places.append(place)
        adding = key == NEW and any(place[f] for f in PLACE_FIELDS)
        if place.get("unchanged") or (key == NEW and not adding):
            continue
        if adding and not place["name"]:
            plan.errors[f"{key}_name"] = Text(PLACE_NAME)
        body = _location_body(place, plan.errors)
        if body is not None:
            plan.place_writes.append((place, body))


def _e164(number: str, country: str | None) -> str:
    """A national number read in the place's country, as the importer reads it; the
    API's PhoneFields then checks the E.164 result (or explains the + it needs)."""
    if number.startswith("+") or not country:
        return number
    try:
        return hsds_values.phone_e164(number, country)
    except ValueError:
        return number


def read_phones(form, service: Service, plan: Plan, country: str | None) -> None:
    for shown in current_phones(service):
        key = shown["key"]
        if f"{key}_number" not in form:
            plan.phones.append(shown)
            continue
        typed = _text(form.get(f"{key}_number")).strip()
        row = {**shown, "number": typed, "etag": _text(form.get(f"{key}_etag")) or shown["etag"]}
        plan.phones.append(row)
        if typed == shown["number"] or (not typed and not shown["id"]):
            continue
        if not typed:
            plan.phone_writes.append((row, None))  # emptied: the phone goes
            continue
        try:
            body = api.PhoneFields(number=_e164(typed, country),
                                   **({} if shown["id"] else {"service_id": service.id}))
        except ValidationError as error:
            plan.errors.update(_errors_of(error, key))
            continue
        plan.phone_writes.append((row, body))


def read_languages(form, plan: Plan) -> None:
    if "languages" not in form:
        return
    plan.languages = _text(form.get("languages"))
    codes = []
    for part in plan.languages.replace(";", ",").replace(" ", ",").split(","):
        if not part.strip():
            continue
        try:
            codes.append(api.LanguageFields(code=part).code)
        except ValidationError as error:
            plan.errors["languages"] = problem_sentence(error.errors()[0])
    plan.language_codes = sorted(set(codes))


def read_form(form, service: Service) -> Plan:
    """Her places, phones and languages from the form, checked; nothing written."""
    plan = Plan()
    read_places(form, service, plan)
    countries = [p["country"] for p in plan.places if p.get("country")]
    read_phones(form, service, plan, countries[0] if countries else None)
    read_languages(form, plan)
    if plan.languages is None:
        plan.languages = current_languages(service)
    return plan


# --- writing ----------------------------------------------------------------------------
def _save_address(session: Session, location: Location, place: dict[str, Any], user: User) -> None:
    """The place's first address (Puente shows one), audited; state_province, when
    empty, takes the city's name as the gazetteer knows it, as the importer does."""
    if not any(place[f] for f in ADDRESS_FIELDS):
        return
    address = location.addresses[0] if location.addresses else None
    before = audit.snapshot(address)
    if address is None:
        address = Address(location_id=location.id)
        session.add(address)
    province = place["state_province"]
    if not province:
        found = gazetteer.resolve(place["city"], place["country"] or None)
        province = found.place.name if found.place is not None else place["city"]
    address.address_1, address.city = place["address_1"], place["city"]
    address.state_province, address.postal_code = province, place["postal_code"] or None
    address.country = place["country"].upper()
    session.flush()
    audit.record(session, user, "create" if before is None else "update", "address",
                 address.id, before, audit.snapshot(address))
    session.commit()


def _save_place(session: Session, service: Service, place: dict[str, Any],
                body: api.LocationFields, user: User) -> None:
    if place["key"] == NEW:
        body.organization_id = service.organization_id
        made = api._create(api.ENTITIES["locations"], body, session, user, Response())
        fresh = session.get(Service, service.id)
        places = sorted(sal.location_id for sal in fresh.service_at_locations) + [made["id"]]
        api._change(api.ENTITIES["services"], service.id, api.ServiceFields(location_ids=places),
                    False, session, user, Response(), api.etag_of(fresh))
        location = session.get(Location, made["id"])
    else:
        api._change(api.ENTITIES["locations"], place["id"], body, False, session, user,
                    Response(), f'"v{place["version"]}"')
        location = session.get(Location, place["id"])
    _save_address(session, location, place, user)


def _save_phone(session: Session, row: dict[str, Any], body: BaseModel | None, user: User) -> None:
    entity = api.ENTITIES["phones"]
    if body is None:
        api._delete(entity, row["id"], session, user, row["etag"])
    elif row["id"]:
        api._change(entity, row["id"], body, False, session, user, Response(), row["etag"])
    else:
        api._create(entity, body, session, user, Response())


def _save_languages(session: Session, service: Service, codes: list[str], user: User) -> None:
    entity = api.ENTITIES["languages"]
    rows = list(session.scalars(select(Language).where(Language.service_id == service.id)))
    for row in rows:
        if row.code not in codes:
            api._delete(entity, row.id, session, user, api.etag_of(row))
    have = {row.code for row in rows}
    for code in codes:
        if code not in have:
            api._create(entity, api.LanguageFields(service_id=service.id, code=code), session,
                        user, Response())


def save(session: Session, service: Service, plan: Plan, user: User) -> str | None:
    """Write what the plan holds; the key of the place or phone someone else changed
    meanwhile (412: nothing of it overwritten), or None when all is saved."""
    for place, body in plan.place_writes:
        try:
            _save_place(session, service, place, body, user)
        except HTTPException as error:
            session.rollback()
            if error.status_code == status.HTTP_412_PRECONDITION_FAILED:
                return place["key"]
            raise
    for row, body in plan.phone_writes:
        try:
            _save_phone(session, row, body, user)
        except HTTPException as error:
            session.rollback()
            if error.status_code == status.HTTP_412_PRECONDITION_FAILED:
                return row["key"]
            raise
    if plan.language_codes is not None:
        _save_languages(session, session.get(Service, service.id), plan.language_codes, user)
    return None
