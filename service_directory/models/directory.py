"""The service directory, aligned with Open Referral HSDS 3.0.

Tables and columns carry the specification's names (table `organization`, column
`address_1`, `assured_date`, ...) so the HSDS import/export maps one to one. On top of
HSDS, `service` carries the migrant-safety flags as real boolean columns (None means
"unknown", which is not the same as "no"), a staleness limit and a `version` for
optimistic concurrency; `location` carries its IANA timezone and ISO country so search
can tell "open now" in local time and filter by country without joining addresses.

Service types are `attribute` rows (`link_entity='service'`) pointing to terms of the
taxonomy `puente-service-type`; the HSDS exchange also mirrors the safety flags as
attributes of `puente-safety`, but here the columns are the source of truth.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timezone
from functools import lru_cache

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base

SERVICE_TYPE_TAXONOMY = "puente-service-type"
SAFETY_TAXONOMY = "puente-safety"
SERVICE_TYPES = (
    "hiv_testing",
    "hiv_treatment",
    "prep",
    "pep",
    "tb_testing",
    "tb_treatment",
    "sti_testing",
    "contraception",
    "prenatal_care",
    "gbv_care",
    "mental_health",
)
SAFETY_FLAGS = (
    "serves_undocumented",
    "free_of_charge",
    "confidential_no_immigration_reporting",
    "lgbtqi_friendly",
    "sex_worker_friendly",
    "youth_friendly",
)
DEFAULT_STALENESS_DAYS = 180


def new_id() -> str:
    """HSDS ids are strings; we mint UUID4s."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Organization(_Timestamps, Base):
    """An NGO, ministry or clinic network that provides services (HSDS `organization`)."""

    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(400))
    alternate_name: Mapped[str | None] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(2000))
    tax_status: Mapped[str | None] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(200))
    year_incorporated: Mapped[int | None] = mapped_column(Integer)
    legal_status: Mapped[str | None] = mapped_column(String(200))
    logo: Mapped[str | None] = mapped_column(String(2000))
    uri: Mapped[str | None] = mapped_column(String(2000))
    parent_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Not HSDS: its curators may also keep the entitlements (rights) current in the web UI.
    legal_partner: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    services: Mapped[list[Service]] = relationship(back_populates="organization")
    locations: Mapped[list[Location]] = relationship(back_populates="organization")


class Service(_Timestamps, Base):
    """A service one organization provides (HSDS `service`) plus migrant-safety facts."""

    __tablename__ = "service"
    __table_args__ = (Index("ix_service_organization_id", "organization_id"),
                      Index("ix_service_name_id", "name", "id"),
                      Index("ix_service_assured_date_name", "assured_date", "name"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    program_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(400))
    alternate_name: Mapped[str | None] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    email: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(40), default="active", server_default="active")
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    alert: Mapped[str | None] = mapped_column(Text)
    # HSDS verification: assured_date = last_verified_at, assurer_email = verified_by.
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(320))
    last_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Migrant safety: None = unknown (never shown as "yes").
    serves_undocumented: Mapped[bool | None] = mapped_column(Boolean)
    free_of_charge: Mapped[bool | None] = mapped_column(Boolean)
    confidential_no_immigration_reporting: Mapped[bool | None] = mapped_column(Boolean)
    lgbtqi_friendly: Mapped[bool | None] = mapped_column(Boolean)
    sex_worker_friendly: Mapped[bool | None] = mapped_column(Boolean)
    youth_friendly: Mapped[bool | None] = mapped_column(Boolean)
    staleness_limit_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_STALENESS_DAYS, server_default=str(DEFAULT_STALENESS_DAYS)
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    organization: Mapped[Organization] = relationship(back_populates="services")
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(
        back_populates="service", cascade="all, delete-orphan",
        foreign_keys="Phone.service_id",
    )
    schedules: Mapped[list[Schedule]] = relationship(
        back_populates="service", cascade="all, delete-orphan",
        foreign_keys="Schedule.service_id",
    )
    languages: Mapped[list[Language]] = relationship(
        back_populates="service", cascade="all, delete-orphan",
        foreign_keys="Language.service_id",
    )

    # DESIGN names, for code that speaks Puente rather than HSDS.
    @property
    def last_verified_at(self) -> date | None:
        return self.assured_date

    @property
    def verified_by(self) -> str | None:
        return self.assurer_email


class Location(_Timestamps, Base):
    """A physical place (HSDS `location`), with its IANA timezone and ISO country.

    The composite index on (latitude, longitude) backs search's bounding-box prefilter.
    """

    __tablename__ = "location"
    __table_args__ = (
        Index("ix_location_latitude_longitude", "latitude", "longitude"),
        Index("ix_location_country", "country"),
        Index("ix_location_organization_id", "organization_id", sqlite_where=text("organization_id IS NOT NULL"),
              postgresql_where=text("organization_id IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    location_type: Mapped[str] = mapped_column(
        String(40), default="physical", server_default="physical"
    )
    url: Mapped[str | None] = mapped_column(String(2000))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    name: Mapped[str | None] = mapped_column(String(400))
    alternate_name: Mapped[str | None] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(String(200))
    external_identifier_type: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    organization: Mapped[Organization | None] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )


class ServiceAtLocation(Base):
    """Where a service is delivered (HSDS `service_at_location`)."""

    __tablename__ = "service_at_location"
    __table_args__ = (
        Index("ix_service_at_location_service_id", "service_id"),
        # Covering: nearby locations → their services without touching the table.
        Index("ix_service_at_location_location_id", "location_id", "service_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    location_id: Mapped[str] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations")


class Address(Base):
    """A postal or physical address of a location (HSDS `address`)."""

    __tablename__ = "address"
    __table_args__ = (Index("ix_address_location_id", "location_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE")
    )
    attention: Mapped[str | None] = mapped_column(String(400))
    address_1: Mapped[str] = mapped_column(String(400))
    address_2: Mapped[str | None] = mapped_column(String(400))
    city: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    state_province: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    address_type: Mapped[str] = mapped_column(
        String(40), default="physical", server_default="physical"
    )

    location: Mapped[Location | None] = relationship(back_populates="addresses")


class Phone(Base):
    """A telephone number (HSDS `phone`), E.164 in `number`."""

    __tablename__ = "phone"
    __table_args__ = (
        Index("ix_phone_service_id", "service_id"),
        Index("ix_phone_location_id", "location_id", sqlite_where=text("location_id IS NOT NULL"),
              postgresql_where=text("location_id IS NOT NULL")),
        Index("ix_phone_organization_id", "organization_id", sqlite_where=text("organization_id IS NOT NULL"),
              postgresql_where=text("organization_id IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    contact_id: Mapped[str | None] = mapped_column(String(64))
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE")
    )
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(20))
    type: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(
        back_populates="phones", foreign_keys=[service_id]
    )


class Schedule(Base):
    """Opening hours (HSDS `schedule`, iCal RRULE-like: freq/byday/opens_at/closes_at).

    Times are local to the location (its `timezone`); `valid_from`/`valid_to` bound the
    dates the rule applies.
    """

    __tablename__ = "schedule"
    __table_args__ = (
        Index("ix_schedule_service_id", "service_id"),
        Index("ix_schedule_location_id", "location_id", sqlite_where=text("location_id IS NOT NULL"),
              postgresql_where=text("location_id IS NOT NULL")),
        # Hours are looked up by service_at_location on every search (benchmarks/search.py).
        Index("ix_schedule_service_at_location_id", "service_at_location_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE")
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[float | None] = mapped_column(Float)  # HSDS: UTC offset, informative
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    wkst: Mapped[str | None] = mapped_column(String(2))
    freq: Mapped[str | None] = mapped_column(String(10))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(40))
    byweekno: Mapped[str | None] = mapped_column(String(200))
    bymonthday: Mapped[str | None] = mapped_column(String(200))
    byyearday: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    schedule_link: Mapped[str | None] = mapped_column(String(2000))
    attending_type: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(
        back_populates="schedules", foreign_keys=[service_id]
    )


class Language(Base):
    """A language spoken at a service (HSDS `language`, ISO 639-1 `code`)."""

    __tablename__ = "language"
    __table_args__ = (
        Index("ix_language_service_id_code", "service_id", "code"),
        Index("ix_language_location_id", "location_id", sqlite_where=text("location_id IS NOT NULL"),
              postgresql_where=text("location_id IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    phone_id: Mapped[str | None] = mapped_column(ForeignKey("phone.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(
        back_populates="languages", foreign_keys=[service_id]
    )


class Taxonomy(Base):
    """A vocabulary of terms (HSDS `taxonomy`), e.g. `puente-service-type`."""

    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(2000))
    version: Mapped[str | None] = mapped_column(String(40))

    terms: Mapped[list[TaxonomyTerm]] = relationship(back_populates="taxonomy_ref")


class TaxonomyTerm(Base):
    """A term of a taxonomy (HSDS `taxonomy_term`); `code` is e.g. `hiv_testing`."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (Index("ix_taxonomy_term_taxonomy_id_code", "taxonomy_id", "code", unique=True),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    code: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="SET NULL")
    )
    taxonomy: Mapped[str | None] = mapped_column(String(200))  # HSDS: taxonomy name
    language: Mapped[str | None] = mapped_column(String(10))
    taxonomy_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomy.id", ondelete="CASCADE"))
    term_uri: Mapped[str | None] = mapped_column(String(2000))

    taxonomy_ref: Mapped[Taxonomy | None] = relationship(back_populates="terms")


class Attribute(Base):
    """Links a taxonomy term to any entity (HSDS `attribute`): a service's types, ..."""

    __tablename__ = "attribute"
    __table_args__ = (
        Index("ix_attribute_link_id_link_entity", "link_id", "link_entity"),
        Index("ix_attribute_taxonomy_term_id", "taxonomy_term_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(String(64))
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE")
    )
    link_type: Mapped[str | None] = mapped_column(String(200))
    link_entity: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(400))

    taxonomy_term: Mapped[TaxonomyTerm] = relationship()


@lru_cache(maxsize=1)
def _timezone_finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


def timezone_at(latitude: float, longitude: float) -> str | None:
    """IANA timezone name at a point (offline, timezonefinder); None at sea."""
    return _timezone_finder().timezone_at(lat=latitude, lng=longitude)


@event.listens_for(Location, "before_insert")
@event.listens_for(Location, "before_update")
def _fill_location_timezone(_mapper, _connection, location: Location) -> None:
    """Search needs local time for "open now": fill the timezone when it is missing."""
    if location.country:
        location.country = location.country.lower()
    if not location.timezone and location.latitude is not None and location.longitude is not None:
        location.timezone = timezone_at(location.latitude, location.longitude)


def ensure_taxonomies(session) -> dict[str, TaxonomyTerm]:
    """Create the Puente taxonomies and their terms when absent; return service-type terms by code.

    Idempotent: called by sample loading, the HSDS import and tests.
    """
    from sqlalchemy import select

    terms: dict[str, TaxonomyTerm] = {}
    for tax_name, codes, description in (
        (SERVICE_TYPE_TAXONOMY, SERVICE_TYPES, "Puente service types (DESIGN.md)"),
        (SAFETY_TAXONOMY, SAFETY_FLAGS, "Puente migrant-safety flags (DESIGN.md)"),
    ):
        taxonomy = session.scalar(select(Taxonomy).where(Taxonomy.name == tax_name))
        if taxonomy is None:
            taxonomy = Taxonomy(id=f"{tax_name}", name=tax_name, description=description)
            session.add(taxonomy)
            session.flush()
        existing = {
            t.code: t
            for t in session.scalars(
                select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == taxonomy.id)
            )
        }
        for code in codes:
            term = existing.get(code)
            if term is None:
                term = TaxonomyTerm(
                    id=f"{tax_name}:{code}", code=code, name=code.replace("_", " "),
                    taxonomy=tax_name, taxonomy_id=taxonomy.id,
                )
                session.add(term)
            if tax_name == SERVICE_TYPE_TAXONOMY:
                terms[code] = term
    session.flush()
    return terms
