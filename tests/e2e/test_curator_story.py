"""The curators' web, the whole story of its Done-when, against the running stack: an
NGO worker who never used a terminal accepts her invite on a phone set to Spanish,
downloads her organization's package, adds a clinic, uploads it, fixes what the dry
run shows and imports the rest (the rows she did not fix stay out), sets the clinic's
hours for the week, marks another service still accurate and resolves the
discrimination report a migrant just sent by SMS; the next migrant who asks by SMS
gets the new clinic with its new hours.

Everything runs in Debian's chromium (tests/e2e/test_web_browser.py's driver) and
through the signed SMS webhook; the package is the app's own export, edited as she
would in a spreadsheet. Once, on production's configuration (two Rasa servers,
Redis): the web is the same on both. Screenshots in results/web/ (story-*.png)."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from service_directory.i18n import gettext_for
from service_directory.web.errors import SAID

from .sms_phone import SmsPhone
from .test_web_browser import PASSWORD, ROOT, SHOTS, open_browser, wait_for_url

pytestmark = pytest.mark.e2e
CLINIC = "[SAMPLE] Clínica Puente Nuevo"
HOURS = ("06:30", "19:45")  # the hours she sets for every day of the week


def es(message: str) -> str:
    return gettext_for("es", message)


@pytest.fixture(scope="module")
def phone_in_spanish(tmp_path_factory):
    driver = open_browser(tmp_path_factory.mktemp("chromium-es"), accept_language="es-CO,es")
    yield driver
    driver.quit()


def her_organization(database_url: str) -> tuple[str, str, str]:
    """A sample organization with services in Cúcuta, one of its services there made
    unchecked for 400 days (what her home shows first), and another organization's
    service."""
    import sqlalchemy as sa

    from service_directory.db import engine_for, session_scope
    from service_directory.models.directory import Location, Service, ServiceAtLocation

    engine = engine_for(database_url)
    try:
        with session_scope(engine) as session:
            service = session.scalars(
                sa.select(Service).join(ServiceAtLocation).join(Location)
                .where(Location.latitude.between(7.85, 7.95), Location.country == "co")
                .order_by(Service.name)).first()
            service.assured_date = date.today() - timedelta(days=400)
            foreign = session.scalars(sa.select(Service.id).where(
                Service.organization_id != service.organization_id)).first()
            return service.organization_id, service.id, foreign
    finally:
        engine.dispose()


def invite_link(stack, organization: str) -> str:
    """What an admin runs for her: `puente users create ... --email` prints the link."""
    done = subprocess.run(
        [sys.executable, "-m", "service_directory.cli", "users", "create", "--name", "Marta",
         "--role", "curator", "--org", organization, "--email", "marta@ngo.example"],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, check=True)
    return next(line for line in done.stdout.splitlines() if "/ui/invite/" in line).strip()


def add_rows(files: dict[str, str], name: str, *rows: dict[str, str]) -> None:
    """Rows appended to one CSV of the package, by column name, as a spreadsheet would."""
    header = next(csv.reader(io.StringIO(files[name])))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    files[name] = files[name].rstrip("\n") + "\n" + out.getvalue()


def line_of(files: dict[str, str], name: str, row_id: str) -> int:
    return next(i for i, line in enumerate(files[name].splitlines(), 1)
                if line.startswith(row_id + ","))


def her_clinic(files: dict[str, str], organization: str, cucuta: tuple[float, float]) -> None:
    """The clinic she adds: with a typo in its longitude (a blocking error), a second
    place she gives only a latitude (she will leave it out), an address without its
    department (the gazetteer fills it) and a phone as dialled locally (kept, flagged)."""
    add_rows(files, "services.csv", {"id": "story-clinic", "organization_id": organization,
                                     "name": CLINIC, "status": "active",
                                     "description": "Fictional clinic of an end-to-end test."})
    add_rows(files, "locations.csv",
             {"id": "story-loc", "location_type": "physical", "organization_id": organization,
              "name": "[SAMPLE] Sede Centro", "latitude": f"{cucuta[0]:.6f}",
              "longitude": f"{cucuta[1] * 10:.5f}"},  # -725.078: a digit slipped
             {"id": "story-loc-2", "location_type": "physical", "organization_id": organization,
              "name": "[SAMPLE] Sede Atalaya", "latitude": "7.9012", "longitude": ""})
    add_rows(files, "addresses.csv", {"id": "story-adr", "location_id": "story-loc",
                                      "address_1": "Calle Ficticia 1 # 2-3", "city": "Cúcuta",
                                      "state_province": "", "country": "CO",
                                      "address_type": "physical"})
    add_rows(files, "service_at_location.csv", {"id": "story-sal", "service_id": "story-clinic",
                                                "location_id": "story-loc"})
    add_rows(files, "phones.csv", {"id": "story-ph", "service_id": "story-clinic",
                                   "number": "300 555 0199", "type": "voice"})
    add_rows(files, "attributes.csv", {"id": "story-attr", "link_id": "story-clinic",
                                       "taxonomy_term_id": "puente-service-type:hiv_testing",
                                       "link_type": "service_type", "link_entity": "service",
                                       "value": "hiv_testing"})


def fits_the_screen(browser) -> bool:
    """Nothing wider than the phone: no sideways scrolling."""
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")


def submitted(browser, button: str) -> None:
    """Click a form's button and wait for the page it loads (the URL may stay the same)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, button).click()
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(old))


def upload(browser, folder: Path, files: dict[str, str], base: str) -> list[str]:
    """Write the CSVs she changed, choose them all in the file field, check them; the
    problems the dry run lists."""
    from selenium.webdriver.common.by import By

    paths = []
    for name in ("services.csv", "locations.csv", "addresses.csv", "service_at_location.csv",
                 "phones.csv", "attributes.csv"):
        (folder / name).write_text(files[name], encoding="utf-8")
        paths.append(str(folder / name))
    browser.get(f"{base}/ui/import")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys("\n".join(paths))
    submitted(browser, "form[enctype] button")
    assert es("Nothing is saved yet: this is what the import would do.") in browser.page_source
    return [item.text for item in browser.find_elements(By.CSS_SELECTOR, ".problems li")]


def test_an_ngo_worker_keeps_her_clinic_right_from_her_phone_and_the_next_migrant_gets_it(
        stack, phone_in_spanish, tmp_path):
    from selenium.webdriver.common.by import By

    if stack.env.get("RASA_PROCESSES") != "2":
        pytest.skip("the story runs once, on production's configuration")
    browser, base = phone_in_spanish, stack.app_url
    organization, unchecked, foreign = her_organization(stack.env["DATABASE_URL"])

    # Her invite, on her phone: the page speaks Spanish because her phone does.
    browser.set_window_size(360, 800)
    browser.get(invite_link(stack, organization))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.NAME, "repeat").send_keys(PASSWORD)
    browser.save_screenshot(str(SHOTS / "story-invite-es-360.png"))
    browser.find_element(By.CSS_SELECTOR, "form button").click()
    wait_for_url(browser, "/ui/")
    assert browser.find_elements(By.ID, f"service-{unchecked}")  # what needs her first
    browser.save_screenshot(str(SHOTS / "story-home-es-360.png"))
    assert fits_the_screen(browser)
    browser.get(f"{base}/ui/services/{foreign}")  # another organization's: not hers to see
    assert es(SAID[404]) in browser.page_source
    browser.save_screenshot(str(SHOTS / "story-not-hers-es-360.png"))

    # Her organization's package, downloaded, a clinic added as in a spreadsheet.
    session = {"puente_session": browser.get_cookie("puente_session")["value"]}
    package = httpx.get(f"{base}/ui/export", cookies=session, timeout=30)
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                 if name.endswith(".csv")}
    assert {row.split(",")[0] for row in files["organizations.csv"].splitlines()[1:]} == {
        organization}  # hers only
    place = httpx.get(f"{base}/v1/places/resolve", params={"name": "Cúcuta", "country": "co"},
                      timeout=30).json()["place"]  # where the bot searches from for "Cúcuta"
    cucuta = (place["latitude"], place["longitude"])
    her_clinic(files, organization, cucuta)

    problems = upload(browser, tmp_path, files, base)
    browser.execute_script("document.querySelector('.counts').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "story-dry-run-es-360.png"))
    assert fits_the_screen(browser)
    typo = f"locations.csv {es('line')} {line_of(files, 'locations.csv', 'story-loc')}"
    assert any(p.startswith(typo) and "longitude" in p for p in problems), problems
    assert any("addresses.csv" in p and "state_province" in p for p in problems), problems
    assert any("phones.csv" in p for p in problems), problems

    # She fixes the longitude the dry run showed and checks again; she leaves the second
    # place without its longitude, and imports the rest.
    files["locations.csv"] = files["locations.csv"].replace(f"{cucuta[1] * 10:.5f}",
                                                            f"{cucuta[1]:.6f}")
    problems = upload(browser, tmp_path, files, base)
    assert not any(p.startswith(typo) for p in problems), problems
    left = f"locations.csv {es('line')} {line_of(files, 'locations.csv', 'story-loc-2')}"
    assert any(p.startswith(left) for p in problems), problems
    submitted(browser, "form[action^='/ui/import/'] button")
    assert es("Imported.") in browser.page_source
    browser.save_screenshot(str(SHOTS / "story-imported-es-360.png"))

    # A migrant finds the clinic, is turned away, and reports it by its number in the list.
    reporter = SmsPhone(stack, "+573009990101")
    found = reporter.ask("donde me hago la prueba de vih en cucuta", "es")
    assert "Puente Nuevo" in found, found
    assert HOURS[0] not in found  # no hours yet
    reporter.send("quiero denunciar una clinica que me discrimino")
    reporter.send("1")
    thanks = " ".join(reporter.send("me pidieron pasaporte y no me atendieron"))
    assert "Gracias" in thanks, thanks

    # The week's hours of her clinic, typed on the phone (a form without its CSRF token,
    # as a forged one would come, is refused first).
    browser.get(f"{base}/ui/services/story-clinic")
    browser.execute_script("document.querySelector('form.card input[name=csrf]').remove()")
    submitted(browser, "form.card > button[type=submit]")
    assert es(SAID[403]) in browser.page_source
    browser.get(f"{base}/ui/services/story-clinic")
    for day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
        browser.find_element(By.NAME, f"{day}_opens").send_keys(HOURS[0])
        browser.find_element(By.NAME, f"{day}_closes").send_keys(HOURS[1])
    browser.save_screenshot(str(SHOTS / "story-hours-es-360.png"))
    assert fits_the_screen(browser)
    browser.find_element(By.CSS_SELECTOR, "form.card > button[type=submit]").click()
    wait_for_url(browser, "saved=1")

    # Another of her services, still accurate: one click on her home.
    browser.get(f"{base}/ui/")
    row = browser.find_element(By.ID, f"service-{unchecked}")
    row.find_element(By.CSS_SELECTOR, "form[action$='/verify'] button").click()
    checked = browser.find_element(By.CSS_SELECTOR, f"#service-{unchecked} .notice")
    assert checked.text == es("Thank you: marked as still accurate today.")

    # The report, in her queue in the migrant's words; resolved with a note.
    browser.get(f"{base}/ui/queue")
    assert "me pidieron pasaporte" in browser.page_source
    report = browser.find_element(By.CSS_SELECTOR, "form[action$='/resolve']")
    report.find_element(By.NAME, "note").send_keys("Hablamos con la coordinadora de la sede")
    assert fits_the_screen(browser)
    browser.set_window_size(1280, 900)
    browser.save_screenshot(str(SHOTS / "story-queue-es-1280.png"))
    report.find_element(By.TAG_NAME, "button").click()
    resolved = browser.find_element(By.CSS_SELECTOR, "[id^=report-] .notice")
    assert resolved.text == es("Resolved.")
    browser.get(f"{base}/ui/queue")
    assert "me pidieron pasaporte" not in browser.page_source

    # The next migrant who asks gets the new clinic with its new hours.
    answer = SmsPhone(stack, "+573009990102").ask(
        "hola necesito hacerme la prueba del vih, estoy en cucuta", "es")
    assert "Puente Nuevo" in answer and HOURS[0] in answer, answer
