"""Which HSDS resources Puente keeps, in which table, and how their rows refer to each other.

The directory's tables carry the specification's names (`models/directory.py`), so a
resource maps to one model and a column to the attribute of the same name. Resources
Puente does not keep (program, contact, funding, ...) are read and reported, never
an error.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Date, DateTime, Float, Integer, String, Text, Time

from ..models.directory import (
    Address,
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
)
from . import spec

MODELS = {
    "organization": Organization,
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "location": Location,
    "service": Service,
    "service_at_location": ServiceAtLocation,
    "address": Address,
    "phone": Phone,
    "schedule": Schedule,
    "language": Language,
    "attribute": Attribute,
}
"""Kept resources in dependency order: a row refers only to rows of earlier resources
(or of its own, for parents)."""

ORDER = tuple(MODELS)

# References whose target must exist (in the package or the directory): the row
# belongs to its target, so a dangling one makes the row invalid.
HARD_REFERENCES: dict[str, dict[str, str]] = {
    "location": {"organization_id": "organization"},
    "service": {"organization_id": "organization"},
    "service_at_location": {"service_id": "service", "location_id": "location"},
    "address": {"location_id": "location"},
    "phone": {"location_id": "location", "service_id": "service",
              "organization_id": "organization",
              "service_at_location_id": "service_at_location"},
    "schedule": {"service_id": "service", "location_id": "location",
                 "service_at_location_id": "service_at_location"},
    "language": {"service_id": "service", "location_id": "location", "phone_id": "phone"},
    "attribute": {"taxonomy_term_id": "taxonomy_term"},
}
# Informative links: a dangling one is dropped with a note, the row is kept.
SOFT_REFERENCES: dict[str, dict[str, str]] = {
    "organization": {"parent_organization_id": "organization"},
    "taxonomy_term": {"parent_id": "taxonomy_term", "taxonomy_id": "taxonomy"},
}
# What an attribute's `link_entity` may name.
LINKABLE = ("organization", "service", "location", "service_at_location", "phone",
            "address", "schedule", "language", "taxonomy_term")

# Puente's own columns on top of HSDS 3.0, read back when a package has them: the web
# export writes `staleness_limit_days` in services.csv (declared in its
# datapackage.json), so a package exported, edited and imported keeps each limit.
EXTENSIONS: dict[str, dict[str, tuple[int, int]]] = {
    "service": {"staleness_limit_days": (1, 3650)},  # allowed range, as the admin API's
}


@lru_cache(maxsize=None)
def read_columns(resource: str) -> tuple[str, ...]:
    """The columns the importer reads: the stored HSDS columns and Puente's own."""
    return stored_columns(resource) + tuple(EXTENSIONS.get(resource, ()))


@lru_cache(maxsize=None)
def stored_columns(resource: str) -> tuple[str, ...]:
    """The specification's columns of `resource` that its table keeps, in spec order."""
    table = MODELS[resource].__table__
    names = set(table.columns.keys())
    return tuple(c for c in spec.resource(resource).column_names if c in names)


@lru_cache(maxsize=None)
def column_kind(resource: str, column: str) -> tuple[str, int | None]:
    """('string'|'integer'|'number'|'date'|'time'|'datetime', max length) of a stored column."""
    col = MODELS[resource].__table__.columns[column]
    kind = col.type
    if isinstance(kind, Integer):
        return "integer", None
    if isinstance(kind, Float):
        return "number", None
    if isinstance(kind, DateTime):
        return "datetime", None
    if isinstance(kind, Date):
        return "date", None
    if isinstance(kind, Time):
        return "time", None
    if isinstance(kind, String) and not isinstance(kind, Text):
        return "string", kind.length
    return "string", None


@lru_cache(maxsize=None)
def required_columns(resource: str) -> tuple[str, ...]:
    """Columns the table cannot store empty (NOT NULL without a default)."""
    table = MODELS[resource].__table__
    return tuple(
        c.name for c in table.columns
        if not c.nullable and c.default is None and c.server_default is None
        and not c.primary_key and c.name in stored_columns(resource)
    )
