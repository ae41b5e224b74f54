"""Training data keeps the contract: every intent in every language with enough
examples, entity values that the contract knows, and no text taught as two intents."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

BOT = Path(__file__).resolve().parents[2] / "bot"
NLU = BOT / "data" / "nlu"
LANGUAGES = ("en", "es", "fr", "ht", "pt")

INTENTS = (
    "greet goodbye thanks affirm deny help choose_language find_service inform_location "
    "ask_rights ask_cost ask_documents ask_confidentiality set_reminder change_reminder "
    "stop_reminder dose_taken report_discrimination delete_my_data talk_to_human "
    "emergency moving_country bot_challenge out_of_scope"
).split()
SMALL_TALK = {"greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge"}
ENTITIES = {"service_type", "location", "country", "language", "time"}
SERVICE_TYPES = {
    "hiv_testing", "hiv_treatment", "prep", "pep", "tb_testing", "tb_treatment",
    "sti_testing", "contraception", "prenatal_care", "gbv_care", "mental_health",
}
LANGUAGE_CODES = set(LANGUAGES)
COUNTRY_CODE = re.compile(r"^[a-z]{2}$")

# [text](entity) or [text]{"entity": ..., "value": ...}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\(([^)]+)\)|(\{[^}]+\}))")


def _examples(path: Path):
    for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
        if "intent" in block:
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield block["intent"], line[2:].strip()


def _annotations(example: str):
    """(entity, surface text, explicit value or None) for each annotation."""
    import json

    for match in _ANNOTATION.finditer(example):
        text, name, meta = match.groups()
        if name:
            yield name.split(":")[0], text, None
        else:
            data = json.loads(meta)
            yield data["entity"], text, data.get("value")


def _plain(example: str) -> str:
    return _ANNOTATION.sub(lambda m: m.group(1), example).strip().lower()


def _synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for path in (BOT / "data" / "synonyms").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            if "synonym" in block:
                for line in block["examples"].splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        table[line[2:].strip().lower()] = str(block["synonym"])
    return table


def _all_examples():
    for language in LANGUAGES:
        for path in sorted((NLU / language).glob("*.yml")):
            for intent, text in _examples(path):
                yield language, path.name, intent, text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_contract_intent_has_enough_examples(language):
    counts = Counter(intent for lang, _, intent, _ in _all_examples() if lang == language)
    short = {intent: counts[intent] for intent in INTENTS
             if counts[intent] < (10 if intent in SMALL_TALK else 25)}
    assert short == {}, f"{language}: too few examples {short}"


def test_only_contract_intents_are_trained():
    assert {intent for _, _, intent, _ in _all_examples()} <= set(INTENTS)


def test_every_entity_is_in_the_contract():
    unknown = {(f, e) for _, f, _, text in _all_examples()
               for e, _, _ in _annotations(text) if e not in ENTITIES}
    assert unknown == set()


@pytest.mark.parametrize("entity, canonical", [
    ("service_type", SERVICE_TYPES.__contains__),
    ("language", LANGUAGE_CODES.__contains__),
    ("country", lambda value: bool(COUNTRY_CODE.match(value))),
])
def test_every_mapped_entity_resolves_to_a_canonical_value(entity, canonical):
    synonyms = _synonyms()
    unresolved = set()
    for language, name, _, text in _all_examples():
        for found, surface, value in _annotations(text):
            if found != entity:
                continue
            resolved = value or synonyms.get(surface.lower(), surface.lower())
            if not canonical(resolved):
                unresolved.add((language, name, surface))
    assert unresolved == set()


def test_synonyms_map_to_contract_values_without_conflicts():
    seen: dict[str, str] = {}
    conflicts = []
    for path in (BOT / "data" / "synonyms").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            value = str(block["synonym"])
            assert (value in SERVICE_TYPES or value in LANGUAGE_CODES
                    or COUNTRY_CODE.match(value)), f"{path.name}: {value}"
            for line in block["examples"].splitlines():
                key = line.strip()[2:].strip().lower()
                if key and seen.setdefault(key, value) != value:
                    conflicts.append((key, seen[key], value))
    assert conflicts == []


def test_no_example_is_taught_as_two_intents():
    intents_of: dict[str, set[str]] = defaultdict(set)
    for _, _, intent, text in _all_examples():
        intents_of[_plain(text)].add(intent)
    clashes = {text: sorted(i) for text, i in intents_of.items() if len(i) > 1}
    assert clashes == {}


def test_location_lookup_is_modest():
    lookup = yaml.safe_load((BOT / "data" / "lookups" / "location.yml").read_text())
    entries = [l for l in lookup["nlu"][0]["examples"].splitlines() if l.strip()]
    assert 50 <= len(entries) <= 400
