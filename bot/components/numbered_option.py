"""NumberedOption: a bare number ("2", "2.", "2️⃣") or MORE becomes intent `choose_option`.

SMS menus are numbered because every phone can send a digit. What a digit means
depends on the menu last shown, which only the dialogue knows, so this component
does not guess a topic: it sets the intent `choose_option` with certainty and the
entity `option` ("2", or "more"), and the form or action that showed the menu reads it.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.folding import fold

INTENT_NAME = "choose_option"
ENTITY = "option"
_NUMBER = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)\-:]?\s*$")
_KEYCAP = "\ufe0f\u20e3"
# "more" in the five languages, as people type it on SMS (accents folded).
MORE_WORDS = {"more", "mas", "plus", "plis", "mais", "lot", "lot yo", "ver mas",
              "mas opciones", "encore", "more please", "mas por favor", "mais opcoes"}


def parse_option(text: str) -> Optional[str]:
    """"3" for "3", "3.", "3️⃣"; "more" for MORE and its translations; else None."""
    cleaned = text.replace(_KEYCAP, "").replace("\u20e3", "")
    match = _NUMBER.match(cleaned)
    if match:
        return str(int(match.group(1)))
    folded = fold(re.sub(r"[^\w\s]", "", text))
    return "more" if folded in MORE_WORDS else None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class NumberedOption(GraphComponent):
    """Recognise menu choices deterministically, before the fallback classifier."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> "NumberedOption":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            option = parse_option(text) if text else None
            if option is None:
                continue
            intent = {"name": INTENT_NAME, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            entities.append({"entity": ENTITY, "value": option, "start": 0,
                             "end": len(text), "extractor": self.__class__.__name__})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
