"""Organizations at `/ui/organizations` (admins): the list with services, curators and
legal partners; creating one and changing its fields through the admin API's own
`OrganizationFields`, `_create` and `_change` (audited, If-Match: a colleague's save
meanwhile is shown, not overwritten); marking a legal partner. Curators and analysts
get 404; the admin API's PATCH takes `legal_partner` from admins only."""
from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from service_directory.models.accounts import AuditEntry
from service_directory.models.directory import Organization

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs  # noqa: F401


def version_in(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_the_list_counts_services_and_curators_and_says_who_is_a_legal_partner(two_orgs):
    person(two_orgs, "admin", "ada@ngo.example")
    person(two_orgs, "curator", "cleo@ngo.example", orgs=("org-a",))
    person(two_orgs, "curator", "dan@ngo.example", orgs=("org-a", "org-b"))
    with two_orgs.sessions.begin() as session:
        session.get(Organization, "org-b").legal_partner = True
    sign_in(two_orgs, "ada@ngo.example")
    home = two_orgs.client.get("/ui/").text
    assert 'href="/ui/organizations"' in home
    page = unescape(two_orgs.client.get("/ui/organizations").text)
    rows = re.findall(r'id="org-(org-[ab])".*?<small>(.*?)</small>', page, re.S)
    assert rows == [("org-a", "Services: 2 · Curators: 2 · not a legal partner"),
                    ("org-b", "Services: 2 · Curators: 1 · legal partner")]
    spanish = unescape(two_orgs.client.get("/ui/organizations?lang=es").text)
    assert "socio legal" in spanish or "Organizaciones" in spanish


def test_an_admin_creates_and_edits_an_organization_audited(two_orgs):
    person(two_orgs, "admin", "ada@ngo.example")
    sign_in(two_orgs, "ada@ngo.example")
    client = two_orgs.client
    token = csrf_of(client.get("/ui/organizations/new").text)
    made = client.post("/ui/organizations/new", follow_redirects=False, data={
        "csrf": token, "name": "Casa Migrante", "description": "Shelter and care",
        "email": "info@casa.example", "website": "https://casa.example"})
    assert made.status_code == 303
    org_id = made.headers["location"].split("/")[-1].split("?")[0]
    page = client.get(made.headers["location"]).text
    assert "Saved." in page and 'value="info@casa.example"' in page
    saved = client.post(f"/ui/organizations/{org_id}", follow_redirects=False, data={
        "csrf": token, "version": version_in(page), "name": "Casa del Migrante",
        "description": "", "email": "hola@casa.example", "website": "https://casa.example/es"})
    assert saved.status_code == 303
    with two_orgs.sessions() as session:
        org = session.get(Organization, org_id)
        assert (org.name, org.description, org.email, org.website, org.version) == (
            "Casa del Migrante", None, "hola@casa.example", "https://casa.example/es", 2)
        changes = session.scalars(select(AuditEntry).where(
            AuditEntry.entity_id == org_id).order_by(AuditEntry.id)).all()
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].before["name"] == "Casa Migrante"
    assert changes[1].after["name"] == "Casa del Migrante"


def test_wrong_fields_are_refused_beside_them_in_her_language(two_orgs):
    person(two_orgs, "admin", "ada@ngo.example")
    sign_in(two_orgs, "ada@ngo.example")
    client = two_orgs.client
    page = client.get("/ui/organizations/org-a?lang=es").text
    form = {"csrf": csrf_of(page), "version": version_in(page), "name": "NGO org-a",
            "email": "not-an-address", "website": "casa.example"}
    bad = client.post("/ui/organizations/org-a", data=form)
    assert bad.status_code == 422
    text = unescape(bad.text)
    assert "'not-an-address' no es una dirección de correo" in text
    assert "'casa.example' no es una dirección web" in text
    assert 'aria-invalid="true"' in text
    nameless = client.post("/ui/organizations/org-a?lang=pt", data=form | {"name": " "})
    assert nameless.status_code == 422 and "Escreva o nome da organização." in unescape(
        nameless.text)
    empty = client.post("/ui/organizations/new?lang=en", data={"csrf": form["csrf"], "name": ""})
    assert empty.status_code == 422 and "Give the organization's name." in unescape(empty.text)
    with two_orgs.sessions() as session:
        org = session.get(Organization, "org-a")
        assert (org.email, org.version) == (None, 1)
        assert session.scalars(select(Organization)).all().__len__() == 2


def test_a_colleagues_save_meanwhile_is_shown_not_overwritten(two_orgs):
    person(two_orgs, "admin", "ada@ngo.example")
    sign_in(two_orgs, "ada@ngo.example")
    client = two_orgs.client
    page = client.get("/ui/organizations/org-a").text
    with two_orgs.sessions.begin() as session:
        org = session.get(Organization, "org-a")
        org.name, org.version = "NGO A (renamed)", org.version + 1
    clash = client.post("/ui/organizations/org-a", data={
        "csrf": csrf_of(page), "version": version_in(page), "name": "NGO Alpha"})
    assert clash.status_code == 409
    text = unescape(clash.text)
    assert "Someone else saved this organization" in text
    assert "NGO A (renamed)" in text and "NGO Alpha" in text
    assert version_in(text) == "2"
    with two_orgs.sessions() as session:
        assert session.get(Organization, "org-a").name == "NGO A (renamed)"


def test_an_admin_marks_a_legal_partner_here_and_its_curators_get_the_rights(two_orgs):
    person(two_orgs, "admin", "ada@ngo.example")
    person(two_orgs, "curator", "cleo@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "cleo@ngo.example")
    assert two_orgs.client.get("/ui/entitlements").status_code == 404
    two_orgs.client.cookies.clear()
    sign_in(two_orgs, "ada@ngo.example")
    client = two_orgs.client
    rights = client.get("/ui/entitlements").text
    assert 'href="/ui/organizations"' in rights  # where the toggle went
    page = client.get("/ui/organizations").text
    form = {"csrf": csrf_of(page), "version": "1", "legal_partner": "1"}
    assert client.post("/ui/organizations/org-a/legal-partner", data=form | {"csrf": ""},
                       follow_redirects=False).status_code == 403
    marked = client.post("/ui/organizations/org-a/legal-partner", data=form,
                         follow_redirects=False)
    assert marked.status_code == 303 and "changed=org-a" in marked.headers["location"]
    stale = client.post("/ui/organizations/org-a/legal-partner", data=form | {"legal_partner": "0"},
                        follow_redirects=False)  # version 1 again: changed since
    assert "stale=org-a" in stale.headers["location"]
    assert "nothing was changed" in client.get(stale.headers["location"]).text
    with two_orgs.sessions() as session:
        org = session.get(Organization, "org-a")
        assert (org.legal_partner, org.version) == (True, 2)
        entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_id == "org-a"))
        assert (entry.action, entry.before["legal_partner"], entry.after["legal_partner"]) == (
            "update", False, True)
    client.cookies.clear()
    sign_in(two_orgs, "cleo@ngo.example")
    assert client.get("/ui/entitlements").status_code == 200


def test_curators_and_analysts_get_404(two_orgs):
    person(two_orgs, "curator", "cleo@ngo.example", orgs=("org-a",))
    person(two_orgs, "analyst", "ana@ngo.example")
    client = two_orgs.client
    for email in ("cleo@ngo.example", "ana@ngo.example"):
        client.cookies.clear()
        sign_in(two_orgs, email)
        token = csrf_of(client.get("/ui/").text)
        assert 'href="/ui/organizations"' not in client.get("/ui/").text
        for path in ("/ui/organizations", "/ui/organizations/new", "/ui/organizations/org-a"):
            assert client.get(path).status_code == 404, (email, path)
        for path, data in (("/ui/organizations/new", {"name": "Mine"}),
                           ("/ui/organizations/org-a", {"name": "Mine", "version": "1"}),
                           ("/ui/organizations/org-a/legal-partner", {"legal_partner": "1"})):
            assert client.post(path, data=data | {"csrf": token}).status_code == 404, path
    with two_orgs.sessions() as session:
        org = session.get(Organization, "org-a")
        assert (org.name, org.legal_partner, org.version) == ("NGO org-a", False, 1)
    client.cookies.clear()
    answer = client.post("/ui/organizations/org-a", data={}, follow_redirects=False)
    assert (answer.status_code, answer.headers.get("location")) == (303, "/ui/login")


def test_only_admins_set_legal_partner_through_the_api_and_a_put_keeps_it(accounts_app):
    with accounts_app.sessions.begin() as session:
        session.add(Organization(id="org-a", name="NGO A", legal_partner=True))
    admin = accounts_app.user("admin")[1]
    curator = accounts_app.user("curator", orgs=("org-a",))[1]
    client = accounts_app.client

    def etag(key: str) -> str:
        return client.get("/admin/organizations/org-a", headers=accounts_app.headers(key)).headers["ETag"]

    refused = client.patch("/admin/organizations/org-a", json={"legal_partner": False},
                           headers=accounts_app.headers(curator) | {"If-Match": etag(curator)})
    assert refused.status_code == 403
    replaced = client.put("/admin/organizations/org-a", json={"name": "NGO A", "email": "a@a.org"},
                          headers=accounts_app.headers(curator) | {"If-Match": etag(curator)})
    assert replaced.status_code == 200 and replaced.json()["legal_partner"] is True
    unmarked = client.patch("/admin/organizations/org-a", json={"legal_partner": False},
                            headers=accounts_app.headers(admin) | {"If-Match": etag(admin)})
    assert unmarked.status_code == 200 and unmarked.json()["legal_partner"] is False
    assert client.patch("/admin/organizations/org-a", json={"legal_partner": True},
                        headers=accounts_app.headers(admin)).status_code == 428
