"""EntitySpotter: a safety net under the learned extractor for closed-vocabulary entities.

The CRF finds most service types and language names, but can miss a span ("test du
VIH", "i prefer french if possible") or cut it so that no synonym maps it ("un test
du VIH"). Then the person is asked again what she needs although she said it, or is
answered in the wrong language. This component runs after the synonym mapper, once per
entity (`entity`): when no such entity with a known value is left, it looks for the
longest surface form of a known value from the training synonyms (accents and case
folded, whole words only) and adds or mends the entity; when one is known, stray spans
of that entity beside it are dropped.
Forms that mean something else in some country ("pep" is a residence permit in
Colombia) are listed in `ambiguous` and left to the CRF. With `intents` set, it only
acts on messages of those intents: a language named in "does the clinic speak
creole?" must not switch Puente's language, one named in "in creole please" must.
With `keep_text` the value is the text as written (places are not mapped to codes).
With `prefer_after` (regexes on the folded text), a form right after one of them wins
over an earlier one ("pase por el Darién, ahora estoy en Tapachula").
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.folding import fold, fold_with_offsets

_FILE = "entity_forms.json"


def entity_forms(training_data: TrainingData, entity_name: str) -> Dict[str, str]:
    """Folded surface form -> value, for every value annotated as `entity_name`."""
    synonyms = {fold(form): code for form, code in training_data.entity_synonyms.items()}
    codes = set()
    for message in training_data.entity_examples:
        for entity in message.get(ENTITIES, []):
            if entity.get("entity") == entity_name:
                value = fold(str(entity.get("value")))
                codes.add(synonyms.get(value, value))
    forms = {form: code for form, code in synonyms.items() if code in codes}
    forms.update({fold(code): code for code in codes})
    return forms


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class EntitySpotter(GraphComponent):
    """Add or mend one entity (`entity`) from its known surface forms."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"entity": "service_type", "ambiguous": [], "intents": [], "keep_text": False,
                "prefer_after": []}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, forms: Optional[Dict[str, str]] = None) -> None:
        self._config = config
        self._entity = config["entity"]
        self._intents = set(config.get("intents") or [])
        self._storage = model_storage
        self._resource = resource
        cues = config.get("prefer_after") or []
        # "after the Darién ... I'm in Mexico City": the place she says she is in wins
        # over one she only mentions
        self._prefer = re.compile(rf"(?<!\w)(?:{'|'.join(cues)})\s+$") if cues else None
        self._set_forms(forms or {})

    def _set_forms(self, forms: Dict[str, str]) -> None:
        ambiguous = {fold(form) for form in self._config.get("ambiguous", [])}
        self._forms = {form: code for form, code in forms.items() if form not in ambiguous}
        self._codes = set(forms.values())
        alternatives = "|".join(re.escape(form).replace(r"\ ", r"\s+")
                                for form in sorted(self._forms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if alternatives else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> "EntitySpotter":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        forms = entity_forms(training_data, self._entity)
        self._set_forms(forms)
        with self._storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(json.dumps(forms, ensure_ascii=False, sort_keys=True),
                                           encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "EntitySpotter":
        with model_storage.read_from(resource) as directory:
            forms = json.loads((directory / _FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, forms)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def spot(self, text: str) -> Optional[Dict[str, Any]]:
        """The longest known form of the entity in `text`, as an entity, or None."""
        if not self._pattern or not text:
            return None
        folded, origin = fold_with_offsets(text)
        matches = list(self._pattern.finditer(folded))
        if not matches:
            return None
        match = next((m for m in matches if self._prefer
                      and self._prefer.search(folded[max(0, m.start() - 25):m.start()])),
                     matches[0])
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        value = (text[start:end] if self._config.get("keep_text")
                 else self._forms[" ".join(match.group(0).split())])
        return {"entity": self._entity, "value": value,
                "start": start, "end": end, "extractor": self.__class__.__name__}

    def _process_one(self, message: Message) -> None:
        if self._intents and (message.get(INTENT) or {}).get("name") not in self._intents:
            return
        entities = message.get(ENTITIES, [])
        found = [e for e in entities if e.get("entity") == self._entity]
        if any(e.get("value") in self._codes for e in found):
            # A stray span beside a known one ("de" in "test de VIH") would turn the
            # slot into a list the form cannot read: keep the known ones only.
            kept = [e for e in entities
                    if e.get("entity") != self._entity or e.get("value") in self._codes]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
            return
        text = message.get(TEXT) or ""
        spotted = None
        for entity in found:  # the CRF saw one but cut it badly: mend its value
            spotted = self.spot(text[entity.get("start", 0):entity.get("end", len(text))])
            if spotted:
                spotted.update(start=entity.get("start"), end=entity.get("end"))
                break
        spotted = spotted or self.spot(text)
        if spotted:
            rest = [e for e in entities if e.get("entity") != self._entity]
            message.set(ENTITIES, rest + [spotted], add_to_output=True)
