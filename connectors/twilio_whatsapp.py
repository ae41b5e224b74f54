"""The WhatsApp channel (`twilio_whatsapp`): location pins, media, the 24-hour rule.

In bot/credentials.yml as `connectors.twilio_whatsapp.TwilioWhatsAppInput`; webhook
at `/webhooks/twilio_whatsapp/webhook`, delivery reports at `.../status`.

A shared pin (`Latitude`/`Longitude`) reaches Rasa as the intent `inform_location`
with entities and metadata `latitude` and `longitude`:
`/inform_location{"latitude": 4.711, "longitude": -74.0721}`.
Proactive messages more than 24 hours after the person's last message go as an
approved template (`whatsapp_templates.yml`), inside the window as free text.
"""
from __future__ import annotations

import json
import math
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from .channel import ProactiveOutput, Reply, TurnOutput, TwilioInputBase
from .privacy import country_hint
from .runtime import LAST_INBOUND

NAME = "twilio_whatsapp"
WINDOW_SECONDS = 24 * 3600
MAX_BODY = 1600  # Twilio's limit for one WhatsApp message body
TEMPLATES = Path(__file__).with_name("whatsapp_templates.yml")


class TwilioWhatsAppTurnOutput(TurnOutput):
    channel_name = NAME


class TwilioWhatsAppProactiveOutput(ProactiveOutput):
    channel_name = NAME


def location(form: Dict[str, str]) -> Optional[Tuple[float, float]]:
    """The pin's coordinates when the message is a valid location, else None."""
    try:
        lat, lon = float(form["Latitude"]), float(form["Longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        return None
    return lat, lon


@lru_cache(maxsize=4)
def load_templates(path: str) -> Dict[str, Dict[str, Dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def template_for(kind: Optional[str], language: str, variables: Dict[str, Any],
                 path: Optional[str] = None) -> Optional[Tuple[str, Dict[str, str]]]:
    """(ContentSid, ContentVariables) for a message kind and language, or None."""
    config = load_templates(path or os.environ.get("PUENTE_WHATSAPP_TEMPLATES", str(TEMPLATES)))
    by_language = config.get(kind or "") or config.get("default") or {}
    entry = by_language.get(language) or by_language.get("en")
    if not entry:
        return None
    values = {str(i + 1): str(variables.get(name, ""))
              for i, name in enumerate(entry.get("variables") or [])}
    return entry["content_sid"], values


class TwilioWhatsAppInput(TwilioInputBase):
    """Twilio's WhatsApp Business API, signed webhooks."""

    channel_name = NAME
    turn_output = TwilioWhatsAppTurnOutput
    proactive_output = TwilioWhatsAppProactiveOutput

    def default_from(self) -> str:
        return self.settings.whatsapp_from

    def shape(self, texts: List[str], language: Optional[str]) -> Tuple[List[str], List[str]]:
        """WhatsApp keeps Unicode; only Twilio's 1,600-character body limit applies."""
        out: List[str] = []
        for text in texts:
            while len(text) > MAX_BODY:
                cut = text.rfind("\n", 0, MAX_BODY)
                cut = cut if cut > MAX_BODY // 2 else text.rfind(" ", 0, MAX_BODY)
                cut = cut if cut > MAX_BODY // 2 else MAX_BODY
                out.append(text[:cut].rstrip())
                text = text[cut:].lstrip()
            if text:
                out.append(text)
        return out, []

    def sent_counts(self, messages: List[str]) -> List[Tuple[str, object]]:
        return [("whatsapp_sent", "") for _ in messages]

    async def before_nlu(self, form: Dict[str, str], person: str,
                         language: Optional[str]) -> Optional[List[str]]:
        if location(form) is not None:
            await self.runtime.count("inbound_location")
            return None
        return await super().before_nlu(form, person, language)

    def to_rasa(self, form: Dict[str, str], address: str) -> Tuple[str, Dict[str, Any]]:
        pin = location(form)
        if pin is None:
            return super().to_rasa(form, address)
        lat, lon = round(pin[0], 5), round(pin[1], 5)
        entities = json.dumps({"latitude": lat, "longitude": lon})
        return (f"/inform_location{entities}",
                {"channel": NAME, "country_hint": country_hint(address),
                 "latitude": lat, "longitude": lon})

    async def proactive_template(self, person: str, reply: Reply,
                                 language: Optional[str]) -> Optional[Tuple[str, Dict[str, Any]]]:
        template = self.window_template(await self.runtime.state.get(LAST_INBOUND + person),
                                        reply, language)
        if template is not None:
            await self.runtime.count("whatsapp_template", reply.kind or "default")
        return template

    def window_template(self, last_inbound: Optional[str], reply: Reply,
                        language: Optional[str]) -> Optional[Tuple[str, Dict[str, Any]]]:
        if last_inbound is not None and time.time() - float(last_inbound) < WINDOW_SECONDS:
            return None
        return template_for(reply.kind, language or "en", reply.variables)
