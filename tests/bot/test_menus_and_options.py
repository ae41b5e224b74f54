"""SMS menus: numbers and MORE are recognised, and each number means the listed entry."""
import pytest

from bot.actions import options
from bot.components.numbered_option import parse_option


@pytest.mark.parametrize("text, option", [
    ("1", "1"), (" 2 ", "2"), ("3.", "3"), ("#4", "4"), ("10", "10"), ("7)", "7"),
    ("5\ufe0f\u20e3", "5"), ("MORE", "more"), ("más", "more"), ("Mais", "more"),
    ("plis", "more"), ("Plus", "more"),
])
def test_choices_are_recognised(text, option):
    assert parse_option(text) == option


@pytest.mark.parametrize("text", ["1 kilo de arroz", "tengo 2 hijos", "more or less", "", "ok"])
def test_sentences_with_numbers_are_not_choices(text):
    assert parse_option(text) is None


def test_menu_numbers_follow_the_catalog_menus():
    from service_directory.messages import MESSAGES

    main = MESSAGES["utter_menu"].sms.splitlines()[1:]
    assert len(main) == len(options.MAIN_MENU)
    services = MESSAGES["utter_ask_service_type"].sms.splitlines()[1:]
    assert len(services) == len(options.SERVICE_TYPE_MENU)
    languages = MESSAGES["utter_language_menu"].sms.splitlines()[1:]
    assert [line.split(" ", 1)[1] for line in languages] == \
        ["English", "Español", "Français", "Kreyòl", "Português"]
    countries = MESSAGES["utter_ask_country"].sms.splitlines()[1:-1]
    assert len(countries) == len(options.COUNTRY_MENU)
    situations = MESSAGES["utter_ask_situation"].sms.splitlines()[1:]
    assert len(situations) == len(options.SITUATION_MENU)


def test_pick_is_one_based_and_refuses_out_of_range():
    assert options.pick(options.LANGUAGE_MENU, "4") == "ht"
    assert options.pick(options.LANGUAGE_MENU, "0") is None
    assert options.pick(options.LANGUAGE_MENU, "6") is None
    assert options.pick(options.LANGUAGE_MENU, "more") is None


@pytest.mark.parametrize("text", [
    "necesito la prueba de vih, no tengo papeles", "mwen pa gen papye",
    "je n'ai pas de papiers", "não tenho documentos", "I have no papers",
    "soy indocumentada",
])
def test_no_papers_is_noticed_in_five_languages(text):
    assert options.situation_hint(text) == "irregular"


def test_having_papers_is_not_taken_for_no_papers():
    assert options.situation_hint("ya tengo mis papeles y el PPT") is None


@pytest.mark.parametrize("text, code", [
    ("Chile", "cl"), ("chili", "cl"), ("Perú", "pe"), ("en colombia", "co"),
    ("RD", "do"), ("Brezil", "br"), ("Trinidad y Tobago", "tt"),
])
def test_country_names_typed_alone_are_recognised(text, code):
    from bot.actions.countries import country_code

    assert country_code(text) == code


def test_a_city_is_not_taken_for_a_country():
    from bot.actions.countries import country_code

    assert country_code("Lima") is None
