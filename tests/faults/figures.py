"""What a fault did to the people texting: counted from the recorded webhooks.

A webhook is *answered* when something came back for it (TwiML with a message, or a
message through the REST API after an empty TwiML), *answered twice* when two
attempts or paths each brought an answer (a REST message that no empty TwiML
waited for counts too), *lost* when nothing came. An answer is
an *apology* when it is the channels' apology, or the bot's "I cannot search right
now" when the directory fails (in any of the five languages); every apology must
carry a help line (a phone number). The *longest gap* is the longest time in which
no phone got a real answer (not the apology), from just before the fault to the end.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from connectors.gsm import to_gsm7
from service_directory.i18n import gettext_for

from .traffic import Webhook

APOLOGIES = ("Sorry, Puente cannot answer right now. Please try again later. If you need "
             "help now, call {hotline}.",
             "Sorry, I cannot search right now. For help, call {hotline}.")
PHONE_NUMBER = re.compile(r"\d[\d ]*\d\d")  # 106, 911, +57 601 555 0199
LANGUAGES = ("en", "es", "fr", "ht", "pt")
COLUMNS = ("fault", "what recovers it", "sent", "answered", "apologies", "answered twice",
           "lost", "re-sent by HAProxy", "Twilio retries", "retries answered once",
           "longest gap s", "slowest s")


def apology_openings() -> list[str]:
    """How each apology starts in each language, as the SMS channel writes it."""
    return [to_gsm7(gettext_for(language, apology).split("{hotline}")[0]).strip()[:30]
            for apology in APOLOGIES for language in LANGUAGES]


@dataclass
class FaultFigures:
    fault: str
    recovery: str
    sent: int
    answered: int
    apologies: int
    answered_twice: int
    lost: int
    retried: int
    retried_answered_once: int
    apologies_without_help_line: int
    longest_gap: float
    slowest: float
    haproxy_resent: int = 0
    without_help_line_example: str = ""


    def row(self) -> list[str]:
        return [self.fault, self.recovery, str(self.sent), str(self.answered),
                str(self.apologies), str(self.answered_twice), str(self.lost),
                str(self.haproxy_resent), str(self.retried), str(self.retried_answered_once),
                f"{self.longest_gap:.1f}", f"{self.slowest:.1f}"]


def is_apology(texts: list[str], openings: list[str]) -> bool:
    joined = " ".join(texts)
    return any(opening in joined for opening in openings)


def count(fault: str, recovery: str, webhooks: list[Webhook], fault_at: float,
          end: float, stray_rest: int = 0) -> FaultFigures:
    """The figures of one fault's window of webhooks; `stray_rest` REST messages that
    answered no empty TwiML count as second answers."""
    openings = apology_openings()
    real_times: list[float] = []
    apologies = without_help_line = 0
    example = ""
    for webhook in webhooks:
        for at, texts in webhook.answers:
            if is_apology(texts, openings):
                apologies += 1
                if not PHONE_NUMBER.search(" ".join(texts)):
                    without_help_line += 1
                    example = example or " ".join(texts)
            else:
                real_times.append(at)
    # The gap is measured from a second before the fault: the load was steady then.
    marks = sorted([fault_at - 1.0] + [t for t in real_times if t >= fault_at - 1.0] + [end])
    gap = max((b - a for a, b in zip(marks, marks[1:])), default=0.0)
    answered = [w for w in webhooks if w.answers]
    retried = [w for w in webhooks if w.retried]
    return FaultFigures(
        fault=fault, recovery=recovery, sent=len(webhooks), answered=len(answered),
        apologies=apologies,
        answered_twice=sum(len(w.answers) > 1 for w in webhooks) + stray_rest,
        lost=len(webhooks) - len(answered), retried=len(retried),
        retried_answered_once=sum(len(w.answers) == 1 for w in retried),
        apologies_without_help_line=without_help_line, without_help_line_example=example,
        longest_gap=gap,
        slowest=max((w.answers[0][0] - w.sent_at for w in answered), default=0.0))


def table(rows: list[FaultFigures]) -> str:
    """A Markdown table of the figures, one fault a row."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(r.row()) + " |" for r in rows]
    return "\n".join(lines)


def write_report(path: Path, rows: list[FaultFigures], preamble: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{preamble}\n\n{table(rows)}\n", encoding="utf-8")
