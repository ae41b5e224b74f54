"""Discrimination reports: filed by the bot, reviewed by the right curators, erased on request."""
from __future__ import annotations

import pytest

from service_directory.config import get_settings
from service_directory.models.directory import Location, Organization, Service, ServiceAtLocation
from service_directory.models.reports import DiscriminationReport

PSEUDONYM = "a" * 64


def internal() -> dict[str, str]:
    return {"X-Puente-Internal": get_settings().app_secret}


@pytest.fixture
def directory(accounts_app):
    """Two organizations with one service each, in Cúcuta (co)."""
    ids = {}
    with accounts_app.sessions.begin() as session:
        for key, org_name, service_name in (("a", "NGO A", "Clínica Esperanza (SAMPLE)"),
                                            ("b", "NGO B", "Centro Salud Frontera (SAMPLE)")):
            org = Organization(name=org_name)
            service = Service(organization=org, name=service_name)
            place = Location(name=service_name, country="co", latitude=7.89, longitude=-72.5)
            session.add_all([org, service, place, ServiceAtLocation(service=service, location=place)])
            session.flush()
            ids[key] = (org.id, service.id)
    return ids


def file_report(app, **fields) -> dict:
    body = {"pseudonym": PSEUDONYM, "description": "They asked for my papers and sent me away",
            "country": "co", "language": "es", **fields}
    response = app.client.post("/v1/reports", json=body, headers=internal())
    assert response.status_code == 201, response.text
    return response.json()


def test_filing_a_report_needs_the_internal_secret(accounts_app, directory):
    body = {"service_id": directory["a"][1], "description": "x"}
    assert accounts_app.client.post("/v1/reports", json=body).status_code == 401
    wrong = accounts_app.client.post("/v1/reports", json=body, headers={"X-Puente-Internal": "guess"})
    assert wrong.status_code == 403


def test_report_needs_a_service_and_a_description(accounts_app):
    missing = accounts_app.client.post("/v1/reports", json={"description": "bad"}, headers=internal())
    assert missing.status_code == 422 and "service_id or service_name" in missing.json()["detail"]
    unknown = accounts_app.client.post("/v1/reports", json={"description": "bad", "service_id": "nope"},
                                       headers=internal())
    assert unknown.status_code == 422


def test_report_by_name_is_matched_to_the_one_service_with_that_name(accounts_app, directory):
    filed = file_report(accounts_app, service_name="clínica esperanza (sample)")
    assert filed["matched_service"] and filed["service_id"] == directory["a"][1]
    unmatched = file_report(accounts_app, service_name="Hospital Desconocido")
    assert not unmatched["matched_service"]


@pytest.mark.parametrize("typed", ["la clinica esperanza de cucuta", "CLINICA ESPERANZA",
                                   "Clínica Esperanza, la que queda en el centro"])
def test_a_name_as_she_types_it_finds_the_one_service_it_means(accounts_app, directory, typed):
    filed = file_report(accounts_app, service_name=typed)
    assert filed["service_id"] == directory["a"][1], typed


@pytest.mark.parametrize("typed", ["la clinica", "centro de salud", "esperanza"])
def test_a_name_that_could_be_several_or_too_little_stays_for_an_admin(accounts_app, directory,
                                                                       typed):
    with accounts_app.sessions.begin() as session:  # a second "Esperanza" in the country
        org = Organization(name="NGO C")
        service = Service(organization=org, name="Centro de Salud Esperanza")
        place = Location(name="Esperanza", country="co", latitude=7.9, longitude=-72.5)
        session.add_all([org, service, place, ServiceAtLocation(service=service, location=place)])
    assert not file_report(accounts_app, service_name=typed)["matched_service"], typed


def test_curator_sees_only_reports_about_their_organizations(accounts_app, directory):
    mine = file_report(accounts_app, service_id=directory["a"][1])
    other = file_report(accounts_app, service_id=directory["b"][1])
    _, key = accounts_app.user("curator", orgs=(directory["a"][0],))
    listed = accounts_app.client.get("/admin/reports", headers=accounts_app.headers(key)).json()
    assert [r["id"] for r in listed] == [mine["id"]]
    assert all("pseudonym" not in r for r in listed)
    own = accounts_app.client.get(f"/admin/reports/{mine['id']}", headers=accounts_app.headers(key))
    assert own.status_code == 200 and own.json()["description"].startswith("They asked")
    cross = accounts_app.client.get(f"/admin/reports/{other['id']}", headers=accounts_app.headers(key))
    assert cross.status_code == 403
    cross_resolve = accounts_app.client.post(f"/admin/reports/{other['id']}/resolve", json={"note": "x"},
                                             headers=accounts_app.headers(key))
    assert cross_resolve.status_code == 403


def test_admin_sees_every_report_and_unknown_id_is_404(accounts_app, directory):
    file_report(accounts_app, service_id=directory["a"][1])
    file_report(accounts_app, service_name="Hospital Desconocido")
    _, key = accounts_app.user("admin")
    assert len(accounts_app.client.get("/admin/reports", headers=accounts_app.headers(key)).json()) == 2
    missing = accounts_app.client.get("/admin/reports/nope", headers=accounts_app.headers(key))
    assert missing.status_code == 404 and missing.json()["detail"] == "no report with id nope"


def test_curator_resolves_a_report_with_a_note_and_it_is_audited(accounts_app, directory):
    report = file_report(accounts_app, service_id=directory["a"][1])
    _, key = accounts_app.user("curator", name="Cata", orgs=(directory["a"][0],))
    resolved = accounts_app.client.post(f"/admin/reports/{report['id']}/resolve",
                                        json={"note": "Talked to the clinic director"},
                                        headers=accounts_app.headers(key))
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    again = accounts_app.client.post(f"/admin/reports/{report['id']}/resolve", json={"note": "x"},
                                     headers=accounts_app.headers(key))
    assert again.status_code == 409
    _, admin_key = accounts_app.user("admin")
    log = accounts_app.client.get("/admin/audit", params={"entity_id": report["id"]},
                                  headers=accounts_app.headers(admin_key)).json()
    assert [row["action"] for row in log] == ["resolve", "create"]
    assert log[0]["before"]["status"] == "open" and log[0]["after"]["status"] == "resolved"
    assert log[0]["actor"].startswith("user:Cata") and log[1]["actor"] == "internal:bot"
    assert all("pseudonym" not in (row["after"] or {}) for row in log)


def test_deleting_a_person_unlinks_their_reports(accounts_app, directory):
    file_report(accounts_app, service_id=directory["a"][1])
    file_report(accounts_app, service_id=directory["b"][1])
    file_report(accounts_app, service_id=directory["b"][1], pseudonym="b" * 64)
    assert accounts_app.client.delete(f"/v1/people/{PSEUDONYM}").status_code == 401
    response = accounts_app.client.delete(f"/v1/people/{PSEUDONYM}", headers=internal())
    assert response.status_code == 200
    assert response.json() == {"erased": True, "reports_unlinked": 2, "reminder_plans_erased": 0}
    with accounts_app.sessions() as session:
        pseudonyms = sorted(str(r.pseudonym) for r in session.query(DiscriminationReport))
    assert pseudonyms == ["None", "None", "b" * 64]
    again = accounts_app.client.delete(f"/v1/people/{PSEUDONYM}", headers=internal()).json()
    assert again["reports_unlinked"] == 0
