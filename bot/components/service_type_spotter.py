"""ServiceTypeSpotter: a safety net under DIET for the `service_type` entity.

DIET finds most service types, but a model trained on another machine can miss a
span it found here ("test du VIH") or cut it so that no synonym maps it ("un test
du VIH"). Then the person is asked again what she needs although she said it. This
component runs after the synonym mapper: when no `service_type` entity with a known
code is left, it looks for the longest surface form of a code from the training
synonyms (accents and case folded, whole words only) and adds or mends the entity;
when one is known, stray service-type spans beside it are dropped.
Forms that mean something else in some country ("pep" is a residence permit in
Colombia) are listed in `ambiguous` and left to DIET.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.folding import fold, fold_with_offsets

ENTITY = "service_type"
_FILE = "service_type_forms.json"


def service_type_forms(training_data: TrainingData) -> Dict[str, str]:
    """Folded surface form -> code, for every code annotated as `service_type`."""
    synonyms = {fold(form): code for form, code in training_data.entity_synonyms.items()}
    codes = set()
    for message in training_data.entity_examples:
        for entity in message.get(ENTITIES, []):
            if entity.get("entity") == ENTITY:
                value = fold(str(entity.get("value")))
                codes.add(synonyms.get(value, value))
    forms = {form: code for form, code in synonyms.items() if code in codes}
    forms.update({fold(code): code for code in codes})
    return forms


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class ServiceTypeSpotter(GraphComponent):
    """Add or mend the `service_type` entity from known surface forms."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"ambiguous": []}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, forms: Optional[Dict[str, str]] = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
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
               resource: Resource, execution_context: ExecutionContext) -> "ServiceTypeSpotter":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        forms = service_type_forms(training_data)
        self._set_forms(forms)
        with self._storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(json.dumps(forms, ensure_ascii=False, sort_keys=True),
                                           encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ServiceTypeSpotter":
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
        """The longest known service-type form in `text`, as an entity, or None."""
        if not self._pattern or not text:
            return None
        folded, origin = fold_with_offsets(text)
        match = self._pattern.search(folded)
        if not match:
            return None
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        return {"entity": ENTITY, "value": self._forms[" ".join(match.group(0).split())],
                "start": start, "end": end, "extractor": self.__class__.__name__}

    def _process_one(self, message: Message) -> None:
        entities = message.get(ENTITIES, [])
        found = [e for e in entities if e.get("entity") == ENTITY]
        if any(e.get("value") in self._codes for e in found):
            # A stray span beside a known one ("de" in "test de VIH") would turn the
            # slot into a list the form cannot read: keep the known ones only.
            kept = [e for e in entities
                    if e.get("entity") != ENTITY or e.get("value") in self._codes]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
            return
        text = message.get(TEXT) or ""
        spotted = None
        for entity in found:  # DIET saw a service type but cut it badly: mend its value
            spotted = self.spot(text[entity.get("start", 0):entity.get("end", len(text))])
            if spotted:
                spotted.update(start=entity.get("start"), end=entity.get("end"))
                break
        spotted = spotted or self.spot(text)
        if spotted:
            rest = [e for e in entities if e.get("entity") != ENTITY]
            message.set(ENTITIES, rest + [spotted], add_to_output=True)
