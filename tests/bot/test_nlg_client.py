"""The Rasa server asks the app for a response with slots only: no events, no texts."""
import json
from pathlib import Path

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.slots import TextSlot
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.nlg_client import SlotsOnlyNLG, request_body

ROOT = Path(__file__).resolve().parents[2]


def test_endpoints_file_configures_the_slots_only_client(monkeypatch):
    monkeypatch.setenv("APP_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055")
    config = read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "nlg")
    nlg = NaturalLanguageGenerator.create(config, Domain.empty())
    assert isinstance(nlg, SlotsOnlyNLG)
    assert nlg.nlg_endpoint.url == "http://127.0.0.1:8000/nlg"


def test_the_request_carries_slots_but_not_what_she_wrote():
    slot = TextSlot("language", mappings=[])
    tracker = DialogueStateTracker("pseudonym-abc", [slot])
    tracker.update(UserUttered("tengo vih y no tengo papeles", {"name": "find_service"}))
    tracker.update(SlotSet("language", "es"))
    body = request_body("utter_greet", tracker, "twilio_sms", location="Cúcuta", response_id=None)
    assert body["tracker"] == {"slots": {"language": "es"}}
    assert body["arguments"] == {"location": "Cúcuta"}
    assert body["channel"] == {"name": "twilio_sms"} and body["response"] == "utter_greet"
    dumped = json.dumps(body)
    assert "papeles" not in dumped and "pseudonym-abc" not in dumped
