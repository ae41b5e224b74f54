"""HSDS import and export against real SQLite and PostgreSQL databases.

Fixtures `db_engine`/`db_session` (conftest.py) give a migrated database of each
backend, emptied after every test.
"""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service_directory.db import session_scope
from service_directory.hsds import export_folder, export_zip, import_package, package_files
from service_directory.models.accounts import AuditEntry
from service_directory.models.directory import (
    Attribute, Language, Location, Organization, Phone, Service, TaxonomyTerm,
)

DATA = Path(__file__).parent / "data"
OFFICIAL = DATA / "hsds_official"
SMALL = DATA / "hsds_small"


def _import(engine, origin, **kw):
    with session_scope(engine) as session:
        report = import_package(session, origin, **kw)
        if not report.imported:
            session.rollback()
    return report


def _count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def _copy_small(tmp_path: Path) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(SMALL, target)
    return target


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(line + "\n")


def test_official_example_strict_imports_nothing_and_names_latitude_100(db_session, db_engine):
    report = _import(db_engine, OFFICIAL)
    assert not report.imported and report.mode == "strict"
    texts = [str(p) for p in report.errors]
    assert ("locations.csv line 2: latitude: latitude 100 is out of range: it must be "
            "between -90 and 90") in texts
    # rows that depend on the bad location are reported against it, by file and line
    assert any(t.startswith("phones.csv line 2: location_id: refers to location")
               and "(locations.csv line 2)" in t for t in texts)
    assert "nothing imported (strict mode)" in report.summary()
    assert _count(db_engine, Organization) == 0 and _count(db_engine, Service) == 0


def test_official_example_skip_invalid_imports_every_valid_row(db_session, db_engine):
    report = _import(db_engine, OFFICIAL, skip_invalid=True)
    assert report.imported and report.errors
    assert "skip-invalid" in report.summary()
    with session_scope(db_engine) as session:
        service = session.get(Service, "ac148810-d857-441c-9679-408f346de14b")
        assert service.name == "Community Counselling"
        assert service.assured_date.isoformat() == "2005-01-01"
        assert "£50" in service.fees_description
        org = session.get(Organization, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
        assert org.parent_organization_id is None  # dangling parent dropped, with a note
        assert session.get(Location, "3a19ff88-4620-4d17-9830-ac1d859eb5d5") is None
    assert any("parent_organization_id" in str(n) for n in report.notes)
    assert any("programs.csv" in str(n) for n in report.notes)


def test_small_package_maps_types_flags_languages_and_phones(db_session, db_engine):
    report = _import(db_engine, SMALL)
    assert report.imported and report.errors == [], report.summary()
    with session_scope(db_engine) as session:
        hiv = session.get(Service, "svc-sample-hiv")
        assert hiv.name == "Prueba de VIH gratuita – ñandú (SAMPLE)"
        assert hiv.serves_undocumented is True and hiv.free_of_charge is True
        assert hiv.lgbtqi_friendly is None  # not given: unknown, not "no"
        assert session.get(Service, "svc-sample-tb").free_of_charge is False
        types = session.scalars(select(TaxonomyTerm.code).join(
            Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id).where(
            Attribute.link_id == "svc-sample-hiv")).all()
        assert types == ["hiv_testing"]  # safety attributes are columns, not rows
        assert sorted(session.scalars(select(Language.code).where(
            Language.service_id == "svc-sample-tb"))) == ["es", "ht"]
        assert session.get(Phone, "ph-sample-2").number == "+18095550100"  # read in DO
        location = session.get(Location, "loc-sample-cucuta")
        assert location.country == "co" and location.timezone == "America/Bogota"


def test_reimport_updates_rows_in_place_and_never_duplicates(db_session, db_engine, tmp_path):
    _import(db_engine, SMALL)
    counts = {m: _count(db_engine, m) for m in (Organization, Service, Attribute, Language)}
    package = _copy_small(tmp_path)
    services = package / "services.csv"
    services.write_text(services.read_text(encoding="utf-8").replace(
        "PrEP sin documentos (SAMPLE)", "PrEP sin papeles (SAMPLE)"), encoding="utf-8")
    report = _import(db_engine, package)
    assert report.counts["service"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert {m: _count(db_engine, m) for m in counts} == counts
    with session_scope(db_engine) as session:
        prep = session.get(Service, "svc-sample-prep")
        assert prep.name == "PrEP sin papeles (SAMPLE)" and prep.version == 2
        assert session.get(Service, "svc-sample-hiv").version == 1
    again = _import(db_engine, package)
    assert again.counts["service"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_duplicate_ids_are_reported_with_both_lines(db_session, db_engine, tmp_path):
    package = _copy_small(tmp_path)
    _append(package / "organizations.csv", "org-sample-sdq,Otra (SAMPLE),,,,")
    report = _import(db_engine, package)
    assert not report.imported
    assert [str(p) for p in report.errors] == [
        "organizations.csv line 4: id: duplicate id org-sample-sdq (first at line 3); ids "
        "must be unique"]
    assert _count(db_engine, Organization) == 0


def test_every_bad_row_is_reported_and_skip_invalid_imports_the_rest(db_session, db_engine, tmp_path):
    package = _copy_small(tmp_path)
    _append(package / "locations.csv", "loc-bad,physical,org-sample-sdq,Bad,12.5,-200,")
    _append(package / "phones.csv", "ph-bad,,svc-sample-tb,12345,voice")
    _append(package / "services.csv", "svc-bad,org-missing,Sin org,x,active,2026-13-01,,")
    _append(package / "taxonomy_terms.csv", "term-bad,hiv_test,HIV?,,tax-types")
    _append(package / "attributes.csv", "attr-bad,svc-sample-tb,term-undoc,safety,service,maybe")
    _append(package / "languages.csv", "lang-bad,svc-sample-tb,Klingon,tlh-x")
    strict = _import(db_engine, package)
    assert not strict.imported and _count(db_engine, Service) == 0
    by_file = {(p.file, p.line, p.column) for p in strict.errors}
    assert {("locations.csv", 4, "longitude"), ("phones.csv", 4, "number"),
            ("services.csv", 5, "assured_date"), ("services.csv", 5, "organization_id"),
            ("taxonomy_terms.csv", 7, "code"), ("attributes.csv", 8, "value"),
            ("languages.csv", 5, "code")} <= by_file
    messages = " | ".join(str(p) for p in strict.errors)
    assert "'hiv_test' is not a service type" in messages
    assert "no organization with id org-missing" in messages
    lenient = _import(db_engine, package, skip_invalid=True)
    assert lenient.imported and lenient.invalid_rows == strict.invalid_rows
    assert _count(db_engine, Service) == 3 and _count(db_engine, Location) == 2


def test_export_import_export_gives_identical_files(db_session, db_engine):
    _import(db_engine, SMALL)
    _import(db_engine, OFFICIAL, skip_invalid=True)
    with session_scope(db_engine) as session:
        first = package_files(session)
        zipped = export_zip(session)
    with db_engine.begin() as conn:  # empty the directory, keep nothing but the export
        from service_directory.db import Base
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    report = _import(db_engine, zipped)
    assert report.imported and report.errors == [], report.summary()
    with session_scope(db_engine) as session:
        second = package_files(session)
        assert export_zip(session) == zipped
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    assert "Tès TB (SAMPLE)" in first["services.csv"].decode("utf-8")
    assert first["organizations.csv"].startswith(
        b"id,name,alternate_name,description,email,website,tax_status,tax_id,")


def test_export_writes_the_puente_profile(db_session, db_engine, tmp_path):
    _import(db_engine, SMALL)
    with session_scope(db_engine) as session:
        export_folder(session, tmp_path / "out")
    attributes = (tmp_path / "out" / "attributes.csv").read_text(encoding="utf-8")
    assert ",svc-sample-hiv,puente-safety:serves_undocumented,safety,service,true," in attributes
    assert ",svc-sample-tb,puente-safety:free_of_charge,safety,service,false," in attributes
    assert "attr-sample-1,svc-sample-hiv,puente-service-type:hiv_testing,service_type,service" \
        in attributes
    terms = (tmp_path / "out" / "taxonomy_terms.csv").read_text(encoding="utf-8")
    assert "puente-service-type:mental_health,mental_health," in terms
    descriptor = (tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8")
    assert '"path": "service_at_location.csv"' in descriptor


def test_an_import_is_audited_as_a_whole_and_row_by_row(db_session, db_engine, tmp_path):
    report = _import(db_engine, SMALL)
    with session_scope(db_engine) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "hsds_import"))
        assert entry.actor == "cli"
        assert entry.after["counts"]["service"]["created"] == 3
        created = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "import_create", AuditEntry.entity_type == "service")).all()
        assert sorted(e.entity_id for e in created) == sorted(
            session.scalars(select(Service.id)).all())
        assert all(e.before is None and e.after["id"] == e.entity_id for e in created)
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "import_create")) == sum(
                c["created"] for c in report.counts.values())

    package = _copy_small(tmp_path)
    services = package / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[2], "Renamed by the NGO", 1)
    services.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _import(db_engine, package)
    with session_scope(db_engine) as session:
        updates = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "import_update")).all()
        assert [(e.entity_type, e.after["name"]) for e in updates] == [
            ("service", "Renamed by the NGO")]
        assert updates[0].before["name"] != "Renamed by the NGO"
        assert updates[0].after["version"] == updates[0].before["version"] + 1


@pytest.mark.parametrize("bad", ["not a zip", b"PK\x03\x04broken"])
def test_unreadable_upload_is_a_clear_error(db_session, db_engine, bad):
    from service_directory.hsds import PackageError

    with pytest.raises(PackageError, match="not a zip"):
        _import(db_engine, bad.encode() if isinstance(bad, str) else bad)


def test_the_same_term_twice_on_a_service_is_imported_once(db_session, db_engine, tmp_path):
    package = _copy_small(tmp_path)
    _append(package / "attributes.csv", "attr-again,svc-sample-hiv,term-hiv,service_type,service,")
    report = _import(db_engine, package)
    assert report.imported and report.errors == []
    assert any("already has this term" in str(n) for n in report.notes)
    with session_scope(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(Attribute).where(
            Attribute.link_id == "svc-sample-hiv")) == 1


def test_a_file_without_a_needed_column_is_one_clear_error(db_session, db_engine, tmp_path):
    package = _copy_small(tmp_path)
    (package / "services.csv").write_text("id,name\nsvc-x,Sin organización\n", encoding="utf-8")
    report = _import(db_engine, package, skip_invalid=True)
    assert [str(p) for p in report.errors if p.file == "services.csv"] == [
        "services.csv line 1: header has no organization_id column: Puente cannot keep "
        "service rows without it; 1 row(s) not imported"]
    assert _count(db_engine, Service) == 0 and _count(db_engine, Organization) == 2


def test_an_address_without_province_and_an_old_phone_are_warnings_not_rejections(
        db_session, db_engine, tmp_path):
    """A Caribbean NGO's package: Port of Spain has no state_province (Trinidad and
    Tobago has none) and a phone is in a national format with no country to read it."""
    package = _copy_small(tmp_path)
    _append(package / "locations.csv", "loc-pos,physical,org-sample-sdq,Port of Spain office,10.6596,-61.5019,")
    _append(package / "addresses.csv", "adr-pos,loc-pos,1 Frederick Street,Port of Spain,,,TT,physical")
    _append(package / "phones.csv", "ph-old,,svc-sample-tb,623-4567,voice")
    report = _import(db_engine, package)
    assert report.imported and report.errors == []
    notes = {(p.file, p.column): p.message for p in report.notes}
    assert "filled with" in notes[("addresses.csv", "state_province")]
    assert "kept as written" in notes[("phones.csv", "number")]
    assert _count(db_engine, Location) == 3
