"""One click on "still accurate" for a statement of rights: reviewed today by her,
audited, through the admin API's `mark_reviewed` (also `POST /admin/entitlements/{id}/review`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from service_directory.models.accounts import AuditEntry
from service_directory.models.entitlements import Entitlement

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs  # noqa: F401
from .test_web_entitlements import statements, titles  # noqa: F401


def test_still_accurate_stamps_today_and_her_and_is_audited(statements):
    client = statements.client
    person(statements, "admin", "fe@ngo.example")
    sign_in(statements, "fe@ngo.example")
    page = client.get("/ui/entitlements/review").text
    assert 'action="/ui/entitlements/pe-irregular/review"' in page
    assert client.post("/ui/entitlements/pe-irregular/review",
                       data={"back": "review"}).status_code == 403  # no CSRF token
    done = client.post("/ui/entitlements/pe-irregular/review",
                       data={"csrf": csrf_of(page), "back": "review"}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/ui/entitlements/review?reviewed=pe-irregular"
    after = client.get(done.headers["location"]).text
    assert "marked as still accurate today" in after
    assert "pe-irregular" not in titles(after)  # reviewed today, not marked for a partner
    with statements.sessions() as session:
        entry = session.get(Entitlement, "pe-irregular")
        assert (entry.last_reviewed, entry.reviewer, entry.version) == \
            (date.today(), "fe@ngo.example", 2)
        logged = session.scalars(select(AuditEntry).where(
            AuditEntry.entity_id == "pe-irregular", AuditEntry.action == "review")).one()
        assert logged.before["reviewer"] == "Minsa" and logged.after["reviewer"] == "fe@ngo.example"


def test_only_keepers_of_the_rights_may_mark_a_statement(statements):
    person(statements, "curator", "gil@ngo.example", orgs=("org-a",))
    sign_in(statements, "gil@ngo.example")
    token = csrf_of(statements.client.get("/ui/").text)
    assert statements.client.post("/ui/entitlements/br-sus/review",
                                  data={"csrf": token}).status_code == 404
    with statements.sessions() as session:
        assert session.get(Entitlement, "br-sus").reviewer == "Rede Somos"


def test_the_api_marks_a_statement_reviewed(statements):
    _, key = statements.user("admin", email="api@ngo.example")
    headers = statements.headers(key)
    stale = statements.client.post("/admin/entitlements/br-sus/review",
                                   headers={**headers, "If-Match": '"v7"'})
    assert stale.status_code == 412
    done = statements.client.post("/admin/entitlements/br-sus/review", headers=headers)
    assert done.status_code == 200 and done.headers["ETag"] == '"v2"'
    assert done.json()["last_reviewed"] == date.today().isoformat()
    assert done.json()["reviewer"] == "api@ngo.example"
