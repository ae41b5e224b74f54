"""Sentences the importer says about a package, kept translatable.

The importer, the CLI and the API speak English: a `Text` is that English sentence (a
`str`, so nothing else changes), and it remembers its catalog template and values, so
the web import page can say the same thing in the curator's language (`said_in`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    """Mark a template for extraction (Babel) without translating it here."""
    return message


class Text(str):
    """An English sentence that can be said again in another language."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Text:
        sentence = super().__new__(cls, template.format(**params))
        sentence.template, sentence.params = template, params
        return sentence


def text_of(error: BaseException) -> str:
    """The error's sentence, still a `Text` when it was raised with one."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, Text) else str(error)


def said_in(sentence: Any, gettext: Callable[[str], str]) -> str:
    """The sentence in the language of `gettext` (a plain string stays as it is)."""
    if not isinstance(sentence, Text):
        return "" if sentence is None else str(sentence)
    values = {name: said_in(value, gettext) if isinstance(value, Text) else value
              for name, value in sentence.params.items()}
    return gettext(sentence.template).format(**values)


def problem_sentence(problem: dict[str, Any]) -> str:
    """One of pydantic's `errors()`: the validator's own sentence (still a `Text` when it
    raised one, so a page can translate it), else pydantic's message."""
    cause = (problem.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and cause.args:
        return text_of(cause)
    return str(problem.get("msg", "")).removeprefix("Value error, ")
