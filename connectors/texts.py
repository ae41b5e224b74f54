"""The channels' own texts, in the person's language, from the gettext catalogs.

The bot env cannot use the app's i18n module (it imports pydantic-settings), so the
compiled `.mo` files in `locales/` are read here with Python's gettext. The English
source strings come from `service_directory/messages_channel.py`, a plain module.
"""
from __future__ import annotations

import gettext
import logging
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

from service_directory.messages_channel import MESSAGES_CHANNEL

log = logging.getLogger(__name__)

LANGUAGES = ("en", "es", "fr", "ht", "pt")
DEFAULT_LANGUAGE = "en"


def language_or_default(code: Any) -> str:
    """A shipped language code, or English."""
    clean = str(code or "").strip().lower().replace("_", "-").split("-")[0]
    return clean if clean in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def _translations(language: str, locales_dir: str) -> gettext.NullTranslations:
    translations = gettext.translation("messages", localedir=locales_dir,
                                       languages=[language], fallback=True)
    if language != DEFAULT_LANGUAGE and isinstance(translations, gettext.NullTranslations) \
            and type(translations) is gettext.NullTranslations:
        log.warning("no compiled catalog for %s in %s; sending English", language, locales_dir)
    return translations


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def text(name: str, language: Any, locales_dir: Path, **values: Any) -> str:
    """The channel text `name` in `language`, placeholders filled from `values`."""
    source = MESSAGES_CHANNEL[name].sms
    translated = _translations(language_or_default(language), str(locales_dir)).gettext(source)
    return string.Formatter().vformat(translated, (), _Blank(values))
