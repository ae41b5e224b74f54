"""People at `/ui/users`: an admin changes a person's role and organizations (the
admin API's `update_user`: audited, unknown organizations refused, never her own
role); a curator cannot. And every form answers a visitor without a session with the
login page, even one whose fields are missing (never a 422 first)."""
from __future__ import annotations

from sqlalchemy import select

from service_directory.models.accounts import AuditEntry, User

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs  # noqa: F401


def user_id(app, email: str) -> str:
    with app.sessions() as session:
        return session.scalar(select(User.id).where(User.email == email))


def test_an_admin_changes_a_curators_role_and_organizations_audited(two_orgs):
    person(two_orgs, "admin", "ada@ngo.example")
    person(two_orgs, "curator", "cleo@ngo.example", orgs=("org-a",))
    cleo = user_id(two_orgs, "cleo@ngo.example")
    sign_in(two_orgs, "ada@ngo.example")
    page = two_orgs.client.get("/ui/users").text
    assert f'action="/ui/users/{cleo}/role"' in page and 'value="org-a"' in page
    token = csrf_of(page)
    moved = two_orgs.client.post(f"/ui/users/{cleo}/role", follow_redirects=False, data={
        "csrf": token, "role": "curator", "organizations": "org-b, org-a"})
    assert moved.status_code == 303 and moved.headers["location"] == f"/ui/users?changed={cleo}"
    assert "Role and organizations saved." in two_orgs.client.get(moved.headers["location"]).text
    two_orgs.client.post(f"/ui/users/{cleo}/role", data={"csrf": token, "role": "analyst",
                                                         "organizations": ""})
    with two_orgs.sessions() as session:
        cleo_now = session.get(User, cleo)
        assert (cleo_now.role, cleo_now.organization_ids) == ("analyst", [])
        changes = session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "user", AuditEntry.entity_id == cleo,
            AuditEntry.action == "update").order_by(AuditEntry.id)).all()
    assert [(c.before["organization_ids"], c.after["organization_ids"]) for c in changes] == [
        (["org-a"], ["org-a", "org-b"]), (["org-a", "org-b"], [])]
    assert changes[-1].before["role"] == "curator" and changes[-1].after["role"] == "analyst"
    assert all(c.actor_user_id == user_id(two_orgs, "ada@ngo.example") for c in changes)


def test_unknown_organizations_and_her_own_role_are_refused_beside_the_list(two_orgs):
    person(two_orgs, "admin", "ada@ngo.example")
    person(two_orgs, "curator", "cleo@ngo.example", orgs=("org-a",))
    ada, cleo = user_id(two_orgs, "ada@ngo.example"), user_id(two_orgs, "cleo@ngo.example")
    sign_in(two_orgs, "ada@ngo.example")
    token = csrf_of(two_orgs.client.get("/ui/users").text)
    unknown = two_orgs.client.post(f"/ui/users/{cleo}/role", data={
        "csrf": token, "role": "curator", "organizations": "org-a org-zz"})
    assert unknown.status_code == 422 and "No organization has the id org-zz." in unknown.text
    herself = two_orgs.client.post(f"/ui/users/{ada}/role", data={
        "csrf": token, "role": "curator", "organizations": "org-a"})
    assert herself.status_code == 422 and "You cannot change your own role" in herself.text
    spanish = two_orgs.client.post(f"/ui/users/{cleo}/role?lang=es", data={
        "csrf": token, "role": "curator", "organizations": "org-zz"})
    assert "org-zz" in spanish.text and "No organization has" not in spanish.text
    with two_orgs.sessions() as session:
        assert session.get(User, cleo).organization_ids == ["org-a"]
        assert session.get(User, ada).role == "admin"
    missing = two_orgs.client.post("/ui/users/nobody/role", data={
        "csrf": token, "role": "curator", "organizations": ""})
    assert missing.status_code == 404


def test_a_curator_cannot_change_roles(two_orgs):
    person(two_orgs, "curator", "cleo@ngo.example", orgs=("org-a",))
    cleo = user_id(two_orgs, "cleo@ngo.example")
    sign_in(two_orgs, "cleo@ngo.example")
    token = csrf_of(two_orgs.client.get("/ui/").text)
    answer = two_orgs.client.post(f"/ui/users/{cleo}/role", data={
        "csrf": token, "role": "admin", "organizations": "org-a"})
    assert answer.status_code == 404
    with two_orgs.sessions() as session:
        assert session.get(User, cleo).role == "curator"


def test_forms_without_a_session_go_to_the_login_page_even_when_incomplete(two_orgs):
    client = two_orgs.client
    for path in ("/ui/followups/any/status", "/ui/import", "/ui/users/any/role",
                 "/ui/reports/any/resolve", "/ui/services/org-a-old/verify"):
        answer = client.post(path, data={}, follow_redirects=False)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/ui/login"), path
    person(two_orgs, "curator", "cleo@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "cleo@ngo.example")
    for path in ("/ui/followups/any/status", "/ui/import"):  # signed in, no CSRF token
        assert client.post(path, data={}).status_code == 403, path


def test_the_people_page_finds_a_person_and_pages_through_hundreds(two_orgs):
    """An admin of a programme with a curator per NGO: 50 people a page, active first by
    name, and a search by name, e-mail or organization id."""
    from service_directory import accounts
    from service_directory.web.users import PAGE

    with two_orgs.sessions.begin() as session:
        for i in range(120):
            accounts.create_user(session, name=f"Curator {i:03d}", role="curator",
                                 email=f"c{i:03d}@ngo.example",
                                 organization_ids=["org-b" if i == 77 else "org-a"])
    person(two_orgs, "admin", "ana@ngo.example")
    sign_in(two_orgs, "ana@ngo.example")
    client = two_orgs.client
    first = client.get("/ui/users").text
    assert first.count('class="item person"') == PAGE and "Curator 000" in first
    last = client.get("/ui/users?page=3").text
    assert last.count('class="item person"') == 121 - 2 * PAGE and "Curator 119" in last
    assert "Curator 000" not in last
    found = client.get("/ui/users?q=C042%40NGO").text  # any case
    assert found.count('class="item person"') == 1 and "Curator 042" in found
    by_organization = client.get("/ui/users?q=org-b").text
    assert by_organization.count('class="item person"') == 1 and "Curator 077" in by_organization
    assert client.get("/ui/users?page=x").status_code == 200
