"""The Rasa server's client of the app's NLG endpoint, sending slots but no history.

Rasa's own callback NLG posts the whole tracker (every event, every message the
person wrote) with each response it asks for, and json-encodes it twice more for a
debug line that is formatted even when debug is off: with long conversations that
was an eighth of the Rasa server's CPU. The app renders a response from its name,
arguments, channel and slots only (service_directory/nlg.py), so this client sends
exactly those. Less CPU, and the app never receives what the person wrote nor her
pseudonym. Configured in bot/endpoints.yml (`nlg: type:`).
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional, Text

from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

# Rasa's default is 300 s: a hung app would hold her conversation (and its lock) that
# long. After this, the turn fails and the channel answers with its own apology.
TIMEOUT_SECONDS = float(os.environ.get("PUENTE_NLG_TIMEOUT", "5"))


def request_body(utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                 **kwargs: Any) -> Dict[Text, Any]:
    """Rasa's NLG request format with a tracker reduced to what rendering needs."""
    response_id = kwargs.pop("response_id", None)
    return {
        "response": utter_action,
        "id": response_id,
        "arguments": kwargs,
        "tracker": {"slots": tracker.current_slot_values()},
        "channel": {"name": output_channel},
    }


class SlotsOnlyNLG(CallbackNaturalLanguageGenerator):
    """CallbackNaturalLanguageGenerator whose requests carry slots, not events."""

    def __init__(self, endpoint_config: EndpointConfig, domain: Optional[Domain] = None) -> None:
        super().__init__(endpoint_config=endpoint_config)

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker,
                       output_channel: Text, **kwargs: Any) -> Dict[Text, Any]:
        domain_responses = kwargs.pop("domain_responses", None)
        kwargs["response_id"] = self.fetch_response_id(
            utter_action, tracker, output_channel, domain_responses)
        body = request_body(utter_action, tracker, output_channel, **kwargs)
        response = await self.nlg_endpoint.request(
            method="post", json=body, timeout=TIMEOUT_SECONDS)
        if isinstance(response, dict) and self.validate_response(response):
            return response
        raise RasaException("NLG web endpoint returned an invalid response.")
