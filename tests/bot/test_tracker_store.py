"""The Redis tracker store production uses, on a real Redis: created from REDIS_URL,
it stores what Rasa's own store stores (same events, same last session after every
save), hands a server back the tracker it holds only while nobody else wrote, loses
nothing when somebody did, erases on request and expires."""
import asyncio
import json
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


@pytest.fixture
def stores(redis_url):
    """Make stores on one Redis, like several Rasa servers; keys removed afterwards."""
    host_port, db = redis_url.split("://", 1)[1].rsplit("/", 1)
    host, port = host_port.rsplit(":", 1)
    domain = Domain.from_dict({"slots": {name: {"type": "text", "mappings": [{"type": "custom"}]}
                                         for name in ("country", "language")}})
    kwargs = dict(domain=domain, host=host, port=int(port), db=int(db))
    prefix = os.urandom(4).hex()
    made = []

    def make(kind=PuenteRedisTrackerStore, name="ours", **extra):
        store = kind(key_prefix=f"{name}{prefix}", **kwargs, **extra)
        made.append((store, f"{name}{prefix}"))
        return store

    yield make
    for store, name in made:
        for key in store.red.keys(f"{name}*"):
            store.red.delete(key)


def _run(coroutine):
    return asyncio.run(coroutine)


def test_a_conversation_saved_turn_by_turn_matches_rasas_store(stores):
    ours, rasas = stores(), stores(RedisTrackerStore, "rasa")
    events = _session(1000, ["hola", "menu"]) + _session(2000, ["1", "gracias", "chao"])

    async def converse(store):
        """As the server does: load the last session, add an event, save."""
        last_sessions = []
        for event in events:
            tracker = await store.retrieve("sender") or DialogueStateTracker("sender", [])
            tracker.update(event)
            await store.save(tracker)
            last_sessions.append(_as_dicts(await store.retrieve("sender")))
        return last_sessions, await store.retrieve_full_tracker("sender")

    ours_sessions, ours_full = _run(converse(ours))
    rasas_sessions, rasas_full = _run(converse(rasas))
    assert ours_sessions == rasas_sessions  # the same last session after every save
    assert _as_dicts(ours_full) == _as_dicts(rasas_full)
    assert len(ours_full.events) == len(events)
    assert ours_sessions[-1][0]["name"] == "action_session_start"


def test_a_server_gets_its_tracker_back_and_saves_only_what_is_new(stores):
    store = stores()
    tracker = DialogueStateTracker.from_events("s", _session(1000, ["hola"]))
    _run(store.save(tracker))
    held = _run(store.retrieve("s"))
    assert held is tracker
    held.update(UserUttered("otra", {"name": "greet", "confidence": 1.0}, timestamp=1500))
    _run(store.save(held))
    assert _run(store.retrieve("s")) is held
    assert store.red.llen(store.key_prefix + "s") == len(held.events)
    assert _run(store.keys()) == ["s"]
    assert json.loads(store.red.lindex(store.key_prefix + "s", -1))["text"] == "otra"


def test_what_another_server_wrote_is_read_and_nothing_is_lost(stores):
    first, second = stores(), stores()  # same prefix: two servers, one Redis
    second.key_prefix = first.key_prefix
    first_turn = _session(1000, ["hola"])
    _run(first.save(DialogueStateTracker.from_events("s", first_turn)))
    stale = _run(first.retrieve("s"))
    other = _run(second.retrieve("s"))
    other.update(SlotSet("country", "CO", timestamp=1600))
    _run(second.save(other))

    fresh = _run(first.retrieve("s"))  # the list grew: rebuilt, not the held one
    assert fresh is not stale and fresh.get_slot("country") == "CO"
    stale.update(SlotSet("language", "pt", timestamp=1700))
    _run(first.save(stale))  # a stale tracker merges: both writes are kept
    saved = _as_dicts(_run(first.retrieve_full_tracker("s")))
    assert {"country", "language"} <= {e.get("name") for e in saved if e["event"] == "slot"}
    assert len(saved) == len(first_turn) + 2


def test_an_unsaved_change_is_not_handed_back(stores):
    store = stores()
    _run(store.save(DialogueStateTracker.from_events("s", _session(1000, ["hola"]))))
    tracker = _run(store.retrieve("s"))
    tracker.update(SlotSet("country", "PE", timestamp=1600))  # a turn that failed
    again = _run(store.retrieve("s"))
    assert again is not tracker and again.get_slot("country") is None


def test_saving_an_empty_tracker_erases_the_conversation(stores):
    """What delete_my_data does through Rasa's API; Rasa's own store keeps it all."""
    ours, rasas = stores(), stores(RedisTrackerStore, "rasa")
    for store in (ours, rasas):
        _run(store.save(DialogueStateTracker.from_events("s", _session(1000, ["hola"]))))
        _run(store.retrieve("s"))
        _run(store.save(DialogueStateTracker("s", [])))
    assert _run(ours.retrieve("s")) is None and not _run(ours.exists("s"))
    assert _run(rasas.retrieve("s")) is not None  # the bug this store fixes


def test_the_conversation_expires_after_the_ttl(stores):
    store = stores(record_exp=3600)
    tracker = DialogueStateTracker.from_events("s", _session(1000, ["hola"]))
    _run(store.save(tracker))
    assert 3590 <= store.red.ttl(store.key_prefix + "s") <= 3600
    store.red.expire(store.key_prefix + "s", 5)
    tracker.update(SlotSet("country", "PE", timestamp=1600))
    _run(store.save(tracker))  # every save restarts the clock
    assert store.red.ttl(store.key_prefix + "s") > 3500
    store.red.delete(store.key_prefix + "s")  # as when the TTL runs out
    assert _run(store.retrieve("s")) is None


def test_a_conversation_in_the_earlier_format_is_converted(stores):
    rasas = stores(RedisTrackerStore, "rasa")
    ours = stores()
    ours.key_prefix = rasas.key_prefix
    events = _session(1000, ["hola"]) + _session(2000, ["oi", "menu"])
    _run(rasas.save(DialogueStateTracker.from_events("s", events)))
    rasas_last_session = _as_dicts(_run(rasas.retrieve("s")))
    assert _as_dicts(_run(ours.retrieve_full_tracker("s"))) == [e.as_dict() for e in events]
    assert _as_dicts(_run(ours.retrieve("s"))) == rasas_last_session


def test_a_new_session_is_retrieved_alone(stores):
    store = stores()
    tracker = DialogueStateTracker.from_events("s", _session(1000, ["hola"]))
    _run(store.save(tracker))
    held = _run(store.retrieve("s"))
    for event in _session(2000, ["de nuevo"]):
        held.update(event)
    _run(store.save(held))
    last = _run(store.retrieve("s"))
    assert last is not held and last.events[0].as_dict()["name"] == "action_session_start"
    assert len(last.events) == len(_session(2000, ["de nuevo"]))


def test_only_the_most_recent_conversations_are_held(stores):
    store = stores(recent_conversations=2)
    for sender in ("a", "b", "c"):
        _run(store.save(DialogueStateTracker.from_events(sender, _session(1000, ["hi"]))))
    assert list(store._held) == ["b", "c"]
    assert _run(store.retrieve("a")) is not None  # read back from Redis
    assert list(store._held) == ["c", "a"]
