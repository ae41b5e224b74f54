"""Import an HSDS 3.0 tabular package into the directory, in one transaction.

Two modes, chosen by the caller and stated in the report:
- strict (the default, and the API's): if any row is invalid, nothing is written;
- skip-invalid: every valid row is written, every invalid one is reported and skipped
  (with the rows that depend on it: a phone of an invalid location is invalid too).

Rows are matched by `id`: importing the same package again updates rows in place and
creates nothing new. Import only adds and updates; it never deletes what the package
leaves out. A column the file does not have leaves the stored value as it is; a
column present but empty clears it.

Puente's profile (DESIGN.md, "Service directory"): attributes pointing to terms of the
taxonomy `puente-service-type` give a service its types (the code must be a known
service type); attributes pointing to `puente-safety` terms set the service's safety
flag named by the term's code to the attribute's `value` (`true`/`false`). The two
Puente taxonomies are canonical: their terms are matched by code, whatever ids the
package gives them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .. import audit
from ..db import refresh_statistics
from ..models.directory import (
    SAFETY_TAXONOMY,
    SERVICE_TYPE_TAXONOMY,
    Attribute,
    Taxonomy,
    TaxonomyTerm,
    ensure_taxonomies,
    timezone_at,
)
from . import mapping, spec, values
from .reader import Package, Problem, Row, read_package
from .texts import N_, Text, text_of

PUENTE_TAXONOMIES = (SERVICE_TYPE_TAXONOMY, SAFETY_TAXONOMY)
_CHUNK = 500


@dataclass
class ImportReport:
    """What an import did: mode, per-resource counts, every error and note."""

    mode: str  # "strict" | "skip-invalid"
    imported: bool = False
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def invalid_rows(self) -> int:
        """Rows (or whole files) with at least one error."""
        return len({(p.file, p.line) for p in self.errors})

    def summary(self) -> str:
        if self.mode == "strict" and self.errors:
            head = (f"nothing imported (strict mode): {self.invalid_rows} invalid row(s) "
                    f"({len(self.errors)} problem(s)); fix them, or import with "
                    "--skip-invalid to import every valid row and skip these")
        elif self.errors:
            head = (f"imported every valid row (skip-invalid mode); {self.invalid_rows} "
                    "invalid row(s) skipped")
        else:
            head = "imported (no invalid rows)"
        lines = [head]
        for resource, count in self.counts.items():
            lines.append(f"  {resource}: {count['created']} created, {count['updated']} "
                         f"updated, {count['unchanged']} unchanged")
        lines += [f"error: {p}" for p in self.errors]
        lines += [f"note: {p}" for p in self.notes]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "imported": self.imported, "counts": self.counts,
                "invalid_rows": self.invalid_rows,
                "errors": [p.as_dict() | {"text": str(p)} for p in self.errors],
                "notes": [p.as_dict() | {"text": str(p)} for p in self.notes]}


def import_package(session: Session, origin: str | Path | bytes, *, skip_invalid: bool = False,
                   actor: audit.Actor = "cli") -> ImportReport:
    """Validate the package at `origin` and write it through `session` (not committed).

    The caller commits (or rolls back) the one transaction; in strict mode with errors
    nothing is written and `report.imported` is False. Raises `reader.PackageError`
    when the package cannot be read at all.
    """
    package = read_package(origin)
    plan = _Plan(session, package, skip_invalid)
    plan.validate()
    report = plan.report
    if report.errors and not skip_invalid:
        return report
    plan.apply(actor)
    report.imported = True
    audit.record(session, actor, "hsds_import", "hsds_package", None, before=None,
                 after={"mode": report.mode, "counts": report.counts,
                        "skipped_rows": report.invalid_rows})
    session.flush()
    if any(count["created"] for count in report.counts.values()):
        refresh_statistics(session.connection())  # new rows: tell the planner (db.py)
    return report


class _Plan:
    def __init__(self, session: Session, package: Package, skip_invalid: bool) -> None:
        self.session = session
        self.package = package
        self.report = ImportReport(mode="skip-invalid" if skip_invalid else "strict",
                                   errors=list(package.errors), notes=list(package.notes))
        self.valid: dict[str, dict[str, dict[str, Any]]] = {r: {} for r in mapping.ORDER}
        self.present: dict[str, set[str]] = {r: set() for r in mapping.ORDER}
        self.invalid_lines: dict[str, dict[str, int]] = {r: {} for r in mapping.ORDER}
        self.lines: dict[str, dict[str, int]] = {r: {} for r in mapping.ORDER}
        self.taxonomy_remap: dict[str, str] = {}
        self.term_remap: dict[str, str] = {}
        self.term_taxonomy: dict[str, str | None] = {}
        self.flags: dict[str, dict[str, bool]] = defaultdict(dict)
        self.skipped_attributes: set[str] = set()
        self._attribute_keys: dict[tuple[str, str, str], str] = {}
        self._address_countries: dict[str, str] | None = None
        self._term_codes: dict[str, str] = {}
        self._stored_attribute_keys: dict[tuple[str, str, str], list[str]] | None = None
        self._db_cache: dict[str, set[str]] = {r: set() for r in mapping.ORDER}
        self._db_missing: dict[str, set[str]] = {r: set() for r in mapping.ORDER}

    # ---------------------------------------------------------------- validation
    def validate(self) -> None:
        tables = self.package.tables
        for name, table in tables.items():
            if name not in mapping.MODELS:
                self._note(table.path, Text(N_("HSDS resource {name} is not kept by Puente; {rows} "
                                          "row(s) not imported"), name=repr(name),
                                       rows=len(table.rows)))
                continue
            unknown = [c for c in table.unknown_columns if c not in mapping.EXTENSIONS.get(name, {})]
            if unknown:
                self._note(table.path, Text(N_("columns not in HSDS 3.0 ignored: {columns}"),
                                       columns=", ".join(unknown)))
            unkept = [c for c in spec.resource(name).column_names
                      if c in table.columns and c not in mapping.stored_columns(name)
                      and any(r.values.get(c) for r in table.rows)]
            if unkept:
                self._note(table.path, Text(N_("HSDS columns Puente does not keep (values not "
                                          "imported): {columns}"), columns=", ".join(unkept)))
        ensure_taxonomies(self.session)
        converted: dict[str, list[tuple[Row, dict[str, Any], list[Problem]]]] = {}
        for name in mapping.ORDER:
            table = tables.get(name)
            converted[name] = [] if table is None else self._convert_table(name, table)
        self._resolve_taxonomies(converted["taxonomy"], converted["taxonomy_term"])
        self._soft_links("taxonomy_term")
        for name in mapping.ORDER:
            if name in ("taxonomy", "taxonomy_term"):
                continue
            path = tables[name].path if name in tables else spec.resource(name).path
            for row, vals, problems in converted[name]:
                self._check_row(name, path, row, vals, problems)
            self._soft_links(name)
        self.report.errors.sort(key=lambda p: (p.file, p.line or 0))

    def _convert_table(self, name: str, table) -> list[tuple[Row, dict[str, Any], list[Problem]]]:
        """Typed values of every row with an id, and the problems found in its cells
        (rows of the taxonomies with problems are reported and dropped here)."""
        out = []
        first_line: dict[str, int] = {}
        columns = [c for c in mapping.read_columns(name) if c in table.columns]
        self.present[name] = set(columns)
        missing = [c for c in ("id",) + mapping.required_columns(name) if c not in table.columns]
        if missing:
            self._error(table.path, 1, Text(N_("header has no {columns} column: Puente cannot "
                                              "keep {table} rows without it; {rows} row(s) "
                                              "not imported"), columns=", ".join(missing),
                                           table=name, rows=len(table.rows)))
            for row in table.rows:
                if row.values.get("id"):
                    self.invalid_lines[name].setdefault(row.values["id"], row.line)
            return out
        for row in table.rows:
            vals, problems = self._convert_row(name, table.path, row, columns)
            row_id = row.values.get("id")
            if row_id and row_id in first_line:
                problems.append(Problem(table.path, row.line, Text(
                    N_("duplicate id {id} (first at line {line}); ids must be unique"),
                    id=row_id, line=first_line[row_id]), "id"))
            elif row_id:
                first_line[row_id] = row.line
            if problems and (name in ("taxonomy", "taxonomy_term") or not row_id):
                self.report.errors.extend(problems)
                if row_id:
                    self.invalid_lines[name].setdefault(row_id, row.line)
                continue
            vals["id"] = row_id
            out.append((row, vals, problems))
            self.lines[name].setdefault(row_id, row.line)
        return out

    def _convert_row(self, name: str, path: str, row: Row,
                     columns: list[str]) -> tuple[dict[str, Any], list[Problem]]:
        problems: list[Problem] = []
        vals: dict[str, Any] = {}
        res = spec.resource(name)
        extensions = mapping.EXTENSIONS.get(name, {})
        for column in columns:
            text = row.values.get(column)
            if text is None:
                if column not in extensions:  # Puente's own column left empty: kept as is
                    vals[column] = None
                continue
            if column in extensions:
                low, high = extensions[column]
                try:
                    vals[column] = values.integer(text)
                except ValueError as exc:
                    problems.append(Problem(path, row.line, text_of(exc), column))
                    continue
                if not low <= vals[column] <= high:
                    problems.append(Problem(path, row.line, Text(
                        N_("must be between {low} and {high}; it is {value}"), low=low,
                        high=high, value=vals.pop(column)), column))
                continue
            try:
                vals[column] = self._convert_cell(name, res.field(column), column, text, row)
            except ValueError as exc:
                if name == "phone" and column == "number" and 7 <= sum(
                        ch.isdigit() for ch in text) <= 15:
                    # a number in an old or national format (no country to read it in)
                    # is worth a look, not the loss of the row; too few digits stays an error
                    vals[column] = text.strip()
                    self.report.notes.append(Problem(
                        path, row.line, Text(N_("{problem}; kept as written: check it"),
                                             problem=text_of(exc)), column))
                    continue
                problems.append(Problem(path, row.line, text_of(exc), column))
        if not row.values.get("id"):
            problems.append(Problem(path, row.line, Text(N_("is empty; every row needs an id")),
                                    "id"))
        if name == "address" and "state_province" in vals and not vals["state_province"]:
            vals["state_province"] = self._fill_state_province(path, row, vals)
        for column in mapping.required_columns(name):
            if column in vals and vals[column] is None and column not in {p.column for p in problems}:
                problems.append(Problem(path, row.line, Text(N_("is empty; Puente needs it")),
                                        column))
        if name == "location" and not problems:
            if (vals.get("latitude") is None) != (vals.get("longitude") is None):
                problems.append(Problem(path, row.line, Text(N_(
                    "give both latitude and longitude, or neither")), "latitude"))
        return vals, problems

    def _convert_cell(self, name: str, fld: spec.Field | None, column: str, text: str,
                      row: Row) -> Any:
        kind, length = mapping.column_kind(name, column)
        if kind == "integer":
            value: Any = values.integer(text)
        elif kind == "number":
            value = values.number(text)
        elif kind == "date":
            value = values.iso_date(text)
        elif kind == "time":
            value = values.clock_time(text)
        elif kind == "datetime":
            value = values.iso_datetime(text)
        else:
            value = text
        if fld is not None and fld.enum and value not in fld.enum:
            raise ValueError(Text(N_("{value} is not one of {known}"), value=repr(text),
                                  known=", ".join(fld.enum)))
        if fld is not None and fld.format == "email":
            value = values.email(value)
        elif fld is not None and fld.format == "uri" and column != "uri":
            value = values.url(value)
        if name == "location" and column == "latitude":
            value = values.latitude(value)
        elif name == "location" and column == "longitude":
            value = values.longitude(value)
        elif name == "phone" and column == "number":
            value = values.phone_e164(value, self._phone_region(row))
        elif name == "language" and column == "code":
            value = values.language_code(value)
        elif name == "address" and column == "country":
            value = values.country_code(value)
        elif name == "schedule" and column == "wkst":
            value = values.week_start(value)
        elif name == "schedule" and column == "freq":
            value = values.frequency(value)
        elif name == "schedule" and column == "byday":
            value = values.by_day(value)
        if isinstance(value, str) and length is not None and len(value) > length:
            raise ValueError(Text(N_("is {count} characters long; at most {length} fit"),
                                  count=len(value), length=length))
        return value

    def _fill_state_province(self, path: str, row: Row, vals: dict[str, Any]) -> str:
        """Some countries have no provinces (Trinidad and Tobago): an empty
        state_province takes the city's name as the gazetteer knows it (else as written)
        and is noted, never a rejected row."""
        from .. import gazetteer

        city, country = vals.get("city") or "", (vals.get("country") or "").lower() or None
        found = gazetteer.resolve(city, country) if city else None
        filled = found.place.name if found is not None and found.place is not None else city
        self.report.notes.append(Problem(
            path, row.line, Text(N_("is empty; filled with {value} from the city (check it)"),
                                 value=repr(filled)),
            "state_province"))
        return filled

    def _phone_region(self, row: Row) -> str | None:
        """The country of the phone's location, from the package's addresses, if any:
        a national number is read as that country's."""
        if self._address_countries is None:
            self._address_countries = {}
            addresses = self.package.tables.get("address")
            for address in addresses.rows if addresses else ():
                location_id, country = address.values.get("location_id"), address.values.get("country")
                if location_id and country:
                    self._address_countries.setdefault(location_id, country)
        return self._address_countries.get(row.values.get("location_id") or "")

    def _resolve_taxonomies(self, taxonomies, terms) -> None:
        session = self.session
        path_term = self._path("taxonomy_term")
        names = {vals["name"] for _, vals, _ in taxonomies}
        by_name = {t.name: t.id for t in session.scalars(
            select(Taxonomy).where(Taxonomy.name.in_(names | set(PUENTE_TAXONOMIES))))}
        tax_names: dict[str, str] = {}
        for row, vals, _ in taxonomies:
            existing = by_name.get(vals["name"])
            if existing is not None and existing != vals["id"]:
                self.taxonomy_remap[vals["id"]] = existing
            if vals["name"] in PUENTE_TAXONOMIES or (existing and existing != vals["id"]):
                tax_names[vals["id"]] = vals["name"]
                continue  # canonical taxonomy: matched by name, not rewritten
            tax_names[vals["id"]] = vals["name"]
            self.valid["taxonomy"][vals["id"]] = vals
        for tax_id, tax_name in session.execute(select(Taxonomy.id, Taxonomy.name)):
            tax_names.setdefault(tax_id, tax_name)
        canonical = {(t.taxonomy_ref.name if t.taxonomy_ref else t.taxonomy, t.code): t.id
                     for t in session.scalars(select(TaxonomyTerm).where(
                         TaxonomyTerm.taxonomy_id.in_([by_name[n] for n in PUENTE_TAXONOMIES
                                                       if n in by_name])))}
        for row, vals, _ in terms:
            tax_id = vals.get("taxonomy_id")
            if tax_id:
                tax_id = self.taxonomy_remap.get(tax_id, tax_id)
                if tax_id not in tax_names:
                    self._note(path_term, Text(N_("taxonomy_id: no taxonomy with id {id}; link "
                                             "dropped"), id=tax_id), row.line)
                    tax_id = None
                vals["taxonomy_id"] = tax_id
            tax_name = tax_names.get(tax_id) if tax_id else vals.get("taxonomy")
            self.term_taxonomy[vals["id"]] = tax_name
            if tax_name in PUENTE_TAXONOMIES:
                check = values.service_type if tax_name == SERVICE_TYPE_TAXONOMY else values.safety_flag
                try:
                    code = check(vals.get("code") or "")
                except ValueError as exc:
                    self._error(path_term, row.line, Text(N_("{problem} (term of {taxonomy})"),
                                                           problem=text_of(exc),
                                                           taxonomy=tax_name), "code")
                    self.invalid_lines["taxonomy_term"][vals["id"]] = row.line
                    continue
                self.term_remap[vals["id"]] = canonical[(tax_name, code)]
                continue
            same = self.session.scalar(select(TaxonomyTerm.id).where(
                TaxonomyTerm.taxonomy_id == tax_id, TaxonomyTerm.code == vals.get("code"),
                TaxonomyTerm.id != vals["id"])) if tax_id and vals.get("code") else None
            if same is not None:
                self.term_remap[vals["id"]] = same  # the directory has this term already
                continue
            self.valid["taxonomy_term"][vals["id"]] = vals

    def _check_row(self, name: str, path: str, row: Row, vals: dict[str, Any],
                   problems: list[Problem]) -> None:
        problems = list(problems)
        duplicate = any(p.column == "id" for p in problems)
        for column, target in mapping.HARD_REFERENCES.get(name, {}).items():
            ref = vals.get(column)
            if ref is None:
                continue
            if target == "taxonomy_term":
                ref = self.term_remap.get(ref, ref)
                vals[column] = ref
            problem = self._reference_problem(path, row, column, target, ref)
            if problem:
                problems.append(problem)
        if name == "phone" and not any(vals.get(c) for c in mapping.HARD_REFERENCES["phone"]):
            problems.append(Problem(path, row.line, Text(N_(
                "a phone must belong to a service, location or organization")), "service_id"))
        if name == "attribute" and not problems:
            problems += self._check_attribute(path, row, vals)
        if problems:
            self.report.errors.extend(problems)
            if not duplicate:
                self.invalid_lines[name].setdefault(vals["id"], row.line)
            return
        if name == "attribute" and vals["id"] in self.skipped_attributes:
            return
        self.valid[name][vals["id"]] = vals

    def _soft_links(self, name: str) -> None:
        """Drop informative links (parents) whose target is neither valid here nor stored."""
        for column, target in mapping.SOFT_REFERENCES.get(name, {}).items():
            if column == "taxonomy_id":
                continue  # resolved with the taxonomies
            for row_id, vals in self.valid[name].items():
                ref = vals.get(column)
                if ref and target == "taxonomy_term":
                    ref = vals[column] = self.term_remap.get(ref, ref)
                if ref and ref not in self.valid[target] and not self._in_db(target, ref):
                    self._note(self._path(name), Text(N_("{column}: no valid {table} with id {id}; "
                                                       "link dropped"), column=column,
                                                    table=target, id=ref),
                               self.lines[name].get(row_id))
                    vals[column] = None

    def _reference_problem(self, path: str, row: Row, column: str, target: str,
                           ref: str) -> Problem | None:
        if ref in self.valid[target]:
            return None
        if ref in self.invalid_lines[target]:
            return Problem(path, row.line, Text(
                N_("refers to {table} {id}, which is invalid ({file} line {line})"),
                table=target, id=ref, file=self._path(target),
                line=self.invalid_lines[target][ref]), column)
        if self._in_db(target, ref):
            return None
        return Problem(path, row.line, Text(
            N_("no {table} with id {id} in this package or in the directory"),
            table=target, id=ref), column)

    def _check_attribute(self, path: str, row: Row, vals: dict[str, Any]) -> list[Problem]:
        entity = (vals.get("link_entity") or "").strip().lower()
        if entity not in mapping.LINKABLE:
            return [Problem(path, row.line, Text(
                N_("{value} is not a table an attribute can describe; use one of {known}"),
                value=repr(vals.get("link_entity")), known=", ".join(mapping.LINKABLE)),
                "link_entity")]
        vals["link_entity"] = entity
        problem = self._reference_problem(path, row, "link_id", entity, vals["link_id"])
        if problem:
            return [problem]
        term_id = vals["taxonomy_term_id"]
        tax_name = self._taxonomy_of_term(term_id)
        if tax_name in PUENTE_TAXONOMIES and entity != "service":
            return [Problem(path, row.line, Text(
                N_("terms of {taxonomy} describe services; link_entity must be service"),
                taxonomy=tax_name), "link_entity")]
        if tax_name == SAFETY_TAXONOMY:
            try:
                flag = values.boolean_word(vals.get("value"))
            except ValueError as exc:
                return [Problem(path, row.line, Text(
                    N_("{problem}: a safety flag's value must be true or false"),
                    problem=text_of(exc)), "value")]
            code = self._term_code(term_id)
            self.flags[vals["link_id"]][code] = flag
            self.skipped_attributes.add(vals["id"])  # the service's column is the truth
            return []
        key = (entity, vals["link_id"], term_id)
        same = self._attribute_keys.get(key) or next(
            (other for other in self._stored_attributes().get(key, ()) if other != vals["id"]),
            None)
        if same is not None and same != vals["id"]:
            self._note(path, Text(N_("{table} {id} already has this term (attribute {other}); "
                                     "row not imported twice"), table=entity,
                                  id=vals["link_id"], other=same), row.line)
            self.skipped_attributes.add(vals["id"])
            return []
        self._attribute_keys[key] = vals["id"]
        return []

    def _stored_attributes(self) -> dict[tuple[str, str, str], list[str]]:
        """Attribute ids already in the directory for the entities this package
        describes, by (link_entity, link_id, term): loaded once, in chunks."""
        if self._stored_attribute_keys is None:
            self._stored_attribute_keys = defaultdict(list)
            table = self.package.tables.get("attribute")
            link_ids = sorted({r.values["link_id"] for r in table.rows
                               if r.values.get("link_id")}) if table else []
            for start in range(0, len(link_ids), _CHUNK):
                for row in self.session.execute(
                        select(Attribute.id, Attribute.link_entity, Attribute.link_id,
                               Attribute.taxonomy_term_id)
                        .where(Attribute.link_id.in_(link_ids[start:start + _CHUNK]))):
                    key = (row.link_entity, row.link_id, row.taxonomy_term_id)
                    self._stored_attribute_keys[key].append(row.id)
        return self._stored_attribute_keys

    def _taxonomy_of_term(self, term_id: str) -> str | None:
        if term_id in self.term_taxonomy:
            return self.term_taxonomy[term_id]
        term = self.session.get(TaxonomyTerm, term_id)
        name = None
        if term is not None:
            name = term.taxonomy_ref.name if term.taxonomy_ref else term.taxonomy
        self.term_taxonomy[term_id] = name
        return name

    def _term_code(self, term_id: str) -> str:
        if term_id not in self._term_codes:
            term = self.session.get(TaxonomyTerm, term_id)
            self._term_codes[term_id] = (term.code if term is not None
                                         else self.valid["taxonomy_term"][term_id]["code"])
        return self._term_codes[term_id]

    def _in_db(self, resource: str, ref: str) -> bool:
        if ref in self._db_cache[resource]:
            return True
        if ref in self._db_missing[resource]:
            return False
        model = mapping.MODELS[resource]
        found = self.session.scalar(select(model.id).where(model.id == ref)) is not None
        (self._db_cache if found else self._db_missing)[resource].add(ref)
        return found

    # ------------------------------------------------------------------- writing
    def apply(self, actor: audit.Actor) -> None:
        """Write the valid rows; every created or changed row gets its own audit entry
        (before and after), as an edit through the admin API does."""
        session = self.session
        countries = self._location_countries()
        for name in mapping.ORDER:
            rows = self.valid[name]
            counts = {"created": 0, "updated": 0, "unchanged": 0}
            model = mapping.MODELS[name]
            ids = sorted(rows, key=self._parent_first(name))
            existing = self._load(model, ids)
            new_rows: list[dict[str, Any]] = []
            for row_id in ids:
                vals = dict(rows[row_id])
                vals = {k: v for k, v in vals.items() if k in self.present[name] or k == "id"}
                if name == "location" and row_id in countries:
                    vals["country"] = countries[row_id]
                obj = existing.get(row_id)
                if obj is None:
                    if name == "service":
                        vals.update(self.flags.get(row_id, {}))
                    new_rows.append(vals)
                    counts["created"] += 1
                    audit.record(session, actor, "import_create", name, row_id,
                                 before=None, after=vals)
                    continue
                before = audit.snapshot(obj)
                changed = _update(obj, vals)
                if name == "service" and self._apply_flags(obj):
                    changed = True
                if changed and hasattr(obj, "version") and name != "taxonomy":
                    obj.version = (obj.version or 1) + 1
                if changed:
                    audit.record(session, actor, "import_update", name, row_id,
                                 before=before, after=audit.snapshot(obj))
                counts["updated" if changed else "unchanged"] += 1
            session.flush()
            self._insert(name, new_rows)
            if name == "service":
                self._flags_of_stored_services(set(rows))
            if rows or name in self.package.tables:
                self.report.counts[name] = counts

    def _insert(self, name: str, new_rows: list[dict[str, Any]]) -> None:
        """Insert new rows in batches (Core INSERT, column defaults applied): an
        import of thousands of rows must not build thousands of ORM objects. Parents
        come first (rows are in parent-first order) so self-references hold."""
        if not new_rows:
            return
        model = mapping.MODELS[name]
        columns = set(model.__table__.columns.keys())
        if name == "location":
            for vals in new_rows:  # what the model's before_insert hook would fill
                if vals.get("latitude") is not None and vals.get("longitude") is not None:
                    vals["timezone"] = timezone_at(vals["latitude"], vals["longitude"])
        # One statement per set of keys: executemany needs the same columns per row.
        batches: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for vals in new_rows:
            batches[tuple(sorted(k for k in vals if k in columns))].append(vals)
        self_ref = {"organization": "parent_organization_id", "taxonomy_term": "parent_id"}.get(name)
        if self_ref:  # keep parent-first order across batches: one row at a time
            for vals in new_rows:
                self.session.execute(insert(model), [vals])
            return
        for keys, batch in batches.items():
            self.session.execute(insert(model), [{k: v[k] for k in keys} for v in batch])

    def _parent_first(self, name: str):
        column = {"organization": "parent_organization_id", "taxonomy_term": "parent_id"}.get(name)
        rows = self.valid[name]

        def depth(row_id: str) -> tuple[int, str]:
            level, seen, current = 0, {row_id}, row_id
            while column and (parent := rows.get(current, {}).get(column)) in rows \
                    and parent not in seen:
                level, current = level + 1, parent
                seen.add(parent)
            return level, row_id

        return depth

    def _load(self, model, ids: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            for obj in self.session.scalars(select(model).where(model.id.in_(chunk))):
                found[obj.id] = obj
        return found

    def _apply_flags(self, service) -> bool:
        changed = False
        for flag, value in self.flags.get(service.id, {}).items():
            if getattr(service, flag) != value:
                setattr(service, flag, value)
                changed = True
        return changed

    def _flags_of_stored_services(self, in_package: set[str]) -> None:
        """Safety flags the package sets on services it does not itself contain."""
        from ..models.directory import Service

        for service_id in sorted(set(self.flags) - in_package):
            service = self.session.get(Service, service_id)
            if service is not None and self._apply_flags(service):
                service.version = (service.version or 1) + 1
        self.session.flush()

    def _location_countries(self) -> dict[str, str]:
        """A location's country (for search's country filter) from its package address,
        physical addresses first."""
        countries: dict[str, str] = {}
        for vals in sorted(self.valid["address"].values(),
                           key=lambda v: (v.get("address_type") != "physical", v["id"])):
            if vals.get("location_id") and vals.get("country"):
                countries.setdefault(vals["location_id"], vals["country"].lower())
        return countries

    # ----------------------------------------------------------------- reporting
    def _path(self, resource: str) -> str:
        table = self.package.tables.get(resource)
        return table.path if table else spec.resource(resource).path

    def _error(self, path: str, line: int | None, message: str, column: str | None = None) -> None:
        self.report.errors.append(Problem(path, line, message, column))

    def _note(self, path: str, message: str, line: int | None = None) -> None:
        self.report.notes.append(Problem(path, line, message))


def _update(obj: Any, vals: dict[str, Any]) -> bool:
    changed = False
    for key, value in vals.items():
        if key == "id":
            continue
        current = getattr(obj, key)
        if _same(current, value):
            continue
        setattr(obj, key, value)
        changed = True
    return changed


def _same(current: Any, new: Any) -> bool:
    if current == new:
        return True
    # SQLite hands back naive datetimes for aware ones: compare in UTC.
    from datetime import datetime, timezone

    if isinstance(current, datetime) and isinstance(new, datetime):
        a = current if current.tzinfo else current.replace(tzinfo=timezone.utc)
        b = new if new.tzinfo else new.replace(tzinfo=timezone.utc)
        return a == b
    return False
