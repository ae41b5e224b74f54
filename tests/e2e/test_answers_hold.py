"""The failures people met (issue "Answers that hold"), each over the signed SMS webhook
of the running stack: a long message that says several things, what she said asked
again, the service she named ignored, a new question while a form waits, the 72 hours
after a rape or a broken condom, and the countries on the route north. The facts are
checked against the app's own entitlements API, so the tests follow the content."""
from __future__ import annotations

import httpx
import pytest

from connectors.gsm import segment_count
from service_directory.i18n import gettext_for
from service_directory.messages import MESSAGES

from .sms_phone import SmsPhone, gsm

pytestmark = pytest.mark.e2e

ASK_SITUATION = MESSAGES["utter_ask_situation"].sms
ASK_LOCATION = MESSAGES["utter_ask_location"].sms
ASK_COUNTRY = MESSAGES["utter_ask_country"].sms
REPHRASE = MESSAGES["utter_ask_rephrase"].sms


def _t(language: str, source: str) -> str:
    """The catalog text as the SMS channel sends it; a prompt by its first line."""
    return gsm(gettext_for(language, source)).split("\n")[0]


def entitlement(stack, country: str, service_type: str, language: str,
                situation: str | None = None, topic: str | None = None) -> dict:
    body = httpx.get(f"{stack.app_url}/v1/entitlements", params={
        "country": country, "service_type": service_type, "situation": situation,
        "topic": topic, "lang": language}, timeout=30).json()
    access = [e for e in body["entries"] if e["topic"] == "access"]
    assert access, f"no {service_type} content for {country}"
    return {**access[0], "contacts": body["contacts"]}


def _no_prompt_again(answer: str, language: str) -> None:
    for prompt in (ASK_SITUATION, ASK_LOCATION, ASK_COUNTRY, REPHRASE):
        assert _t(language, prompt)[:30] not in answer, answer


def test_a_long_message_with_country_situation_and_service_is_answered_at_once(stack):
    phone = SmsPhone(stack, "+5595999991001")
    replies = phone.send("I'm Venezuelan, in Brazil without papers and I have HIV. "
                         "Can I get HIV medicine free from the SUS?")
    answer = "\n".join(replies)
    _no_prompt_again(answer, "en")
    assert answer.startswith("Brazil, HIV treatment:"), answer
    expected = entitlement(stack, "br", "hiv_treatment", "en", "irregular", "cost")
    assert gsm(expected["how_to_access"])[:50] in answer
    assert sum(segment_count(r) for r in replies) <= 3


def test_the_permit_she_names_is_her_situation_not_asked_again(stack):
    phone = SmsPhone(stack, "+573001111002")
    answer = "\n".join(phone.send(
        "tengo el PPT y vivo en Bogotá, me pueden dar el tratamiento del vih por la EPS?"))
    _no_prompt_again(answer, "es")
    regular = entitlement(stack, "co", "hiv_treatment", "es", "regular")
    assert gsm(regular["how_to_access"])[:50] in answer, answer


def test_the_service_she_named_is_the_one_answered_in_one_reply(stack):
    phone = SmsPhone(stack, "+51955551003")
    replies = phone.send("estoy en Lima, los antirretrovirales para el vih son gratis aca en Peru?")
    answer = "\n".join(replies)
    assert answer.startswith(gsm(gettext_for("es", "{country}, {kind}:").format(
        country="Perú", kind=gettext_for("es", "HIV treatment")))), answer
    assert _t("es", "care after violence") not in answer
    assert len(replies) == 1 and segment_count(replies[0]) <= 3


def test_prep_in_brazil_is_answered_with_the_sus(stack):
    phone = SmsPhone(stack, "+5511955551004")
    answer = "\n".join(phone.send("a PrEP é de graça no Brasil pra quem é estrangeiro?"))
    assert "PrEP" in answer and _t("pt", "I do not have verified information")[:20] not in answer
    expected = entitlement(stack, "br", "prep", "pt", topic="cost")
    assert gsm(expected["how_to_access"])[:40] in answer, answer


def test_a_new_question_while_the_search_waits_for_a_place_wins(stack):
    phone = SmsPhone(stack, "+573001111005")
    assert _t("es", ASK_LOCATION) in phone.ask("necesito condones", "es")
    answer = phone.ask("olvídalo, mejor dime si me pueden atender sin papeles en el "
                       "hospital de Cúcuta", "es")
    assert "Colombia" in answer, answer
    assert _t("es", MESSAGES["utter_unknown_place"].sms).split("{")[0] not in answer
    assert _t("es", "Nearest {kind} near {place}:").split("{")[0] not in answer


URGENT = [
    ("es", "+18095551006", "me violaron anoche en Santo Domingo, qué hago", "do", "gbv"),
    ("ht", "+18095551007", "yo vyole m yè swa nan Santo Domingo, sa m dwe fè", "do", "gbv"),
    ("pt", "+5595999991008", "a camisinha estourou ontem em Boa Vista, o que eu faço", "br", "emergency"),
    ("fr", "+50760001009", "le préservatif a craqué hier soir au Panama, je fais quoi", "pa", "emergency"),
    ("en", "+18687551010", "i was raped last night in Port of Spain what do i do", "tt", "gbv"),
    ("es", "+50760001030", "toy en lajas blancas vengo del darien, en la selva unos tipos nos "
                           "abusaron a mi y a mi prima, hay medicina pa no agarrar vih?", "pa",
     "emergency"),
    ("ht", "+18095551031", "yon gason fose m ye swa nan higuey, m pa vle tonbe ansent", "do",
     "gbv"),
]


@pytest.mark.parametrize("language, number, text, country, line", URGENT,
                         ids=[case[0] for case in URGENT])
def test_after_a_rape_or_a_broken_condom_the_72_hours_come_first(
        stack, language, number, text, country, line):
    replies = SmsPhone(stack, number).send(text)
    first = replies[0]
    assert gsm(gettext_for(language, "Go NOW to a hospital emergency room: medicine that "
                                     "prevents HIV (PEP) must start within 72 hours.")) in first
    contacts = httpx.get(f"{stack.app_url}/v1/entitlements", params={"country": country},
                         timeout=30).json()["contacts"]
    numbers = [c["phone"] for c in contacts.get(line) or [] if c["phone"]]
    assert numbers and any(n in first for n in numbers), first


def test_an_urgent_message_interrupts_a_waiting_form(stack):
    phone = SmsPhone(stack, "+573001111011")
    assert _t("es", ASK_LOCATION) in phone.ask("donde me hago la prueba de vih", "es")
    answer = phone.ask("se me rompio el condon anoche", "es")
    assert "72 horas" in answer


def test_a_condom_that_broke_after_asking_for_condoms_is_urgent_not_a_place(stack):
    """The condom is in her first message only; the second says it broke, and where."""
    phone = SmsPhone(stack, "+18095551018")
    assert _t("es", ASK_LOCATION) in phone.ask("necesito condones", "es")
    first = phone.send("ya no, lo que paso es que se rompio anoche con un cliente en boca "
                       "chica, hay pastilla pa eso?")[0]
    assert "72 horas" in first and "911" in first
    assert "pastilla del dia siguiente" in first and "Lugares" not in first


def test_just_out_of_the_darien_she_is_sent_to_the_station_doctors(stack):
    first = SmsPhone(stack, "+50760001019").send(
        "nou fenk soti nan fore a, nou nan lajas blancas. madanm mwen te vyole nan chemen "
        "an ye, gen dokte la?")
    answer = "\n".join(first)
    assert "72" in answer and "182" in answer
    assert "dokte MINSA" in answer and "ERM" in answer, answer


@pytest.mark.parametrize("country, text, language", [
    ("pa", "estoy en Panamá, vengo del Darién sin papeles, me pueden hacer la prueba de vih gratis?", "es"),
    ("mx", "mwen nan Tapachula Meksik, eske m ka jwenn tretman VIH gratis san papye?", "ht"),
    ("cl", "je suis au Chili sans papiers, est-ce que le traitement du VIH est gratuit?", "fr"),
])
def test_the_route_north_has_sourced_content(stack, country, text, language):
    number = {"pa": "+50760001012", "mx": "+5296255551013", "cl": "+56955551014"}[country]
    answer = "\n".join(SmsPhone(stack, number).send(text))
    _no_prompt_again(answer, language)
    service = "hiv_testing" if "prueba" in text else "hiv_treatment"
    expected = entitlement(stack, country, service, language, "irregular", "cost")
    assert gsm(expected["how_to_access"])[:40] in answer, answer


def test_asking_for_a_person_while_the_search_waits_wins_even_with_a_place(stack):
    phone = SmsPhone(stack, "+18687551015")
    assert _t("es", ASK_LOCATION) in phone.ask("necesito condones", "es")
    answer = phone.ask("no, mejor quiero hablar con alguien que hable español, estoy en Arima", "es")
    assert _t("es", "To talk to a person: {hotline}.").split("{")[0] in answer, answer
    assert _t("es", "Nearest {kind} near {place}:").split("{")[0] not in answer


def test_the_country_she_comes_from_is_not_taken_for_where_she_is(stack):
    phone = SmsPhone(stack, "+5926001016")
    asked = phone.ask("acabamos de llegar desde Venezuela y la niña esta enferma, "
                      "hay hospital que nos atienda?", "es")
    assert _t("es", ASK_COUNTRY)[:25] in asked, asked
    answer = phone.ask("Guyana", "es")
    assert answer.startswith("Guyana"), answer


def test_a_place_the_nlu_does_not_know_is_found_in_the_message(stack):
    replies = SmsPhone(stack, "+50760001017").send(
        "quiero hacerme la prueba de vih en Colon, trabajo en la zona libre")
    answer = "\n".join(replies)
    assert _t("es", ASK_LOCATION)[:20] not in answer, answer
    assert "Colon" in answer


def test_answering_the_situation_menu_with_a_new_where_question_searches(stack):
    """Asked her situation, she says she is pregnant, where she is and asks where: the
    search for pregnancy care there, not the same menu again."""
    phone = SmsPhone(stack, "+18095551020")
    assert _t("ht", ASK_SITUATION)[:30] in phone.ask("ki dwa m genyen nan rd?", "ht")
    answer = "\n".join(phone.send("m ansent 4 mwa, m nan higuey, kote m ka fe kontwol?"))
    assert _t("ht", ASK_SITUATION)[:30] not in answer, answer
    assert "Higüey" in answer or "Higuey" in answer, answer


def test_a_where_question_that_asks_if_papers_are_needed_gets_the_right_first(stack):
    answer = SmsPhone(stack, "+5595999991021").ask(
        "to gravida de 5 mes, cheguei semana passada sem papeis. posso fazer o pre natal no "
        "posto de saude ou so quem tem documento?", "pt")
    assert _t("pt", ASK_LOCATION)[:20] not in answer, answer
    assert answer.startswith("Brasil"), answer


def test_the_country_form_takes_where_she_is_not_where_she_comes_from(stack):
    phone = SmsPhone(stack, "+18095551022")
    assert _t("en", ASK_COUNTRY)[:25] in phone.ask("what are my rights as a migrant", "en")
    answer = phone.ask("ok but first: is HIV treatment free in Peru? moving to Lima from "
                       "Venezuela next month", "en")
    assert answer.startswith("Peru"), answer


def test_the_place_she_is_in_wins_over_the_one_she_came_through(stack):
    answer = "\n".join(SmsPhone(stack, "+5255555551023").send(
        "depi sa k te pase nan fore darien an m toujou gen kochma. m nan mexico city, kote "
        "m ka jwenn sikolog?"))
    assert "Mexico City" in answer and "Darién" not in answer, answer


def test_a_place_with_namesakes_is_asked_once_as_a_choice(stack):
    phone = SmsPhone(stack, "+15555551024")
    asked = "\n".join(phone.send("where can i get hiv test in san fernando? near the hospital"))
    assert "San Fernando (Trinidad & Tobago)" in asked, asked
    assert _t("en", ASK_LOCATION) not in asked, asked  # the choice already asks where
    options = asked.splitlines()
    number = next(line.split()[0] for line in options if "Trinidad" in line)
    assert "San Fernando" in phone.ask(number, "en")


def test_an_exposure_months_ago_is_a_test_question_not_the_72_hours(stack):
    answer = "\n".join(SmsPhone(stack, "+5595999991032").send(
        "transei sem camisinha faz 3 meses, to em Boa Vista. o teste de hiv e de graca?"))
    assert "72" not in answer and answer.startswith("Brasil, teste de HIV"), answer


@pytest.mark.parametrize("language, number, text, country", [
    ("fr", "+18095551033", "mon mari me frappe a Santo Domingo, on est haitiens sans papiers. "
                           "il y a une ligne pour les femmes battues?", "do"),
    ("en", "+18095551034", "my sister lives in santiago DR, her husband beats her and took her "
                           "papers. who can she call?", "do"),
])
def test_violence_at_home_gets_the_numbers_to_call_first(stack, language, number, text, country):
    replies = SmsPhone(stack, number).send(text)
    contacts = httpx.get(f"{stack.app_url}/v1/entitlements", params={"country": country},
                         timeout=30).json()["contacts"]
    emergency = [c["phone"] for c in contacts["emergency"] if c["phone"]]
    violence = [c["phone"] for c in contacts["gbv"] if c["phone"]]
    assert emergency[0] in replies[0].split("\n")[0], replies
    assert any(line in "\n".join(replies) for line in violence), replies


def test_a_rights_question_about_violence_care_starts_with_the_numbers(stack):
    first = SmsPhone(stack, "+593991111037").send(
        "vivo en huaquillas sin visa, mi pareja me pega. me atienden gratis en el centro de "
        "salud aunque este ilegal?")[0]
    assert first.startswith(_t("es", "Call: {lines}").split("{")[0]) and "911" in first, first


def test_the_paper_she_asks_about_is_answered_by_name(stack):
    answer = "\n".join(SmsPhone(stack, "+5592999991035").send(
        "sou venezuelana, to em Manaus gravida de 4 meses, precisa de CPF pra fazer o "
        "pre-natal no posto?"))
    assert gsm("Também não pedem CPF para isso.") in answer, answer


def test_will_they_report_me_is_answered_too(stack):
    replies = SmsPhone(stack, "+18687551036").send(
        "cuanto me cobran el tratamiento del vih en trinidad sin papeles? y me reportan a "
        "immigration?")
    body = httpx.get(f"{stack.app_url}/v1/entitlements", params={
        "country": "tt", "service_type": "hiv_treatment", "topic": "confidentiality",
        "lang": "es"}, timeout=30).json()
    secret = gsm(body["entries"][0]["how_to_access"])[:40]
    assert secret in replies[0], replies  # first: it decides whether she goes at all
    assert "gratis" in "\n".join(replies), replies


def test_at_the_station_after_the_jungle_she_gets_the_care_not_where_are_you(stack):
    answer = "\n".join(SmsPhone(stack, "+50760001038").send(
        "depuis la jungle je fais des cauchemars, j ai vu des morts. a la station migratoire "
        "il y a quelqu un pour parler ?"))
    _no_prompt_again(answer, "fr")
    assert answer.startswith("Panama, soins en santé mentale") and "147" in answer, answer


def test_a_new_question_that_names_a_place_while_the_search_waits_is_the_new_question(stack):
    """The place she names belongs to her new question, not to the search that asked."""
    phone = SmsPhone(stack, "+573001111039")
    assert _t("en", ASK_LOCATION) in phone.ask("hi i need hiv meds in colombia", "en")
    answer = "\n".join(phone.send("actually my daughter 15 is pregnant and we are in bogota "
                                  "without papers can she get checkups free"))
    assert answer.startswith("Colombia, pregnancy care:") and "HIV" not in answer, answer


def test_an_emergency_with_no_papers_says_where_to_go_and_that_papers_do_not_matter(stack):
    """Not only the number: "WHERE DO WE GO" gets the country's emergency-care statement."""
    answer = "\n".join(SmsPhone(stack, "+5289999991101").send(
        "PLEASE HELP MY WIFE IS 7 MONTHS PREGNANT AND BLEEDING A LOT WE ARE IN A SHELTER IN "
        "REYNOSA MEXICO WE HAVE NO PAPERS WHERE DO WE GO WHAT NUMBER"))
    assert "911" in answer, answer
    care = entitlement(stack, "mx", "emergency_care", "en", "irregular")
    assert gsm(care["how_to_access"])[:40] in answer, answer


def test_a_rape_she_will_not_report_to_the_police_gets_the_72_hours_not_the_complaint_form(stack):
    answer = "\n".join(SmsPhone(stack, "+5296299991102").send(
        "boa noite, sou angolana, estou em huixtla chiapas. ontem a noite um homem do grupo me "
        "violentou. nao quero fazer denuncia na policia porque tenho medo da migracao. posso ir "
        "no hospital sem denuncia? ainda da tempo de tomar remedio contra hiv?"))
    assert "72" in answer, answer
    assert _t("pt", MESSAGES["utter_ask_report_service"].sms)[:30] not in answer, answer


def test_the_country_she_is_in_now_wins_over_the_one_she_lived_in(stack):
    answer = "\n".join(SmsPhone(stack, "+5699999991103").send(
        "ola, sou haitiana, morei 5 anos no brasil e agora to em santiago do chile sem visto. "
        "tenho hiv e no brasil pegava o remedio no SAE. aqui no chile que documento eu preciso "
        "pra continuar o tratamento?"))
    assert answer.startswith("Chile"), answer


def test_a_papers_question_typed_over_a_place_search_is_answered_where_she_is(stack):
    """"she from venezuela" fills the country slot from its entity: the answer stays in the
    country of the place she was searching (Trinidad), and answers the papers."""
    phone = SmsPhone(stack, "+18689991104")
    phone.send("where is the nearest health centre to chaguanas market")
    answer = "\n".join(phone.send(
        "wait first tell me this. my sister is 5 months pregnant, she from venezuela. what "
        "papers she have to carry for the antenatal clinic? she only have her cedula"))
    assert answer.startswith("Trinidad & Tobago, pregnancy care:"), answer
    assert "Papers they may ask for" in answer, answer
