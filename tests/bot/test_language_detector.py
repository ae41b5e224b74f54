"""A language she names while choosing one switches hers; a language she names about a
clinic does not (the entity is dropped and her writing decides)."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.language_detector import LanguageDetector


def _detect(text, intent, named=None):
    entities = [{"entity": "language", "value": named, "extractor": "FoldedCRFEntityExtractor"}] \
        if named else []
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                            "entities": entities})
    LanguageDetector(LanguageDetector.get_default_config()).process([message])
    return [(e["value"], e["extractor"]) for e in message.get("entities")
            if e["entity"] == "language"]


def test_a_language_named_while_choosing_wins():
    assert _detect("english please", "choose_language", "en") == \
        [("en", "FoldedCRFEntityExtractor")]


@pytest.mark.parametrize("text, named, writing", [
    ("necesito una clínica donde hablen creole", "ht", "es"),
    ("is there a clinic near me that speaks french", "fr", "en"),
    ("eske gen yon klinik ki pale panyòl bò isit la", "es", "ht"),
])
def test_a_language_named_about_a_clinic_does_not_switch_hers(text, named, writing):
    assert _detect(text, "find_service", named) == [(writing, "LanguageDetector")]


def test_a_short_question_naming_a_language_switches_nothing():
    assert _detect("hablan creole?", "find_service", "ht") == []
