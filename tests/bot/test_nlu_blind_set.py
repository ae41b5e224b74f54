"""The blind NLU evaluation set stays blind and complete.

Why: the set measures whether the model generalises to how people really write,
so it is only worth something while none of its texts is also a training text.
Training data under bot/data/nlu/ grows all the time; this test fails the moment
someone teaches a blind sentence in any language (compared case-insensitively), and when an
intent of the domain has no blind examples.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "nlu_blind"
NLU = ROOT / "bot" / "data" / "nlu"
DOMAIN = ROOT / "bot" / "domain"
LANGUAGES = ("en", "es", "fr", "ht", "pt")
# Not classified from free text: numbers are turned into choose_option by a
# rule component, nlu_fallback is produced by the FallbackClassifier, and
# EXTERNAL_dose_reminder only ever comes from Rasa's trigger_intent.
NOT_EVALUATED = {"choose_option", "nlu_fallback", "EXTERNAL_dose_reminder"}
PER_INTENT = 8


def _domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in DOMAIN.glob("*.yml"):
        for intent in (yaml.safe_load(path.read_text()) or {}).get("intents") or []:
            intents.add(intent if isinstance(intent, str) else next(iter(intent)))
    return intents - NOT_EVALUATED


def _load(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


@pytest.mark.parametrize("language", LANGUAGES)
def test_blind_set_has_eight_examples_for_every_domain_intent(language):
    data = _load(BLIND / f"{language}.yml")
    counts = Counter(m.get("intent") for m in data.intent_examples)
    assert set(counts) == _domain_intents()
    assert {i: n for i, n in counts.items() if n != PER_INTENT} == {}


@pytest.fixture(scope="module")
def training_texts() -> set[str]:
    # One model reads all five languages, so a text taught in any of them counts.
    return {m.get("text").strip().lower() for m in _load(NLU).intent_examples}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_blind_text_is_a_training_text(language, training_texts):
    blind = {m.get("text").strip().lower(): m.get("intent")
             for m in _load(BLIND / f"{language}.yml").intent_examples}
    training = training_texts
    leaked = sorted(t for t in blind if t in training)
    assert leaked == [], f"reword these blind texts (or drop them from training): {leaked}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_blind_texts_are_unique(language):
    texts = [m.get("text").strip().lower()
             for m in _load(BLIND / f"{language}.yml").intent_examples]
    assert [t for t, n in Counter(texts).items() if n > 1] == []
