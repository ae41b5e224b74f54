"""The curators' web in a real browser (Debian's chromium, driven by Selenium), on a
phone-sized window: an invite sets a password, the home shows what needs her, one
click marks a service still accurate, the language switch works. Screenshots go to
results/web/ (look at them)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .stack import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "results" / "web"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app alone (uvicorn), on a fresh database with one NGO, one service never
    checked, and an invited curator; yields (url, invite token)."""
    from service_directory import accounts, migrate
    from service_directory.db import engine_for, session_scope
    from service_directory.models.directory import Organization, Service
    from service_directory.models.reports import DiscriminationReport
    from service_directory.reminders.models import FollowUpRequest

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'puente.db'}"
    migrate.upgrade(url)
    with session_scope(engine_for(url)) as session:
        session.add(Organization(id="ngo-1", name="Red Somos"))
        session.flush()
        session.add(Service(id="svc-1", organization_id="ngo-1", name="Clínica Esperanza"))
        session.flush()
        session.add(DiscriminationReport(organization_id="ngo-1", country="do",
                                         service_name="Clínica Esperanza",
                                         description="Me pidieron pasaporte y no me atendieron"))
        session.add(FollowUpRequest(organization_id="ngo-1", country="do",
                                    service_type="hiv_treatment", reason="no_medicine"))
        user = accounts.create_user(session, name="Marie", role="curator",
                                    email="marie@ngo.example", organization_ids=["ngo-1"])
        token = accounts.create_invite(session, user)
    engine_for(url).dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "service_directory.main:app",
                                "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, token
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    driver_path = subprocess.run([str(ROOT / "scripts/services.sh"), "browser"], check=True,
                                 capture_output=True, text=True).stdout.strip()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=390,844",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=DriverService(driver_path), options=options)
    driver.implicitly_wait(5)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def wait_for_url(browser, part: str) -> None:
    """Until the page the click led to is loaded (its URL ends with or contains `part`)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(
        lambda b: b.current_url.endswith(part) if part.endswith("/") else part in b.current_url)


def test_a_curator_sets_her_password_and_confirms_a_service_on_her_phone(app_url, browser):
    from selenium.webdriver.common.by import By

    base, token = app_url
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

    browser.find_element(By.CSS_SELECTOR, "form[action$='/verify'] button").click()
    wait_for_url(browser, "verified=svc-1")
    assert browser.find_element(By.CSS_SELECTOR, ".notice").is_displayed()
    assert "Clínica Esperanza" not in browser.page_source
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
    report.find_element(By.TAG_NAME, "button").click()
    wait_for_url(browser, "done=report")
    assert "Me pidieron pasaporte" not in browser.page_source

    browser.get(f"{base}/ui/?lang=ht")
    assert '<html lang="ht">' in browser.page_source or browser.find_element(
        By.TAG_NAME, "html").get_attribute("lang") == "ht"
    browser.save_screenshot(str(SHOTS / "home-ht.png"))
    browser.find_element(By.CSS_SELECTOR, "form.logout button").click()
    wait_for_url(browser, "/ui/login")
