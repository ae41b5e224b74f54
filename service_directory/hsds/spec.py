"""The HSDS 3.0 tabular data package, as the specification defines it.

Transcribed from Open Referral's `datapackage.json` (HSDS 3.0, CC BY-SA 4.0) and the
column headers of its official example package (`examples/csv/`), so that the reader
knows every column of the specification and the exporter writes the specification's
own resource names, file names and column order. Nothing here knows about Puente's
database: `mapping` does that.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field

SPEC_VERSION = "3.0.0"
LICENSE = {
    "url": "https://creativecommons.org/licenses/by-sa/4.0/",
    "type": "CC-BY-SA-4.0",
    "name": "Creative Commons Attribution-ShareAlike 4.0",
}


@dataclass(frozen=True)
class Field:
    """One column: its tabular type, whether the specification requires it, and its
    format or closed list of values when the specification gives one."""

    name: str
    type: str = "string"  # string | number | integer | date | time | datetime
    required: bool = False
    format: str | None = None  # email | uri
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Resource:
    """One table of the package: its resource name, CSV file and columns in order."""

    name: str
    path: str
    fields: tuple[Field, ...]
    foreign_keys: dict[str, str] = dc_field(default_factory=dict)  # column -> resource

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _id() -> Field:
    return Field("id", required=True)


def _s(name: str, required: bool = False, **kw) -> Field:
    return Field(name, "string", required, **kw)


def _n(name: str, required: bool = False) -> Field:
    return Field(name, "number", required)


def _d(name: str) -> Field:
    return Field(name, "date")


STATUS = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")

RESOURCES: tuple[Resource, ...] = (
    Resource("organization", "organizations.csv", (
        _id(), _s("name", True), _s("alternate_name"), _s("description", True),
        _s("email", format="email"), _s("website", format="uri"), _s("tax_status"),
        _s("tax_id"), _n("year_incorporated"), _s("legal_status"), _s("logo"),
        _s("uri", format="uri"), _s("parent_organization_id"),
    ), {"parent_organization_id": "organization"}),
    Resource("program", "programs.csv", (
        _id(), _s("organization_id", True), _s("name", True), _s("alternate_name"),
        _s("description", True),
    ), {"organization_id": "organization"}),
    Resource("service", "services.csv", (
        _id(), _s("organization_id", True), _s("program_id"), _s("name", True),
        _s("alternate_name"), _s("description"), _s("url", format="uri"),
        _s("email", format="email"), _s("status", True, enum=STATUS),
        _s("interpretation_services"), _s("application_process"),
        _s("fees_description"), _s("wait_time"), _s("fees"), _s("accreditations"),
        _s("eligibility_description"), _n("minimum_age"), _n("maximum_age"),
        _d("assured_date"), _s("assurer_email", format="email"), _s("licenses"),
        _s("alert"), Field("last_modified", "datetime"),
    ), {"organization_id": "organization", "program_id": "program"}),
    Resource("attribute", "attributes.csv", (
        _id(), _s("link_id", True), _s("taxonomy_term_id", True), _s("link_type", True),
        _s("link_entity", True), _s("value"), _s("label"),
    ), {"taxonomy_term_id": "taxonomy_term"}),
    Resource("service_at_location", "service_at_location.csv", (
        _id(), _s("service_id", True), _s("location_id", True), _s("description"),
    ), {"service_id": "service", "location_id": "location"}),
    Resource("location", "locations.csv", (
        _id(), _s("location_type", True, enum=LOCATION_TYPES), _s("url", format="uri"),
        _s("organization_id"), _s("name"), _s("alternate_name"), _s("description"),
        _s("transportation"), _n("latitude"), _n("longitude"),
        _s("external_identifier"), _s("external_identifier_type"),
    ), {"organization_id": "organization"}),
    Resource("phone", "phones.csv", (
        _id(), _s("location_id"), _s("service_id"), _s("organization_id"),
        _s("contact_id"), _s("service_at_location_id"), _s("number", True),
        _n("extension"), _s("type"), _s("description"),
    ), {"location_id": "location", "service_id": "service",
        "organization_id": "organization", "contact_id": "contact",
        "service_at_location_id": "service_at_location"}),
    Resource("contact", "contacts.csv", (
        _id(), _s("organization_id"), _s("service_id"), _s("service_at_location_id"),
        _s("location_id"), _s("name"), _s("title"), _s("department"),
        _s("email", format="email"),
    ), {"organization_id": "organization", "service_id": "service",
        "service_at_location_id": "service_at_location", "location_id": "location"}),
    Resource("address", "addresses.csv", (
        _id(), _s("location_id"), _s("attention"), _s("address_1", True),
        _s("address_2"), _s("city", True), _s("region"), _s("state_province", True),
        _s("postal_code", True), _s("country", True),
        _s("address_type", True, enum=LOCATION_TYPES),
    ), {"location_id": "location"}),
    Resource("schedule", "schedules.csv", (
        _id(), _s("service_id"), _s("location_id"), _s("service_at_location_id"),
        _d("valid_from"), _d("valid_to"), _d("dtstart"), _n("timezone"), _d("until"),
        Field("count", "integer"), _s("wkst"), _s("freq"), _n("interval"), _s("byday"),
        _s("byweekno"), _s("bymonthday"), _s("byyearday"), _s("description"),
        Field("opens_at", "time"), Field("closes_at", "time"),
        _s("schedule_link", format="uri"), _s("attending_type"), _s("notes"),
    ), {"service_id": "service", "location_id": "location",
        "service_at_location_id": "service_at_location"}),
    Resource("funding", "funding.csv", (
        _id(), _s("organization_id"), _s("service_id"), _s("source"),
    ), {"organization_id": "organization", "service_id": "service"}),
    Resource("service_area", "service_areas.csv", (
        _id(), _s("service_id"), _s("service_at_location_id"), _s("name"),
        _s("description"), _s("extent"), _s("extent_type"), _s("uri"),
    ), {"service_id": "service", "service_at_location_id": "service_at_location"}),
    Resource("required_document", "required_documents.csv", (
        _id(), _s("service_id"), _s("document"), _s("uri", format="uri"),
    ), {"service_id": "service"}),
    Resource("language", "languages.csv", (
        _id(), _s("service_id"), _s("location_id"), _s("phone_id"), _s("name"),
        _s("code"), _s("note"),
    ), {"service_id": "service", "location_id": "location", "phone_id": "phone"}),
    Resource("accessibility", "accessibility.csv", (
        _id(), _s("location_id"), _s("description"), _s("details"),
        _s("url", format="uri"),
    ), {"location_id": "location"}),
    Resource("taxonomy_term", "taxonomy_terms.csv", (
        _id(), _s("code"), _s("name", True), _s("description", True), _s("parent_id"),
        _s("taxonomy"), _s("language"), _s("taxonomy_id"), _s("term_uri", format="uri"),
    ), {"parent_id": "taxonomy_term", "taxonomy_id": "taxonomy"}),
    Resource("metadata", "metadata.csv", (
        _id(), _s("resource_id", True), _s("resource_type", True),
        Field("last_action_date", "datetime", True), _s("last_action_type", True),
        _s("field_name", True), _s("previous_value", True),
        _s("replacement_value", True), _s("updated_by", True),
    )),
    Resource("meta_table_description", "meta_table_descriptions.csv", (
        _id(), _s("name"), _s("language"), _s("character_set"),
    )),
    Resource("cost_option", "cost_options.csv", (
        _id(), _s("service_id", True), _d("valid_from"), _d("valid_to"), _s("option"),
        _s("currency"), _n("amount"), _s("amount_description"),
    ), {"service_id": "service"}),
    Resource("organization_identifier", "organization_identifiers.csv", (
        _id(), _s("organization_id", True), _s("identifier_scheme"),
        _s("identifier_type", True), _s("identifier", True),
    ), {"organization_id": "organization"}),
    Resource("taxonomy", "taxonomies.csv", (
        _id(), _s("name", True), _s("description", True), _s("uri", format="uri"),
        _s("version"),
    )),
)

BY_NAME: dict[str, Resource] = {r.name: r for r in RESOURCES}
BY_PATH: dict[str, Resource] = {r.path: r for r in RESOURCES}


def resource(name: str) -> Resource:
    """The specification's resource called `name` (KeyError names the known ones)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"HSDS has no resource {name!r}; known: {', '.join(BY_NAME)}") from None


def datapackage_descriptor(names: list[str] | tuple[str, ...]) -> dict:
    """The `datapackage.json` of a package holding the resources `names`, in the
    specification's order and shape (name, path, format, schema with fields)."""
    wanted = set(names)
    resources = []
    for res in RESOURCES:
        if res.name not in wanted:
            continue
        fields = []
        for f in res.fields:
            entry: dict = {"name": f.name, "type": f.type}
            if f.format:
                entry["format"] = f.format
            constraints: dict = {"required": f.required}
            if f.name == "id":
                constraints["unique"] = True
            if f.enum:
                constraints["enum"] = list(f.enum)
            entry["constraints"] = constraints
            fields.append(entry)
        schema: dict = {"primaryKey": "id", "fields": fields}
        if res.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": col, "reference": {"resource": target, "fields": "id"}}
                for col, target in res.foreign_keys.items()
            ]
        resources.append({
            "name": res.name,
            "path": res.path,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": schema,
        })
    return {
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "profile": "tabular-data-package",
        "version": SPEC_VERSION,
        "license": dict(LICENSE),
        "resources": resources,
    }
