"""The entity safety net: trained on the project's own data, it finds the service or
the language a person named when the CRF did not, and leaves ambiguous words and
languages named outside a language request alone."""
from pathlib import Path

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.entity_spotter import EntitySpotter

DATA = Path(__file__).resolve().parents[2] / "bot" / "data"
SERVICE_TYPES = {"entity": "service_type", "ambiguous": ["pep", "tes", "art", "tar"]}
LANGUAGES = {"entity": "language", "ambiguous": ["en", "es", "fr", "ht", "pt"],
             "intents": ["choose_language"]}


@pytest.fixture(scope="module")
def training_data():
    return TrainingData().merge(*(load_data(str(DATA / part)) for part in ("nlu", "synonyms")))


def _trained(config, training_data, directory):
    """Trained on bot/data, persisted, and loaded back as Rasa would."""
    storage = LocalModelStorage(directory)
    resource = Resource(f"spotter_{config['entity']}")
    EntitySpotter.create(config, storage, resource, None).train(training_data)
    return EntitySpotter.load(config, storage, resource, None)


@pytest.fixture(scope="module")
def spotter(training_data, tmp_path_factory):
    return _trained(SERVICE_TYPES, training_data, tmp_path_factory.mktemp("services"))


@pytest.fixture(scope="module")
def language_spotter(training_data, tmp_path_factory):
    return _trained(LANGUAGES, training_data, tmp_path_factory.mktemp("languages"))


def _spotted(spotter, text, entities=(), entity="service_type", intent=None):
    message = Message(data={"text": text, "entities": list(entities),
                            "intent": {"name": intent, "confidence": 1.0}})
    spotter.process([message])
    return [(e["value"], text[e["start"]:e["end"]]) for e in message.get("entities")
            if e["entity"] == entity]


def _service_types(spotter, text, entities=()):
    return _spotted(spotter, text, entities)


@pytest.mark.parametrize("text, code, span", [
    ("j'ai besoin de faire un test du VIH, je n'ai pas de papiers", "hiv_testing", "test du VIH"),
    ("necesito la PRUEBA DE VIH", "hiv_testing", "PRUEBA DE VIH"),
    ("mwen bezwen fè tès VIH", "hiv_testing", "fè tès VIH"),
    ("onde pego camisinha", "contraception", "camisinha"),
    ("donde me dan antirretrovirales", "hiv_treatment", "antirretrovirales"),
])
def test_a_named_service_is_found_when_diet_missed_it(spotter, text, code, span):
    assert _service_types(spotter, text) == [(code, span)]


def test_a_badly_cut_span_is_mended_in_place(spotter):
    text = "busco un test de vih"
    cut = {"entity": "service_type", "value": "un test de vih", "start": 6, "end": 20}
    assert _service_types(spotter, text, [cut]) == [("hiv_testing", "un test de vih")]


def test_a_known_code_from_diet_is_left_alone(spotter):
    diet = {"entity": "service_type", "value": "prep", "start": 0, "end": 4}
    assert _service_types(spotter, "prep cerca", [diet]) == [("prep", "prep")]


@pytest.mark.parametrize("text", [
    "tengo el PEP vencido",        # a Colombian permit, not post-exposure prophylaxis
    "j'ai perdu tes papiers",      # French "your"
    "I like art",
    "hola buenas tardes",
    "preparo el almuerzo",         # "prep" only as a whole word
])
def test_ambiguous_or_absent_forms_add_nothing(spotter, text):
    assert _service_types(spotter, text) == []


def test_a_stray_span_beside_a_known_code_is_dropped(spotter):
    text = "j'ai besoin de faire un test du VIH"
    stray = {"entity": "service_type", "value": "de", "start": 12, "end": 14}
    known = {"entity": "service_type", "value": "hiv_testing", "start": 24, "end": 35}
    assert _service_types(spotter, text, [stray, known]) == [("hiv_testing", "test du VIH")]


@pytest.mark.parametrize("text, code, span", [
    ("i prefer french if possible", "fr", "french"),
    ("mejor en KREYOL por favor", "ht", "KREYOL"),
    ("pode ser em português?", "pt", "português"),
])
def test_a_language_asked_for_is_found(language_spotter, text, code, span):
    assert _spotted(language_spotter, text, entity="language",
                    intent="choose_language") == [(code, span)]


def test_a_language_named_in_another_request_switches_nothing(language_spotter):
    assert _spotted(language_spotter, "does the clinic speak creole?", entity="language",
                    intent="find_service") == []


@pytest.fixture(scope="module")
def place_spotter(training_data, tmp_path_factory):
    config = {"entity": "location", "keep_text": True,
              "intents": ["find_service", "inform_location"], "ambiguous": ["suba", "debe"]}
    return _trained(config, training_data, tmp_path_factory.mktemp("places"))


@pytest.mark.parametrize("text, place", [
    ("necesito la prueba de vih en Cúcuta, no tengo papeles", "Cúcuta"),
    ("busco prep en medellin, no tengo permiso", "medellin"),
    ("preciso de camisinha em Boa Vista", "Boa Vista"),
])
def test_a_known_place_is_found_as_written(place_spotter, text, place):
    assert _spotted(place_spotter, text, entity="location",
                    intent="find_service") == [(place, place)]


def test_the_place_she_says_she_is_in_wins_over_one_she_mentions(training_data,
                                                                  tmp_path_factory):
    config = {"entity": "location", "keep_text": True, "intents": ["find_service"],
              "prefer_after": ["estoy en", "m nan"]}
    spotter = _trained(config, training_data, tmp_path_factory.mktemp("present"))
    assert _spotted(spotter, "pase por Cúcuta y ahora estoy en Lima, donde hay prep?",
                    entity="location", intent="find_service") == [("Lima", "Lima")]
    assert _spotted(spotter, "pase por Cúcuta, donde hay prep en Lima?",
                    entity="location", intent="find_service") == [("Cúcuta", "Cúcuta")]


@pytest.mark.parametrize("text, intent", [
    ("la clínica de Cúcuta me cobró", "report_discrimination"),  # not a search
    ("suba el volumen", "find_service"),                          # a word, not Bogotá's Suba
    ("debe ser gratis", "find_service"),
])
def test_places_outside_a_search_or_that_are_words_add_nothing(place_spotter, text, intent):
    assert _spotted(place_spotter, text, entity="location", intent=intent) == []
