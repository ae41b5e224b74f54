"""`make answers-report`: the questions people really send, through the signed SMS webhook.

Each question of `tests/answers/questions/<lang>.yml` (written blind, never trained on:
`tests/bot/test_answers_blind_set.py`) is sent by a fresh phone to a running stack
with the sample data, after the messages of its `before` list. Its first reply (the
messages of the TwiML answer, without asking MORE) is judged:
- **correct**: every expected fact is stated (each fact is a list of alternative
  regexes, matched on the reply without accents or case), it did not fall back and
  did not ask again what the message said;
- **asked again**: the reply asks for something the question `gives` (its country, the
  service, the situation, the place), recognised by the prompts' own texts;
- **fell back**: the reply is the "did not understand" prompt;
- **segments**: SMS segments of the first reply.

Writes `results/answers-report.md` (tables and the transcript of every miss), prints
the tables, and copies them into README.md between the answers-report markers.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import unicodedata
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connectors.gsm import segment_count, to_gsm7
from service_directory.i18n import gettext_for
from service_directory.messages import MESSAGES
from tests.e2e.sms_phone import SmsPhone
from tests.e2e.stack import running_stack

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = Path(__file__).resolve().parent / "questions"
RESULTS = ROOT / "results" / "answers-report.md"
README = ROOT / "README.md"
START, END = "<!-- answers-report:start -->", "<!-- answers-report:end -->"
LANGUAGES = ("en", "es", "fr", "ht", "pt")
# The prompt that asks for each thing a message can give.
ASKS = {"country": "utter_ask_country", "situation": "utter_ask_situation",
        "service_type": "utter_ask_service_type", "location": "utter_ask_location"}
FALLBACKS = ("utter_ask_rephrase", "utter_default")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def load_questions(directory: Path = QUESTIONS) -> list[dict[str, Any]]:
    questions = []
    for lang in LANGUAGES:
        path = directory / f"{lang}.yml"
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            questions.append({**item, "lang": item.get("lang") or lang})
    return questions


def _prompt_start(response: str, lang: str) -> str:
    """The first line of a prompt as the SMS channel sends it, folded."""
    text = to_gsm7(gettext_for(lang, MESSAGES[response].sms)).split("\n")[0]
    return fold(text.split("{")[0])[:40]


@dataclass
class Verdict:
    question: dict[str, Any]
    reply: str = ""
    segments: int = 0
    missing: list[list[str]] = field(default_factory=list)
    asked_again: list[str] = field(default_factory=list)
    fell_back: bool = False
    error: str = ""

    @property
    def correct(self) -> bool:
        return not (self.missing or self.asked_again or self.fell_back or self.error)


def judge(question: dict[str, Any], messages: list[str]) -> Verdict:
    lang = question["lang"]
    reply = "\n".join(messages)
    folded = fold(reply)
    verdict = Verdict(question, reply, sum(segment_count(m) for m in messages))
    verdict.fell_back = any(_prompt_start(r, lang) in folded for r in FALLBACKS)
    verdict.asked_again = [given for given in question.get("gives") or []
                           if given in ASKS and _prompt_start(ASKS[given], lang) in folded]
    for fact in question.get("expect") or []:
        alternatives = fact if isinstance(fact, list) else [fact]
        if not any(re.search(fold(alt), folded) for alt in alternatives):
            verdict.missing.append(alternatives)
    return verdict


def ask(stack, question: dict[str, Any], index: int) -> Verdict:
    phone = SmsPhone(stack, f"+1555{7000000 + index:07d}")
    try:
        for earlier in question.get("before") or []:
            phone.send(earlier)
        messages = phone.send(question["text"])
    except (AssertionError, Exception) as error:  # a crash is a wrong answer, with why
        return Verdict(question, error=f"{type(error).__name__}: {error}")
    return judge(question, messages)


def _row(name: str, verdicts: list[Verdict]) -> str:
    n = len(verdicts)
    pct = lambda k: f"{100 * k / n:.1f}%" if n else "-"  # noqa: E731
    segments = [v.segments for v in verdicts if v.segments]
    median = statistics.median(segments) if segments else 0
    return (f"| {name} | {n} | {pct(sum(v.correct for v in verdicts))} "
            f"| {sum(bool(v.asked_again) for v in verdicts)} "
            f"| {pct(sum(v.fell_back for v in verdicts))} | {median:g} "
            f"| {sum(bool(v.error) for v in verdicts)} |")


def tables(verdicts: list[Verdict]) -> str:
    header = ("| {} | questions | correct in the first reply | asked again what was said "
              "| fell back | median SMS segments | errors |\n|---|---|---|---|---|---|---|")
    by_lang: dict[str, list[Verdict]] = defaultdict(list)
    by_country: dict[str, list[Verdict]] = defaultdict(list)
    by_topic: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        by_lang[verdict.question["lang"]].append(verdict)
        by_country[verdict.question.get("country") or "-"].append(verdict)
        by_topic[verdict.question.get("topic") or "-"].append(verdict)
    parts = []
    for title, groups in (("language", by_lang), ("country", by_country), ("topic", by_topic)):
        rows = [_row(key, groups[key]) for key in sorted(groups)]
        parts.append("\n".join([header.format(title), *rows, _row("all", verdicts)]))
    return "\n\n".join(parts)


def transcripts(verdicts: list[Verdict]) -> str:
    lines = []
    for v in verdicts:
        if v.correct:
            continue
        q = v.question
        lines.append(f"### {q['id']} ({q.get('topic')}, {q.get('service_type') or '-'})")
        for earlier in q.get("before") or []:
            lines.append(f"> {earlier}")
        lines.append(f"> {q['text']}")
        lines.append("")
        lines.append("```")
        lines.append(v.reply or v.error)
        lines.append("```")
        problems = []
        if v.fell_back:
            problems.append("fell back")
        if v.asked_again:
            problems.append("asked again: " + ", ".join(v.asked_again))
        if v.missing:
            problems.append("missing: " + "; ".join(" | ".join(alt) for alt in v.missing))
        if v.error:
            problems.append("error")
        lines.append("- " + "; ".join(problems))
        lines.append("")
    return "\n".join(lines)


def update_readme(text: str, readme: Path = README) -> bool:
    content = readme.read_text(encoding="utf-8")
    if START not in content or END not in content:
        return False
    head, rest = content.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
    return True


def run(questions: list[dict[str, Any]], workers: int = 4) -> list[Verdict]:
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as stack:
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda pair: ask(stack, pair[1], pair[0]),
                                 enumerate(questions)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=LANGUAGES, help="only this language")
    parser.add_argument("--match", help="only questions whose id contains this")
    parser.add_argument("--no-readme", action="store_true", help="do not touch README.md")
    args = parser.parse_args(argv)
    questions = [q for q in load_questions()
                 if (not args.lang or q["lang"] == args.lang)
                 and (not args.match or args.match in q["id"])]
    verdicts = run(questions)
    table = tables(verdicts)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(f"# Answers report\n\n{table}\n\n## Misses\n\n{transcripts(verdicts)}",
                       encoding="utf-8")
    print(table)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    if not args.no_readme and not (args.lang or args.match) and not update_readme(table):
        print(f"README.md has no {START} ... {END} markers: table not copied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
