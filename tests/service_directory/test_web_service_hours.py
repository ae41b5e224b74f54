"""Several opening intervals a day on the service form (08:00–12:00 and 14:00–18:00):
saved as one schedule each, shown back, checked (both ends, a time, no overlap), and
what search answers: open in the morning, closed over lunch and opening again at 14:00."""
from __future__ import annotations

from datetime import datetime, timezone

from service_directory.models.directory import Location, ServiceAtLocation
from service_directory.search import SearchQuery, nearest_services

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs, version_of  # noqa: F401


def test_a_day_with_a_lunch_break_is_two_intervals_that_search_answers_with(two_orgs):
    with two_orgs.sessions.begin() as session:
        session.add(Location(id="loc-cuc", organization_id="org-a", name="Cúcuta",
                             latitude=7.8939, longitude=-72.5078, country="co"))
        session.add(ServiceAtLocation(service_id="org-a-old", location_id="loc-cuc"))
    person(two_orgs, "curator", "kim@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "kim@ngo.example")
    page = two_orgs.client.get("/ui/services/org-a-old").text
    assert 'name="MO_opens_2"' in page and 'name="SU_closes_2"' in page
    form = {"csrf": csrf_of(page), "version": version_of(page), "name": "Clinic org-a",
            "MO_opens": "14:00", "MO_closes": "18:00", "MO_opens_2": "08:00",
            "MO_closes_2": "12:00", "TU_opens": "08:00", "TU_closes": "13:00",
            "TU_opens_2": "12:00", "TU_closes_2": "16:00"}
    overlap = two_orgs.client.post("/ui/services/org-a-old", data=form)
    assert overlap.status_code == 422 and "08:00–13:00 and 12:00–16:00 overlap" in overlap.text
    form.update(TU_opens_2="", TU_closes_2="")
    assert two_orgs.client.post("/ui/services/org-a-old", data=form,
                                follow_redirects=False).status_code == 303
    page = two_orgs.client.get("/ui/services/org-a-old").text
    assert 'name="MO_opens" value="08:00"' in page and 'name="MO_opens_2" value="14:00"' in page

    def at(hour_utc: int):
        with two_orgs.sessions() as session:
            found = nearest_services(session, SearchQuery(
                latitude=7.89, longitude=-72.5, now=datetime(2026, 12, 7, hour_utc, tzinfo=timezone.utc)))
        return next(r for r in found.results if r.service_id == "org-a-old")

    morning, lunch = at(15), at(18)  # Monday 10:00 and 13:00 in Cúcuta (UTC-5)
    assert [(i.opens, i.closes) for i in morning.hours_today] == [("08:00", "12:00"),
                                                                   ("14:00", "18:00")]
    assert morning.open_now is True and lunch.open_now is False
    assert (lunch.next_opening.days_ahead, lunch.next_opening.opens) == (0, "14:00")
