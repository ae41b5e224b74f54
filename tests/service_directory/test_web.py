"""The curators' web through HTTP (FastAPI's test client on a migrated database):
invites, sign-in, the cookie's flags, CSRF, slowed then locked logins, roles, and the
one-click "still accurate". The same pages in a real browser: tests/e2e/test_web_browser.py."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from service_directory import accounts
from service_directory.models.accounts import User
from service_directory.models.directory import Organization, Service
from service_directory.web import auth

PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def fresh_throttle():
    auth.throttle.failures.clear()
    yield
    auth.throttle.failures.clear()


def person(app, role: str, email: str, orgs: tuple[str, ...] = ()) -> str:
    """A user with a password (through a real invite), returns the invite token used."""
    with app.sessions.begin() as session:
        user = accounts.create_user(session, name=email.split("@")[0], role=role,
                                    email=email, organization_ids=orgs)
        token = accounts.create_invite(session, user)
    response = app.client.post(f"/ui/invite/{token}",
                               data={"password": PASSWORD, "repeat": PASSWORD},
                               follow_redirects=False)
    assert response.status_code == 303, response.text
    app.client.cookies.clear()
    return token


def sign_in(app, email: str, password: str = PASSWORD):
    return app.client.post("/ui/login", data={"email": email, "password": password},
                           follow_redirects=False)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture
def two_orgs(accounts_app):
    """Two NGOs, each with a service never checked and one checked yesterday."""
    with accounts_app.sessions.begin() as session:
        for org in ("org-a", "org-b"):
            session.add(Organization(id=org, name=f"NGO {org}"))
            session.flush()
            session.add(Service(id=f"{org}-old", organization_id=org, name=f"Clinic {org}"))
            session.add(Service(id=f"{org}-new", organization_id=org, name=f"Fresh {org}",
                                assured_date=date.today() - timedelta(days=1),
                                assurer_email="x@ngo.example"))
    return accounts_app


def test_pages_need_a_session(accounts_app):
    assert accounts_app.client.get("/ui/login").status_code == 200
    response = accounts_app.client.get("/ui/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/login"


def test_an_invite_sets_a_password_once_and_signs_in(accounts_app):
    with accounts_app.sessions.begin() as session:
        user = accounts.create_user(session, name="Ana", role="curator", email="ana@ngo.example")
        token = accounts.create_invite(session, user)
    client = accounts_app.client
    assert "ana@ngo.example" in client.get(f"/ui/invite/{token}").text
    mismatch = client.post(f"/ui/invite/{token}", data={"password": PASSWORD, "repeat": "other"})
    assert mismatch.status_code == 422
    short = client.post(f"/ui/invite/{token}", data={"password": "short", "repeat": "short"})
    assert short.status_code == 422
    done = client.post(f"/ui/invite/{token}", data={"password": PASSWORD, "repeat": PASSWORD},
                       follow_redirects=False)
    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # PUBLIC_BASE_URL is http here
    assert client.get(f"/ui/invite/{token}").status_code == 404  # used


def test_the_cookie_is_secure_behind_https(accounts_app, monkeypatch):
    from service_directory.config import get_settings

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://puente.example")
    get_settings.cache_clear()
    try:
        assert auth.cookie_options()["secure"] is True
    finally:
        monkeypatch.delenv("PUBLIC_BASE_URL")
        get_settings.cache_clear()


def test_wrong_passwords_are_slowed_then_locked(accounts_app, monkeypatch):
    person(accounts_app, "curator", "bea@ngo.example")
    waits = []
    monkeypatch.setattr("service_directory.web.pages.time.sleep", waits.append)
    statuses = [sign_in(accounts_app, "bea@ngo.example", "wrong").status_code for _ in range(5)]
    assert statuses == [401] * 5 and waits[:3] == [0.0, 0.0, 0.0] and waits[3] > 0
    locked = sign_in(accounts_app, "bea@ngo.example")  # even the right password, for now
    assert locked.status_code == 429 and "minutes" in locked.text


def test_a_curator_sees_and_verifies_only_her_own_services(two_orgs):
    person(two_orgs, "curator", "cam@ngo.example", orgs=("org-a",))
    assert sign_in(two_orgs, "cam@ngo.example").status_code == 303
    home = two_orgs.client.get("/ui/").text
    assert "Clinic org-a" in home and "Clinic org-b" not in home and "Fresh org-a" not in home
    token = csrf_of(home)
    refused = two_orgs.client.post("/ui/services/org-a-old/verify", data={},
                                   follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    other = two_orgs.client.post("/ui/services/org-b-old/verify", data={"csrf": token},
                                 follow_redirects=False)
    assert other.status_code == 404
    done = two_orgs.client.post("/ui/services/org-a-old/verify", data={"csrf": token},
                                follow_redirects=False)
    assert done.status_code == 303
    with two_orgs.sessions() as session:
        service = session.get(Service, "org-a-old")
        assert service.assured_date == date.today() and service.assurer_email == "cam@ngo.example"
    assert "Clinic org-a" not in two_orgs.client.get("/ui/").text


def test_a_refused_page_says_why_in_her_language_and_the_api_keeps_its_json(two_orgs):
    from service_directory.i18n import gettext_for
    from service_directory.web.errors import SAID

    person(two_orgs, "curator", "ines@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "ines@ngo.example")
    client = two_orgs.client
    other = client.get("/ui/services/org-b-old?lang=es")
    assert other.status_code == 404 and other.headers["content-type"].startswith("text/html")
    assert gettext_for("es", SAID[404]) in other.text and 'href="/ui/"' in other.text
    forged = client.post("/ui/services/org-a-old/verify", data={}, follow_redirects=False)
    assert forged.status_code == 403 and gettext_for("es", SAID[403]) in forged.text
    htmx = client.post("/ui/services/org-a-old/verify", data={}, headers={"HX-Request": "true"})
    assert htmx.status_code == 403 and htmx.json()["detail"]  # htmx leaves the row as it was
    api = client.get("/v1/nowhere")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_an_analyst_sees_no_directory_and_changes_nothing(two_orgs):
    person(two_orgs, "analyst", "dan@ngo.example")
    sign_in(two_orgs, "dan@ngo.example")
    home = two_orgs.client.get("/ui/").text
    assert "Clinic org-a" not in home
    response = two_orgs.client.post("/ui/services/org-a-old/verify",
                                    data={"csrf": csrf_of(home)}, follow_redirects=False)
    assert response.status_code == 404


def test_sign_out_ends_the_session(accounts_app):
    person(accounts_app, "admin", "eva@ngo.example")
    sign_in(accounts_app, "eva@ngo.example")
    home = accounts_app.client.get("/ui/")
    assert home.status_code == 200
    out = accounts_app.client.post("/ui/logout", data={"csrf": csrf_of(home.text)},
                                   follow_redirects=False)
    assert out.status_code == 303
    assert accounts_app.client.get("/ui/", follow_redirects=False).status_code == 303


def test_the_pages_speak_her_language(accounts_app):
    page = accounts_app.client.get("/ui/login?lang=es")
    assert '<html lang="es">' in page.text and "Iniciar sesión" in page.text
    assert accounts_app.client.get("/ui/login").text.count("Iniciar sesión") >= 1  # remembered


@pytest.fixture
def many_services(two_orgs):
    """25 more services of org-a, some typed HIV testing in Peru and free."""
    from service_directory.models.directory import Location, ServiceAtLocation
    from service_directory.routers.admin_directory import _set_service_types

    with two_orgs.sessions.begin() as session:
        session.add(Location(id="loc-lima", organization_id="org-a", name="Lima",
                             latitude=-12.05, longitude=-77.04, country="pe"))
        for n in range(25):
            service = Service(id=f"svc-{n:02d}", organization_id="org-a",
                              name=f"Centro {n:02d}", free_of_charge=n % 2 == 0,
                              assured_date=date.today() - timedelta(days=400 if n < 5 else 1),
                              assurer_email="x@ngo.example")
            session.add(service)
            session.flush()
            if n < 10:
                _set_service_types(session, service, ["hiv_testing"])
                session.add(ServiceAtLocation(service_id=service.id, location_id="loc-lima"))
    return two_orgs


def names(html: str) -> list[str]:
    return re.findall(r"<strong>(?:<a [^>]*>)?([^<]+)", html)


def test_the_services_list_searches_filters_and_pages(many_services):
    person(many_services, "curator", "fe@ngo.example", orgs=("org-a",))
    sign_in(many_services, "fe@ngo.example")
    get = many_services.client.get
    first = get("/ui/services").text
    assert len(names(first)) == 20 and "Clinic org-b" not in first and "Page 1 of 2" in first
    assert len(names(get("/ui/services?page=2").text)) == 7  # 25 + 2 of her own
    assert names(get("/ui/services?q=centro 0").text) == [f"Centro 0{n}" for n in range(10)]
    typed = names(get("/ui/services?type=hiv_testing&country=pe").text)
    assert typed == [f"Centro 0{n}" for n in range(10)]
    stale = names(get("/ui/services?stale=1").text)
    assert stale == ["Centro 00", "Centro 01", "Centro 02", "Centro 03", "Centro 04",
                     "Clinic org-a"]
    free = names(get("/ui/services?flag=free_of_charge&q=centro 0").text)
    assert free == ["Centro 00", "Centro 02", "Centro 04", "Centro 06", "Centro 08"]


def test_the_queue_reviews_reports_and_followups_of_her_organizations(two_orgs):
    from service_directory.models.reports import DiscriminationReport
    from service_directory.reminders.models import FollowUpRequest

    with two_orgs.sessions.begin() as session:
        for org in ("org-a", "org-b"):
            session.add(DiscriminationReport(id=f"rep-{org}", organization_id=org, country="pe",
                                             description=f"me negaron la atención en {org}"))
            session.add(FollowUpRequest(id=f"fu-{org}", organization_id=org, country="cl",
                                        reason="no_medicine", pseudonym="p" * 64))
    person(two_orgs, "curator", "gil@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "gil@ngo.example")
    page = two_orgs.client.get("/ui/queue").text
    assert "en org-a" in page and "en org-b" not in page and "No medicine left" in page
    assert "p" * 64 not in page  # never the pseudonym
    token = csrf_of(page)
    post = two_orgs.client.post
    assert post("/ui/reports/rep-org-a/resolve", data={"note": "hablamos con la clínica"},
                follow_redirects=False).status_code == 403
    assert post("/ui/reports/rep-org-b/resolve", data={"note": "x", "csrf": token},
                follow_redirects=False).status_code == 404
    assert post("/ui/reports/rep-org-a/resolve", data={"note": "hablamos con la clínica",
                                                        "csrf": token},
                follow_redirects=False).status_code == 303
    assert post("/ui/followups/fu-org-a/status", data={"status": "in_review", "csrf": token},
                follow_redirects=False).status_code == 303
    assert post("/ui/followups/fu-org-a/status", data={"status": "resolved", "csrf": token},
                follow_redirects=False).status_code == 422  # resolving says what was done
    assert post("/ui/followups/fu-org-a/status", data={
        "status": "resolved", "note": "la llamamos y tiene cita", "csrf": token},
        follow_redirects=False).status_code == 303
    with two_orgs.sessions() as session:
        assert session.get(DiscriminationReport, "rep-org-a").status == "resolved"
        done = session.get(FollowUpRequest, "fu-org-a")
        assert (done.status, done.resolution_note) == ("resolved", "la llamamos y tiene cita")
    assert "en org-a" not in two_orgs.client.get("/ui/queue").text


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_editing_a_service_with_errors_in_place_and_no_silent_overwrite(two_orgs):
    person(two_orgs, "curator", "hana@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "hana@ngo.example")
    client = two_orgs.client
    page = client.get("/ui/services/org-a-old").text
    assert "Treats people without papers" in page and "Never reports anyone" in page
    token, version = csrf_of(page), version_of(page)
    form = {"csrf": token, "version": version, "name": "Clinic org-a", "email": "not-an-email",
            "serves_undocumented": "yes", "service_types": ["hiv_testing", "prep"]}
    bad = client.post("/ui/services/org-a-old", data=form)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    with two_orgs.sessions() as session:
        assert session.get(Service, "org-a-old").serves_undocumented is None  # nothing saved

    form["email"] = "clinic@ngo.example"
    saved = client.post("/ui/services/org-a-old", data=form, follow_redirects=False)
    assert saved.status_code == 303
    with two_orgs.sessions() as session:
        service = session.get(Service, "org-a-old")
        assert (service.email, service.serves_undocumented) == ("clinic@ngo.example", True)

    # A colleague saves meanwhile; her form still carries the version she opened.
    with two_orgs.sessions.begin() as session:
        service = session.get(Service, "org-a-old")
        service.name, service.version = "Clínica A (renamed)", service.version + 1
    form.update(name="Clinic A, mine", version=str(int(version) + 1))
    conflict = client.post("/ui/services/org-a-old", data=form)
    assert conflict.status_code == 409
    assert "Clínica A (renamed)" in conflict.text and "Clinic A, mine" in conflict.text
    with two_orgs.sessions() as session:
        assert session.get(Service, "org-a-old").name == "Clínica A (renamed)"
    form["version"] = version_of(conflict.text)  # she compared and saves on purpose
    assert client.post("/ui/services/org-a-old", data=form,
                       follow_redirects=False).status_code == 303

    assert client.get("/ui/services/org-b-old").status_code == 404
    del form["csrf"]
    assert client.post("/ui/services/org-a-old", data=form).status_code == 403


def small_package_zip(extra: dict[str, list[str]]) -> bytes:
    """tests/service_directory/data/hsds_small as a zip, with lines added per file."""
    import io
    import zipfile
    from pathlib import Path

    folder = Path(__file__).parent / "data" / "hsds_small"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.iterdir():
            text = path.read_text(encoding="utf-8")
            for line in extra.get(path.name, []):
                text = text.rstrip("\n") + "\n" + line + "\n"
            archive.writestr(path.name, text)
    return buffer.getvalue()


def test_an_import_is_checked_first_then_brings_in_the_good_rows(accounts_app):
    person(accounts_app, "admin", "ivo@ngo.example")
    sign_in(accounts_app, "ivo@ngo.example")
    client = accounts_app.client
    token = csrf_of(client.get("/ui/import").text)
    data = small_package_zip({
        "addresses.csv": ["adr-pos,loc-pos,1 Frederick Street,Port of Spain,,,TT,physical"],
        "locations.csv": ["loc-pos,physical,org-sample-sdq,Port of Spain office,10.6596,-61.5019,",
                          "loc-bad,physical,org-sample-sdq,Bad,12.5,-200,"],
        "phones.csv": ["ph-old,,svc-sample-tb,623-4567,voice"]})
    dry = client.post("/ui/import", data={"csrf": token},
                      files={"package": ("caribe.zip", data, "application/zip")})
    assert dry.status_code == 200, dry.text
    assert "Nothing is saved yet" in dry.text and "locations.csv" in dry.text
    assert "longitude" in dry.text and "state_province" in dry.text and "kept as written" in dry.text
    with accounts_app.sessions() as session:
        assert session.get(Service, "svc-sample-tb") is None  # a dry run saved nothing
    confirm = re.search(r'action="(/ui/import/[0-9a-f]+)"', dry.text).group(1)
    done = client.post(confirm, data={"csrf": token})
    assert done.status_code == 200 and "Imported." in done.text
    with accounts_app.sessions() as session:
        assert session.get(Service, "svc-sample-tb") is not None
    assert client.post(confirm, data={"csrf": token}).status_code == 404  # used once


def test_a_curator_imports_only_her_own_organizations(accounts_app):
    person(accounts_app, "curator", "jo@ngo.example", orgs=())
    sign_in(accounts_app, "jo@ngo.example")
    token = csrf_of(accounts_app.client.get("/ui/import").text)
    refused = accounts_app.client.post(
        "/ui/import", data={"csrf": token},
        files={"package": ("p.zip", small_package_zip({}), "application/zip")})
    assert refused.status_code == 403 and "org-sample" in refused.text


def test_the_week_of_hours_she_types_is_what_search_returns(two_orgs):
    """Done when: she fixes the hours of her clinic and the next migrant gets them."""
    from datetime import datetime, timezone

    from service_directory.models.directory import Location, ServiceAtLocation
    from service_directory.search import SearchQuery, nearest_services

    with two_orgs.sessions.begin() as session:
        session.add(Location(id="loc-cuc", organization_id="org-a", name="Cúcuta",
                             latitude=7.8939, longitude=-72.5078, country="co"))
        session.add(ServiceAtLocation(service_id="org-a-old", location_id="loc-cuc"))
    person(two_orgs, "curator", "kim@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "kim@ngo.example")
    page = two_orgs.client.get("/ui/services/org-a-old").text
    form = {"csrf": csrf_of(page), "version": version_of(page), "name": "Clinic org-a",
            "MO_opens": "08:00", "MO_closes": "16:00", "TU_opens": "9", "TU_closes": ""}
    bad = two_orgs.client.post("/ui/services/org-a-old", data=form)
    assert bad.status_code == 422 and "give both times" in bad.text
    form.update(TU_opens="09:00", TU_closes="13:00")
    assert two_orgs.client.post("/ui/services/org-a-old", data=form,
                                follow_redirects=False).status_code == 303
    page = two_orgs.client.get("/ui/services/org-a-old").text
    assert 'value="09:00"' in page and 'value="13:00"' in page
    monday_noon = datetime(2026, 12, 7, 17, 0, tzinfo=timezone.utc)  # 12:00 in Cúcuta
    with two_orgs.sessions() as session:
        found = nearest_services(session, SearchQuery(latitude=7.89, longitude=-72.5,
                                                      now=monday_noon))
    result = next(r for r in found.results if r.service_id == "org-a-old")
    assert [(i.opens, i.closes) for i in result.hours_today] == [("08:00", "16:00")]
    assert result.open_now is True


def test_after_closing_time_the_answer_says_when_it_opens_next(two_orgs):
    """'closed now, opens tomorrow 08:00': the week's hours reach the person."""
    from datetime import datetime, timezone

    from service_directory.compose import services_found
    from service_directory.models.directory import Location, ServiceAtLocation
    from service_directory.schemas import ServiceOut
    from service_directory.search import SearchQuery, nearest_services

    with two_orgs.sessions.begin() as session:
        session.add(Location(id="loc-cuc", organization_id="org-a", name="Cúcuta",
                             latitude=7.8939, longitude=-72.5078, country="co"))
        session.add(ServiceAtLocation(service_id="org-a-old", location_id="loc-cuc"))
        from service_directory.web.service_edit import save_hours

        hours = {d: [] for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")}
        hours["MO"] = [{"opens": "08:00", "closes": "16:00"}]
        hours["TU"] = [{"opens": "09:00", "closes": "13:00"}]
        save_hours(session, session.get(Service, "org-a-old"), hours, "test")
    monday_evening = datetime(2026, 12, 7, 23, 0, tzinfo=timezone.utc)  # 18:00 in Cúcuta
    with two_orgs.sessions() as session:
        found = nearest_services(session, SearchQuery(latitude=7.89, longitude=-72.5,
                                                      now=monday_evening))
    result = next(r for r in found.results if r.service_id == "org-a-old")
    assert result.open_now is False and result.next_opening.days_ahead == 1
    out = ServiceOut.model_validate(result, from_attributes=True).model_dump()
    assert out["next_opening"] == {"days_ahead": 1, "weekday": 1, "opens": "09:00"}
    text = services_found("es", "sms", {"services": [out], "place": "Cúcuta"})
    assert "09:00" in text and "mañana" in text.lower()


def test_a_service_reported_several_times_is_flagged_for_the_admin(two_orgs):
    from service_directory.models.reports import DiscriminationReport

    with two_orgs.sessions.begin() as session:
        for n in range(3):
            session.add(DiscriminationReport(service_id="org-b-old", organization_id="org-b",
                                             description=f"report {n}"))
        session.add(DiscriminationReport(service_id="org-a-old", organization_id="org-a",
                                         description="once"))
    person(two_orgs, "admin", "lia@ngo.example")
    sign_in(two_orgs, "lia@ngo.example")
    home = two_orgs.client.get("/ui/").text
    assert "Services reported several times" in home and "3 reports" in home
    assert 'href="/ui/services/org-b-old"' in home and "1 reports" not in home


def test_an_admin_invites_and_a_deactivated_account_stops_at_once(two_orgs):
    person(two_orgs, "admin", "max@ngo.example")
    sign_in(two_orgs, "max@ngo.example")
    client = two_orgs.client
    token = csrf_of(client.get("/ui/users").text)
    bad = client.post("/ui/users", data={"csrf": token, "name": "Nia", "email": "not-mail",
                                         "role": "curator"})
    assert bad.status_code == 422
    made = client.post("/ui/users", data={"csrf": token, "name": "Nia", "role": "curator",
                                          "email": "nia@ngo.example", "organization": "org-a"})
    link = re.search(r'value="(http[^"]+/ui/invite/[^"]+)"', made.text).group(1)
    invite_path = link[link.index("/ui/invite/"):]
    admin_cookies = dict(client.cookies)
    client.cookies.clear()
    assert client.post(invite_path, data={"password": PASSWORD, "repeat": PASSWORD},
                       follow_redirects=False).status_code == 303
    assert client.get("/ui/", follow_redirects=False).status_code == 200  # Nia is in
    nia_cookies = dict(client.cookies)
    with two_orgs.sessions() as session:
        nia = session.scalar(select(User).where(User.email == "nia@ngo.example"))
    client.cookies.clear()
    client.cookies.update(admin_cookies)
    assert client.post(f"/ui/users/{nia.id}/active", data={"csrf": token, "active": "0"},
                       follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.update(nia_cookies)
    assert client.get("/ui/", follow_redirects=False).status_code == 303  # her session ended
    client.cookies.clear()
    assert sign_in(two_orgs, "nia@ngo.example").status_code == 401
