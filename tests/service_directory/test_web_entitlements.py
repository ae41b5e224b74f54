"""The statements of rights in the curators' web (`/ui/entitlements`): who may keep
them (admins, curators of legal partners), the lists, the form with the admin API's
own rules, and no silent overwrite when two people edit the same statement."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from service_directory.models.accounts import AuditEntry
from service_directory.models.directory import Organization
from service_directory.models.entitlements import Entitlement

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs, version_of  # noqa: F401


@pytest.fixture
def statements(two_orgs):
    """Three statements: Brazil's SUS (catalog text), Peru for people without papers (its
    own text, reviewed long ago) and Colombia's emergency care (marked for review)."""
    today = date.today()
    with two_orgs.sessions.begin() as session:
        session.add(Entitlement(
            id="br-sus", country="br", service_type="hiv_testing", entitled="yes", cost="free",
            documents=["none"], guidance_key="rights_guidance_br_sus",
            source_url="https://www.gov.br/saude", last_reviewed=today - timedelta(days=30),
            reviewer="Rede Somos", needs_local_review=False))
        session.add(Entitlement(
            id="pe-irregular", country="pe", service_type="hiv_treatment", situation="irregular",
            entitled="partial", cost="copay", guidance={"es": "Pide el SIS.", "en": "Ask for SIS."},
            source_url="https://www.gob.pe/minsa", last_reviewed=today - timedelta(days=500),
            reviewer="Minsa", needs_local_review=False))
        session.add(Entitlement(
            id="co-emergency", country="co", service_type="emergency_care", entitled="yes",
            cost="free", guidance_key="rights_guidance_emergency_any",
            source_url="https://www.minsalud.gov.co", last_reviewed=today - timedelta(days=90),
            reviewer="Profamilia", needs_local_review=True))
    return two_orgs


def titles(html: str) -> list[str]:
    return re.findall(r'<strong><a href="/ui/entitlements/([a-z-]+)">', html)


def test_only_admins_and_curators_of_legal_partners_keep_the_rights(statements):
    client = statements.client
    person(statements, "curator", "ana@ngo.example", orgs=("org-a",))
    person(statements, "admin", "bo@ngo.example")
    sign_in(statements, "ana@ngo.example")
    assert client.get("/ui/entitlements").status_code == 404
    assert client.get("/ui/entitlements/br-sus").status_code == 404
    assert "/ui/entitlements" not in client.get("/ui/").text
    curator = dict(client.cookies)

    client.cookies.clear()
    sign_in(statements, "bo@ngo.example")
    page = client.get("/ui/entitlements").text
    assert 'id="partners"' in page and 'href="/ui/organizations"' in page  # marked there
    org_page = client.get("/ui/organizations").text
    assert client.post("/ui/organizations/org-a/legal-partner", data={"legal_partner": "1"},
                       follow_redirects=False).status_code == 403  # no CSRF token
    assert client.post("/ui/organizations/org-a/legal-partner", data={
        "legal_partner": "1", "version": "1", "csrf": csrf_of(org_page)},
        follow_redirects=False).status_code == 303
    with statements.sessions() as session:
        org = session.get(Organization, "org-a")
        assert org.legal_partner is True and org.version == 2
        assert session.scalar(select(AuditEntry.action).where(
            AuditEntry.entity_id == "org-a")) == "update"

    client.cookies.clear()
    client.cookies.update(curator)
    page = client.get("/ui/entitlements").text
    assert titles(page) == ["br-sus", "co-emergency", "pe-irregular"]
    assert 'id="partners"' not in page  # only admins mark partners
    assert client.post("/ui/organizations/org-b/legal-partner", data={
        "legal_partner": "1", "csrf": csrf_of(page)}, follow_redirects=False).status_code == 404


def test_statements_filter_by_country_type_and_situation_and_review_goes_oldest_first(statements):
    person(statements, "admin", "cy@ngo.example")
    sign_in(statements, "cy@ngo.example")
    get = statements.client.get
    assert titles(get("/ui/entitlements?country=pe").text) == ["pe-irregular"]
    assert titles(get("/ui/entitlements?type=hiv_testing").text) == ["br-sus"]
    assert titles(get("/ui/entitlements?situation=irregular").text) == ["pe-irregular"]
    assert titles(get("/ui/entitlements?situation=everyone").text) == ["br-sus", "co-emergency"]
    listed = get("/ui/entitlements?country=br").text
    assert "Go to a UBS health post" in listed and "https://www.gov.br/saude" in listed
    assert "reviewed 30 days ago" in listed
    # marked for review, or reviewed over a year ago; the oldest review first
    assert titles(get("/ui/entitlements/review").text) == ["pe-irregular", "co-emergency"]
    spanish = get("/ui/entitlements?country=br&lang=es").text
    assert "Declaraciones de derechos" in spanish and "Ve a una UBS" in spanish
    assert "revisada hace 30 días" in spanish


def form_of(html: str) -> dict:
    """Every field of the statement form as the browser would send it."""
    data: dict = {}
    for name, value in re.findall(r'<input name="([a-z_]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(r'<input name="([a-z_]+)" type="(?:url|date)" value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<select name="([a-z_]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, text in re.findall(r'<textarea name="([a-z_]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = text
    data["documents"] = re.findall(r'name="documents" value="([a-z_]+)" checked', html)
    if 'name="needs_local_review" value="1" checked' in html:
        data["needs_local_review"] = "1"
    return data


def test_the_form_shows_five_languages_keeps_the_api_rules_and_saves(statements):
    from html import unescape

    person(statements, "admin", "di@ngo.example")
    sign_in(statements, "di@ngo.example")
    client = statements.client
    page = client.get("/ui/entitlements/br-sus").text
    for text in ("Go to a UBS health post", "Ve a una UBS (puesto de salud)"):
        assert text in page  # the catalog's text, in each language
    assert len(re.findall(r'<textarea name="guidance_(en|es|fr|ht|pt)"', page)) == 5
    form = {k: unescape(v) if isinstance(v, str) else v for k, v in form_of(page).items()}
    assert form["country"] == "br" and form["entitled"] == "yes" and form["documents"] == ["none"]

    bad = client.post("/ui/entitlements/br-sus", data={**form, "source_url": "ftp://gov.br",
                                                       "country": "Brasil"})
    assert bad.status_code == 422
    assert "must be a public http(s) URL" in bad.text and "alpha-2" in bad.text
    assert bad.text.count('aria-invalid="true"') == 2
    with statements.sessions() as session:
        assert session.get(Entitlement, "br-sus").source_url == "https://www.gov.br/saude"

    unchanged = client.post("/ui/entitlements/br-sus", data={**form, "cite": "Lei 8.080/1990"},
                            follow_redirects=False)
    assert unchanged.status_code == 303
    with statements.sessions() as session:
        entry = session.get(Entitlement, "br-sus")
        assert (entry.cite, entry.guidance_key, entry.version) == (
            "Lei 8.080/1990", "rights_guidance_br_sus", 2)  # texts untouched: still the catalog's

    page = client.get("/ui/entitlements/br-sus").text
    form = {k: unescape(v) if isinstance(v, str) else v for k, v in form_of(page).items()}
    form["guidance_es"] = "Ve a una UBS: la atención es gratis para todos."
    assert client.post("/ui/entitlements/br-sus", data=form,
                       follow_redirects=False).status_code == 303
    with statements.sessions() as session:
        entry = session.get(Entitlement, "br-sus")
        assert entry.guidance_key is None and entry.version == 3
        assert entry.guidance["es"] == "Ve a una UBS: la atención es gratis para todos."
        assert entry.guidance["ht"].startswith("Ale")  # the others as they were shown
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == "br-sus")
                                .order_by(AuditEntry.id)).all()
        assert [a.action for a in audit] == ["update", "update"] and "di" in audit[-1].actor
    del form["csrf"]
    assert client.post("/ui/entitlements/br-sus", data=form).status_code == 403


def test_a_colleagues_save_is_never_overwritten_silently(statements):
    from html import unescape

    with statements.sessions.begin() as session:
        session.get(Organization, "org-a").legal_partner = True
    person(statements, "curator", "eli@ngo.example", orgs=("org-a",))
    sign_in(statements, "eli@ngo.example")
    client = statements.client
    page = client.get("/ui/entitlements/pe-irregular").text
    form = {k: unescape(v) if isinstance(v, str) else v for k, v in form_of(page).items()}
    assert form["version"] == "1" and form["guidance_es"] == "Pide el SIS."
    with statements.sessions.begin() as session:  # a colleague saves meanwhile
        entry = session.get(Entitlement, "pe-irregular")
        entry.cost, entry.version = "free", 2
    form.update(guidance_es="Pide el SIS en el centro de salud.", reviewer="Eli")
    conflict = client.post("/ui/entitlements/pe-irregular", data=form)
    assert conflict.status_code == 409
    both = conflict.text[conflict.text.index('class="card conflict"'):conflict.text.index("</table>")]
    assert "Someone else saved this statement" in both
    rows = re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td><td>([^<]*)</td></tr>", both)
    assert ("What it costs", "It is free in public services.",
            "You may pay a small part of the cost.") in rows
    assert ("Español", "Pide el SIS.", "Pide el SIS en el centro de salud.") in rows
    with statements.sessions() as session:
        entry = session.get(Entitlement, "pe-irregular")
        assert (entry.cost, entry.reviewer, entry.guidance["es"]) == ("free", "Minsa", "Pide el SIS.")
    form["version"] = version_of(conflict.text)  # she compared; saving again is her choice
    assert form["version"] == "2"
    assert client.post("/ui/entitlements/pe-irregular", data=form,
                       follow_redirects=False).status_code == 303
    with statements.sessions() as session:
        entry = session.get(Entitlement, "pe-irregular")
        assert (entry.reviewer, entry.version) == ("Eli", 3)


def test_a_new_statement_needs_what_the_api_needs(statements):
    person(statements, "admin", "fa@ngo.example")
    sign_in(statements, "fa@ngo.example")
    client = statements.client
    token = csrf_of(client.get("/ui/entitlements/new").text)
    form = {"csrf": token, "country": "ec", "topic": "access", "service_type": "prep",
            "situation": "", "entitled": "", "cost": "free", "confidence": "high",
            "source_url": "https://www.salud.gob.ec", "last_reviewed": date.today().isoformat(),
            "reviewer": "Fa", "guidance_es": "", "legal_basis": ""}
    missing = client.post("/ui/entitlements/new", data=form)
    assert missing.status_code == 422 and "give guidance_key or guidance" in missing.text
    form.update(entitled="yes", guidance_es="La PrEP es gratis en el MSP.")
    made = client.post("/ui/entitlements/new", data=form, follow_redirects=False)
    assert made.status_code == 303
    with statements.sessions() as session:
        entry = session.scalar(select(Entitlement).where(Entitlement.country == "ec"))
        assert entry.guidance == {"es": "La PrEP es gratis en el MSP."}
        assert made.headers["location"] == f"/ui/entitlements/{entry.id}?saved=1"
