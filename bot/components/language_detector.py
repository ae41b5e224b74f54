"""LanguageDetector: adds a `language` entity guessed from the text itself.

It runs after the intent classifier, the CRF, the synonym mapper and the spotters. When
the person named a language while choosing one ("english please", "kreyòl") that
entity wins and nothing is added. A language named in anything else ("is there a
clinic that speaks creole?", "¿en la clínica hablan inglés?") is the clinic's, not
hers: that entity is dropped, so the slot does not switch her language. Otherwise py3langid,
restricted to Puente's five languages, classifies the text; the guess becomes a
`language` entity (which fills the `language` slot) only when the text is long
enough and the guess confident, so "ok", "si" or "1" never flip the language.
Very short greetings that name their language unambiguously ("hola", "bonjou")
are recognised from a small lexicon.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.language_guess import guess_language

ENTITY = "language"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(GraphComponent):
    """Guess the message's language and add it as a `language` entity."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_letters": 12, "min_words": 2, "min_probability": 0.8,
                "choosing_intents": ["choose_language"]}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if not text or text.startswith("/"):
            return
        entities = list(message.get(ENTITIES, []))
        if any(e.get("entity") == ENTITY for e in entities):
            if (message.get(INTENT) or {}).get("name") in self._config["choosing_intents"]:
                return
            entities = [e for e in entities if e.get("entity") != ENTITY]
            message.set(ENTITIES, entities, add_to_output=True)
        guess = guess_language(
            text,
            min_letters=self._config["min_letters"],
            min_words=self._config["min_words"],
            min_probability=self._config["min_probability"],
        )
        if guess is None:
            return
        code, probability = guess
        entities.append(
            {
                "entity": ENTITY,
                "value": code,
                "start": 0,
                "end": len(text),
                "confidence_entity": round(probability, 3),
                "extractor": self.__class__.__name__,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)
