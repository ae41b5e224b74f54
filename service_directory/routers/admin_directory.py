"""Admin API of the service directory: CRUD, verification, HSDS import and export.

Every write is checked (a curator changes only their own organizations' data: 403
otherwise), validated (clear 422 messages from `hsds.values`, the same checks the
HSDS import applies), audited (who, when, before, after; `audit.record` in the same
transaction) and guarded against lost updates: GET returns an `ETag`, PUT/PATCH/DELETE
need `If-Match`, and a stale one gets 412. The check and the write are one
conditional UPDATE, so two curators sending the same ETag at the same moment get one
success and one 412, never a silent overwrite.

ETags: `"v<version>"` for organizations, services and locations (their `version`
column); a digest of the row for schedules, phones, languages and attributes.
"""
from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace
from collections.abc import Callable
from datetime import date, datetime, time, timezone
from typing import Any

from fastapi import APIRouter, Depends, File, Header, HTTPException, Query, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .. import audit, hsds
from ..deps import can_curate, ensure_can_curate, get_session, not_found, require_roles
from ..hsds import values
from ..hsds.texts import N_, Text
from ..models.accounts import User
from ..models.directory import (
    SAFETY_TAXONOMY,
    SERVICE_TYPE_TAXONOMY,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    ensure_taxonomies,
    timezone_at,
)

router = APIRouter(prefix="/admin", tags=["admin: directory"])
editor = require_roles("admin", "curator")
admin_only = require_roles("admin")

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


# --------------------------------------------------------------------- schemas
def _opt(check: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """A pydantic validator applying `check` to a value that may be None."""

    def _validate(cls, value):  # noqa: ANN001
        return None if value is None else check(value)

    return classmethod(_validate)


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganizationFields(_Fields):
    id: str | None = None
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    email: str | None = None
    website: str | None = None
    tax_status: str | None = None
    tax_id: str | None = None
    year_incorporated: int | None = None
    legal_status: str | None = None
    logo: str | None = None
    uri: str | None = None
    parent_organization_id: str | None = None
    # Not HSDS: its curators may also keep the statements of rights current. Only admins
    # set it, and a PUT that leaves it out keeps it (see `_apply`).
    legal_partner: bool | None = None

    _email = field_validator("email")(_opt(values.email))
    _urls = field_validator("website", "logo", "uri")(_opt(values.url))


class ServiceFields(_Fields):
    id: str | None = None
    organization_id: str | None = None
    program_id: str | None = None
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: str | None = None
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    accreditations: str | None = None
    eligibility_description: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    alert: str | None = None
    serves_undocumented: bool | None = None
    free_of_charge: bool | None = None
    confidential_no_immigration_reporting: bool | None = None
    lgbtqi_friendly: bool | None = None
    sex_worker_friendly: bool | None = None
    youth_friendly: bool | None = None
    staleness_limit_days: int | None = None
    service_types: list[str] | None = None
    location_ids: list[str] | None = None

    _email = field_validator("email")(_opt(values.email))
    _url = field_validator("url")(_opt(values.url))
    _types = field_validator("service_types")(_opt(lambda v: sorted({values.service_type(c) for c in v})))

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        allowed = hsds.spec.STATUS
        if value is not None and value not in allowed:
            raise ValueError(f"{value!r} is not a status; use one of {', '.join(allowed)}")
        return value

    @field_validator("staleness_limit_days")
    @classmethod
    def _staleness(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 3650:
            raise ValueError("must be between 1 and 3650 days")
        return value


class LocationFields(_Fields):
    id: str | None = None
    location_type: str | None = None
    url: str | None = None
    organization_id: str | None = None
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    transportation: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    country: str | None = None
    timezone: str | None = None

    _url = field_validator("url")(_opt(values.url))
    _lat = field_validator("latitude")(_opt(values.latitude))
    _lon = field_validator("longitude")(_opt(values.longitude))
    _country = field_validator("country")(_opt(lambda v: values.country_code(v).lower()))

    @field_validator("location_type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        if value is not None and value not in hsds.spec.LOCATION_TYPES:
            raise ValueError(f"{value!r} is not a location type; use one of "
                             f"{', '.join(hsds.spec.LOCATION_TYPES)}")
        return value


class ScheduleFields(_Fields):
    id: str | None = None
    service_id: str | None = None
    location_id: str | None = None
    service_at_location_id: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    until: date | None = None
    count: int | None = None
    wkst: str | None = None
    freq: str | None = None
    interval: int | None = None
    byday: str | None = None
    byweekno: str | None = None
    bymonthday: str | None = None
    byyearday: str | None = None
    description: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    schedule_link: str | None = None
    attending_type: str | None = None
    notes: str | None = None

    _wkst = field_validator("wkst")(_opt(values.week_start))
    _freq = field_validator("freq")(_opt(values.frequency))
    _byday = field_validator("byday")(_opt(values.by_day))
    _link = field_validator("schedule_link")(_opt(values.url))


class PhoneFields(_Fields):
    id: str | None = None
    location_id: str | None = None
    service_id: str | None = None
    organization_id: str | None = None
    service_at_location_id: str | None = None
    number: str | None = None
    extension: str | None = None
    type: str | None = None
    description: str | None = None

    @field_validator("number")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip().startswith("+"):
            raise ValueError(Text(N_("{value} is not in E.164 form: start with + and the "
                                     "country code, e.g. +573001234567"), value=repr(value)))
        return values.phone_e164(value)


class LanguageFields(_Fields):
    id: str | None = None
    service_id: str | None = None
    location_id: str | None = None
    phone_id: str | None = None
    name: str | None = None
    code: str | None = None
    note: str | None = None

    _code = field_validator("code")(_opt(values.language_code))


class AttributeFields(_Fields):
    """An attribute names its term by `taxonomy_term_id`, or by `taxonomy` + `code`
    (e.g. `puente-service-type` + `hiv_testing`)."""

    id: str | None = None
    link_id: str | None = None
    link_entity: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy: str | None = None
    code: str | None = None
    link_type: str | None = None
    value: str | None = None
    label: str | None = None


class VerifyBody(_Fields):
    assured_date: date | None = None
    assurer_email: str | None = None

    _email = field_validator("assurer_email")(_opt(values.email))


# ------------------------------------------------------------------- helpers
VERSIONED = (Organization, Service, Location)
BOTH_COORDINATES = Text(N_("give both latitude and longitude, or neither"))


def etag_of(obj: Any) -> str:
    if isinstance(obj, VERSIONED):
        return f'"v{obj.version}"'
    data = json.dumps(audit.snapshot(obj), sort_keys=True, default=str)
    return '"' + hashlib.sha256(data.encode()).hexdigest()[:20] + '"'


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(422,
                         detail=[{"loc": ["body", field], "msg": message, "type": "value_error"}])


def _require(body: BaseModel, fields: tuple[str, ...], creating: bool) -> None:
    for name in fields:
        if getattr(body, name) is None and (creating or name in body.model_fields_set):
            raise _unprocessable(name, f"{name} is required")


def _check_if_match(obj: Any, if_match: str | None, entity: str) -> None:
    if if_match is None:
        raise HTTPException(status.HTTP_428_PRECONDITION_REQUIRED,
                            detail=f"send If-Match with the ETag of the {entity} from your last "
                                   "GET, so a change made meanwhile by someone else is not "
                                   "overwritten")
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    if "*" not in tags and etag_of(obj) not in tags:
        raise _stale(entity)


def _stale(entity: str) -> HTTPException:
    return HTTPException(status.HTTP_412_PRECONDITION_FAILED,
                         detail=f"someone else changed this {entity} since you read it; GET it "
                                "again, re-apply your change and send the new ETag in If-Match")


def _claim(session: Session, obj: Any, entity: str) -> None:
    """Compare-and-set: bump the version (or touch the unchanged row) only if nobody
    wrote it since it was read. Concurrent writers serialise on the row; the loser
    finds the condition false and gets 412."""
    model, expected = type(obj), etag_of(obj)
    for _attempt in range(3):
        if isinstance(obj, VERSIONED):
            statement = (update(model).where(model.id == obj.id, model.version == obj.version)
                         .values(version=obj.version + 1))
        else:
            state = sa_inspect(obj)
            conditions = [col.is_not_distinct_from(state.attrs[col.key].loaded_value)
                          for col in model.__table__.columns]
            statement = update(model).where(*conditions).values(id=obj.id)
        try:
            result = session.execute(statement.execution_options(synchronize_session=False))
        except OperationalError:
            # SQLite: a writer committed after this transaction's first read, so it
            # cannot write on that snapshot. Start again and look whether it was this row.
            session.rollback()
            fresh = session.get(model, obj.id)
            if fresh is None or etag_of(fresh) != expected:
                raise _stale(entity) from None
            continue
        if result.rowcount != 1:
            session.rollback()
            raise _stale(entity)
        if isinstance(obj, VERSIONED):
            obj.version = obj.version + 1
        return
    raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                        detail="the directory is busy with other changes; try again",
                        headers={"Retry-After": "1"})


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"the change conflicts with existing data: {exc.orig}") from exc


def _respond(response: Response, obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    response.headers["ETag"] = etag_of(obj)
    return data


def _get(session: Session, model: Any, entity: str, entity_id: str) -> Any:
    obj = session.get(model, entity_id)
    if obj is None:
        raise not_found(entity, entity_id)
    return obj


def _must_exist(session: Session, model: Any, entity: str, field: str, ref: str | None) -> Any:
    if ref is None:
        return None
    obj = session.get(model, ref)
    if obj is None:
        raise _unprocessable(field, f"no {entity} with id {ref}")
    return obj


def _owners(session: Session, obj_or_fields: Any) -> set[str | None]:
    """The organizations whose curators may change a row (read from its references)."""
    get = (lambda k: getattr(obj_or_fields, k, None))
    owners: set[str | None] = set()
    if isinstance(obj_or_fields, (Organization,)):
        return {obj_or_fields.id}
    org = get("organization_id")
    if org:
        owners.add(org)
    for field, model in (("service_id", Service), ("location_id", Location)):
        ref = get(field)
        if ref:
            target = session.get(model, ref)
            owners.add(target.organization_id if target else None)
    sal_id = get("service_at_location_id")
    if sal_id:
        sal = session.get(ServiceAtLocation, sal_id)
        owners.add(sal.service.organization_id if sal else None)
    phone_id = get("phone_id")
    if phone_id:
        phone = session.get(Phone, phone_id)
        owners |= _owners(session, phone) if phone else {None}
    entity, link_id = get("link_entity"), get("link_id")
    if entity and link_id:
        target = {"organization": Organization, "service": Service,
                  "location": Location}.get(entity)
        linked = session.get(target, link_id) if target else None
        owners.add(None if linked is None else
                   linked.id if isinstance(linked, Organization) else linked.organization_id)
    return owners or {None}


def _ensure_owns(user: User, owners: set[str | None]) -> None:
    for owner in owners:
        ensure_can_curate(user, owner)


def _visible(user: User, owners: set[str | None]) -> bool:
    return all(can_curate(user, owner) for owner in owners)


def _data(obj: Any) -> dict[str, Any]:
    """The row as JSON-ready data (what GET returns and the audit log keeps)."""
    data = audit.snapshot(obj)
    for key in ("created_at", "updated_at"):
        data.pop(key, None)
    return data


def _service_data(session: Session, service: Service) -> dict[str, Any]:
    data = _data(service)
    data["last_verified_at"] = data["assured_date"]
    data["verified_by"] = data["assurer_email"]
    data["service_types"] = sorted(
        term.code for term in session.scalars(
            select(TaxonomyTerm).join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
            .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
            .where(Attribute.link_entity == "service", Attribute.link_id == service.id,
                   Taxonomy.name == SERVICE_TYPE_TAXONOMY)))
    data["languages"] = sorted({lang.code for lang in service.languages if lang.code})
    data["location_ids"] = sorted(sal.location_id for sal in service.service_at_locations)
    return data


def _set_service_types(session: Session, service: Service, codes: list[str]) -> None:
    terms = ensure_taxonomies(session)
    wanted = {terms[code].id for code in codes}
    current = list(session.scalars(
        select(Attribute).join(TaxonomyTerm).join(Taxonomy)
        .where(Attribute.link_entity == "service", Attribute.link_id == service.id,
               Taxonomy.name == SERVICE_TYPE_TAXONOMY)))
    for attribute in current:
        if attribute.taxonomy_term_id not in wanted:
            session.delete(attribute)
    have = {a.taxonomy_term_id for a in current}
    for term_id in sorted(wanted - have):
        session.add(Attribute(link_id=service.id, link_entity="service",
                              taxonomy_term_id=term_id, link_type="service_type"))


def _set_locations(session: Session, user: User, service: Service, location_ids: list[str]) -> None:
    for location_id in location_ids:
        location = _must_exist(session, Location, "location", "location_ids", location_id)
        _ensure_owns(user, {location.organization_id})
    wanted = set(location_ids)
    for sal in list(service.service_at_locations):
        if sal.location_id not in wanted:
            service.service_at_locations.remove(sal)
    have = {sal.location_id for sal in service.service_at_locations}
    for location_id in sorted(wanted - have):
        service.service_at_locations.append(ServiceAtLocation(location_id=location_id))


# Puente's own columns beside HSDS ones: a replacement (PUT) that does not name them
# keeps them, so an HSDS client that never heard of them cannot reset them.
_KEPT_UNLESS_SENT = frozenset({"legal_partner"})


def _apply(obj: Any, body: BaseModel, replace: bool) -> None:
    """Copy the body onto the row: the fields sent (PATCH) or all of them (POST/PUT,
    where a field left out of a column that cannot be empty takes its default)."""
    fields = body.model_fields_set if not replace else set(type(body).model_fields)
    if replace and obj.id is not None and sa_inspect(obj).persistent:
        fields -= _KEPT_UNLESS_SENT - body.model_fields_set
    columns = type(obj).__table__.columns
    for name in fields:
        column = columns.get(name)
        if column is None or name == "id":
            continue  # not a column: service_types, location_ids, taxonomy + code
        value = getattr(body, name)
        if value is None and column is not None and not column.nullable \
                and column.default is not None and not callable(column.default.arg):
            value = column.default.arg
        setattr(obj, name, value)


# ----------------------------------------------------------- generic CRUD
class _Entity:
    """How one table is exposed: its model, fields, required fields and checks."""

    def __init__(self, name: str, plural: str, model: Any, fields: type[BaseModel],
                 required: tuple[str, ...], references: dict[str, tuple[Any, str]]) -> None:
        self.name, self.plural, self.model, self.fields = name, plural, model, fields
        self.required, self.references = required, references

    def data(self, session: Session, obj: Any) -> dict[str, Any]:
        return _service_data(session, obj) if self.model is Service else _data(obj)

    def check_references(self, session: Session, body: BaseModel) -> None:
        for field, (model, entity) in self.references.items():
            if field in type(body).model_fields:
                _must_exist(session, model, entity, field, getattr(body, field))


ENTITIES = {
    "organizations": _Entity("organization", "organizations", Organization, OrganizationFields,
                             ("name",), {"parent_organization_id": (Organization, "organization")}),
    "services": _Entity("service", "services", Service, ServiceFields,
                        ("organization_id", "name"),
                        {"organization_id": (Organization, "organization")}),
    "locations": _Entity("location", "locations", Location, LocationFields,
                         ("organization_id",), {"organization_id": (Organization, "organization")}),
    "schedules": _Entity("schedule", "schedules", Schedule, ScheduleFields, (),
                         {"service_id": (Service, "service"), "location_id": (Location, "location"),
                          "service_at_location_id": (ServiceAtLocation, "service_at_location")}),
    "phones": _Entity("phone", "phones", Phone, PhoneFields, ("number",),
                      {"service_id": (Service, "service"), "location_id": (Location, "location"),
                       "organization_id": (Organization, "organization"),
                       "service_at_location_id": (ServiceAtLocation, "service_at_location")}),
    "languages": _Entity("language", "languages", Language, LanguageFields, ("code",),
                         {"service_id": (Service, "service"), "location_id": (Location, "location"),
                          "phone_id": (Phone, "phone")}),
    "attributes": _Entity("attribute", "attributes", Attribute, AttributeFields,
                          ("link_id", "link_entity"), {}),
}


def _entity(plural: str) -> _Entity:
    return ENTITIES[plural]


def _owner_check_for(session: Session, user: User, entity: _Entity, body: BaseModel) -> None:
    """Who may create/move a row to where `body` points."""
    if entity.model is Organization:
        if user.role != "admin":
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail="only admins create organizations")
        return
    if entity.model in (Schedule, Phone, Language) and not any(
            getattr(body, f, None) for f in entity.references):
        raise _unprocessable("service_id", f"a {entity.name} must belong to a service, location "
                                           "or organization")
    _ensure_owns(user, _owners(session, body))


def _prepare_attribute(session: Session, body: AttributeFields) -> None:
    """Resolve taxonomy + code to a term; refuse unknown codes and safety attributes."""
    if body.link_entity is not None:
        body.link_entity = body.link_entity.strip().lower()
        if body.link_entity not in hsds.mapping.LINKABLE:
            raise _unprocessable("link_entity", f"{body.link_entity!r} is not a table an attribute "
                                                f"can describe; use one of "
                                                f"{', '.join(hsds.mapping.LINKABLE)}")
        model = hsds.mapping.MODELS[body.link_entity]
        _must_exist(session, model, body.link_entity, "link_id", body.link_id)
    if body.taxonomy_term_id is None and body.taxonomy is None:
        raise _unprocessable("taxonomy_term_id", "name the term by taxonomy_term_id, or by "
                                                 "taxonomy and code")
    if body.taxonomy is not None:
        ensure_taxonomies(session)
        if body.taxonomy == SERVICE_TYPE_TAXONOMY:
            try:
                values.service_type(body.code or "")
            except ValueError as exc:
                raise _unprocessable("code", str(exc)) from None
        term = session.scalar(select(TaxonomyTerm).join(Taxonomy).where(
            Taxonomy.name == body.taxonomy, TaxonomyTerm.code == body.code))
        if term is None:
            raise _unprocessable("code", f"taxonomy {body.taxonomy!r} has no term {body.code!r}")
        body.taxonomy_term_id = term.id
    term = _must_exist(session, TaxonomyTerm, "taxonomy term", "taxonomy_term_id",
                       body.taxonomy_term_id)
    taxonomy = term.taxonomy_ref.name if term.taxonomy_ref else term.taxonomy
    if taxonomy == SAFETY_TAXONOMY:
        raise _unprocessable("taxonomy_term_id", "safety flags are fields of the service "
                                                 "(e.g. serves_undocumented: true); set them "
                                                 "with PATCH /admin/services/{id}")
    if taxonomy == SERVICE_TYPE_TAXONOMY and body.link_entity not in (None, "service"):
        raise _unprocessable("link_entity", "service types describe services; link_entity "
                                            "must be service")
    body.link_type = body.link_type or ("service_type" if taxonomy == SERVICE_TYPE_TAXONOMY
                                        else None)


def _create(entity: _Entity, body: BaseModel, session: Session, user: User,
            response: Response) -> dict[str, Any]:
    if entity.model is Attribute:
        _prepare_attribute(session, body)  # type: ignore[arg-type]
    _require(body, entity.required, creating=True)
    entity.check_references(session, body)
    _owner_check_for(session, user, entity, body)
    if body.id is not None and session.get(entity.model, body.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"a {entity.name} with id {body.id} exists; PUT to change it")
    obj = entity.model(**({"id": body.id} if body.id else {}))
    _apply(obj, body, replace=True)
    if isinstance(obj, Location):
        _fill_location(obj, body)
    session.add(obj)
    session.flush()
    if isinstance(obj, Service):
        if body.service_types is not None:  # type: ignore[attr-defined]
            _set_service_types(session, obj, body.service_types)  # type: ignore[attr-defined]
        if body.location_ids is not None:  # type: ignore[attr-defined]
            _set_locations(session, user, obj, body.location_ids)  # type: ignore[attr-defined]
        session.flush()
    after = entity.data(session, obj)
    audit.record(session, user, "create", entity.name, obj.id, before=None, after=after)
    _commit(session)
    response.status_code = status.HTTP_201_CREATED
    return _respond(response, obj, entity.data(session, obj))


def _fill_location(obj: Location, body: BaseModel) -> None:
    """Keep `timezone` true to the coordinates unless the caller sets it."""
    if "timezone" not in body.model_fields_set and obj.latitude is not None \
            and obj.longitude is not None:
        obj.timezone = timezone_at(obj.latitude, obj.longitude)
    if (obj.latitude is None) != (obj.longitude is None):
        raise _unprocessable("latitude", BOTH_COORDINATES)


def _change(entity: _Entity, entity_id: str, body: BaseModel, replace: bool, session: Session,
            user: User, response: Response, if_match: str | None) -> dict[str, Any]:
    obj = _get(session, entity.model, entity.name, entity_id)
    _ensure_owns(user, _owners(session, obj))
    _check_if_match(obj, if_match, entity.name)
    if body.id is not None and body.id != entity_id:
        raise _unprocessable("id", f"the body's id {body.id} differs from the URL's {entity_id}")
    if entity.model is Attribute:
        if replace or body.taxonomy is not None or body.taxonomy_term_id is not None:  # type: ignore[attr-defined]
            _prepare_attribute(session, body)  # type: ignore[arg-type]
    _require(body, entity.required, creating=replace)
    entity.check_references(session, body)
    if entity.model is not Organization:
        moved = {f for f in body.model_fields_set if f in entity.references or f in
                 ("link_id", "link_entity")}
        if moved or replace:  # the row must stay within what the caller curates
            links = set(entity.references) | ({"link_id", "link_entity"}
                                              if entity.model is Attribute else set())
            target = {f: getattr(obj, f) for f in links}
            target |= {f: getattr(body, f) for f in links
                       if replace or f in body.model_fields_set}
            _ensure_owns(user, _owners(session, SimpleNamespace(**target)))
    elif "parent_organization_id" in body.model_fields_set and user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only admins re-parent organizations")
    elif "legal_partner" in body.model_fields_set and user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="only admins mark an organization as a legal partner")
    before = entity.data(session, obj)
    _claim(session, obj, entity.name)
    _apply(obj, body, replace)
    if isinstance(obj, Location):
        if {"latitude", "longitude"} & body.model_fields_set or replace:
            obj.timezone = None if "timezone" not in body.model_fields_set else obj.timezone
        _fill_location(obj, body)
    if isinstance(obj, Service):
        if body.service_types is not None:  # type: ignore[attr-defined]
            _set_service_types(session, obj, body.service_types)  # type: ignore[attr-defined]
        if body.location_ids is not None:  # type: ignore[attr-defined]
            _set_locations(session, user, obj, body.location_ids)  # type: ignore[attr-defined]
    session.flush()
    session.refresh(obj)
    after = entity.data(session, obj)
    audit.record(session, user, "update", entity.name, obj.id, before=before, after=after)
    _commit(session)
    return _respond(response, obj, after)


def _delete(entity: _Entity, entity_id: str, session: Session, user: User,
            if_match: str | None) -> Response:
    obj = _get(session, entity.model, entity.name, entity_id)
    if isinstance(obj, Organization) and user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only admins delete organizations")
    _ensure_owns(user, _owners(session, obj))
    # Required as for PUT/PATCH: deleting a row a colleague has just edited would
    # silently discard their edit. `_claim` then makes the check and the delete one
    # conditional write, so a concurrent edit and delete cannot both succeed.
    _check_if_match(obj, if_match, entity.name)
    before = entity.data(session, obj)
    _claim(session, obj, entity.name)
    _delete_attributes_of(session, obj)
    if isinstance(obj, Organization):
        # Its services and locations go with it (ON DELETE CASCADE in the database).
        session.execute(delete(Organization).where(Organization.id == obj.id))
        session.expunge_all()
    else:
        session.delete(obj)
    audit.record(session, user, "delete", entity.name, entity_id, before=before, after=None)
    _commit(session)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _delete_attributes_of(session: Session, obj: Any) -> None:
    """Attributes point to their entity by (link_entity, link_id) without a foreign key:
    remove those of the row being deleted and of the rows its deletion cascades to."""
    linked: list[tuple[str, str]] = [(type(obj).__tablename__, obj.id)]
    if isinstance(obj, Organization):
        linked += [("service", s.id) for s in obj.services]
        linked += [("location", loc.id) for loc in obj.locations]
    for entity_name, entity_id in linked:
        for attribute in session.scalars(select(Attribute).where(
                Attribute.link_entity == entity_name, Attribute.link_id == entity_id)):
            session.delete(attribute)


def _list(entity: _Entity, session: Session, user: User, organization_id: str | None,
          limit: int, offset: int) -> list[dict[str, Any]]:
    model = entity.model
    query = select(model).order_by(model.id)
    if organization_id is not None and hasattr(model, "organization_id"):
        query = query.where(model.organization_id == organization_id)
    if user.role == "curator" and model in (Service, Location):
        query = query.where(model.organization_id.in_(user.organization_ids or ["-"]))
    elif user.role == "curator" and model is Organization:
        query = query.where(model.id.in_(user.organization_ids or ["-"]))
    rows = []
    for obj in session.scalars(query.offset(offset).limit(limit)):
        if user.role == "admin" or model in VERSIONED or _visible(user, _owners(session, obj)):
            rows.append(entity.data(session, obj) | {"etag": etag_of(obj)})
    return rows


def _register(plural: str) -> None:
    entity = _entity(plural)
    fields = entity.fields

    def list_rows(organization_id: str | None = Query(None), limit: int = Query(100, ge=1, le=1000),
                  offset: int = Query(0, ge=0), session: Session = Depends(get_session),
                  user: User = Depends(editor)) -> list[dict[str, Any]]:
        return _list(entity, session, user, organization_id, limit, offset)

    def create(body: fields, response: Response, session: Session = Depends(get_session),  # type: ignore[valid-type]
               user: User = Depends(editor)) -> dict[str, Any]:
        return _create(entity, body, session, user, response)

    def read(entity_id: str, response: Response, session: Session = Depends(get_session),
             user: User = Depends(editor)) -> dict[str, Any]:
        obj = _get(session, entity.model, entity.name, entity_id)
        _ensure_owns(user, _owners(session, obj))
        return _respond(response, obj, entity.data(session, obj))

    def replace(entity_id: str, body: fields, response: Response,  # type: ignore[valid-type]
                if_match: str | None = Header(None), session: Session = Depends(get_session),
                user: User = Depends(editor)) -> dict[str, Any]:
        return _change(entity, entity_id, body, True, session, user, response, if_match)

    def patch(entity_id: str, body: fields, response: Response,  # type: ignore[valid-type]
              if_match: str | None = Header(None), session: Session = Depends(get_session),
              user: User = Depends(editor)) -> dict[str, Any]:
        return _change(entity, entity_id, body, False, session, user, response, if_match)

    def delete(entity_id: str, if_match: str | None = Header(None),
               session: Session = Depends(get_session), user: User = Depends(editor)) -> Response:
        return _delete(entity, entity_id, session, user, if_match)

    for endpoint in (create, replace, patch):
        endpoint.__annotations__["body"] = fields
    name = entity.name
    router.add_api_route(f"/{plural}", list_rows, methods=["GET"], summary=f"List {plural}")
    router.add_api_route(f"/{plural}", create, methods=["POST"], status_code=201,
                         summary=f"Create a {name}")
    router.add_api_route(f"/{plural}/{{entity_id}}", read, methods=["GET"],
                         summary=f"Read a {name} (ETag header)")
    router.add_api_route(f"/{plural}/{{entity_id}}", replace, methods=["PUT"],
                         summary=f"Replace a {name} (If-Match required)")
    router.add_api_route(f"/{plural}/{{entity_id}}", patch, methods=["PATCH"],
                         summary=f"Change fields of a {name} (If-Match required)")
    router.add_api_route(f"/{plural}/{{entity_id}}", delete, methods=["DELETE"], status_code=204,
                         summary=f"Delete a {name} (If-Match required)")


@router.post("/services/{service_id}/verify", summary="Mark a service as verified today")
def verify_service(service_id: str, response: Response, body: VerifyBody | None = None,
                   if_match: str | None = Header(None), session: Session = Depends(get_session),
                   user: User = Depends(editor)) -> dict[str, Any]:
    """Sets `assured_date` (last_verified_at) and `assurer_email` (verified_by): today and
    the caller's e-mail unless the body says otherwise. If-Match is optional here:
    confirming a service is current does not overwrite anyone's edit."""
    service = _get(session, Service, "service", service_id)
    _ensure_owns(user, {service.organization_id})
    if if_match is not None:
        _check_if_match(service, if_match, "service")
    body = body or VerifyBody()
    after = mark_verified(session, service, user, body.assured_date, body.assurer_email)
    _commit(session)
    return _respond(response, service, after)


def mark_verified(session: Session, service: Service, user: User,
                  assured_date: date | None = None,
                  assurer_email: str | None = None) -> dict[str, Any]:
    """"Still accurate": today and the curator's e-mail, audited (the API and the web
    UI's one-click button share it); the caller commits."""
    verifier = assurer_email or user.email
    if not verifier:
        raise _unprocessable("assurer_email", "your account has no e-mail: give assurer_email")
    before = _service_data(session, service)
    _claim(session, service, "service")
    service.assured_date = assured_date or datetime.now(timezone.utc).date()
    service.assurer_email = verifier
    session.flush()
    after = _service_data(session, service)
    audit.record(session, user, "verify", "service", service.id, before=before, after=after)
    return after


@router.post("/hsds/import", summary="Import an HSDS 3.0 package (zip)")
async def import_hsds(file: UploadFile = File(..., description="zip with datapackage.json"),
                      skip_invalid: bool = Query(False, description="import every valid row and "
                                                 "skip the invalid ones (default: all or nothing)"),
                      session: Session = Depends(get_session),
                      user: User = Depends(admin_only)) -> Response:
    """Strict by default: any invalid row and nothing is imported (422 with every problem
    by file and line). With `skip_invalid=true`, valid rows are imported and invalid ones
    reported. One transaction either way. Admins only: a package spans organizations."""
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                            detail=f"the package is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        report = hsds.import_package(session, data, skip_invalid=skip_invalid, actor=user)
    except hsds.PackageError as exc:
        session.rollback()
        raise _unprocessable("file", str(exc)) from None
    if not report.imported:
        session.rollback()
        return Response(json.dumps(report.as_dict(), ensure_ascii=False),
                        status_code=422,
                        media_type="application/json")
    _commit(session)
    return Response(json.dumps(report.as_dict(), ensure_ascii=False),
                    media_type="application/json")


@router.get("/hsds/export", summary="Export the directory as an HSDS 3.0 package (zip)")
def export_hsds(session: Session = Depends(get_session),
                user: User = Depends(admin_only)) -> Response:
    data = hsds.export_zip(session)
    session.rollback()  # export only reads (ensure_taxonomies may add nothing to keep)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="puente-hsds.zip"'})


for _plural in ENTITIES:
    _register(_plural)
