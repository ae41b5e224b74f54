"""Rasa's own logs never carry a conversation.

When a custom action fails, the action server (rasa_sdk) answers 500 with the whole
request it got (the tracker: her pseudonym, every message and slot), and Rasa logs
that answer inside the exception's text (`ClientResponseError: ... body='...'`) with
a traceback. DESIGN's privacy rule allows neither the pseudonym nor her words in a
log. This filter, installed on the Rasa loggers that report failed actions (it runs
in the Rasa process, which imports the channels), keeps the record and its level but
replaces the exception's text by the names of the exceptions in its chain, so an
operator still sees which action failed and why in kind, and nothing of what she said.
"""
from __future__ import annotations

import logging
import re

# The loggers that report a failed custom action with the action server's answer.
LOGGERS = ("rasa.core.processor", "rasa.core.actions.action", "rasa.core.agent",
           "rasa.server", "rasa.core.channels.channel")
_BODY = re.compile(r"body='.*", re.DOTALL)


def _chain(error: BaseException) -> list[str]:
    names, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return names


class ConversationFreeFilter(logging.Filter):
    """Drop exception texts (and any `body='...'`) from a record; keep the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            names = " <- ".join(_chain(record.exc_info[1]))
            record.msg = f"{record.getMessage()} [{names}; details withheld: privacy]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        elif "body='" in str(record.msg):
            record.msg = _BODY.sub("body=<withheld: privacy>", record.getMessage())
            record.args = None
        return True


def install() -> None:
    """Add the filter to the loggers that report failed actions (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ConversationFreeFilter) for f in logger.filters):
            logger.addFilter(ConversationFreeFilter())
