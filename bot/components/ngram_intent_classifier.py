"""NgramIntentClassifier: intents from TF-IDF character and word n-grams, by logistic regression.

Why not DIET for intents: on the same held-out split and blind set, a linear model over
accent-folded character n-grams (1-5, within words) and word n-grams (1-2) classifies
the five languages as well or better than DIET (README "Understanding"), trains in
seconds instead of minutes, and its probabilities are calibrated enough for the
FallbackClassifier. Entities come from bot/components/folded_crf_entity_extractor.py.

The model is saved with skops (no pickle), as Rasa's own sklearn classifier is.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.folding import fold

_MODEL_FILE = "ngram_intent_classifier.skops"
# Types outside skops' default trust list that this pipeline holds (TF-IDF's idf diagonal);
# anything else in the file refuses to load.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]


def build_pipeline(config: Dict[Text, Any]):
    """The untrained scikit-learn pipeline the config describes (texts arrive folded)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]),
                            sublinear_tf=True),
            TfidfVectorizer(analyzer="word", ngram_range=tuple(config["word_ngrams"]),
                            sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
        ),
        LogisticRegression(C=config["C"], max_iter=config["max_iter"], multi_class="multinomial"),
    )


class _NgramRow:
    """A fitted TfidfVectorizer's row for one text, as (columns, values), without
    sklearn's per-call machinery: counts of the vocabulary's n-grams, sublinear tf,
    times idf, L2-normalised; columns shifted by the vectorizer's place in the union."""

    def __init__(self, vectorizer: Any, offset: int) -> None:
        if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2"
                and not vectorizer.binary):
            raise ValueError("_NgramRow computes sublinear, idf-weighted, L2 rows only")
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._offset = offset

    def features(self, text: str) -> "tuple[np.ndarray, np.ndarray]":
        counts: Dict[int, int] = {}
        vocabulary = self._vocabulary
        for term in self._analyze(text):
            column = vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = (np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
                  + 1.0) * self._idf[columns]
        norm = np.sqrt(values @ values) if len(values) else 0.0
        if norm > 0:
            values /= norm
        return columns + self._offset, values


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class NgramIntentClassifier(GraphComponent, IntentClassifier):
    """Set `intent` and `intent_ranking` from the message text alone."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 50.0, "char_ngrams": [1, 5], "word_ngrams": [1, 2],
                "max_iter": 3000, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, pipeline: Optional[Any] = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._set_pipeline(pipeline)

    def _set_pipeline(self, pipeline: Optional[Any]) -> None:
        """Keep the fitted parts in the form that is cheap for one message at a time.

        sklearn's predict_proba computes `X @ coef_.T`, and scipy copies the transposed
        (non-contiguous) weights to multiply: ~12 MB per message with a vocabulary of
        ~59,000 n-grams, and FeatureUnion starts a joblib pool per call. Profiling the Rasa
        server put 17% of its time there; this does the same arithmetic without both.
        Then sklearn's transform itself (validation, sparse matrices for one short text)
        was 8%: `_NgramRow` computes the same TF-IDF row from the fitted vocabulary.
        """
        self._pipeline = pipeline
        if pipeline is None:
            return
        union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        vectorizers = [vectorizer for _, vectorizer in union.transformer_list]
        offsets = np.cumsum([0] + [len(v.vocabulary_) for v in vectorizers])
        self._rows = [_NgramRow(v, int(offset)) for v, offset in zip(vectorizers, offsets)]
        self._weights = np.ascontiguousarray(model.coef_.T)
        self._intercept = model.intercept_
        self._labels = [str(label) for label in model.classes_]

    def predict_proba(self, texts: List[str]) -> "np.ndarray":
        """Same values as the pipeline's predict_proba (multinomial softmax)."""
        scores = np.tile(self._intercept, (len(texts), 1))
        for i, text in enumerate(texts):
            for row in self._rows:
                columns, values = row.features(text)
                if len(columns):
                    scores[i] += values @ self._weights[columns]
        if scores.shape[1] == 1:  # two intents: sklearn keeps one column, softmax of (-s, s)
            scores = np.hstack([-scores, scores])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "NgramIntentClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "skops"]

    def train(self, training_data: TrainingData) -> Resource:
        import skops.io as sio

        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        intents = sorted({m.get(INTENT) for m in examples})
        if len(intents) < 2:
            raise ValueError("NgramIntentClassifier needs examples of at least two intents")
        pipeline = build_pipeline(self._config)
        pipeline.fit([fold(m.get(TEXT)) for m in examples], [m.get(INTENT) for m in examples])
        self._set_pipeline(pipeline)
        with self._storage.write_to(self._resource) as directory:
            sio.dump(pipeline, directory / _MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "NgramIntentClassifier":
        import skops.io as sio

        with model_storage.read_from(resource) as directory:
            path = directory / _MODEL_FILE
            if not path.exists():  # not trained (no intent examples): classify nothing
                return cls(config, model_storage, resource)
            unexpected = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
            if unexpected:
                raise ValueError(f"{path.name} holds untrusted types: {sorted(unexpected)}")
            pipeline = sio.load(path, trusted=TRUSTED_TYPES)
        return cls(config, model_storage, resource, pipeline)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._pipeline is None:
            return messages
        texts = [fold(m.get(TEXT) or "") for m in messages]
        probabilities = self.predict_proba(texts)
        labels = self._labels
        limit = self._config["ranking_length"]
        for message, text, row in zip(messages, texts, probabilities):
            if not text:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            order = row.argsort()[::-1][:limit]
            ranking = [{"name": labels[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
