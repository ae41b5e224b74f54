"""Deleting a place, a phone and a statement of rights from the curators' web: asked
first on a page of its own, CSRF, only her organizations' rows (another's id: 404),
through the admin API's own delete (audited with the row as it was), never over a
colleague's change made meanwhile; and search forgets a deleted place."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from service_directory.models.accounts import AuditEntry
from service_directory.models.directory import Address, Location, Phone, ServiceAtLocation
from service_directory.models.entitlements import Entitlement

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs  # noqa: F401
from .test_web_entitlements import statements  # noqa: F401
from .test_web_service_places import clinic  # noqa: F401


def guard_of(html: str) -> str:
    return unescape(re.search(r'name="guard" value="([^"]*)"', html).group(1))


def nearby(app) -> list[str]:
    response = app.client.get("/v1/services/search",
                              params={"lat": 7.8939, "lon": -72.5078, "limit": 10})
    assert response.status_code == 200, response.text
    return [r["service_id"] for r in response.json()["results"]]


def test_she_deletes_a_place_after_saying_yes_and_search_forgets_it(clinic):
    client = clinic.client
    assert "org-a-old" in nearby(clinic)
    page = client.get("/ui/services/org-a-old").text
    assert 'href="/ui/services/org-a-old/places/loc-cuc/delete"' in page
    asked = client.get("/ui/services/org-a-old/places/loc-cuc/delete")
    assert asked.status_code == 200
    assert "Delete the place Sede Centro?" in asked.text and "Calle 10 # 5-20" in unescape(asked.text)
    assert client.get("/ui/services/org-a-old/places/loc-cuc").status_code == 404  # no such page
    with clinic.sessions() as session:  # nothing goes by looking at the question
        assert session.get(Location, "loc-cuc") is not None
    url = "/ui/services/org-a-old/places/loc-cuc/delete"
    assert client.post(url, data={"guard": guard_of(asked.text)},
                       follow_redirects=False).status_code == 403  # no CSRF token
    done = client.post(url, data={"csrf": csrf_of(asked.text), "guard": guard_of(asked.text)},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?deleted=place")
    assert "Deleted." in client.get(done.headers["location"]).text
    with clinic.sessions() as session:
        assert session.get(Location, "loc-cuc") is None
        assert session.get(Address, "adr-cuc") is None
        assert session.get(ServiceAtLocation, "sal-cuc") is None
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == "loc-cuc",
                                                         AuditEntry.action == "delete")).one()
        assert entry.before["name"] == "Sede Centro" and entry.after is None
        assert entry.before["latitude"] == 7.8939
    assert "org-a-old" not in nearby(clinic)


def test_she_deletes_a_phone_after_saying_yes(clinic):
    client = clinic.client
    page = client.get("/ui/services/org-a-old").text
    assert 'href="/ui/services/org-a-old/phones/ph-1/delete"' in page
    spanish = client.get("/ui/services/org-a-old/phones/ph-1/delete?lang=es").text
    assert "¿Borrar el teléfono +576075551234?" in unescape(spanish)
    asked = client.get("/ui/services/org-a-old/phones/ph-1/delete?lang=en")
    assert "Delete the phone +576075551234?" in asked.text
    done = client.post("/ui/services/org-a-old/phones/ph-1/delete",
                       data={"csrf": csrf_of(asked.text), "guard": guard_of(asked.text)},
                       follow_redirects=False)
    assert done.status_code == 303
    with clinic.sessions() as session:
        assert session.get(Phone, "ph-1") is None
        before = session.scalar(select(AuditEntry.before).where(
            AuditEntry.entity_id == "ph-1", AuditEntry.action == "delete"))
        assert before["number"] == "+576075551234"


def test_another_organizations_place_or_phone_is_a_404(clinic):
    client = clinic.client
    with clinic.sessions.begin() as session:
        session.add(Location(id="loc-b", organization_id="org-b", name="B", latitude=1, longitude=1))
        session.flush()
        session.add(ServiceAtLocation(id="sal-b", service_id="org-b-old", location_id="loc-b"))
        session.add(Phone(id="ph-b", service_id="org-b-old", number="+5116000000"))
    token = csrf_of(client.get("/ui/services/org-a-old").text)
    for url in ("/ui/services/org-b-old/places/loc-b/delete",
                "/ui/services/org-a-old/places/loc-b/delete",  # not a place of her service
                "/ui/services/org-b-old/phones/ph-b/delete",
                "/ui/services/org-a-old/phones/ph-b/delete"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"csrf": token, "guard": "1"}).status_code == 404, url
    with clinic.sessions() as session:
        assert session.get(Location, "loc-b") is not None and session.get(Phone, "ph-b") is not None


def test_a_place_a_colleague_changed_meanwhile_is_asked_about_again(clinic):
    client = clinic.client
    asked = client.get("/ui/services/org-a-old/places/loc-cuc/delete").text
    with clinic.sessions.begin() as session:  # a colleague renames it first
        location = session.get(Location, "loc-cuc")
        location.name, location.version = "Sede Norte", location.version + 1
    again = client.post("/ui/services/org-a-old/places/loc-cuc/delete",
                        data={"csrf": csrf_of(asked), "guard": guard_of(asked)})
    assert again.status_code == 409
    assert "Delete the place Sede Norte?" in again.text and "Nothing was deleted" in again.text
    with clinic.sessions() as session:
        assert session.get(Location, "loc-cuc") is not None
    done = client.post("/ui/services/org-a-old/places/loc-cuc/delete",
                       data={"csrf": csrf_of(again.text), "guard": guard_of(again.text)},
                       follow_redirects=False)
    assert done.status_code == 303


def test_a_keeper_deletes_a_statement_of_rights_after_saying_yes(statements):
    client = statements.client
    person(statements, "admin", "di@ngo.example")
    sign_in(statements, "di@ngo.example")
    assert 'href="/ui/entitlements/pe-irregular/delete"' in client.get(
        "/ui/entitlements/pe-irregular").text
    asked = client.get("/ui/entitlements/pe-irregular/delete")
    assert "Delete this statement of rights for PE?" in asked.text
    assert "Ask for SIS." in asked.text
    url = "/ui/entitlements/pe-irregular/delete"
    assert client.post(url, data={"guard": guard_of(asked.text)}).status_code == 403
    with statements.sessions.begin() as session:  # a colleague saves it first
        session.get(Entitlement, "pe-irregular").version = 2
    again = client.post(url, data={"csrf": csrf_of(asked.text), "guard": guard_of(asked.text)})
    assert again.status_code == 409 and "Nothing was deleted" in again.text
    done = client.post(url, data={"csrf": csrf_of(again.text), "guard": guard_of(again.text)},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/ui/entitlements?deleted=1"
    assert "pe-irregular" not in client.get("/ui/entitlements").text
    with statements.sessions() as session:
        assert session.get(Entitlement, "pe-irregular") is None
        before = session.scalar(select(AuditEntry.before).where(
            AuditEntry.entity_id == "pe-irregular", AuditEntry.action == "delete"))
        assert before["guidance"] == {"es": "Pide el SIS.", "en": "Ask for SIS."}


def test_only_keepers_of_the_rights_may_delete_a_statement(statements):
    client = statements.client
    person(statements, "curator", "eva@ngo.example", orgs=("org-a",))
    sign_in(statements, "eva@ngo.example")
    token = csrf_of(client.get("/ui/").text)
    assert client.get("/ui/entitlements/br-sus/delete").status_code == 404
    assert client.post("/ui/entitlements/br-sus/delete",
                       data={"csrf": token, "guard": '"v1"'}).status_code == 404
    with statements.sessions() as session:
        assert session.get(Entitlement, "br-sus") is not None


@pytest.mark.parametrize("url", ["/ui/services/org-a-old/places/loc-cuc/delete",
                                 "/ui/entitlements/br-sus/delete"])
def test_the_question_needs_a_session(two_orgs, url):
    response = two_orgs.client.get(url, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/login"
