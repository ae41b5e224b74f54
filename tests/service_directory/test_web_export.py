"""The export button (`/ui/export`): the HSDS package of her organizations (admins: the
whole directory) from the CLI's exporter, with each service's staleness limit, and a
package that imports back as it is."""
from __future__ import annotations

import csv
import io
import json
import zipfile

from service_directory.hsds import import_package
from service_directory.models.directory import (Address, Language, Location, Phone, Service,
                                                ServiceAtLocation)
from service_directory.routers.admin_directory import _set_service_types

from .test_web import fresh_throttle, person, sign_in, two_orgs  # noqa: F401


def table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


def with_places(app) -> None:
    with app.sessions.begin() as session:
        for org in ("org-a", "org-b"):
            session.add(Location(id=f"loc-{org}", organization_id=org, name=f"Sede {org}",
                                 latitude=4.6, longitude=-74.08, country="co"))
            session.flush()
            session.add(Address(id=f"adr-{org}", location_id=f"loc-{org}", address_1="Calle 1",
                                city="Bogotá", state_province="Bogotá D.C.", country="CO"))
            session.add(ServiceAtLocation(id=f"sal-{org}", service_id=f"{org}-old",
                                          location_id=f"loc-{org}"))
            session.add(Phone(id=f"ph-{org}", service_id=f"{org}-old", number="+576015551234"))
            session.add(Language(id=f"lang-{org}", service_id=f"{org}-old", code="es"))
            _set_service_types(session, session.get(Service, f"{org}-old"), ["hiv_testing"])
        session.get(Service, "org-a-old").staleness_limit_days = 90


def test_a_curator_downloads_her_organizations_package(two_orgs):
    with_places(two_orgs)
    person(two_orgs, "curator", "olga@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "olga@ngo.example")
    assert 'href="/ui/export"' in two_orgs.client.get("/ui/import").text
    response = two_orgs.client.get("/ui/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert 'filename="puente-hsds-org-a-' in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert [r["id"] for r in table(archive, "organizations.csv")] == ["org-a"]
    services = table(archive, "services.csv")
    assert {r["id"]: r["staleness_limit_days"] for r in services} == {
        "org-a-new": "180", "org-a-old": "90"}
    for name, ids in (("locations.csv", ["loc-org-a"]), ("addresses.csv", ["adr-org-a"]),
                      ("phones.csv", ["ph-org-a"]), ("languages.csv", ["lang-org-a"]),
                      ("service_at_location.csv", ["sal-org-a"])):
        assert [r["id"] for r in table(archive, name)] == ids, name
    linked = {r["link_id"] for r in table(archive, "attributes.csv")}
    assert "org-a-old" in linked and not any("org-b" in link for link in linked)
    assert table(archive, "taxonomy_terms.csv")  # the shared vocabularies come along
    descriptor = json.loads(archive.read("datapackage.json"))
    fields = next(r for r in descriptor["resources"] if r["path"] == "services.csv")["schema"]["fields"]
    assert fields[-1]["name"] == "staleness_limit_days"

    with two_orgs.sessions() as session:  # it imports back as it is
        report = import_package(session, response.content, skip_invalid=False, actor="test")
        session.rollback()
    assert not report.errors
    assert all(c["created"] == 0 and c["updated"] == 0 for c in report.counts.values()), report.counts


def test_an_admin_downloads_everything_and_an_analyst_nothing(two_orgs):
    with_places(two_orgs)
    person(two_orgs, "admin", "pia@ngo.example")
    person(two_orgs, "analyst", "quim@ngo.example")
    sign_in(two_orgs, "pia@ngo.example")
    response = two_orgs.client.get("/ui/export")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert [r["id"] for r in table(archive, "organizations.csv")] == ["org-a", "org-b"]
    assert len(table(archive, "phones.csv")) == 2
    two_orgs.client.cookies.clear()
    sign_in(two_orgs, "quim@ngo.example")
    assert two_orgs.client.get("/ui/export").status_code == 404
