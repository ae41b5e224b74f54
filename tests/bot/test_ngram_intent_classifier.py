"""The intent classifier: trained, saved with skops and loaded back as Rasa does, it
ranks intents from folded text and refuses a model file holding unexpected types."""
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components import ngram_intent_classifier as module
from bot.components.ngram_intent_classifier import NgramIntentClassifier

CONFIG = NgramIntentClassifier.get_default_config()
EXAMPLES = {
    "greet": ["hola", "buenos días", "bonjour", "bonjou", "olá, tudo bem", "hello there"],
    "find_service": ["dónde me hago la prueba de VIH", "où faire un test du VIH",
                     "kote m ka fè tès VIH", "onde faço o teste de HIV",
                     "where can I get an HIV test", "necesito una clínica"],
    "ask_cost": ["cuánto cuesta", "c'est combien", "konbyen sa koute", "quanto custa",
                 "how much does it cost", "es gratis?"],
}


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return LocalModelStorage(tmp_path_factory.mktemp("storage"))


@pytest.fixture(scope="module")
def classifier(storage):
    """Trained on the examples above, persisted, and loaded back."""
    data = TrainingData([Message(data={"text": text, "intent": intent})
                         for intent, texts in EXAMPLES.items() for text in texts])
    resource = Resource("ngram_intent_classifier")
    NgramIntentClassifier.create(CONFIG, storage, resource, None).train(data)
    return NgramIntentClassifier.load(CONFIG, storage, resource, None)


def _parse(classifier, text):
    message = Message(data={"text": text})
    classifier.process([message])
    return message


@pytest.mark.parametrize("text, intent", [
    ("DONDE ME HAGO LA PRUEBA DE VIH", "find_service"),   # capitals
    ("ou faire un test du vih", "find_service"),          # no accents
    ("cuanto cuesta", "ask_cost"),
    ("bonjou", "greet"),
])
def test_intents_are_read_from_folded_text(classifier, text, intent):
    assert _parse(classifier, text).get("intent")["name"] == intent


def test_the_ranking_is_sorted_and_holds_probabilities(classifier):
    message = _parse(classifier, "quanto custa o teste")
    ranking = message.get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert message.get("intent") == ranking[0]


def test_an_empty_text_gets_no_intent(classifier):
    message = _parse(classifier, "   ")
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_a_model_file_with_unexpected_types_is_refused(storage, classifier, monkeypatch):
    monkeypatch.setattr(module, "TRUSTED_TYPES", [])
    with pytest.raises(ValueError, match="untrusted types"):
        NgramIntentClassifier.load(CONFIG, storage, Resource("ngram_intent_classifier"), None)


def test_training_needs_two_intents(storage):
    data = TrainingData([Message(data={"text": "hola", "intent": "greet"})])
    with pytest.raises(ValueError, match="two intents"):
        NgramIntentClassifier.create(CONFIG, storage, Resource("one"), None).train(data)


def test_the_fast_path_gives_sklearns_probabilities(classifier):
    texts = ["donde hay una clinica", "c'est gratuit?", "bonjou", "xyz", "",
             "hola hola hola, clinica clinica", "¿¿¿", "  ", "a" * 300]
    assert classifier.predict_proba(texts) == pytest.approx(
        classifier._pipeline.predict_proba(texts), abs=1e-9)


def test_two_intents_are_enough(storage):
    data = TrainingData([Message(data={"text": text, "intent": intent})
                         for intent in ("greet", "ask_cost") for text in EXAMPLES[intent]])
    resource = Resource("two_intents")
    NgramIntentClassifier.create(CONFIG, storage, resource, None).train(data)
    classifier = NgramIntentClassifier.load(CONFIG, storage, resource, None)
    assert classifier.predict_proba(["cuanto cuesta"]) == pytest.approx(
        classifier._pipeline.predict_proba(["cuanto cuesta"]), abs=1e-9)
    assert _parse(classifier, "cuanto cuesta").get("intent")["name"] == "ask_cost"
