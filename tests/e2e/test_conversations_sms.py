"""What migrants ask, over the signed Twilio SMS webhook, against the running stack
with the sample directory and entitlements: the services named and the facts stated
must be the directory's and the entitlements' own."""
from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from connectors.privacy import pseudonym
from service_directory.i18n import gettext_for

from .sms_phone import SmsPhone, gsm
from .stack import ROOT

pytestmark = pytest.mark.e2e

# (language, first message, where she is, phone number of that country)
NO_PAPERS_HIV_TEST = [
    ("es", "necesito la prueba de vih, no tengo papeles", "Cúcuta", "+573001110001"),
    ("ht", "mwen bezwen fè tès VIH, mwen pa gen papye", "Santo Domingo", "+18095550101"),
    ("pt", "preciso fazer o teste de HIV, não tenho documentos", "Boa Vista", "+5595999990001"),
    ("fr", "j'ai besoin de faire un test du VIH, je n'ai pas de papiers", "Dajabón", "+18095550102"),
    ("en", "I need an HIV test, I have no papers", "Port of Spain", "+18687550101"),
]


def _t(language: str, source: str) -> str:
    return gsm(gettext_for(language, source))


def expected_services(stack, place: str) -> list[dict]:
    found = httpx.get(f"{stack.app_url}/v1/services/search", params={
        "near": place, "service_type": "hiv_testing", "serves_undocumented": "true",
        "free_of_charge": "true", "limit": 3}, timeout=30).json()
    return found["results"]


def expected_rights(stack, country: str, language: str) -> list[str]:
    body = httpx.get(f"{stack.app_url}/v1/entitlements", params={
        "country": country, "service_type": "hiv_testing", "situation": "irregular",
        "topic": "rights", "lang": language}, timeout=30).json()
    if not body["entries"]:
        body = httpx.get(f"{stack.app_url}/v1/entitlements", params={
            "country": country, "service_type": "hiv_testing", "topic": "rights",
            "lang": language}, timeout=30).json()
    return [e["summary"] for e in body["entries"]]


@pytest.mark.parametrize("language, text, place, number", NO_PAPERS_HIV_TEST,
                         ids=[case[0] for case in NO_PAPERS_HIV_TEST])
def test_no_papers_finds_free_services_that_need_no_id_and_her_rights(
        stack, language, text, place, number):
    phone = SmsPhone(stack, number)
    first = phone.ask(text, language)
    assert _t(language, "Where are you? Write your city or neighbourhood.") in first
    answer = phone.ask(place, language)
    services = expected_services(stack, place)
    assert services, f"sample data has no free no-ID HIV testing near {place}"
    for service in services:
        assert gsm(service["name"]) in answer
        assert service["safety"]["serves_undocumented"] and service["safety"]["free_of_charge"]
    assert _t(language, "no papers needed") in answer
    country = services[0]["country"]
    rights = expected_rights(stack, country, language)
    if rights:
        assert any(gsm(summary)[:60] in answer for summary in rights), answer


REPORTS = [
    ("es", "+573001110002", "me pidieron el pasaporte y no me atendieron por ser venezolana"),
    ("ht", "+18095550104", "yo mande m papye epi yo voye m ale paske m se ayisyen"),
    ("pt", "+5595999990003", "pediram meu documento e nao quiseram me atender"),
    ("fr", "+18095550105", "ils m'ont demande mes papiers et ont refuse de me soigner"),
    ("en", "+18687550102", "they asked for my papers and sent me away"),
]


@pytest.mark.parametrize("language, number, what_happened", REPORTS,
                         ids=[case[0] for case in REPORTS])
def test_a_clinic_that_turned_her_away_can_be_reported(stack, language, number, what_happened):
    text, place = next((t, p) for lang, t, p, _ in NO_PAPERS_HIV_TEST if lang == language)
    phone = SmsPhone(stack, number)
    phone.ask(text, language)
    phone.ask(place, language)
    refused_by = expected_services(stack, place)[0]
    assert _t(language, "Which place treated you badly? Reply with its number from the "
                        "list, or write its name.") in phone.ask("0", language)
    assert _t(language, "What happened? Write it in your own words. Do not write your name "
                        "or number.") in phone.ask("1", language)
    thanks = phone.ask(what_happened, language)
    assert _t(language, "Thank you. Your report goes to the team that checks this place. "
                        "Reply 1 to find another place.") in thanks

    key = subprocess.run(
        [str(ROOT / ".venv/bin/puente"), "users", "create", "--name", f"e2e-{language}",
         "--role", "admin"],
        env=stack.env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.splitlines()[0].strip()
    reports = httpx.get(f"{stack.app_url}/admin/reports",
                        headers={"Authorization": f"Bearer {key}"}, timeout=30).json()
    items = reports["items"] if isinstance(reports, dict) else reports
    mine = [r for r in items if r.get("service_id") == refused_by["service_id"]
            and what_happened[:20] in r.get("description", "")]
    assert mine
    assert all("pseudonym" not in r for r in items)


def test_an_emergency_interrupts_the_search_at_once(stack):
    phone = SmsPhone(stack, "+18095550103")
    asked = phone.ask("mwen bezwen jwenn yon klinik", "ht")
    assert "1 " in asked  # the numbered list of services
    emergency = phone.ask("mari m ap bat mwen, mwen an danje", "ht")
    assert _t("ht", "If you are in danger, call the local emergency number now (911 in many "
                    "countries). Go to the nearest hospital emergency room: they must treat "
                    "you, with or without papers.") in emergency or "911" in emergency


def test_moving_country_gives_the_destination_rights_and_what_to_carry(stack):
    phone = SmsPhone(stack, "+573001110003")
    answer = phone.ask("me voy a vivir a Perú la otra semana, tomo antirretrovirales", "es")
    assert gsm(gettext_for("es", "To continue treatment, carry: your medicines for the trip, "
                                 "your last prescription or treatment card, your latest test "
                                 "results, and any ID you have. Ask your clinic for a referral "
                                 "letter. Never stop your treatment."))[:40] in answer
    assert "Peru" in answer or "Perú" in answer or "Peru" in gsm(answer)


def test_rights_in_an_unknown_country_are_honestly_unknown_with_a_line_to_call(stack):
    phone = SmsPhone(stack, "+56955550101")
    asked = phone.ask("what are my rights to health care here?", "en")
    assert "1 Colombia" in asked and "10 Mexico" in asked
    answer = phone.ask("Venezuela", "en")
    assert "I do not have verified information for Venezuela yet" in answer
    regional = httpx.get(f"{stack.app_url}/v1/entitlements", params={"country": "ve"},
                         timeout=30).json()["contact_list"]
    numbers = [c["phone"] or c["whatsapp"] for c in regional if c["phone"] or c["whatsapp"]]
    assert numbers and any(gsm(number) in answer for number in numbers), answer


@pytest.mark.parametrize("number, yes", [("+5595999990002", "sim"),
                                         ("+5595999990012", "sim, pode apagar")])
def test_delete_my_data_confirms_then_erases_the_conversation(stack, number, yes):
    phone = SmsPhone(stack, number)
    phone.ask("oi, preciso de ajuda", "pt")
    assert _t("pt", "Do you want me to delete everything about you (our chat and "
                    "reminders)? Reply YES or NO.") in phone.ask("apague meus dados", "pt")
    assert _t("pt", "Done. I deleted our conversation and your data. Write any time to "
                    "start again.") in phone.ask(yes, "pt")
    person = pseudonym(number, stack.env.get("APP_SECRET", "dev-only-secret-change-me"))
    for _ in range(30):
        events = httpx.get(f"{stack.rasa_url}/conversations/{person}/tracker",
                           timeout=10).json().get("events") or []
        if not any(e.get("event") == "user" for e in events):
            break
        time.sleep(1)
    assert not any(e.get("event") == "user" for e in events)


def test_asking_for_a_clinic_that_speaks_creole_keeps_her_spanish(stack):
    """The clinic's language is not hers: she is asked, in Spanish, what she needs."""
    phone = SmsPhone(stack, "+573001110077")
    asked = ("What do you need? Reply with a number:\n1 HIV test\n2 HIV treatment (ARV)\n"
             "3 PrEP\n4 PEP (after risk, within 72h)\n5 TB test or treatment\n6 STI test\n"
             "7 Contraception\n8 Pregnancy care\n9 Care after violence\n10 Mental health")
    answer = phone.ask("necesito una clínica donde hablen creole", "es")
    assert _t("es", asked).splitlines()[0] in answer
    assert _t("ht", asked).splitlines()[0] not in answer
