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


ENTRY = {
    "topic": "access", "service_type": "prep", "situation": None, "confidence": "high",
    "summary": "Tem direito. É gratuito nos serviços públicos. Não precisa de documentos. "
               "Vá a um SAE ou CTA do SUS.",
    "cite": "Lei 8.080/1990 (SUS)", "legal_basis": "Lei 8.080/1990; Lei 13.445/2017",
    "source_url": "https://www.gov.br/aids/pt-br/assuntos/prevencao-combinada/prep",
}


def test_a_rights_answer_is_about_the_service_asked_with_its_source_in_one_sms():
    from connectors.gsm import segment_count, to_gsm7

    text = render("utter_entitlements", "pt", "twilio_sms",
                  {"country": "br", "service_type": "prep", "entries": [ENTRY]})
    assert text.startswith("Brasil, PrEP: Tem direito.")
    assert "Fonte: Lei 8.080/1990 (SUS)" in text
    assert "outro serviço" in text  # other services offered, not listed
    assert segment_count(to_gsm7(text)) <= 3


def test_a_medium_confidence_statement_says_so():
    text = render("utter_entitlements", "es", "twilio_sms",
                  {"country": "pa", "service_type": "prep",
                   "entries": [{**ENTRY, "confidence": "medium"}]})
    assert "No está del todo confirmado" in text


def test_without_a_service_the_answer_is_the_care_everyone_gets_and_asks_which():
    text = render("utter_entitlements", "en", "twilio_sms",
                  {"country": "co", "service_type": "emergency_care", "general": True,
                   "entries": [{**ENTRY, "service_type": "emergency_care"}]})
    assert text.startswith("Colombia, emergency care:")
    assert "tell me which" in text


def test_urgent_care_puts_the_72_hours_and_the_numbers_first():
    text = render("utter_urgent_care", "es", "twilio_sms",
                  {"urgent": "sexual_violence", "lines": "Línea 155; Emergencias 123",
                   "care": "Es gratis en los servicios públicos."})
    first, second, third = text.splitlines()[:3]
    assert "72 horas" in first
    assert "155" in second
    assert "5 días" in third
    needle = render("utter_urgent_care", "en", "twilio_sms", {"urgent": "needle"})
    assert "morning-after" not in needle


def test_urgent_care_says_it_is_free_unless_that_would_page_where_to_go():
    values = {"urgent": "condom_broke", "lines": "Ambulancia 192", "cost": "free",
              "care": "Vá a uma UPA ou ao pronto-socorro de um hospital público."}
    text = render("utter_urgent_care", "pt", "twilio_sms", values)
    assert "72 horas. É gratuito nos serviços públicos." in text
    assert "pílula do dia seguinte" in text
    long_care = {**values, "care": "Vá a uma UPA. " * 25}
    assert "gratuito" not in render("utter_urgent_care", "pt", "twilio_sms", long_care)
    assert "gratuito" in render("utter_urgent_care", "pt", "whatsapp", long_care)
    assert "gratuito" not in render("utter_urgent_care", "pt", "twilio_sms",
                                    {**values, "cost": "varies"})


def test_when_she_told_her_situation_a_general_answer_says_it_holds_whatever_her_status():
    text = render("utter_entitlements", "pt", "twilio_sms", {
        "country": "mx", "service_type": "emergency_care", "general": True,
        "said_situation": "irregular",
        "entries": [{**ENTRY, "service_type": "emergency_care",
                     "entitled": "yes",
                     "summary": "Você tem direito a este atendimento. Você não precisa de "
                                "documentos para isso. Ligue 911."}]})
    assert "qualquer que seja a situação migratória" in text.splitlines()[0]
    assert "não precisa de documentos" not in text  # said once, by the status line


def test_joining_the_health_system_is_its_own_answer():
    text = render("utter_entitlements", "es", "twilio_sms", {
        "country": "co", "topic": "enrolment",
        "entries": [{**ENTRY, "topic": "enrolment", "service_type": None,
                     "summary": "Con el PPT, afíliate a una EPS."}]})
    assert text.startswith("Colombia, afiliarse al sistema público de salud: Con el PPT")


def test_care_after_violence_starts_with_the_numbers_to_call():
    text = render("utter_entitlements", "es", "twilio_sms",
                  {"country": "ec", "service_type": "gbv_care", "lines": "Emergencias 911",
                   "entries": [{**ENTRY, "service_type": "gbv_care"}]})
    assert text.splitlines()[0] == "Llama: Emergencias 911"
    assert text.splitlines()[1].startswith("Ecuador, atención por violencia:")


def test_the_paper_she_asked_about_is_answered_by_name_only_when_none_is_needed():
    values = {"country": "br", "service_type": "prep", "paper": "CPF",
              "entries": [{**ENTRY, "documents": ["none"], "entitled": "yes"}]}
    assert "Também não pedem CPF para isso." in render("utter_entitlements", "pt",
                                                       "twilio_sms", values)
    listed = {**values, "entries": [{**ENTRY, "documents": ["passport"], "entitled": "yes"}]}
    assert "CPF" not in render("utter_entitlements", "pt", "twilio_sms", listed)
    partial = {**values, "paper": "PPT",
               "entries": [{**ENTRY, "documents": ["none"], "entitled": "partial"}]}
    assert "PPT" not in render("utter_entitlements", "pt", "twilio_sms", partial)


def test_an_answer_followed_by_another_offers_nothing_in_between():
    values = {"country": "br", "service_type": "prep", "entries": [ENTRY], "offer": False}
    assert "outro serviço" not in render("utter_entitlements", "pt", "twilio_sms", values)


def test_urgent_care_says_it_is_free_when_she_asked_even_if_it_pages():
    values = {"urgent": "condom_broke", "lines": "Ambulancia 192", "cost": "free",
              "care": "Vá a uma UPA. " * 25, "asked": "cost"}
    assert "gratuito" in render("utter_urgent_care", "pt", "twilio_sms", values)
