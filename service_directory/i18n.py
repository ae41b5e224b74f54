"""Gettext catalogs from `locales/`, loaded once per language (Babel's .mo files).

Why gettext: translators get standard `.po` files, untranslated or fuzzy entries are
visible to tools, and Babel extracts the English source strings from code.
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from .config import DEFAULT_LANGUAGE, LANGUAGES, get_settings

DOMAIN = "messages"


class UnknownLanguage(ValueError):
    """A language code Puente does not ship a catalog for."""


def normalise_language(code: str | None) -> str:
    """Map a slot or query value to a shipped language; unknown or empty → default."""
    if not code:
        return DEFAULT_LANGUAGE
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def require_language(code: str) -> str:
    """Like `normalise_language` but refuse an unknown code with a clear error."""
    clean = (code or "").strip().lower()
    if clean not in LANGUAGES:
        raise UnknownLanguage(
            f"unknown language {code!r}; use one of {', '.join(LANGUAGES)}"
        )
    return clean


@lru_cache(maxsize=None)
def translations(language: str, locales_dir: Path | None = None) -> gettext.NullTranslations:
    """The compiled catalog for `language`; English source strings if none is compiled."""
    directory = locales_dir or get_settings().locales_dir
    return gettext.translation(DOMAIN, localedir=str(directory), languages=[language], fallback=True)


def gettext_for(language: str, message: str) -> str:
    """Translate one source string into `language`."""
    return translations(normalise_language(language)).gettext(message)
