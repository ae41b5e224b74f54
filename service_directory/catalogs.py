"""Checks and chores on the gettext catalogs in `locales/` (used by make and tests)."""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from .config import DEFAULT_LANGUAGE, LANGUAGES, ROOT

LOCALES = ROOT / "locales"


def po_path(language: str, locales: Path = LOCALES) -> Path:
    return locales / language / "LC_MESSAGES" / "messages.po"


def load(language: str, locales: Path = LOCALES) -> Catalog:
    with po_path(language, locales).open("rb") as handle:
        return read_po(handle, locale=language)


def problems(language: str, locales: Path = LOCALES) -> list[str]:
    """Human-readable list of untranslated, fuzzy or placeholder-breaking entries."""
    found = []
    for message in load(language, locales):
        if not message.id:
            continue
        if not message.string:
            found.append(f"{language}: untranslated: {message.id!r}")
        elif message.fuzzy:
            found.append(f"{language}: fuzzy: {message.id!r}")
        elif _placeholders(message.id) != _placeholders(message.string):
            found.append(f"{language}: placeholders differ: {message.id!r}")
    return found


def _placeholders(text: str) -> set[str]:
    import string

    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def fill_source_catalog(locales: Path = LOCALES) -> None:
    """The source language's catalog translates every message to itself."""
    catalog = load(DEFAULT_LANGUAGE, locales)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with po_path(DEFAULT_LANGUAGE, locales).open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)


def main() -> int:
    if sys.argv[1:] == ["fill-source"]:
        fill_source_catalog()
        return 0
    issues = [p for lang in LANGUAGES for p in problems(lang)]
    print("\n".join(issues) or "catalogs complete")
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
