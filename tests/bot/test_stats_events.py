"""The statistics broker: Rasa's events in, anonymous statistics out, nothing personal."""
import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.stats_events import StatsEventBroker

SENDER = "3f1c" * 16  # a pseudonym
TEXT = "me violaron anoche en Cúcuta, tengo VIH, mi número es +573001234567"


def _conversation():
    return [
        {"event": "action", "name": "action_session_start", "sender_id": SENDER},
        {"event": "user", "sender_id": SENDER, "text": TEXT, "input_channel": "twilio_sms",
         "parse_data": {"intent": {"name": "emergency"}, "text": TEXT, "entities": [
             {"entity": "language", "value": "es"}, {"entity": "location", "value": "Cúcuta"},
             {"entity": "urgent", "value": "sexual_violence"}]}},
        {"event": "slot", "sender_id": SENDER, "name": "country", "value": "co"},
        {"event": "bot", "sender_id": SENDER, "text": "Ve YA a urgencias... " * 12,
         "metadata": {"utter_action": "utter_urgent_care"}},
        {"event": "user", "sender_id": SENDER, "text": "asdf qwer", "input_channel": "twilio_sms",
         "parse_data": {"intent": {"name": "nlu_fallback"}, "entities": []}},
        {"event": "user", "sender_id": SENDER, "text": "prueba de vih gratis",
         "input_channel": "twilio_sms",
         "parse_data": {"intent": {"name": "ask_cost"}, "entities": [
             {"entity": "service_type", "value": "hiv_testing"}]}},
    ]


def test_a_conversation_gives_kinds_and_codes_only():
    broker = StatsEventBroker("http://127.0.0.1:9/v1/events", "secret")
    stats = [s for event in _conversation() for s in broker.statistics(event)]
    kinds = [s["kind"] for s in stats]
    assert kinds == ["conversation_started", "topic", "urgent_answer", "sms_segments",
                     "fallback", "topic"]
    assert stats[0] == {"kind": "conversation_started", "channel": "sms", "language": "es",
                        "country": None}
    assert stats[2]["country"] == "co"  # learnt from the slot, for what follows
    assert stats[3]["value"] >= 2
    assert stats[-1]["service_type"] == "hiv_testing" and stats[-1]["intent"] == "ask_cost"
    dumped = json.dumps(stats)
    for secret in (SENDER, "Cúcuta", "Cucuta", "+573001234567", "violaron", "asdf"):
        assert secret not in dumped


def test_a_whatsapp_answer_counts_no_sms_segments():
    broker = StatsEventBroker("http://127.0.0.1:9/v1/events", "secret")
    events = _conversation()
    for event in events:
        if event["event"] == "user":
            event["input_channel"] = "twilio_whatsapp"
    kinds = [s["kind"] for event in events for s in broker.statistics(event)]
    assert "sms_segments" not in kinds


class _App(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _App.received.append((self.headers.get("X-Puente-Internal"), json.loads(body)))
        self.send_response(_App.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def app_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _App.received, _App.status = [], 200
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/events"
    server.shutdown()


def test_statistics_are_posted_in_batches_with_the_internal_secret(app_url):
    broker = StatsEventBroker(app_url, "the-secret", batch_size=4)
    for event in _conversation():
        broker.publish(event)
    assert asyncio.run(broker.flush()) == 6
    assert [len(body["events"]) for _, body in _App.received] == [4, 2]
    assert {secret for secret, _ in _App.received} == {"the-secret"}


def test_an_unreachable_app_loses_statistics_never_raises():
    broker = StatsEventBroker("http://127.0.0.1:9/v1/events", "secret")
    for event in _conversation():
        broker.publish(event)  # no running loop here: nothing is sent yet
    assert asyncio.run(broker.flush()) == 0
    assert broker.lost > 0


def test_a_refusing_app_loses_the_batch_and_the_queue_stays_bounded(app_url):
    _App.status = 422
    broker = StatsEventBroker(app_url, "secret", max_queue=5)
    for _ in range(3):
        for event in _conversation():
            broker.publish(event)
    assert len(broker.queue) == 5
    asyncio.run(broker.flush())
    assert broker.lost > 0


def _endpoints(**env: str) -> dict:
    import os
    import subprocess
    import sys

    import yaml

    out = subprocess.run([sys.executable, "-m", "bot.endpoints_from_env", "bot/endpoints.yml"],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/0", **env})
    return yaml.safe_load(out.stdout)


def test_production_endpoints_record_statistics_unless_switched_off():
    assert _endpoints()["event_broker"]["type"] == "bot.stats_events.StatsEventBroker"
    assert "event_broker" not in _endpoints(PUENTE_STATS_EVENTS="0")
