"""WhatsApp end to end: a shared location pin is where she is, and the services
answered are the directory's nearest to that pin (issue 3: "a WhatsApp pin finds
services"), whether the pin comes before or after what she needs."""
from __future__ import annotations

import uuid

import httpx
import pytest

from .test_twilio_channels import WA, Phone

pytestmark = pytest.mark.e2e

CUCUTA_PIN = {"Latitude": "7.8891", "Longitude": "-72.4967"}


def nearest(stack, service_type: str, pin: dict) -> list[dict]:
    found = httpx.get(f"{stack.app_url}/v1/services/search", params={
        "lat": pin["Latitude"], "lon": pin["Longitude"], "service_type": service_type,
        "limit": 3}, timeout=30).json()
    assert found["results"], "the sample directory has nothing near the pin"
    return found["results"]


@pytest.fixture
def whatsapp(stack) -> Phone:
    return Phone(stack, f"whatsapp:+5730{uuid.uuid4().int % 10**8:08d}")


def test_a_pin_answers_where_after_she_said_what(stack, whatsapp):
    asked = "\n".join(whatsapp.text("necesito hacerme la prueba de vih", path=WA))
    assert "?" in asked
    answer = "\n".join(whatsapp.text("", path=WA, **CUCUTA_PIN))
    for service in nearest(stack, "hiv_testing", CUCUTA_PIN):
        assert service["name"] in answer


def test_a_pin_first_then_what_she_needs(stack, whatsapp):
    menu = "\n".join(whatsapp.text("", path=WA, **CUCUTA_PIN))
    assert "1" in menu and "2" in menu  # the numbered list of services
    answer = "\n".join(whatsapp.text("2", path=WA))  # 2 = HIV treatment (ARV)
    for service in nearest(stack, "hiv_treatment", CUCUTA_PIN):
        assert service["name"] in answer
