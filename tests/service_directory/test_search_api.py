"""`GET /v1/services/search` over HTTP, on the sample directory, on both backends."""
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service_directory.main import create_app
from service_directory.routers.services import get_session
from service_directory.sample_data import load_sample
from service_directory.stats.events import StatsEvent

URL = "/v1/services/search"


@pytest.fixture
def api(db_session):
    load_sample(db_session, today=date.today())
    db_session.commit()
    app = create_app()

    def _session():
        yield db_session
        db_session.commit()

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as client:
        yield client


def test_spanish_search_near_cucuta_finds_several_safe_hiv_tests(api):
    response = api.get(URL, params={"near": "Cúcuta", "service_type": "hiv_testing", "lang": "es",
                                    "serves_undocumented": "true", "free_of_charge": "true", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["count"] == 5 and body["query"]["place"]["country"] == "co"
    distances = [r["distance_km"] for r in body["results"]]
    assert distances == sorted(distances) and distances[-1] < 15
    for result in body["results"]:
        assert "hiv_testing" in result["service_types"]
        assert result["safety"]["serves_undocumented"] is True and result["safety"]["free_of_charge"] is True
        assert result["name"].startswith("[SAMPLE]")
        assert isinstance(result["stale"], bool)


def test_more_pages_through_results(api):
    first = api.get(URL, params={"near": "Bogotá", "limit": 3}).json()
    second = api.get(URL, params={"near": "Bogotá", "limit": 3, "offset": 3}).json()
    assert first["has_more"] is True
    assert not {r["service_id"] for r in first["results"]} & {r["service_id"] for r in second["results"]}


def test_ambiguous_place_returns_choices_and_no_results(api):
    body = api.get(URL, params={"near": "San José"}).json()
    assert body["status"] == "ambiguous_place" and body["results"] == []
    assert len(body["choices"]) >= 2 and all(c["label"] for c in body["choices"])
    resolved = api.get(URL, params={"near": "San Antonio del Táchira", "country": "ve"}).json()
    assert resolved["status"] == "ok"


def test_unknown_place_is_a_clear_422(api):
    response = api.get(URL, params={"near": "Atlantis Submarina"})
    assert response.status_code == 422
    assert response.json()["detail"]["error"] == "place_not_found"
    assert "Atlantis Submarina" in response.json()["detail"]["message"]


@pytest.mark.parametrize(
    "params",
    [{"lat": 100, "lon": 0}, {"lat": 0, "lon": 200}, {"lat": 5}, {}, {"lat": 7.9, "lon": -72.5, "lang": "de"},
     {"lat": 7.9, "lon": -72.5, "limit": 21}, {"lat": 7.9, "lon": -72.5, "service_type": "dentist"},
     {"lat": 7.9, "lon": -72.5, "country": "colombia"}, {"lat": "north", "lon": -72.5}],
)
def test_bad_parameters_are_422(api, params):
    assert api.get(URL, params=params).status_code == 422


def test_border_search_over_http(api):
    both = api.get(URL, params={"lat": 4.53, "lon": -61.13, "limit": 6}).json()
    assert {r["country"] for r in both["results"]} == {"br", "ve"}
    only_br = api.get(URL, params={"lat": 4.53, "lon": -61.13, "limit": 6, "country": "br"}).json()
    assert {r["country"] for r in only_br["results"]} == {"br"}


def test_every_search_records_an_anonymous_event(api, db_session):
    api.get(URL, params={"lat": 7.8939, "lon": -72.5078, "service_type": "prep", "lang": "es"})
    api.get(URL, params={"near": "Kennedy", "lang": "es"})
    api.get(URL, params={"near": "Kennedy", "lang": "es", "offset": 3})  # a next page: no event
    events = db_session.scalars(select(StatsEvent).order_by(StatsEvent.id)).all()
    assert [(e.kind, e.country, e.area, e.language) for e in events] == [
        ("search", "co", "Norte de Santander Department", "es"), ("search", "co", "Bogota D.C.", "es")]
    assert events[0].service_type == "prep" and events[0].outcome in {"0", "1-2", "3-5", "6+"}
    assert events[1].distance_band in {"<5km", "5-25km", "25-100km", ">100km"}
    for event in events:
        assert event.occurred_hour.minute == 0 and event.occurred_hour.second == 0
        values = " ".join(str(v) for v in vars(event).values())
        assert "7.89" not in values and "72.5" not in values  # never coordinates
        assert "Kennedy" not in values and "Cúcuta" not in values  # never a city or district
    columns = set(StatsEvent.__table__.columns.keys())
    assert not columns & {"latitude", "longitude", "sender", "pseudonym", "phone", "text"}


def test_places_named_in_a_message_over_http(api):
    body = api.post("/v1/places/in-text", json={"text": "estamos en ciudad juarez"}).json()
    assert [(p["name"], p["country"]) for p in body["places"]] == [("Ciudad Juárez", "mx")]
    assert api.post("/v1/places/in-text", json={"text": ""}).status_code == 422
