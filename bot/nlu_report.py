"""Held-out NLU evaluation per language: `make nlu-report`.

Why a fixed split and not Rasa's cross-validation: one training run (~2-5 minutes on
2 cores) instead of five, and figures that only move when the data or the pipeline
moves. Each language's examples (language = folder under bot/data/nlu) are split per
intent 80/20 with a seed; one NLU-only model is trained on all training parts with
bot/config.yml into a temporary directory (never bot/models/), and every held-out
text is parsed by it. Reported per language: intent accuracy and macro-F1 (the classifier's
top intent, and the share the FallbackClassifier would have sent to nlu_fallback),
entity precision/recall/F1 of the spans the bot gets (type + exact characters: the CRF's
and the spotters', which take over a place the CRF also found; not the language guess,
whose span is the whole text), and
the language detector on the same texts (right, wrong, abstained).

The held-out texts are parsed a second time folded the way many people text (no
capitals, no accents), to show what missing capitals and accents cost.
The same model also parses the blind set in tests/nlu_blind/ (written separately from
the training data and never trained on), which shows whether the split's figures
hold for wording the training data does not anticipate.

Writes results/nlu-report.md, prints it, and rewrites the README tables between
`<!-- nlu-report:start -->` and `<!-- nlu-report:end -->`.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
NLU_DIR = ROOT / "bot" / "data" / "nlu"
EXTRA_DATA = (ROOT / "bot" / "data" / "synonyms", ROOT / "bot" / "data" / "lookups")
CONFIG = ROOT / "bot" / "config.yml"
DOMAIN = ROOT / "bot" / "domain"
REPORT = ROOT / "results" / "nlu-report.md"
BLIND_DIR = ROOT / "tests" / "nlu_blind"
README = ROOT / "README.md"
START, END = "<!-- nlu-report:start -->", "<!-- nlu-report:end -->"
LANGUAGES = ("en", "es", "fr", "ht", "pt")
SEED = 20261123
TEST_SHARE = 0.2
FALLBACK = "nlu_fallback"
# The spans the bot gets are scored (learned extractors and spotters); the language
# detector's whole-text guess is not a span.
ENTITY_EXTRACTORS = {"DIETClassifier", "CRFEntityExtractor", "FoldedCRFEntityExtractor",
                     "EntitySpotter"}


@dataclass
class Case:
    """One held-out example with its gold labels and, once parsed, the prediction."""

    language: str
    text: str
    intent: str
    entities: List[Tuple[str, int, int]]
    predicted_intent: str = ""
    fell_back: bool = False
    predicted_entities: List[Tuple[str, int, int]] = field(default_factory=list)
    guessed_language: Optional[str] = None


def split_language(language: str, test_share: float = TEST_SHARE, seed: int = SEED):
    """(train, test) Messages of one language, stratified by intent, reproducible."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(NLU_DIR / language))
    by_intent: Dict[str, list] = defaultdict(list)
    for message in data.intent_examples:
        by_intent[message.get("intent")].append(message)
    train, test = [], []
    for intent in sorted(by_intent):
        examples = sorted(by_intent[intent], key=lambda m: m.get("text"))
        random.Random(f"{seed}/{language}/{intent}").shuffle(examples)
        cut = max(1, round(len(examples) * test_share))
        test += examples[:cut]
        train += examples[cut:]
    return data, train, test


def _write_training_data(train: list, synonyms: dict, directory: Path) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    extra = TrainingData().merge(*(load_data(str(p)) for p in EXTRA_DATA))
    data = TrainingData(
        training_examples=train,
        entity_synonyms={**synonyms, **extra.entity_synonyms},
        regex_features=extra.regex_features,
        lookup_tables=extra.lookup_tables,
    )
    RasaYAMLWriter().dump(directory / "nlu.yml", data)


def _train(config: Path, data_dir: Path, out_dir: Path) -> str:
    from rasa.model_training import train_nlu

    model = train_nlu(str(config), str(data_dir), str(out_dir),
                      fixed_model_name="nlu-report", domain=str(DOMAIN))
    if not model:
        sys.exit("nlu-report: training failed (see the log above)")
    return model


async def _parse_all(model_path: str, cases: List[Case]) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    for case in cases:
        result = await agent.parse_message(case.text)
        ranking = [r["name"] for r in result.get("intent_ranking", [])
                   if r["name"] != FALLBACK]
        case.fell_back = result["intent"]["name"] == FALLBACK
        case.predicted_intent = ranking[0] if ranking else result["intent"]["name"]
        case.predicted_entities = [
            (e["entity"], e["start"], e["end"]) for e in result.get("entities", [])
            if e.get("extractor") in ENTITY_EXTRACTORS
        ]


def typed_plainly(case: Case) -> Optional[Case]:
    """The same case typed without capitals or accents, as many people text; None
    when folding would move the gold entity offsets (a character that folds to two)."""
    from bot.components.folding import fold_with_offsets

    folded, origin = fold_with_offsets(case.text)
    if origin != list(range(len(case.text))):
        return None
    return Case(case.language, folded, case.intent, list(case.entities))


def _gold_entities(message) -> List[Tuple[str, int, int]]:
    return [(e["entity"], e["start"], e["end"]) for e in message.get("entities", [])]


def _prf(gold: int, predicted: int, correct: int) -> Tuple[float, float, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean F1 over the gold intents (a wrong label outside them only costs precision elsewhere)."""
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        scores.append(_prf(sum(g == label for g in gold),
                           sum(p == label for p in predicted), tp)[2])
    return sum(scores) / len(scores) if scores else 0.0


def summarise(cases: List[Case]) -> Dict[str, dict]:
    rows: Dict[str, dict] = {}
    for language in LANGUAGES + ("all",):
        chosen = [c for c in cases if language in ("all", c.language)]
        if not chosen:
            continue
        gold = [c.intent for c in chosen]
        predicted = [c.predicted_intent for c in chosen]
        gold_entities = sum(len(c.entities) for c in chosen)
        predicted_entities = sum(len(c.predicted_entities) for c in chosen)
        correct_entities = sum(len(set(c.entities) & set(c.predicted_entities))
                               for c in chosen)
        guessed = [c for c in chosen if c.guessed_language]
        rows[language] = {
            "n": len(chosen),
            "accuracy": sum(g == p for g, p in zip(gold, predicted)) / len(chosen),
            "macro_f1": macro_f1(gold, predicted),
            "fallback": sum(c.fell_back for c in chosen) / len(chosen),
            "entities": gold_entities,
            "entity_prf": _prf(gold_entities, predicted_entities, correct_entities),
            "lang_right": sum(c.guessed_language == c.language for c in guessed) / len(chosen),
            "lang_wrong": sum(c.guessed_language != c.language for c in guessed) / len(chosen),
            "lang_abstain": 1 - len(guessed) / len(chosen),
        }
    return rows


def render_table(rows: Dict[str, dict], with_entities: bool = True) -> str:
    """Markdown table; the blind set has no entity annotations, so no entity columns."""
    entity_head = " entities | entity P / R / F1 |" if with_entities else ""
    lines = [
        "| lang | examples | intent acc. | intent macro-F1 | would fall back |"
        f"{entity_head} lang. right | lang. wrong | lang. abstains |",
        "|---|---|---|---|---|" + ("---|---|" if with_entities else "") + "---|---|---|",
    ]
    for language, r in rows.items():
        p, rec, f = r["entity_prf"]
        entities = f" {r['entities']} | {p:.2f} / {rec:.2f} / {f:.3f} |" if with_entities else ""
        lines.append(
            f"| {language} | {r['n']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
            f"{r['fallback']:.1%} |{entities} "
            f"{r['lang_right']:.1%} | {r['lang_wrong']:.1%} | {r['lang_abstain']:.1%} |"
        )
    return "\n".join(lines)


def blind_cases() -> List[Case]:
    """The blind set's texts, one file per language (intents only)."""
    from rasa.shared.nlu.training_data.loading import load_data

    cases = []
    for language in LANGUAGES:
        path = BLIND_DIR / f"{language}.yml"
        if path.exists():
            cases += [Case(language, m.get("text"), m.get("intent"), [])
                      for m in load_data(str(path)).intent_examples]
    return cases


def _confusions(cases: List[Case], limit: int = 150) -> str:
    wrong = [c for c in cases if c.predicted_intent != c.intent]
    lines = ["| lang | text | gold | predicted |", "|---|---|---|---|"]
    for c in wrong[:limit]:
        text = c.text.replace("|", "/")
        lines.append(f"| {c.language} | {text} | {c.intent} | {c.predicted_intent} |")
    return "\n".join(lines) if wrong else "(none)"


def update_readme(table: str, readme: Path = README) -> bool:
    """Replace only what lies between the markers; False when they are missing."""
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")
    return True


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-readme", action="store_true", help="do not touch README.md")
    parser.add_argument("--config", type=Path, default=CONFIG,
                        help="pipeline to measure (default bot/config.yml)")
    parser.add_argument("--output", type=Path, default=REPORT,
                        help="report file (default results/nlu-report.md)")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_CACHE_DIRECTORY", str(ROOT / "results" / ".rasa-cache"))
    sys.path.insert(0, str(ROOT))  # the pipeline's custom components live in bot/
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)  # no parsed texts in the log
    configure_structlog(logging.WARNING)

    from rasa.shared.nlu.training_data.loading import load_data

    from bot.components.language_guess import guess_language

    train, cases, synonyms = [], [], {}
    for shared in sorted(NLU_DIR.glob("*.yml")):  # not per language: trained, not scored
        data = load_data(str(shared))
        train += data.intent_examples
        synonyms.update(data.entity_synonyms)
    for language in LANGUAGES:
        data, lang_train, lang_test = split_language(language)
        synonyms.update(data.entity_synonyms)
        train += lang_train
        cases += [Case(language, m.get("text"), m.get("intent"), _gold_entities(m))
                  for m in lang_test]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="puente-nlu-report-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "data").mkdir()
        _write_training_data(train, synonyms, tmp_path / "data")
        model = _train(args.config, tmp_path / "data", tmp_path / "models")
        trained = time.monotonic() - started
        blind = blind_cases()
        plain = [p for p in map(typed_plainly, cases) if p]
        asyncio.run(_parse_all(model, cases + plain + blind))
    for case in cases + plain + blind:
        guess = guess_language(case.text)
        case.guessed_language = guess[0] if guess else None

    table = (f"Held-out split ({len(cases)} examples):\n\n{render_table(summarise(cases))}\n\n"
             f"The same held-out texts typed without capitals or accents ({len(plain)}):\n\n"
             f"{render_table(summarise(plain))}\n\n"
             f"Blind set (tests/nlu_blind, {len(blind)} examples, never trained on):\n\n"
             f"{render_table(summarise(blind), with_entities=False)}")
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(
        "# NLU held-out report\n\n"
        f"Split: per language and intent, {1 - TEST_SHARE:.0%}/{TEST_SHARE:.0%}, seed {SEED}; "
        f"{len(train)} training and {len(cases)} held-out examples; "
        f"trained with {args.config.name} in {trained:.0f} s.\n\n"
        f"{table}\n\n## Misclassified held-out examples\n\n{_confusions(cases)}\n"
        f"\n## Misclassified blind examples\n\n{_confusions(blind)}\n",
        encoding="utf-8",
    )
    print(args.output.read_text(encoding="utf-8"))
    if not args.no_readme and not update_readme(table):
        print(f"README.md has no {START} ... {END} markers: table not copied")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
