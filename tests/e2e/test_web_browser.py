"""The curators' web in a real browser (Debian's chromium, driven by Selenium), on a
phone-sized window: an invite sets a password, the home shows what needs her, one
click marks a service still accurate and htmx changes its row without a page load (as
the queue's items and a statement of rights), the language switch works; she drags her
clinic's pin on the map and changes its phone, and the public search answers with
them; an admin's statement of rights meets a colleague's save and both are shown.
Map tiles come from a tile server on loopback (MAP_TILE_URL). Screenshots go to
results/web/ at 360 and 1280 px wide (look at them)."""
from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from .stack import app_alone, free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "results" / "web"
PASSWORD = "a long enough password"


TILE = (ROOT / "service_directory/web/static/vendor/leaflet-1.9.4/images/marker-shadow.png")


class _Tiles(BaseHTTPRequestHandler):
    """Every map tile is the same small picture: the map is about the pin, not the
    streets, and nothing is fetched from another host."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = TILE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@dataclass
class Site:
    base: str
    database_url: str
    invites: dict[str, str]


@pytest.fixture(scope="module")
def tiles():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, tiles):
    """The app alone (uvicorn, MAP_TILE_URL on loopback), on a fresh database with one
    NGO, one service never checked (a place in Santo Domingo with a phone), a statement
    of rights, and invited people: Marie (curator) and Ada (admin)."""
    from service_directory import accounts, migrate
    from service_directory.db import engine_for, session_scope
    from service_directory.models.directory import (Location, Organization, Phone, Service,
                                                    ServiceAtLocation)
    from service_directory.models.entitlements import Entitlement
    from service_directory.models.reports import DiscriminationReport
    from service_directory.reminders.models import FollowUpRequest

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'puente.db'}"
    migrate.upgrade(url)
    invites = {}
    with session_scope(engine_for(url)) as session:
        session.add(Organization(id="ngo-1", name="Red Somos"))
        session.flush()
        session.add(Service(id="svc-1", organization_id="ngo-1", name="Clínica Esperanza"))
        session.add(Location(id="loc-1", organization_id="ngo-1", name="Sede Gazcue",
                             latitude=18.4655, longitude=-69.9120, country="do"))
        session.flush()
        session.add(ServiceAtLocation(service_id="svc-1", location_id="loc-1"))
        session.add(Phone(id="ph-1", service_id="svc-1", number="+18095551234"))
        session.add(Entitlement(
            id="do-hiv", country="do", service_type="hiv_treatment", entitled="yes",
            cost="free", guidance_key="rights_guidance_do_hiv",
            source_url="https://www.conavihsida.gob.do", reviewer="Red Somos",
            last_reviewed=date.today() - timedelta(days=400), needs_local_review=True))
        ada = accounts.create_user(session, name="Ada", role="admin", email="ada@ngo.example")
        invites["ada"] = accounts.create_invite(session, ada)
        session.flush()
        session.add(DiscriminationReport(organization_id="ngo-1", country="do",
                                         service_name="Clínica Esperanza",
                                         description="Me pidieron pasaporte y no me atendieron"))
        session.add(FollowUpRequest(organization_id="ngo-1", country="do",
                                    service_type="hiv_treatment", reason="no_medicine"))
        user = accounts.create_user(session, name="Marie", role="curator",
                                    email="marie@ngo.example", organization_ids=["ngo-1"])
        invites["marie"] = accounts.create_invite(session, user)
    engine_for(url).dispose()
    with app_alone(url, MAP_TILE_URL=tiles) as base:
        yield Site(base, url, invites)


def open_browser(user_data_dir: Path, accept_language: str | None = None):
    """Debian's chromium, headless, phone-sized (390 x 844), through chromedriver; with
    `accept_language`, the languages the browser asks pages in (a phone set to Spanish)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    driver_path = subprocess.run([str(ROOT / "scripts/services.sh"), "browser"], check=True,
                                 capture_output=True, text=True).stdout.strip()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=390,844", f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    if accept_language:
        options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    driver = webdriver.Chrome(service=DriverService(driver_path), options=options)
    driver.implicitly_wait(5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = open_browser(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def wait_for_url(browser, part: str) -> None:
    """Until the page the click led to is loaded (its URL ends with or contains `part`)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(
        lambda b: b.current_url.endswith(part) if part.endswith("/") else part in b.current_url)


def test_a_curator_sets_her_password_and_confirms_a_service_on_her_phone(app_url, browser):
    from selenium.webdriver.common.by import By

    base, token = app_url.base, app_url.invites["marie"]
    browser.get(f"{base}/ui/invite/{token}?lang=en")
    assert "marie@ngo.example" in browser.page_source
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.NAME, "repeat").send_keys(PASSWORD)
    browser.save_screenshot(str(SHOTS / "invite-en.png"))
    browser.find_element(By.CSS_SELECTOR, "form button").click()
    wait_for_url(browser, "/ui/")
    assert "Clínica Esperanza" in browser.page_source
    browser.save_screenshot(str(SHOTS / "home-en.png"))
    cookie = browser.get_cookie("puente_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page = same_page_marker(browser)
    browser.find_element(By.CSS_SELECTOR, "form[action$='/verify'] button").click()
    changed_in_place(browser, "#service-svc-1 .notice", page)  # htmx: the row alone
    row = browser.find_element(By.ID, "service-svc-1")
    assert "checked today" in row.text and "marked as still accurate today" in row.text
    assert not browser.find_elements(By.CSS_SELECTOR, "#service-svc-1 form")
    browser.save_screenshot(str(SHOTS / "verified-en.png"))

    browser.find_element(By.LINK_TEXT, "Services").click()
    browser.find_element(By.NAME, "q").send_keys("esperanza")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait_for_url(browser, "q=esperanza")
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".item strong")] == [
        "Clínica Esperanza"]
    browser.save_screenshot(str(SHOTS / "services-en.png"))
    browser.find_element(By.LINK_TEXT, "Clínica Esperanza").click()
    wait_for_url(browser, "/ui/services/svc-1")
    browser.find_element(By.CSS_SELECTOR, "input[name=serves_undocumented][value=yes]").click()
    browser.find_element(By.NAME, "MO_opens").send_keys("08:00")
    browser.find_element(By.NAME, "MO_closes").send_keys("16:00")
    browser.save_screenshot(str(SHOTS / "service-edit-en.png"))
    browser.find_element(By.CSS_SELECTOR, "form.card > button[type=submit]").click()
    wait_for_url(browser, "saved=1")
    assert browser.find_element(By.CSS_SELECTOR, ".notice").is_displayed()
    assert browser.find_element(By.NAME, "MO_closes").get_attribute("value") == "16:00"
    browser.get(browser.current_url + "&lang=es")  # the same page, in Spanish, on a laptop
    browser.set_window_size(1280, 900)
    assert "Horario de atención" in browser.page_source
    browser.save_screenshot(str(SHOTS / "service-edit-es-1280.png"))
    browser.set_window_size(390, 844)
    browser.get(f"{base}/ui/?lang=en")

    browser.find_element(By.LINK_TEXT, "To review").click()
    wait_for_url(browser, "/ui/queue")
    assert "Me pidieron pasaporte" in browser.page_source
    browser.save_screenshot(str(SHOTS / "queue-en.png"))
    report = browser.find_element(By.CSS_SELECTOR, "form[action$='/resolve']")
    report.find_element(By.NAME, "note").send_keys("Hablamos con la directora de la clínica")
    page = same_page_marker(browser)
    report.find_element(By.TAG_NAME, "button").click()
    resolved = changed_in_place(browser, "[id^=report-] .notice", page)
    assert resolved.text == "Resolved."
    followup = browser.find_element(By.CSS_SELECTOR, "form[action$='/status']")
    followup.find_element(By.CSS_SELECTOR, "button[value=in_review]").click()
    moved = changed_in_place(browser, "[id^=followup-] .notice", page)
    assert "in review" in moved.find_element(By.XPATH, "..").text
    browser.save_screenshot(str(SHOTS / "queue-changed-en.png"))
    followup = browser.find_element(By.CSS_SELECTOR, "form[action$='/status']")
    followup.find_element(By.CSS_SELECTOR, "button[value=resolved]").click()  # no note
    said = changed_in_place(browser, "[id^=followup-] .error", page)
    assert said.text == "Say what was done before resolving it."
    browser.save_screenshot(str(SHOTS / "queue-note-needed-en.png"))
    browser.get(f"{base}/ui/queue")
    assert "Me pidieron pasaporte" not in browser.page_source

    browser.get(f"{base}/ui/?lang=ht")
    assert '<html lang="ht">' in browser.page_source or browser.find_element(
        By.TAG_NAME, "html").get_attribute("lang") == "ht"
    browser.save_screenshot(str(SHOTS / "home-ht.png"))
    browser.find_element(By.CSS_SELECTOR, "form.logout button").click()
    wait_for_url(browser, "/ui/login")


def same_page_marker(browser) -> str:
    """A mark on this page's window object: a page load would wipe it."""
    mark = f"puente-{time.monotonic_ns()}"
    browser.execute_script("window.puenteMark = arguments[0]", mark)
    return mark


def changed_in_place(browser, selector: str, mark: str):
    """The element htmx swapped in (waited for), after checking that no page loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    found = WebDriverWait(browser, 10).until(
        lambda b: next(iter(b.find_elements("css selector", selector)), None))
    assert browser.execute_script("return window.puenteMark") == mark, "the page was reloaded"
    return found


def enter(browser, base: str, email: str, token: str) -> None:
    """Signed in as `email`: through her invite the first time, else the login page."""
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{base}/ui/invite/{token}?lang=en")
    if browser.find_elements(By.NAME, "repeat"):
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.NAME, "repeat").send_keys(PASSWORD)
    else:
        browser.get(f"{base}/ui/login")
        browser.find_element(By.NAME, "email").send_keys(email)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button").click()
    wait_for_url(browser, "/ui/")


def test_a_curator_drags_her_clinics_pin_changes_its_phone_and_search_follows(app_url, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base = app_url.base
    browser.set_window_size(360, 800)
    enter(browser, base, "marie@ngo.example", app_url.invites["marie"])
    browser.get(f"{base}/ui/services/svc-1?lang=es")
    latitude, longitude = (browser.find_element(By.NAME, f"loc0_{axis}") for axis in
                           ("latitude", "longitude"))
    assert latitude.get_attribute("value") == "18.4655"
    pin = WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "#loc0 .leaflet-marker-icon"))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", pin)
    time.sleep(0.3)
    ActionChains(browser).click_and_hold(pin).move_by_offset(60, 40).release().perform()
    WebDriverWait(browser, 5).until(lambda b: latitude.get_attribute("value") != "18.4655")
    moved = (float(latitude.get_attribute("value")), float(longitude.get_attribute("value")))
    assert moved[0] < 18.4655 and moved[1] > -69.9120  # down and to the right on the map
    browser.save_screenshot(str(SHOTS / "service-map-es-360.png"))
    phone = browser.find_element(By.NAME, "phone0_number")
    phone.clear()
    phone.send_keys("809 555 9876")  # as dialled in the Dominican Republic
    browser.save_screenshot(str(SHOTS / "service-place-es-360.png"))
    browser.find_element(By.CSS_SELECTOR, "form.card > button[type=submit]").click()
    wait_for_url(browser, "saved=1")
    assert browser.find_element(By.NAME, "phone0_number").get_attribute("value") == "+18095559876"
    browser.set_window_size(1280, 900)
    browser.execute_script("document.getElementById('loc0').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "service-place-es-1280.png"))
    browser.set_window_size(360, 800)
    browser.find_element(By.CSS_SELECTOR, "a[href='/ui/services/svc-1/phones/ph-1/delete']").click()
    wait_for_url(browser, "/phones/ph-1/delete")  # deleting asks first; she keeps it
    assert "¿Borrar el teléfono +18095559876?" in browser.page_source
    browser.save_screenshot(str(SHOTS / "delete-phone-es-360.png"))
    browser.find_element(By.LINK_TEXT, "Cancelar: conservarlo").click()
    wait_for_url(browser, "/ui/services/svc-1")
    browser.get(f"{base}/ui/audit?lang=es")
    assert "+18095559876" in browser.page_source  # the phone, before and after
    browser.execute_script("document.querySelector('.change').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "audit-es-360.png"))
    browser.get(f"{base}/ui/import?lang=es")
    assert browser.find_element(By.CSS_SELECTOR, "a[href='/ui/export']").is_displayed()
    browser.save_screenshot(str(SHOTS / "export-es-360.png"))
    browser.set_window_size(390, 844)

    found = httpx.get(f"{base}/v1/services/search",
                      params={"lat": moved[0], "lon": moved[1], "limit": 3}).json()["results"]
    clinic = next(r for r in found if r["service_id"] == "svc-1")
    assert clinic["distance_km"] < 0.01 and clinic["phone"] == "+18095559876"
    assert (round(clinic["latitude"], 4), round(clinic["longitude"], 4)) == (
        round(moved[0], 4), round(moved[1], 4))


def test_an_admin_sees_a_colleagues_save_beside_hers_on_a_statement(app_url, browser):
    from selenium.webdriver.common.by import By

    from service_directory.db import engine_for, session_scope
    from service_directory.models.entitlements import Entitlement

    base = app_url.base
    browser.set_window_size(1280, 900)
    enter(browser, base, "ada@ngo.example", app_url.invites["ada"])
    browser.find_element(By.LINK_TEXT, "Rights").click()
    browser.find_element(By.LINK_TEXT, "Needs review").click()
    wait_for_url(browser, "/ui/entitlements/review")
    assert "reviewed 400 days ago" in browser.page_source
    browser.save_screenshot(str(SHOTS / "entitlements-review-en-1280.png"))
    page = same_page_marker(browser)
    browser.find_element(By.CSS_SELECTOR, "#statement-do-hiv button").click()
    row = changed_in_place(browser, "#statement-do-hiv .notice", page)
    assert "reviewed 0 days ago" in row.find_element(By.XPATH, "..").text
    assert "ada@ngo.example" in row.find_element(By.XPATH, "..").text
    assert browser.current_url.endswith("/ui/entitlements/review")
    browser.save_screenshot(str(SHOTS / "entitlement-still-accurate-en-1280.png"))
    browser.find_element(By.CSS_SELECTOR, "a[href='/ui/entitlements/do-hiv']").click()
    wait_for_url(browser, "/ui/entitlements/do-hiv")
    spanish = browser.find_element(By.NAME, "guidance_es")
    assert "135-11" in spanish.get_attribute("value")  # the catalog's text, in Spanish
    spanish.clear()
    spanish.send_keys("La Ley 135-11 protege a toda persona con VIH, de cualquier nacionalidad.")
    with session_scope(engine_for(app_url.database_url)) as session:  # a colleague saves first
        entry = session.get(Entitlement, "do-hiv")
        entry.cost, entry.version = "copay", entry.version + 1
    browser.find_element(By.CSS_SELECTOR, "form.card > button[type=submit]").click()
    conflict = browser.find_element(By.CSS_SELECTOR, ".conflict")
    assert "Someone else saved this statement" in conflict.text
    assert "You may pay a small part of the cost." in conflict.text  # theirs
    assert "La Ley 135-11 protege" in conflict.text  # hers
    browser.save_screenshot(str(SHOTS / "entitlement-conflict-en-1280.png"))
    browser.set_window_size(360, 800)
    browser.save_screenshot(str(SHOTS / "entitlement-conflict-en-360.png"))
    with session_scope(engine_for(app_url.database_url)) as session:
        entry = session.get(Entitlement, "do-hiv")
        assert (entry.cost, entry.guidance_key) == ("copay", "rights_guidance_do_hiv")
    browser.find_element(By.CSS_SELECTOR, "form.card > button[type=submit]").click()
    wait_for_url(browser, "saved=1")  # she compared and saved hers on purpose
    with session_scope(engine_for(app_url.database_url)) as session:
        entry = session.get(Entitlement, "do-hiv")
        # 1, "still accurate" 2, the colleague's save 3, hers 4
        assert entry.guidance["es"].startswith("La Ley 135-11") and entry.version == 4
    browser.set_window_size(390, 844)


def test_an_admin_edits_an_organization_and_marks_it_a_legal_partner(app_url, browser):
    from selenium.webdriver.common.by import By

    from service_directory.db import engine_for, session_scope
    from service_directory.models.directory import Organization

    base = app_url.base
    browser.set_window_size(1280, 900)
    enter(browser, base, "ada@ngo.example", app_url.invites["ada"])
    browser.find_element(By.LINK_TEXT, "Organizations").click()
    wait_for_url(browser, "/ui/organizations")
    row = browser.find_element(By.ID, "org-ngo-1")
    assert "Red Somos" in row.text and "not a legal partner" in row.text
    row.find_element(By.CSS_SELECTOR, "button").click()
    wait_for_url(browser, "changed=ngo-1")
    assert "Services: " in browser.find_element(By.ID, "org-ngo-1").text
    assert "· legal partner" in browser.find_element(By.ID, "org-ngo-1").text
    browser.save_screenshot(str(SHOTS / "organizations-en-1280.png"))
    browser.set_window_size(360, 800)
    browser.save_screenshot(str(SHOTS / "organizations-en-360.png"))
    browser.find_element(By.LINK_TEXT, "Red Somos").click()
    wait_for_url(browser, "/ui/organizations/ngo-1")
    email = browser.find_element(By.NAME, "email")
    email.clear()
    email.send_keys("contacto@redsomos.example")
    browser.find_element(By.CSS_SELECTOR, "form.card > button[type=submit]").click()
    wait_for_url(browser, "saved=1")
    browser.save_screenshot(str(SHOTS / "organization-edit-en-360.png"))
    with session_scope(engine_for(app_url.database_url)) as session:
        organization = session.get(Organization, "ngo-1")
        assert (organization.legal_partner, organization.email) == (
            True, "contacto@redsomos.example")
        organization.legal_partner = False  # as the other tests expect it
