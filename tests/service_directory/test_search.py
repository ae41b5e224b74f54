"""Search on real SQLite and PostgreSQL databases (the `database_url` fixture runs both)."""
from __future__ import annotations

import random
from datetime import datetime, time, timezone

import pytest

from service_directory.search import (
    SearchError,
    SearchQuery,
    bounding_box,
    haversine_km,
    naive_nearest,
    nearest_services,
)

CUCUTA = (7.8939, -72.5078)
SAN_ANTONIO_TACHIRA = (7.8145, -72.4431)  # Venezuela, across the Simón Bolívar bridge
WEEKDAYS = "MO,TU,WE,TH,FR"


def test_haversine_matches_known_distance():
    # One degree of latitude on the mean-radius sphere is 111.195 km.
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.01)
    assert haversine_km(*CUCUTA, *SAN_ANTONIO_TACHIRA) == pytest.approx(11.3, abs=0.3)


def test_bounding_box_contains_the_circle():
    min_lat, max_lat, min_lon, max_lon = bounding_box(*CUCUTA, 15)
    assert haversine_km(*CUCUTA, max_lat, CUCUTA[1]) == pytest.approx(15, abs=0.01)
    assert haversine_km(*CUCUTA, CUCUTA[0], max_lon) >= 15 - 0.01
    assert min_lat < CUCUTA[0] < max_lat and min_lon < CUCUTA[1] < max_lon


def test_nearest_first_with_correct_distances(db_session, make_service):
    far = make_service("Far", CUCUTA[0] + 0.04, CUCUTA[1])
    near = make_service("Near", CUCUTA[0] + 0.01, CUCUTA[1])
    middle = make_service("Middle", CUCUTA[0], CUCUTA[1] + 0.02)
    outcome = nearest_services(db_session, SearchQuery(*CUCUTA, limit=3))
    assert [r.name for r in outcome.results] == ["Near", "Middle", "Far"]
    assert [r.service_id for r in outcome.results] == [near.id, middle.id, far.id]
    assert outcome.results[0].distance_km == pytest.approx(1.11, abs=0.01)
    assert outcome.results[2].distance_km == pytest.approx(4.45, abs=0.01)
    assert outcome.radius_km == 5 and outcome.widened is False


def test_results_match_a_full_scan(db_session, make_service):
    rng = random.Random(7)
    for i in range(60):
        make_service(f"S{i}", CUCUTA[0] + rng.uniform(-0.3, 0.3), CUCUTA[1] + rng.uniform(-0.3, 0.3))
    outcome = nearest_services(db_session, SearchQuery(*CUCUTA, limit=10))
    expected = naive_nearest(db_session, *CUCUTA, limit=10)
    assert [r.service_id for r in outcome.results] == [sid for sid, _ in expected]


def test_filters_by_service_type_language_and_safety_flags(db_session, make_service):
    make_service("HIV free undocumented", *CUCUTA, types=("hiv_testing",),
                 serves_undocumented=True, free_of_charge=True)
    make_service("HIV unknown cost", *CUCUTA, types=("hiv_testing",), serves_undocumented=True)
    make_service("TB only", *CUCUTA, types=("tb_testing",), serves_undocumented=True, free_of_charge=True)
    make_service("Kreyòl", *CUCUTA, types=("hiv_testing", "prep"), languages=("es", "ht"),
                 serves_undocumented=False, free_of_charge=True)

    def names(**kw):
        return sorted(r.name for r in nearest_services(db_session, SearchQuery(*CUCUTA, limit=10, **kw)).results)

    assert names(service_type="hiv_testing") == ["HIV free undocumented", "HIV unknown cost", "Kreyòl"]
    assert names(service_type="prep") == ["Kreyòl"]
    assert names(language="ht") == ["Kreyòl"]
    # Unknown (None) is not "yes": the required flag must be true.
    assert names(require=frozenset({"free_of_charge", "serves_undocumented"})) == [
        "HIV free undocumented", "TB only"]
    assert names(service_type="mental_health") == []


def test_inactive_services_are_not_returned(db_session, make_service):
    make_service("Closed down", *CUCUTA, status="inactive")
    assert nearest_services(db_session, SearchQuery(*CUCUTA)).results == []


def test_open_now_uses_each_locations_own_timezone(db_session, make_service):
    hours = ((WEEKDAYS, time(8), time(17)),)
    make_service("Bogotá clinic", 4.711, -74.0721, schedules=hours)        # UTC-5
    make_service("São Paulo clinic", -23.5505, -46.6333, country="br", schedules=hours)  # UTC-3
    make_service("No hours known", 4.72, -74.07)
    monday_1130_utc = datetime(2026, 11, 23, 11, 30, tzinfo=timezone.utc)  # 06:30 Bogotá, 08:30 SP
    query = dict(limit=5, radii_km=(5000,), now=monday_1130_utc)
    results = {r.name: r for r in nearest_services(db_session, SearchQuery(4.711, -74.0721, **query)).results}
    assert results["Bogotá clinic"].open_now is False
    assert results["Bogotá clinic"].timezone == "America/Bogota"
    assert [(i.opens, i.closes) for i in results["Bogotá clinic"].hours_today] == [("08:00", "17:00")]
    assert results["São Paulo clinic"].open_now is True
    assert results["No hours known"].open_now is None and results["No hours known"].hours_today is None
    only_open = nearest_services(db_session, SearchQuery(4.711, -74.0721, open_now=True, **query))
    assert [r.name for r in only_open.results] == ["São Paulo clinic"]


def test_overnight_hours_and_closed_days(db_session, make_service):
    make_service("Night outreach", *CUCUTA, schedules=(("FR,SA", time(20), time(2)),))
    saturday_0100_bogota = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)
    monday_1200_bogota = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
    at_night = nearest_services(db_session, SearchQuery(*CUCUTA, now=saturday_0100_bogota)).results[0]
    assert at_night.open_now is True
    on_monday = nearest_services(db_session, SearchQuery(*CUCUTA, now=monday_1200_bogota)).results[0]
    assert on_monday.open_now is False and on_monday.hours_today == []


def test_stale_services_are_returned_but_marked(db_session, make_service):
    make_service("Fresh", *CUCUTA, verified_days_ago=30)
    make_service("Old", CUCUTA[0] + 0.001, CUCUTA[1], verified_days_ago=400)
    make_service("Strict limit", CUCUTA[0] + 0.002, CUCUTA[1], verified_days_ago=100, staleness_limit_days=90)
    make_service("Never verified", CUCUTA[0] + 0.003, CUCUTA[1], verified_days_ago=None)
    results = {r.name: r for r in nearest_services(db_session, SearchQuery(*CUCUTA, limit=10)).results}
    assert results["Fresh"].stale is False and results["Fresh"].verified_days_ago == 30
    assert results["Old"].stale is True and results["Old"].verified_days_ago == 400
    assert results["Strict limit"].stale is True
    assert results["Never verified"].stale is True and results["Never verified"].last_verified_at is None


def test_radius_widens_when_too_few_nearby(db_session, make_service):
    make_service("In town", CUCUTA[0] + 0.01, CUCUTA[1])
    make_service("Next town", CUCUTA[0] + 0.3, CUCUTA[1])  # ~33 km
    one = nearest_services(db_session, SearchQuery(*CUCUTA, limit=1))
    assert one.radius_km == 5 and one.widened is False
    two = nearest_services(db_session, SearchQuery(*CUCUTA, limit=2))
    assert two.radius_km == 50 and two.widened is True
    assert [r.name for r in two.results] == ["In town", "Next town"]
    nothing = nearest_services(db_session, SearchQuery(-33.45, -70.66, limit=3))
    assert nothing.results == [] and nothing.radius_km == 150 and nothing.widened is True


def test_paging_with_offset_for_more(db_session, make_service):
    for i in range(5):
        make_service(f"S{i}", CUCUTA[0] + 0.002 * (i + 1), CUCUTA[1])
    first = nearest_services(db_session, SearchQuery(*CUCUTA, limit=3))
    more = nearest_services(db_session, SearchQuery(*CUCUTA, limit=3, offset=3))
    assert [r.name for r in first.results] == ["S0", "S1", "S2"] and first.has_more is True
    assert [r.name for r in more.results] == ["S3", "S4"] and more.has_more is False


def test_border_search_returns_both_sides_unless_a_country_is_asked(db_session, make_service):
    make_service("Cúcuta side", *CUCUTA, country="co", city="Cúcuta")
    make_service("Táchira side", *SAN_ANTONIO_TACHIRA, country="ve", city="San Antonio del Táchira")
    both = nearest_services(db_session, SearchQuery(7.85, -72.47, limit=5))
    assert {r.country for r in both.results} == {"co", "ve"}
    only_co = nearest_services(db_session, SearchQuery(7.85, -72.47, limit=5, country="co"))
    assert [r.name for r in only_co.results] == ["Cúcuta side"]
    only_ve = nearest_services(db_session, SearchQuery(7.85, -72.47, limit=5, country="VE"))
    assert [r.city for r in only_ve.results] == ["San Antonio del Táchira"]


def test_unicode_names_survive_the_round_trip(db_session, make_service):
    make_service("Klinik Sante Fanmi Ayisyen — Lakay «Pòtoprens» ñandú 漢字", *CUCUTA,
                 organization="Asociación Ñandú São João", city="Cúcuta")
    result = nearest_services(db_session, SearchQuery(*CUCUTA)).results[0]
    assert result.name == "Klinik Sante Fanmi Ayisyen — Lakay «Pòtoprens» ñandú 漢字"
    assert result.organization == "Asociación Ñandú São João"
    assert result.address == "1 Sample Street, Cúcuta"


def test_result_carries_what_a_person_needs(db_session, make_service):
    make_service("Full", *CUCUTA, phone="+12025550100", types=("prep", "hiv_testing"),
                 languages=("es", "en"), serves_undocumented=True, youth_friendly=False)
    result = nearest_services(db_session, SearchQuery(*CUCUTA, person_language="ht")).results[0]
    assert result.phone == "+12025550100"
    assert result.service_types == ["hiv_testing", "prep"]
    assert result.languages == ["en", "es"] and result.speaks_language is False
    assert result.safety["serves_undocumented"] is True
    assert result.safety["youth_friendly"] is False and result.safety["free_of_charge"] is None


@pytest.mark.parametrize(
    "query",
    [SearchQuery(91, 0), SearchQuery(0, -181), SearchQuery(0, 0, limit=0), SearchQuery(0, 0, limit=21),
     SearchQuery(0, 0, require=frozenset({"brave"}))],
)
def test_bad_queries_are_refused_with_a_reason(db_session, query):
    with pytest.raises(SearchError):
        nearest_services(db_session, query)


def _reference(services, lat, lon, limit, *, service_type=None, language=None, require=(), country=None):
    """Brute force over what the test created: every filter in Python, exact distance."""
    kept = [
        (haversine_km(lat, lon, s["lat"], s["lon"]), s["id"]) for s in services
        if (service_type is None or service_type in s["types"])
        and (language is None or language in s["languages"])
        and (country is None or s["country"] == country)
        and all(s["flags"].get(flag) is True for flag in require)
    ]
    return [sid for _, sid in sorted(kept)[:limit]]


def test_filtered_results_match_a_brute_force_reference_on_random_data(db_session, make_service):
    rng = random.Random(11)
    created = []
    for i in range(120):
        lat, lon = CUCUTA[0] + rng.uniform(-0.5, 0.5), CUCUTA[1] + rng.uniform(-0.5, 0.5)
        types = tuple(rng.sample(["hiv_testing", "prep", "tb_testing"], k=rng.randint(1, 2)))
        languages = tuple(rng.sample(["es", "en", "ht"], k=rng.randint(1, 2)))
        flags = {"serves_undocumented": rng.choice([True, False, None]),
                 "free_of_charge": rng.choice([True, False, None])}
        country = rng.choice(["co", "ve"])
        service = make_service(f"R{i}", lat, lon, types=types, languages=languages, country=country, **flags)
        created.append({"id": service.id, "lat": lat, "lon": lon, "types": types, "languages": languages,
                        "flags": flags, "country": country})
    cases = [
        {}, {"service_type": "prep"}, {"language": "ht"}, {"country": "ve"},
        {"require": frozenset({"serves_undocumented"})},
        {"service_type": "hiv_testing", "language": "en", "require": frozenset({"free_of_charge"})},
    ]
    for case in cases:
        for _ in range(3):
            lat, lon = CUCUTA[0] + rng.uniform(-0.3, 0.3), CUCUTA[1] + rng.uniform(-0.3, 0.3)
            outcome = nearest_services(db_session, SearchQuery(lat, lon, limit=10, radii_km=(20000,), **case))
            expected = _reference(created, lat, lon, 10, **case)
            assert [r.service_id for r in outcome.results] == expected, case


def test_most_specific_schedule_and_phone_win(db_session, make_service):
    from service_directory.models import directory as d

    hours = ((WEEKDAYS, time(8), time(12)),)
    at_service = make_service("Service hours", *CUCUTA, schedules=hours, phone="+12025550101")
    at_place = make_service("Place hours", CUCUTA[0] + 0.001, CUCUTA[1])
    at_sal = make_service("Service-at-location hours", CUCUTA[0] + 0.002, CUCUTA[1], schedules=hours)
    place_location = db_session.get(d.ServiceAtLocation, _sal_id(db_session, at_place.id)).location_id
    sal_id = _sal_id(db_session, at_sal.id)
    db_session.add_all([
        d.Schedule(id="loc-hours", location_id=place_location, freq="WEEKLY", byday=WEEKDAYS,
                   opens_at=time(14), closes_at=time(18)),
        d.Schedule(id="sal-hours", service_at_location_id=sal_id, freq="WEEKLY", byday=WEEKDAYS,
                   opens_at=time(9), closes_at=time(10)),
        d.Phone(id="loc-phone", location_id=place_location, number="+12025550102"),
    ])
    db_session.flush()
    monday = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
    results = {r.name: r for r in nearest_services(db_session, SearchQuery(*CUCUTA, limit=5, now=monday)).results}
    assert [(i.opens, i.closes) for i in results["Service hours"].hours_today] == [("08:00", "12:00")]
    assert [(i.opens, i.closes) for i in results["Place hours"].hours_today] == [("14:00", "18:00")]
    assert [(i.opens, i.closes) for i in results["Service-at-location hours"].hours_today] == [("09:00", "10:00")]
    assert results["Service hours"].phone == "+12025550101"
    assert results["Place hours"].phone == "+12025550102"
    assert results["Service-at-location hours"].phone is None
    assert at_service.id == results["Service hours"].service_id


def _sal_id(session, service_id):
    from sqlalchemy import select

    from service_directory.models import directory as d

    return session.scalar(select(d.ServiceAtLocation.id).where(d.ServiceAtLocation.service_id == service_id))
