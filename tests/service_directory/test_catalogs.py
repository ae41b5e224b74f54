"""Shipped catalogs are complete: no untranslated, fuzzy or placeholder-breaking entry."""
import pytest

from service_directory import catalogs
from service_directory.config import LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language):
    assert catalogs.problems(language) == []


def test_catalogs_hold_every_message_source():
    from service_directory.messages import MESSAGES

    ids = {m.id for m in catalogs.load("es") if m.id}
    sources = {t for msg in MESSAGES.values() for t in msg if t}
    assert sources <= ids, "run `make locales` after changing messages.py"


def test_untranslated_and_fuzzy_entries_are_reported(tmp_path):
    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "a {x}"\nmsgstr ""\n\n#, fuzzy\nmsgid "b"\nmsgstr "bb"\n\n'
        'msgid "c {y}"\nmsgstr "c"\n',
        encoding="utf-8",
    )
    found = catalogs.problems("xx", tmp_path)
    assert [p.split(":")[1].strip() for p in found] == [
        "untranslated", "fuzzy", "placeholders differ"]
