"""Places, phones and languages on the service form (`/ui/services/{id}`): moved by
coordinates or by a place name through the gazetteer, checked with the admin API's own
rules (errors beside the field, nothing saved), never overwriting a colleague, and
what `GET /v1/services/search` answers next."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from service_directory.models.accounts import AuditEntry
from service_directory.models.directory import (Address, Language, Location, Phone, Service,
                                                ServiceAtLocation)

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs, version_of  # noqa: F401


@pytest.fixture
def clinic(two_orgs):
    """org-a's clinic in Cúcuta with an address and a phone; the public search reads the
    same test database."""
    from service_directory.routers import services as search_router

    with two_orgs.sessions.begin() as session:
        session.add(Location(id="loc-cuc", organization_id="org-a", name="Sede Centro",
                             latitude=7.8939, longitude=-72.5078, country="co"))
        session.flush()
        session.add(Address(id="adr-cuc", location_id="loc-cuc", address_1="Calle 10 # 5-20",
                            city="Cúcuta", state_province="Norte de Santander", country="CO"))
        session.add(ServiceAtLocation(id="sal-cuc", service_id="org-a-old", location_id="loc-cuc"))
        session.add(Phone(id="ph-1", service_id="org-a-old", number="+576075551234"))

    def _search_session():
        session = two_orgs.sessions()
        try:
            yield session
            session.commit()
        finally:
            session.close()

    two_orgs.client.app.dependency_overrides[search_router.get_session] = _search_session
    person(two_orgs, "curator", "luz@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "luz@ngo.example")
    return two_orgs


def form_of(html: str) -> dict[str, str]:
    """The service form's fields as the browser sends them."""
    data = {name: unescape(value) for name, value in
            re.findall(r'<input (?:type="hidden" )?name="([A-Za-z0-9_]+)" value="([^"]*)"', html)}
    data["service_types"] = re.findall(r'name="service_types" value="([a-z_]+)" checked', html)
    return data


def search(app, lat: float, lon: float, service_id: str = "org-a-old") -> dict:
    response = app.client.get("/v1/services/search", params={"lat": lat, "lon": lon, "limit": 5})
    assert response.status_code == 200, response.text
    return next(r for r in response.json()["results"] if r["service_id"] == service_id)


def test_she_moves_the_place_edits_the_phone_and_search_answers_with_them(clinic):
    client = clinic.client
    page = client.get("/ui/services/org-a-old").text
    assert 'name="loc0_latitude" value="7.8939"' in page and "Calle 10 # 5-20" in page
    form = form_of(page)
    assert form["phone0_number"] == "+576075551234" and form["loc0_id"] == "loc-cuc"
    form.update(loc0_latitude="7,9011", loc0_longitude="-72.4996",  # a decimal comma too
                loc0_address_1="Avenida 0 # 11-50", phone0_number="607 555 9876",
                phone_new_number="+57 300 123 4567", languages="es, ht")
    saved = client.post("/ui/services/org-a-old", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with clinic.sessions() as session:
        location = session.get(Location, "loc-cuc")
        assert (location.latitude, location.longitude, location.version) == (7.9011, -72.4996, 2)
        assert session.get(Address, "adr-cuc").address_1 == "Avenida 0 # 11-50"
        numbers = session.scalars(select(Phone.number).where(Phone.service_id == "org-a-old")
                                  .order_by(Phone.id)).all()
        assert sorted(numbers) == ["+573001234567", "+576075559876"]  # read as Colombian
        assert sorted(session.scalars(select(Language.code).where(
            Language.service_id == "org-a-old"))) == ["es", "ht"]
        audited = set(session.scalars(select(AuditEntry.entity_type)))
        assert {"location", "address", "phone", "language"} <= audited
    found = search(clinic, 7.9011, -72.4996)
    assert found["distance_km"] < 0.01 and found["address"] == "Avenida 0 # 11-50, Cúcuta"
    assert found["phone"] in ("+573001234567", "+576075559876") and found["languages"] == ["es", "ht"]


def test_a_place_name_gives_the_coordinates(clinic):
    client = clinic.client
    form = form_of(client.get("/ui/services/org-a-old").text)
    form.update(loc0_place="Villa del Rosario", loc0_latitude="", loc0_longitude="")
    assert client.post("/ui/services/org-a-old", data=form,
                       follow_redirects=False).status_code == 303
    with clinic.sessions() as session:
        location = session.get(Location, "loc-cuc")
        assert abs(location.latitude - 7.83) < 0.1 and abs(location.longitude + 72.47) < 0.1
    assert search(clinic, location.latitude, location.longitude)["distance_km"] < 0.01


def test_errors_stay_beside_their_field_and_nothing_is_saved(clinic):
    client = clinic.client
    form = form_of(client.get("/ui/services/org-a-old").text)
    form.update(loc0_latitude="100", phone0_number="12", languages="es, spanish",
                loc_new_place="", new_place="Nowhereville Xq", new_name="")
    bad = client.post("/ui/services/org-a-old", data=form)
    assert bad.status_code == 422
    html = unescape(bad.text)
    assert "latitude 100 is out of range" in html and "is not in E.164 form" in html
    assert "'spanish' is not a language code" in html and "no place called" in html
    assert html.count('aria-invalid="true"') >= 4
    assert 'name="loc0_latitude" value="100"' in html  # what she typed stays
    with clinic.sessions() as session:
        assert session.get(Location, "loc-cuc").latitude == 7.8939
        assert session.get(Phone, "ph-1").number == "+576075551234"
        assert session.scalar(select(Language.id)) is None


def test_she_adds_a_place_to_a_service_that_had_none(clinic):
    client = clinic.client
    form = form_of(client.get("/ui/services/org-a-new").text)
    assert "loc0_id" not in form  # no place yet: only the empty one to add
    form.update(new_name="Punto Frontera", new_place="Villa del Rosario", new_country="co",
                new_address_1="Puente Simón Bolívar", new_city="Villa del Rosario")
    assert client.post("/ui/services/org-a-new", data=form,
                       follow_redirects=False).status_code == 303
    with clinic.sessions() as session:
        service = session.get(Service, "org-a-new")
        (place,) = [sal.location for sal in service.service_at_locations]
        assert place.name == "Punto Frontera" and place.organization_id == "org-a"
        assert place.addresses[0].state_province  # filled from the city, as the importer does
    assert search(clinic, place.latitude, place.longitude, "org-a-new")["name"] == "Fresh org-a"


def test_a_colleague_who_moved_the_place_meanwhile_is_not_overwritten(clinic):
    client = clinic.client
    form = form_of(client.get("/ui/services/org-a-old").text)
    with clinic.sessions.begin() as session:  # a colleague moves it first
        location = session.get(Location, "loc-cuc")
        location.latitude, location.version = 7.95, location.version + 1
    form.update(loc0_latitude="7.80")
    clash = client.post("/ui/services/org-a-old", data=form)
    assert clash.status_code == 409
    assert 'name="loc0_latitude" value="7.95"' in clash.text and "7.80" in clash.text
    assert "Nothing was overwritten" in clash.text
    with clinic.sessions() as session:
        assert session.get(Location, "loc-cuc").latitude == 7.95
    again = form_of(clash.text)
    again["loc0_latitude"] = "7.80"  # she compared and moves it on purpose
    assert client.post("/ui/services/org-a-old", data=again,
                       follow_redirects=False).status_code == 303
    with clinic.sessions() as session:
        assert session.get(Location, "loc-cuc").latitude == 7.80


def test_another_organizations_place_cannot_be_reached_through_her_form(clinic):
    with clinic.sessions.begin() as session:
        session.add(Location(id="loc-b", organization_id="org-b", name="B", latitude=1, longitude=1))
    form = form_of(clinic.client.get("/ui/services/org-a-old").text)
    form.update(loc0_id="loc-b", loc0_latitude="2")
    assert clinic.client.post("/ui/services/org-a-old", data=form).status_code == 409
    with clinic.sessions() as session:
        assert session.get(Location, "loc-b").latitude == 1
