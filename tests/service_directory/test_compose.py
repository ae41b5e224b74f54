"""Composed answers: the services list and rights, from catalog strings only."""
from service_directory.nlg import render

SERVICE = {
    "service_id": "s1", "name": "[SAMPLE] Clínica Ejemplo", "distance_km": 1.234,
    "address": "Calle 10 #5-20, Cúcuta", "phone": "+1 555 0100", "country": "co",
    "hours_today": [{"opens": "08:00", "closes": "17:00"}],
    "safety": {"serves_undocumented": True, "free_of_charge": True,
               "confidential_no_immigration_reporting": None},
    "languages": ["es", "ht"], "stale": False, "verified_days_ago": 12,
}


def test_services_list_names_each_service_with_what_decides_if_she_can_go():
    text = render("utter_services_found", "es", "twilio_sms", {
        "services": [SERVICE], "place": "Cúcuta", "service_type": "hiv_testing",
        "has_more": True})
    assert "1. [SAMPLE] Clínica Ejemplo (1.2 km)" in text
    assert "08:00-17:00" in text and "+1 555 0100" in text
    assert "Kreyòl" in text and "Español" not in text  # only languages worth a mention
    assert "0 para reportar" in text and "MÁS" in text
    assert "migración" not in text  # an unknown flag is never said to be true


def test_page_two_keeps_numbering_and_a_stale_entry_says_so():
    stale = {**SERVICE, "stale": True, "verified_days_ago": None}
    text = render("utter_services_found", "ht", "twilio_sms", {
        "services": [stale], "place": "Cúcuta", "offset": 3})
    assert text.splitlines()[1].startswith("4. ")
    assert "nou poko janm verifye l" in text


def test_kreyol_gets_kreyol_country_names():
    text = render("utter_rights_unknown_country", "ht", "twilio_sms",
                  {"country": "br", "hotline": "R4V"})
    assert "Brezil" in text
