"""PhraseSpotter: the facts a whole message carries beside its question.

A long message says where she is, her papers, her pregnancy, what she lives with, and
asks something: "soy venezolana, estoy en Boa Vista *sin papeles* y *tengo VIH*, ¿me dan
los retrovirales *gratis*?". Asking her again what she already wrote is the failure
people remember. Each lexicon in `bot/components/phrases/` (five languages, regexes
matched as whole words on the lower-cased, accent-free text) adds one entity:

- `situation.yml` → `situation`: no papers, a permit (PPT), asylum, pregnant, a child,
  in transit (the contract's situations);
- `urgent.yml` → `urgent`: a rape, a condom that broke, a needle injury, unprotected
  sex; the intent becomes `emergency`, because PEP must start within 72 hours and that
  answer comes first, whatever else the message asks (unless `past_window.yml` says
  the exposure is weeks old: then a test is the question);
- `emergency.yml` → `emergency_cue`: a life at risk now, suicidal thoughts, a request
  for an emergency or violence line; the intent becomes `emergency`;
- `human.yml` → `human_request`: she asks for a person; the intent becomes
  `talk_to_human` (after an emergency, which wins);
- `condition.yml` → `condition`: what she lives with or feels, as the care it needs
  ("tengo VIH" → hiv_treatment, "toso hace un mes" → tb_testing), used when no service
  is named; a hospital asked for is emergency care, a rights question (the directory
  lists no hospitals);
- `country_cue.yml` → `country`: a system only one country has ("el PPT", "cartão do
  SUS", "CESFAM", "CURP"), only when the message names no country;
- `asks.yml` → `asks`: a cost, papers or enrolment question inside another request; a
  search for a service "free" with a country and no place is the cost question.

Lexicons rather than CRF spans: these are closed sets of expressions written in many
word orders ("no tengo papeles", "papeles no tengo"), NGOs who know how people write can
review them, and the examples at the end of each file are its tests. The component runs
before the LanguageDetector, so that a request it turns into another intent ("je veux
parler avec quelqu'un qui parle créole") does not switch her language.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.folding import fold_with_offsets

PHRASES = Path(__file__).resolve().parent / "phrases"
# Requests that must not be turned into an emergency even when they quote one. A report
# of a clinic that refused care after a rape is not kept: the 72 hours come first.
_KEEP_INTENTS = {"delete_my_data", "choose_option"}
# Urgent codes whose care has a window (PEP 72 h, emergency contraception 5 days) that
# a long-past exposure has closed (past_window.yml); sexual violence stays urgent.
_WINDOW_CLOSED = {"condom_broke", "exposure"}
# A question asked inside a search with a country and no place: the question it is.
_ASKED_INTENT = {"cost": "ask_cost", "rights": "ask_rights", "documents": "ask_documents"}


class Lexicon:
    """Code → compiled phrases of every language, from one lexicon file."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        self.examples: List[Tuple[str, Optional[str]]] = [
            (str(text), code) for text, code in data.pop("examples", None) or []]
        self.patterns: List[Tuple[str, re.Pattern]] = []
        for code, by_language in data.items():
            phrases = [phrase for language in (by_language or {}).values()
                       for phrase in language or []]
            if phrases:
                alternatives = "|".join(f"(?:{phrase})" for phrase in phrases)
                self.patterns.append(
                    (str(code), re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")))

    def find(self, text: str) -> Optional[Tuple[str, int, int]]:
        """(code, start, end) of the first phrase in `text`, in the original's offsets."""
        hits = self.find_all(text)
        return hits[0] if hits else None

    def find_all(self, text: str) -> List[Tuple[str, int, int]]:
        """(code, start, end) of each code's first phrase in `text`, first one first."""
        folded, origin = fold_with_offsets(text)
        hits = []
        for code, pattern in self.patterns:
            match = pattern.search(folded)
            if match:
                hits.append((code, origin[match.start()], origin[match.end() - 1] + 1))
        return sorted(hits, key=lambda hit: hit[1])


@lru_cache(maxsize=None)
def lexicon(name: str) -> Lexicon:
    return Lexicon(PHRASES / f"{name}.yml")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class PhraseSpotter(GraphComponent):
    """Add `situation` and `urgent` entities; an urgent exposure makes the intent `emergency`."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lexicons": {"situation": "situation", "urgent": "urgent",
                             "emergency": "emergency_cue", "human": "human_request",
                             "condition": "condition", "country_cue": "country",
                             "asks": "asks"},
                "only_if_missing": ["country"],
                # an entity that makes the message this intent, with certainty; the
                # first in this order wins (an emergency before a request for a person)
                "intent_overrides": {"urgent": "emergency", "emergency_cue": "emergency",
                                     "human_request": "talk_to_human"}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config
        # lexicon file name -> the entity it adds
        self._entities: Dict[str, str] = dict(config["lexicons"])
        self._lexicons = {name: lexicon(name) for name in self._entities}
        self._only_if_missing = set(config.get("only_if_missing") or [])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> "PhraseSpotter":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if not text:
            return
        entities = [e for e in message.get(ENTITIES, [])
                    if e.get("extractor") != self.__class__.__name__]
        present = {e.get("entity") for e in entities}
        found = {}
        for name, phrases in self._lexicons.items():
            entity = self._entities[name]
            if entity in self._only_if_missing and entity in present:
                continue
            hits = phrases.find_all(text)
            if entity == "asks":  # every question asked; "will they report me?" last
                hits.sort(key=lambda hit: hit[0] == "confidentiality")
            else:
                hits = hits[:1]
            if hits and entity == "urgent" and hits[0][0] in _WINDOW_CLOSED \
                    and lexicon("past_window").find(text):
                hits = []  # "sin condón hace 3 meses": a test is the question, not PEP
            for code, start, end in hits:
                found.setdefault(entity, code)
                entities.append({"entity": entity, "value": code, "start": start, "end": end,
                                 "extractor": self.__class__.__name__})
        if not found:
            return
        message.set(ENTITIES, entities, add_to_output=True)
        intent = (message.get(INTENT) or {}).get("name")
        overrides = self._config.get("intent_overrides") or {}
        forced = next((intent for entity, intent in overrides.items() if entity in found), None)
        named = {e.get("entity") for e in entities}
        if not forced and intent == "find_service" and found.get("asks") in _ASKED_INTENT \
                and "country" in named and "location" not in named:
            # "¿me dan la PrEP gratis en RD?", "posso fazer o pré-natal no posto ou só
            # quem tem documento?": a country, no place: the question, not a search
            forced = _ASKED_INTENT[found["asks"]]
        if not forced and intent == "find_service" and found.get("asks") == "documents" \
                and "location" not in named:
            # "wait first tell me this: what papers does she have to carry?", typed over a
            # place search: the papers question, in the conversation's country
            forced = "ask_documents"
        if not forced and intent == "emergency" and found.get("asks") in _ASKED_INTENT \
                and named & {"service_type", "condition"}:
            # "attendez, plus urgent: il tousse du sang depuis 3 semaines, le test de la
            # tuberculose est gratuit ?": no emergency the lexicons know (they would have
            # forced it), a question about a service: the question
            forced = _ASKED_INTENT[found["asks"]]
        if not forced and intent == "find_service" and found.get("situation") == "transit" \
                and "country" in named and "location" not in named:
            # "depuis la jungle... à la station, il y a quelqu'un pour parler ?": on the
            # route there is no address to ask for; the answer names where (the station's
            # doctors, the public centres) and she can still ask for places
            forced = "ask_rights"
        if not forced and intent == "find_service" and "service_type" not in named \
                and found.get("condition") == "emergency_care":
            # "¿hay un hospital que nos atienda?": the directory lists no hospitals, the
            # answer is the emergency care everyone gets and where to go
            forced = "ask_rights"
        if forced and intent not in _KEEP_INTENTS:
            chosen = {"name": forced, "confidence": 1.0}
            ranking = [chosen] + [r for r in message.get(INTENT_RANKING_KEY) or []
                                  if r.get("name") != forced]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
