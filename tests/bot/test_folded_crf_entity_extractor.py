"""The folded CRF finds a place typed without capitals or accents although it was
only taught capitalised, accented places; Rasa's stock CRF, taught the same, does not."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.components.folded_crf_entity_extractor import FoldedCRFEntityExtractor

PLACES = ["Cúcuta", "Bogotá", "Medellín", "Bucaramanga", "Cali", "Barranquilla", "Pereira",
          "Manizales", "Ibagué", "Villavicencio", "Riohacha", "Montería"]
FRAMES = ["estoy en {}", "vivo en {}", "necesito una prueba en {}", "hay clínicas en {}?",
          "{}", "ahora estoy cerca de {}"]
TRAINING = "\n".join(
    ["version: '3.1'", "nlu:", "- intent: inform_location", "  examples: |"]
    + [f"    - {frame.format(f'[{place}](location)')}"
       for i, place in enumerate(PLACES) for frame in FRAMES[i % 3::3]]
    + ["- lookup: location", "  examples: |"] + [f"    - {place}" for place in PLACES])


def _trained(cls, tmp_path):
    """Tokenizer, regex features (the lookup, as in bot/config.yml) and the extractor."""
    storage = LocalModelStorage(tmp_path)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    regexes = RegexFeaturizer.create({**RegexFeaturizer.get_default_config(),
                                      "case_sensitive": False},
                                     storage, Resource("regex"),
                                     ExecutionContext(GraphSchema({}), node_name="regex"))
    data = RasaYAMLReader().reads(TRAINING)
    tokenizer.process_training_data(data)
    regexes.train(data)
    regexes.process_training_data(data)
    config = {**cls.get_default_config(), "max_iterations": 100}
    cls.create(config, storage, Resource(cls.__name__), None).train(data)
    extractor = cls.load(config, storage, Resource(cls.__name__), None)

    def places(text):
        message = Message(data={"text": text})
        tokenizer.process([message])
        regexes.process([message])
        extractor.process([message])
        return [e["value"] for e in message.get("entities", []) if e["entity"] == "location"]
    return places


@pytest.fixture(scope="module")
def folded(tmp_path_factory):
    return _trained(FoldedCRFEntityExtractor, tmp_path_factory.mktemp("folded"))


@pytest.mark.parametrize("text, place", [
    ("estoy en Cúcuta", "Cúcuta"),
    ("estoy en cucuta", "cucuta"),
    ("vivo en MEDELLIN", "MEDELLIN"),
    ("necesito una prueba en ibague", "ibague"),
])
def test_places_are_found_however_they_are_typed(folded, text, place):
    assert folded(text) == [place]


def test_the_stock_crf_misses_the_plainly_typed_place(tmp_path):
    stock = _trained(CRFEntityExtractor, tmp_path)
    assert stock("estoy en Cúcuta") == ["Cúcuta"]
    assert stock("estoy en cucuta") == []
