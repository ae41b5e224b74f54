"""The realistic question set of `make answers-report` stays blind, complete and usable.

Why: the report says whether Puente answers the questions people really send; it is
only worth something while none of its texts is taught to the model (compared without
case, accents or punctuation; a training text that contains a whole question, or most of
one, counts too; the `before` messages, which only start a flow and are not judged,
must not be taught as they are), and while it covers every language and country of the
route with facts a regex can check.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "answers" / "questions"
NLU = ROOT / "bot" / "data" / "nlu"
LANGUAGES = ("en", "es", "fr", "ht", "pt")
ROUTE = {"co", "pe", "ec", "br", "cl", "pa", "mx", "do", "tt", "gy"}
TOPICS = {"rights", "cost", "documents", "confidentiality", "find_service", "urgent",
          "emergency", "human"}
GIVES = {"country", "service_type", "situation", "location"}


def _plain(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})", r"\1", text)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", letters))


def _questions(language: str) -> list[dict]:
    return yaml.safe_load((QUESTIONS / f"{language}.yml").read_text(encoding="utf-8")) or []


@pytest.fixture(scope="module")
def training_texts() -> set[str]:
    texts = set()
    for path in NLU.rglob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    texts.add(_plain(line.strip()[2:]))
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_question_is_taught(language, training_texts):
    taught = []
    for question in _questions(language):
        before = [_plain(text) for text in question.get("before") or []]
        taught += [text for text in before if text in training_texts]
        plain = _plain(question["text"])
        if any(plain in t or (t in plain and len(t) >= 0.8 * len(plain))
               for t in training_texts):
            taught.append(question["text"])
    assert taught == [], f"these evaluation texts are in the training data: {taught}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_questions_are_complete_and_checkable(language):
    questions = _questions(language)
    assert len(questions) >= 40
    for question in questions:
        where = question.get("id")
        assert question["country"] in ROUTE, where
        assert question["topic"] in TOPICS, where
        assert set(question.get("gives") or []) <= GIVES, where
        assert question.get("expect"), f"{where}: no expected fact"
        for fact in question["expect"]:
            for alternative in (fact if isinstance(fact, list) else [fact]):
                re.compile(alternative)
        assert str(question.get("source") or "").startswith("http"), where


def test_the_set_covers_the_route():
    questions = [q for lang in LANGUAGES for q in _questions(lang)]
    assert len(questions) >= 300
    ids = [q["id"] for q in questions]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert {q["country"] for q in questions} == ROUTE
