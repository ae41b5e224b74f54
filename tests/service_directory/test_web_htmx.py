"""Partial updates with htmx: "still accurate" (services and statements of rights) and
the queue's status changes answer a request sent by htmx (`HX-Request: true`) with the
changed row alone, and the same form sent without JavaScript with the redirect to the
whole page, as before. The click in a real browser: tests/e2e/test_web_browser.py."""
from __future__ import annotations

from pathlib import Path

from service_directory.models.entitlements import Entitlement

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs  # noqa: F401
from .test_web_entitlements import statements  # noqa: F401

HTMX = {"HX-Request": "true"}
VENDOR = Path(__file__).parents[2] / "service_directory/web/static/vendor/htmx.org-2.0.11"


def test_htmx_is_vendored_with_its_licence_and_loaded_from_here(two_orgs):
    assert (VENDOR / "LICENSE").read_text().startswith("Zero-Clause BSD")
    served = two_orgs.client.get("/ui/static/vendor/htmx.org-2.0.11/htmx.min.js")
    assert served.status_code == 200 and 'version:"2.0.11"' in served.text
    page = two_orgs.client.get("/ui/login").text
    assert '<script src="/ui/static/vendor/htmx.org-2.0.11/htmx.min.js" defer></script>' in page


def test_still_accurate_gives_htmx_the_row_and_a_plain_form_the_redirect(two_orgs):
    person(two_orgs, "curator", "hal@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "hal@ngo.example")
    client = two_orgs.client
    home = client.get("/ui/").text
    assert 'hx-post="/ui/services/org-a-old/verify"' in home
    assert 'action="/ui/services/org-a-old/verify"' in home  # still a form without JavaScript
    token = csrf_of(home)
    row = client.post("/ui/services/org-a-old/verify", data={"csrf": token}, headers=HTMX,
                      follow_redirects=False)
    assert row.status_code == 200 and row.headers["vary"] == "HX-Request"
    assert row.text.lstrip().startswith('<div class="item" id="service-org-a-old">')
    assert "<html" not in row.text and "checked today" in row.text
    assert "marked as still accurate today" in row.text and "hx-post" not in row.text
    plain = client.post("/ui/services/org-b-old/verify", data={"csrf": token}, headers=HTMX)
    assert plain.status_code == 404  # another organization's, with htmx or without
    again = client.post("/ui/services/org-a-old/verify", data={"csrf": token},
                        follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/ui/?verified=org-a-old"
    assert client.post("/ui/services/org-a-old/verify", data={}, headers=HTMX).status_code == 403
    spanish = client.post("/ui/services/org-a-old/verify?lang=es", data={"csrf": token},
                          headers=HTMX).text
    assert "verificado hoy" in spanish and "Gracias: hoy quedó marcado como vigente." in spanish


def test_a_statement_still_accurate_gives_htmx_its_row(statements):
    person(statements, "admin", "ivy@ngo.example")
    sign_in(statements, "ivy@ngo.example")
    client = statements.client
    page = client.get("/ui/entitlements/review").text
    assert 'hx-post="/ui/entitlements/pe-irregular/review"' in page
    row = client.post("/ui/entitlements/pe-irregular/review",
                      data={"csrf": csrf_of(page), "back": "review"}, headers=HTMX)
    assert row.status_code == 200 and "<html" not in row.text
    assert row.text.lstrip().startswith('<div class="item statement" id="statement-pe-irregular">')
    assert "reviewed 0 days ago" in row.text and "ivy@ngo.example" in row.text
    assert "marked as still accurate today" in row.text
    with statements.sessions() as session:
        assert session.get(Entitlement, "pe-irregular").reviewer == "ivy@ngo.example"
    plain = client.post("/ui/entitlements/pe-irregular/review",
                        data={"csrf": csrf_of(page), "back": "review"}, follow_redirects=False)
    assert plain.status_code == 303


def test_the_queue_changes_in_place_with_htmx_and_by_page_without(two_orgs):
    from service_directory.models.reports import DiscriminationReport
    from service_directory.reminders.models import FollowUpRequest

    with two_orgs.sessions.begin() as session:
        for n in (1, 2):
            session.add(DiscriminationReport(id=f"rep-{n}", organization_id="org-a", country="pe",
                                             description=f"me negaron la atención {n}"))
            session.add(FollowUpRequest(id=f"fu-{n}", organization_id="org-a", country="cl",
                                        reason="no_medicine", pseudonym="p" * 64))
    person(two_orgs, "curator", "ines@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "ines@ngo.example")
    client = two_orgs.client
    page = client.get("/ui/queue").text
    assert 'hx-post="/ui/reports/rep-1/resolve"' in page
    assert 'hx-post="/ui/followups/fu-1/status"' in page
    token = csrf_of(page)
    resolved = client.post("/ui/reports/rep-1/resolve", headers=HTMX,
                           data={"csrf": token, "note": "hablamos con la clínica"})
    assert resolved.status_code == 200 and "<html" not in resolved.text
    assert 'id="report-rep-1"' in resolved.text and "Resolved." in resolved.text
    assert "<form" not in resolved.text
    review = client.post("/ui/followups/fu-1/status", headers=HTMX,
                         data={"csrf": token, "status": "in_review"})
    assert review.status_code == 200 and "in review" in review.text
    assert 'value="in_review"' not in review.text and 'value="resolved"' in review.text
    done = client.post("/ui/followups/fu-1/status", headers=HTMX,
                       data={"csrf": token, "status": "resolved", "note": "tiene cita"})
    assert "Resolved." in done.text and "<form" not in done.text
    with two_orgs.sessions() as session:
        assert session.get(DiscriminationReport, "rep-1").status == "resolved"
        assert session.get(FollowUpRequest, "fu-1").status == "resolved"
    # the same forms without JavaScript: the queue again
    assert client.post("/ui/reports/rep-2/resolve", data={"csrf": token, "note": "x"},
                       follow_redirects=False).headers["location"] == "/ui/queue?done=report"
    assert client.post("/ui/followups/fu-2/status", data={"csrf": token, "status": "in_review"},
                       follow_redirects=False).headers["location"] == "/ui/queue?done=followup"


def test_resolving_without_a_note_says_so_beside_the_note_and_changes_nothing(two_orgs):
    from service_directory.models.reports import DiscriminationReport
    from service_directory.reminders.models import FollowUpRequest

    with two_orgs.sessions.begin() as session:
        session.add(DiscriminationReport(id="rep-1", organization_id="org-a", country="pe",
                                         description="me negaron la atención"))
        session.add(FollowUpRequest(id="fu-1", organization_id="org-a", country="cl",
                                    reason="no_medicine", pseudonym="p" * 64))
    person(two_orgs, "curator", "ines@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "ines@ngo.example")
    client = two_orgs.client
    token = csrf_of(client.get("/ui/queue").text)
    for path, data, item in (
            ("/ui/followups/fu-1/status", {"status": "resolved", "note": "  "}, "followup-fu-1"),
            ("/ui/reports/rep-1/resolve", {"note": ""}, "report-rep-1")):
        # htmx swaps only 2xx answers: the item comes back, with the reason by the note
        swapped = client.post(path, headers=HTMX, data={"csrf": token, **data})
        assert swapped.status_code == 200 and "<html" not in swapped.text
        assert swapped.text.lstrip().startswith(f'<div class="card queue-item" id="{item}">')
        assert "Say what was done before resolving it." in swapped.text
        assert 'aria-invalid="true"' in swapped.text and 'role="alert"' in swapped.text
        # without JavaScript: the queue again, the reason beside that item's note field
        page = client.post(f"{path}?lang=es", data={"csrf": token, **data})
        assert page.status_code == 422 and "<html" in page.text
        assert "Di qué se hizo antes de resolverlo." in page.text
        client.get("/ui/queue?lang=en")
    with two_orgs.sessions() as session:
        assert session.get(FollowUpRequest, "fu-1").status == "new"
        assert session.get(DiscriminationReport, "rep-1").status == "open"
    review = client.post("/ui/followups/fu-1/status", headers=HTMX,
                         data={"csrf": token, "status": "in_review", "note": ""})
    assert review.status_code == 200 and "in review" in review.text  # no note needed
    assert "Say what was done" not in review.text
