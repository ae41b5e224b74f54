"""Rasa's NLG protocol: turn a response name plus the tracker into the text to send.

One place renders every text: the person's language comes from the `language` slot,
the style (SMS compact or WhatsApp richer) from the output channel, the words from
the gettext catalogs. Placeholders are filled from the call's arguments, then slots.
Responses that carry structured data (a list of services, entitlements) are composed
by the functions in `compose.py`, from catalog strings too.
"""
from __future__ import annotations

import logging
import string
from typing import Any

from .i18n import gettext_for, normalise_language
from .messages import MESSAGES, Message

log = logging.getLogger(__name__)

FALLBACK_RESPONSE = "utter_service_unavailable"


def channel_style(channel_name: str | None) -> str:
    """`whatsapp` for the WhatsApp channel, `sms` for everything else (the safest)."""
    return "whatsapp" if channel_name and "whatsapp" in channel_name else "sms"


def source_text(message: Message, style: str) -> str:
    return message.whatsapp if style == "whatsapp" and message.whatsapp else message.sms


class _Lenient(dict):
    """Leave an unknown placeholder empty rather than crash a reply."""

    def __missing__(self, key: str) -> str:
        log.warning("nlg placeholder %r has no value", key)
        return ""


def fill(template: str, values: dict[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Lenient(values))


def render(response: str, language: str | None, channel_name: str | None,
           values: dict[str, Any] | None = None) -> str:
    """Render one response in `language` for the channel; unknown names apologise."""
    from .compose import COMPOSERS

    lang = normalise_language(language)
    style = channel_style(channel_name)
    values = {k: v for k, v in (values or {}).items() if v is not None}
    if values.get("country") and "country_name" not in values:
        from .compose import country_name

        values["country_name"] = country_name(lang, str(values["country"]))
    if "kind" not in values:
        from .compose import service_type_name

        values["kind"] = service_type_name(lang, values.get("service_type"))
    composer = COMPOSERS.get(response)
    if composer is not None:
        try:
            return composer(lang, style, values)
        except (KeyError, TypeError, ValueError):
            log.exception("nlg could not compose %r", response)
            response = FALLBACK_RESPONSE
    message = MESSAGES.get(response)
    if message is None:
        log.error("nlg has no message for response %r", response)
        message = MESSAGES[FALLBACK_RESPONSE]
    return fill(gettext_for(lang, source_text(message, style)), values)


def respond(payload: dict[str, Any]) -> dict[str, Any]:
    """Answer one NLG request from Rasa with a bot message dict.

    `custom.language` tells the channel which language the person reads, so it can
    answer STOP or apologise for a failure in that language without NLU.
    """
    tracker = payload.get("tracker") or {}
    slots = tracker.get("slots") or {}
    arguments = payload.get("arguments") or {}
    channel = (payload.get("channel") or {}).get("name")
    language = normalise_language(arguments.get("language") or slots.get("language"))
    text = render(payload.get("response", ""), language, channel, {**slots, **arguments})
    return {"text": text, "buttons": [], "image": None, "elements": [],
            "attachments": [], "custom": {"language": language}}
