"""Pure language guessing (no Rasa imports), so it can be unit-tested and benchmarked.

py3langid knows Haitian Creole and runs offline with its model inside the wheel.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional, Tuple

LANGUAGES = ("en", "es", "fr", "ht", "pt")

# Short words that are a language on their own, for first contact ("hola" → es).
# Only words that are unambiguous among the five languages belong here.
GREETING_LEXICON = {
    "hello": "en", "hi": "en", "hey": "en", "good morning": "en", "english": "en",
    "hola": "es", "buenas": "es", "buenos dias": "es", "buenas tardes": "es",
    "buenas noches": "es", "espanol": "es", "ola": "pt",
    "bonjour": "fr", "salut": "fr", "bonsoir": "fr", "francais": "fr",
    "bonjou": "ht", "bonswa": "ht", "sak pase": "ht", "sakpase": "ht", "kreyol": "ht",
    "ki jan ou ye": "ht", "oi": "pt", "bom dia": "pt", "boa tarde": "pt",
    "boa noite": "pt", "portugues": "pt", "tudo bem": "pt",
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _fold(text: str) -> str:
    """Lower case without accents or punctuation, for lexicon look-ups."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain))


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def guess_language(
    text: str,
    min_letters: int = 12,
    min_words: int = 2,
    min_probability: float = 0.8,
) -> Optional[Tuple[str, float]]:
    """(code, probability) when the text says its language clearly, else None."""
    folded = _fold(text)
    if folded in GREETING_LEXICON:
        return GREETING_LEXICON[folded], 1.0
    words = folded.split()
    if len(words) < min_words or sum(len(w) for w in words) < min_letters:
        return None
    code, probability = _identifier().classify(text)
    if probability < min_probability:
        return None
    return code, float(probability)
