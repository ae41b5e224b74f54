"""The Twilio channels end to end: signed webhooks into the real stack (make serve's
processes), answered by the real model, action server and app NLG."""
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
from twilio.request_validator import RequestValidator

from connectors.gsm import GSM7, encoding, segment_count

pytestmark = pytest.mark.e2e

SMS, WA = "/webhooks/twilio_sms/webhook", "/webhooks/twilio_whatsapp/webhook"


class Phone:
    """Posts webhooks as Twilio does, signed for the stack's PUBLIC_BASE_URL."""

    def __init__(self, stack, address: str) -> None:
        self.stack = stack
        self.address = address
        self.public = stack.env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5005").rstrip("/")
        self.validator = RequestValidator(stack.env.get("TWILIO_AUTH_TOKEN", "dev-twilio-token"))

    def form(self, body: str, **extra: str) -> dict:
        return {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                "From": self.address, "To": "+15005550006", "Body": body, "NumMedia": "0",
                **extra}

    def post(self, path: str, form: dict, signature: str | None = "sign") -> httpx.Response:
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = self.validator.compute_signature(
                self.public + path, form)
        elif signature:
            headers["X-Twilio-Signature"] = signature
        return httpx.post(self.stack.rasa_url + path, data=form, headers=headers, timeout=30)

    def text(self, body: str, path: str = SMS, **extra: str) -> list[str]:
        reply = self.post(path, self.form(body, **extra))
        assert reply.status_code == 200, reply.text
        return [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]


@pytest.fixture
def phone(stack) -> Phone:
    return Phone(stack, f"+5730{uuid.uuid4().int % 10**8:08d}")


def test_forged_and_unsigned_webhooks_are_refused(phone):
    form = phone.form("hola")
    assert phone.post(SMS, form, signature=None).status_code == 403
    assert phone.post(SMS, form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403


def test_signed_spanish_sms_is_answered_once_in_gsm7_within_three_segments(phone):
    form = phone.form("hola")
    first = phone.post(SMS, form)
    messages = [m.text for m in ET.fromstring(first.text).iter("Message")]
    assert messages and messages[0].startswith("Hola, soy Puente")
    assert all(encoding(m) == GSM7 and segment_count(m) <= 3 for m in messages)
    assert "clinicas" in messages[0] or "clínicas" not in messages[0]
    retry = phone.post(SMS, form)
    assert retry.status_code == 200 and "<Message>" not in retry.text


@pytest.mark.parametrize("word,start,expected", [
    ("STOP", "START", "You will get no more messages"),
    ("Baja", "iniciar", "Ya no recibir"),
    ("arrêt", "démarrer", "Vous ne recevrez plus"),
    ("KANPE", "kòmanse", "Ou p ap resevwa"),
    ("sair", "começar", "Voc"),
])
def test_stop_and_start_in_five_languages(phone, word, start, expected):
    assert phone.text(word)[0].startswith(expected)
    assert phone.text(start)


def test_whatsapp_location_pin_is_answered(stack):
    phone = Phone(stack, f"whatsapp:+5730{uuid.uuid4().int % 10**8:08d}")
    messages = phone.text("", path=WA, Latitude="4.7110", Longitude="-74.0721")
    assert messages and all(messages)
