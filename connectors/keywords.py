"""Keywords handled before NLU: STOP, START, HELP and MORE in Puente's five languages.

Only a whole message that is exactly a keyword counts ("stop", "Arrêt.", " BAJA "),
so "stop the reminders for my son" still reaches the assistant. Accents, case and
trailing punctuation are ignored. A word shared by two languages (PARAR: es, pt)
answers in the person's remembered language when it is one of them.
`YES`/`SI`/`OUI`/`WI`/`SIM` mean START only for someone who opted out: otherwise
they are an ordinary answer for the assistant.
"""
from __future__ import annotations

import re
from typing import Dict, NamedTuple, Optional, Tuple

from unidecode import unidecode

STOP, START, HELP, MORE = "stop", "start", "help", "more"

_KEYWORDS: Dict[str, Dict[str, Tuple[str, ...]]] = {
    STOP: {
        "en": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"),
        "es": ("PARAR", "BAJA", "ALTO", "DETENER", "CANCELAR", "DESUSCRIBIR"),
        "fr": ("ARRET", "ARRETER", "DESABONNER", "DESINSCRIRE"),
        "ht": ("KANPE", "RETIRE", "SISPANN", "ANILE"),
        "pt": ("PARAR", "SAIR", "CANCELAR", "DESCADASTRAR"),
    },
    START: {
        "en": ("START", "UNSTOP", "SUBSCRIBE"),
        "es": ("INICIAR", "COMENZAR", "ALTA", "REANUDAR"),
        "fr": ("DEMARRER", "COMMENCER", "REPRENDRE"),
        "ht": ("KOMANSE", "REKOMANSE"),
        "pt": ("INICIAR", "COMECAR", "VOLTAR"),
    },
    HELP: {
        "en": ("HELP", "INFO"),
        "es": ("AYUDA",),
        "fr": ("AIDE",),
        "ht": ("ED", "EDE"),
        "pt": ("AJUDA",),
    },
    MORE: {
        "en": ("MORE", "NEXT"),
        "es": ("MAS", "SIGUIENTE"),
        "fr": ("PLUS", "SUITE"),
        "ht": ("PLIS", "KONTINYE"),
        "pt": ("MAIS", "PROXIMO"),
    },
}
_YES_WHEN_OPTED_OUT = {"YES": "en", "SI": "es", "OUI": "fr", "WI": "ht", "SIM": "pt"}
LANGUAGE_ORDER = ("en", "es", "fr", "ht", "pt")


class Keyword(NamedTuple):
    kind: str        # stop | start | help | more
    language: str    # the language to answer in


def normalise(text: str) -> str:
    """Upper case, no accents, no surrounding punctuation or spaces."""
    return re.sub(r"^[\W_]+|[\W_]+$", "", unidecode(text or "")).upper()


def every_keyword(kind: str) -> Dict[str, Tuple[str, ...]]:
    """The keywords of one kind by language (for docs and tests)."""
    return _KEYWORDS[kind]


def match(text: str, remembered_language: Optional[str] = None,
          opted_out: bool = False) -> Optional[Keyword]:
    """The keyword `text` is, or None when it is a message for the assistant."""
    word = normalise(text)
    if not word or len(word) > 20:
        return None
    for kind, by_language in _KEYWORDS.items():
        languages = [lang for lang in LANGUAGE_ORDER if word in by_language[lang]]
        if languages:
            chosen = remembered_language if remembered_language in languages else languages[0]
            return Keyword(kind, chosen)
    if opted_out and word in _YES_WHEN_OPTED_OUT:
        return Keyword(START, _YES_WHEN_OPTED_OUT[word])
    return None
