"""The statistics dashboard in a real browser (Debian's chromium, Selenium): an analyst
accepts her invite, lands on the statistics, sees a month of synthetic demo events as
a chart and a table, filters by country, and unmet demand on a map of areas, on a phone
and on a laptop. Screenshots go to results/web/ (stats-360.png, stats-1280.png,
stats-unmet-map-1280.png)."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from .stack import app_alone
from .test_web_browser import PASSWORD, ROOT, SHOTS, browser, tiles, wait_for_url  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def analyst_site(tmp_path_factory, tiles):
    """The app alone on a fresh database with a month of synthetic events
    (`puente stats demo`), map tiles on loopback and an invited analyst; yields
    (base URL, invite token)."""
    from service_directory import accounts, migrate
    from service_directory.db import engine_for, session_scope

    url = f"sqlite:///{tmp_path_factory.mktemp('stats') / 'puente.db'}"
    migrate.upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "service_directory.cli", "stats", "demo",
                    "--days", "30"], cwd=ROOT, env=env, check=True, capture_output=True)
    with session_scope(engine_for(url)) as session:
        user = accounts.create_user(session, name="Dana", role="analyst",
                                    email="dana@unaids.example")
        token = accounts.create_invite(session, user)
    engine_for(url).dispose()
    with app_alone(url, MAP_TILE_URL=tiles) as base:
        yield base, token


def _chart_drawn(browser) -> bool:
    return bool(browser.execute_script(
        "return typeof Chart !== 'undefined' && !!Chart.getChart('chart')"))


def test_an_analyst_reads_the_demo_statistics_on_her_phone_and_laptop(analyst_site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, token = analyst_site
    browser.delete_all_cookies()
    browser.set_window_size(360, 800)
    browser.get(f"{base}/ui/invite/{token}?lang=en")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.NAME, "repeat").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button").click()
    wait_for_url(browser, "/ui/stats")  # an analyst's home is the statistics

    browser.find_element(By.NAME, "synthetic").click()
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait_for_url(browser, "synthetic=1")
    WebDriverWait(browser, 10).until(_chart_drawn)
    assert "Synthetic demo data, not real people." in browser.page_source
    assert len(browser.find_elements(By.CSS_SELECTOR, ".table-wrap tbody tr")) > 1
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360 + 1, width  # nothing wider than the phone but the table's own scroll
    browser.execute_script("document.getElementById('chart').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "stats-360.png"))

    browser.set_window_size(1280, 900)
    browser.find_element(By.LINK_TEXT, "Top topics by country").click()
    wait_for_url(browser, "view=topics")
    Select(browser.find_element(By.NAME, "country")).select_by_value("co")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait_for_url(browser, "country=co")
    WebDriverWait(browser, 10).until(_chart_drawn)
    rows = browser.find_elements(By.CSS_SELECTOR, ".table-wrap tbody tr")
    assert rows and all(row.text.startswith("co") for row in rows)
    browser.execute_script("document.getElementById('chart').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "stats-1280.png"))
    browser.get(f"{base}/ui/stats?view=unmet-demand&synthetic=1")
    WebDriverWait(browser, 10).until(lambda b: b.execute_script(
        "return document.querySelectorAll('#unmet-map .leaflet-interactive').length"))
    browser.execute_script("document.getElementById('unmet-map').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "stats-unmet-map-1280.png"))
    csv = httpx.get(f"{base}/ui/stats/topics.csv?synthetic=1&country=co",
                    cookies={c["name"]: c["value"] for c in browser.get_cookies()})
    assert csv.status_code == 200 and csv.text.startswith("country,intent,questions")
