"""What a message says of her situation, and an urgent exposure, found in whole messages.

The lexicons carry their own examples (`examples:` at the end of each file): every one
must give its code, and the sentences marked null must give nothing. An urgent
exposure turns any request into the emergency, except the few that must stay what they
are (erasing her data, a menu number, a report).
"""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.phrase_spotter import PhraseSpotter, lexicon


@pytest.fixture(scope="module")
def spotter() -> PhraseSpotter:
    return PhraseSpotter(PhraseSpotter.get_default_config())


def _run(spotter, text, intent="ask_rights"):
    message = Message(data={"text": text, "entities": [],
                            "intent": {"name": intent, "confidence": 0.6},
                            "intent_ranking": [{"name": intent, "confidence": 0.6}]})
    spotter.process([message])
    found = {e["entity"]: (e["value"], text[e["start"]:e["end"]]) for e in message.get("entities")}
    return found, message.get("intent")["name"]


@pytest.mark.parametrize("name, entity", [("situation", "situation"), ("urgent", "urgent"),
                                          ("condition", "condition"), ("country_cue", "country"),
                                          ("emergency", "emergency_cue"),
                                          ("human", "human_request"), ("asks", "asks")])
def test_every_lexicon_example_gives_its_code(spotter, name, entity):
    wrong = []
    for text, expected in lexicon(name).examples:
        found, _ = _run(spotter, text)
        got = found.get(entity, (None, ""))[0]
        if got != expected:
            wrong.append((text, expected, got))
    assert len(lexicon(name).examples) >= 8
    assert wrong == []


def test_a_country_cue_never_overrides_a_country_she_named(spotter):
    message = Message(data={"text": "tengo el PPT pero ahora estoy en Peru", "intent": {
        "name": "ask_rights", "confidence": 0.9}, "entities": [
        {"entity": "country", "value": "pe", "start": 33, "end": 37}]})
    spotter.process([message])
    assert [e["value"] for e in message.get("entities") if e["entity"] == "country"] == ["pe"]


def test_a_long_message_gives_its_situation_with_the_span_as_written(spotter):
    text = "Soy venezolana, estoy en Boa Vista SIN PAPELES y tengo VIH, me dan los retrovirales?"
    found, intent = _run(spotter, text)
    assert found["situation"] == ("irregular", "SIN PAPELES")
    assert intent == "ask_rights"


@pytest.mark.parametrize("text, code", [
    ("me violaron anoche en Santo Domingo, qué hago", "sexual_violence"),
    ("se me rompió el condón ayer", "condom_broke"),
    ("mwen te vyole yè swa", "sexual_violence"),
    ("en la selva unos tipos nos abusaron a mi y a mi prima", "sexual_violence"),
    ("yon gason fose m ye swa nan higuey", "sexual_violence"),
    ("se rompió el condón hace 2 días", "condom_broke"),
    # told in more words, the way a frightened friend texts it
    ("last night 2 men pull her in a car after she finish work and do things to her",
     "sexual_violence"),
    ("dans la foret des hommes armes nous ont arretes et ils ont abuse d elle", "sexual_violence"),
    ("ontem a noite um homem do grupo me violentou", "sexual_violence"),
])
def test_an_urgent_exposure_becomes_the_emergency(spotter, text, code):
    found, intent = _run(spotter, text, intent="find_service")
    assert found["urgent"][0] == code
    assert intent == "emergency"


@pytest.mark.parametrize("text", ["ambulance number brazil?? a guy collapsed",
                                  "ya no quiero vivir, no tengo a nadie aqui"])
def test_a_life_at_risk_or_a_request_for_an_emergency_line_is_the_emergency(spotter, text):
    _, intent = _run(spotter, text, intent="find_service")
    assert intent == "emergency"


def test_a_rape_she_will_not_report_to_the_police_is_the_emergency_not_a_complaint(spotter):
    text = "um homem do grupo me violentou. nao quero fazer denuncia na policia, posso ir no hospital?"
    found, intent = _run(spotter, text, intent="report_discrimination")
    assert found["urgent"][0] == "sexual_violence" and intent == "emergency"


def test_a_daughter_she_travels_with_does_not_make_her_question_a_childs(spotter):
    found, _ = _run(spotter, "llegue a barranquilla hace 8 meses con mi hija, tengo vih y no "
                             "tengo ppt", intent="ask_rights")
    assert found["situation"][0] == "irregular"
    found, _ = _run(spotter, "necesito la prueba de vih para mi hija", intent="ask_rights")
    assert found["situation"][0] == "minor"


def test_a_cost_question_the_classifier_read_as_an_emergency_is_the_question(spotter):
    text = ("attendez plus urgent, mon ami tousse du sang depuis 3 semaines. le test de la "
            "tuberculose est gratuit ici?")
    _, intent = _run(spotter, text, intent="emergency")
    assert intent == "ask_cost"
    _, intent = _run(spotter, "il saigne beaucoup, c'est gratuit l'hopital?", intent="emergency")
    assert intent == "emergency"  # a cue the lexicons know keeps the emergency


def test_erasing_her_data_stays_an_erasure_even_when_it_quotes_violence(spotter):
    _, intent = _run(spotter, "borra todo lo que te dije, que me violaron", intent="delete_my_data")
    assert intent == "delete_my_data"


def test_a_message_without_such_facts_is_left_alone(spotter):
    found, intent = _run(spotter, "donde puedo comprar condones en Lima", intent="find_service")
    assert found == {} and intent == "find_service"


def test_a_search_for_a_free_service_with_no_place_is_a_cost_question(spotter):
    _, intent = _run(spotter, "on peut avoir la PrEP gratuitement en RD ?", intent="find_service")
    assert intent == "ask_cost"  # "RD" gives the country (country_cue), no place is named
    _, intent = _run(spotter, "ou faire un test gratuit ?", intent="find_service")
    assert intent == "find_service"  # nowhere named: ask where, then the rights come along
    message = Message(data={"text": "donde me dan la prep gratis en cdmx", "intent": {
        "name": "find_service", "confidence": 0.8}, "entities": [
        {"entity": "location", "value": "cdmx", "start": 31, "end": 35}]})
    spotter.process([message])
    assert message.get("intent")["name"] == "find_service"


def test_the_long_past_lexicon_reads_its_examples():
    wrong = [(text, expected) for text, expected in lexicon("past_window").examples
             if (lexicon("past_window").find(text) or (None,))[0] != expected]
    assert wrong == []


@pytest.mark.parametrize("text", ["transei sem camisinha faz 3 meses, queria fazer teste de hiv",
                                  "the condom broke 2 months ago, can i get tested for free?"])
def test_an_exposure_weeks_old_is_a_test_question_not_the_emergency(spotter, text):
    found, intent = _run(spotter, text, intent="find_service")
    assert "urgent" not in found and intent == "find_service"


def test_sexual_violence_long_ago_stays_urgent(spotter):
    found, intent = _run(spotter, "me violaron hace 3 meses y no he contado a nadie")
    assert found["urgent"][0] == "sexual_violence" and intent == "emergency"


def test_on_the_route_with_no_place_a_search_is_the_rights_question(spotter):
    found, intent = _run(spotter, "depuis la jungle je fais des cauchemars. a la station "
                                  "migratoire il y a quelqu un pour parler ?", "find_service")
    assert found["country"][0] == "pa" and found["situation"][0] == "transit"
    assert intent == "ask_rights"
    _, intent = _run(spotter, "estamos de paso en Medellín, donde hay prueba de vih",
                     "find_service")
    assert intent == "find_service"  # a place to search near: the search
