"""A long message that said what it is about is answered, not sent back to be reworded."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from bot.actions.fallback import rescued_intent


def _tracker(text: str, entities: list[dict], ranking: list[tuple[str, float]]) -> Tracker:
    message = {"text": text, "entities": entities,
               "intent": {"name": "nlu_fallback", "confidence": 0.3},
               "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}]
               + [{"name": name, "confidence": c} for name, c in ranking]}
    return Tracker("s", {}, message, [], False, None, {}, "action_listen")


def test_a_long_message_with_a_country_and_a_service_is_answered_by_its_likeliest_question():
    tracker = _tracker("hi im venezuelan in port of spain, i registered in 2019 but the card "
                       "expire, i have hiv, the health centre give me the ARVs free?",
                       [{"entity": "country", "value": "tt"}],
                       [("ask_cost", 0.25), ("find_service", 0.2)])
    assert rescued_intent(tracker) == "ask_cost"


@pytest.mark.parametrize("text, entities, ranking", [
    ("asdf qwer", [{"entity": "country", "value": "tt"}], [("ask_cost", 0.5)]),  # short
    ("i do not know what to say about all of this really", [], [("ask_rights", 0.4)]),
    ("the weather in lima is very grey these days friend", [{"entity": "location", "value": "lima"}],
     [("greet", 0.3), ("ask_rights", 0.1)]),  # the likeliest question is too unlikely
])
def test_short_empty_or_unlikely_messages_still_get_the_rephrase_prompt(text, entities, ranking):
    assert rescued_intent(_tracker(text, entities, ranking)) is None
