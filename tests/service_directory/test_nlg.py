"""The NLG endpoint renders every response from the catalogs, per language and channel."""
import pytest

from service_directory.config import LANGUAGES
from service_directory.messages import MESSAGES
from service_directory.nlg import render


def nlg_request(response: str, language: str | None, channel: str = "twilio_sms") -> dict:
    return {
        "response": response,
        "arguments": {},
        "tracker": {"sender_id": "pseudonym", "slots": {"language": language}},
        "channel": {"name": channel},
    }


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "language, expected",
    [("en", "Sorry, I did not understand"), ("es", "Perdón, no entendí"),
     ("fr", "Désolé, je n'ai pas compris"), ("ht", "Eskize m, mwen pa konprann"),
     ("pt", "Desculpe, não entendi")],
)
def test_response_is_rendered_in_the_slot_language(client, language, expected):
    body = client.post("/nlg", json=nlg_request("utter_ask_rephrase", language)).json()
    assert body["text"].startswith(expected)


def test_missing_or_unknown_language_falls_back_to_english(client):
    for language in (None, "de", ""):
        body = client.post("/nlg", json=nlg_request("utter_thanks", language)).json()
        assert body["text"] == "You are welcome. Write any time."


def test_whatsapp_gets_the_richer_text_and_sms_the_compact_one():
    sms = render("utter_welcome", "es", "twilio_sms")
    whatsapp = render("utter_welcome", "es", "twilio_whatsapp")
    assert "*Puente*" in whatsapp and "*" not in sms


def test_unknown_response_apologises_instead_of_failing(client):
    body = client.post("/nlg", json=nlg_request("utter_does_not_exist", "ht")).json()
    assert body["text"] == "Eskize m, Puente gen yon pwoblèm kounye a. Tanpri eseye ankò pita."


def test_placeholders_come_from_arguments_then_slots():
    from service_directory import nlg

    nlg.MESSAGES["utter_test_placeholder"] = nlg.Message("{a} {b} {missing}")
    try:
        text = render("utter_test_placeholder", "en", "rest", {"a": "A", "b": "B"})
    finally:
        del nlg.MESSAGES["utter_test_placeholder"]
    assert text == "A B "


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_renders_in_every_language(language):
    for name in MESSAGES:
        for channel in ("twilio_sms", "twilio_whatsapp"):
            assert render(name, language, channel).strip()
