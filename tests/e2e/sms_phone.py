"""A phone that texts the running stack through the signed Twilio SMS webhook.

It reads the TwiML answer as the person would see it, asks MORE while a long answer
has pages waiting, and checks every message it receives is GSM-7 within 3 segments.
"""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import httpx
from twilio.request_validator import RequestValidator

from connectors.gsm import encoding, segment_count, to_gsm7
from service_directory.i18n import gettext_for

SMS_PATH = "/webhooks/twilio_sms/webhook"
MORE_HINT = "Reply MORE for the rest."


class SmsPhone:
    def __init__(self, stack, number: str) -> None:
        self.stack = stack
        self.number = number
        self.public = stack.env["PUBLIC_BASE_URL"].rstrip("/")
        self.validator = RequestValidator(stack.env.get("TWILIO_AUTH_TOKEN", "dev-twilio-token"))

    def send(self, body: str) -> list[str]:
        """One SMS in, the messages of the TwiML answer out (asserted GSM-7, ≤ 3 segments)."""
        form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                "From": self.number, "To": "+15005550006", "Body": body, "NumMedia": "0"}
        signature = self.validator.compute_signature(self.public + SMS_PATH, form)
        reply = httpx.post(self.stack.rasa_url + SMS_PATH, data=form,
                           headers={"X-Twilio-Signature": signature}, timeout=30)
        assert reply.status_code == 200, reply.text
        messages = [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]
        for message in messages:
            assert encoding(message) == "GSM-7", message
            assert segment_count(message) <= 3, message
        return messages

    def ask(self, body: str, language: str) -> str:
        """Send, then MORE until nothing waits; the whole answer as one text."""
        hint = to_gsm7(gettext_for(language, MORE_HINT))
        messages = self.send(body)
        for _ in range(10):
            if not messages or not messages[-1].rstrip().endswith(hint):
                break
            messages += self.send(_more_word(language))
        return "\n".join(m.replace(hint, "") for m in messages)


def _more_word(language: str) -> str:
    return {"es": "MAS", "fr": "PLUS", "ht": "PLIS", "pt": "MAIS"}.get(language, "MORE")


def gsm(text: str) -> str:
    """What a text looks like after the SMS channel's transliteration."""
    return to_gsm7(text)
