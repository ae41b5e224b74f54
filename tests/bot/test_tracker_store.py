"""The Redis tracker store production uses: created from REDIS_URL, it stores what
Rasa's own store stores (same events after every save, across sessions), on a real
Redis."""
import asyncio
import os

import pytest
from rasa.core.tracker_store import RedisTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.endpoints_from_env import redis_stores
from bot.tracker_store import PuenteRedisTrackerStore


def _session(start: float, texts):
    """One conversation session: its start, then a turn per text."""
    events = [ActionExecuted("action_session_start", timestamp=start),
              SessionStarted(timestamp=start + 0.1),
              ActionExecuted("action_listen", timestamp=start + 0.2)]
    for i, text in enumerate(texts, 1):
        t = start + i
        events += [UserUttered(text, {"name": "greet", "confidence": 0.9}, timestamp=t),
                   SlotSet("language", "es", timestamp=t + 0.1),
                   ActionExecuted("utter_welcome", timestamp=t + 0.2),
                   BotUttered("hola", {"template_name": "utter_welcome"}, timestamp=t + 0.3),
                   ActionExecuted("action_listen", timestamp=t + 0.4)]
    return events


def _as_dicts(tracker):
    return [event.as_dict() for event in tracker.events]


def test_redis_url_gives_this_store_not_rasas_silent_in_memory_fallback():
    config = redis_stores("redis://127.0.0.1:6390/2", ttl_days=30)["tracker_store"]
    store = TrackerStore.create(EndpointConfig.from_dict(config), Domain.empty())
    inner = getattr(store, "_tracker_store", store)  # Rasa wraps it to make it awaitable
    assert type(inner) is PuenteRedisTrackerStore
    assert inner.record_exp == 30 * 86400
    assert inner.key_prefix.startswith("puente")


@pytest.mark.parametrize("overlap", [0, 3, 8])
def test_the_merge_keeps_exactly_the_events_rasas_merge_keeps(overlap):
    first, second = _session(1000, ["hola", "ayuda"]), _session(2000, ["a", "b", "c"])
    prior = DialogueStateTracker.from_events("p", first + second[:overlap])
    current = DialogueStateTracker.from_events("p", second + _session(3000, ["nuevo"]))
    ours = PuenteRedisTrackerStore._merge_trackers(prior, current)
    rasas = RedisTrackerStore._merge_trackers(prior, current)
    assert _as_dicts(ours) == _as_dicts(rasas)
    assert len(ours.events) > len(current.events)  # the earlier session is kept


def test_a_conversation_saved_turn_by_turn_matches_rasas_store(redis_url):
    host_port, db = redis_url.split("://", 1)[1].rsplit("/", 1)
    host, port = host_port.rsplit(":", 1)
    kwargs = dict(domain=Domain.empty(), host=host, port=int(port), db=int(db))
    prefix = os.urandom(4).hex()
    ours = PuenteRedisTrackerStore(key_prefix=f"ours{prefix}", **kwargs)
    rasas = RedisTrackerStore(key_prefix=f"rasa{prefix}", **kwargs)
    events = _session(1000, ["hola", "menu"]) + _session(2000, ["1", "gracias", "chao"])

    async def converse(store):
        """As the server does: load the last session, add an event, save."""
        for event in events:
            tracker = await store.retrieve("sender") or DialogueStateTracker("sender", [])
            tracker.update(event)
            await store.save(tracker)
        return await store.retrieve_full_tracker("sender")

    try:
        saved_ours = asyncio.run(converse(ours))
        saved_rasas = asyncio.run(converse(rasas))
        assert _as_dicts(saved_ours) == _as_dicts(saved_rasas)
        assert len(saved_ours.events) == len(events)
    finally:
        for store, name in ((ours, f"ours{prefix}"), (rasas, f"rasa{prefix}")):
            for key in store.red.keys(f"{name}*"):
                store.red.delete(key)
