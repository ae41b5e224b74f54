"""The Redis tracker store production uses: append-only, with the conversations a
server is handling kept in memory.

Rasa 3.6's RedisTrackerStore keeps a conversation as one JSON document. Every save
reads it back, rebuilds it as a tracker, merges (quadratically) and writes it all
again, and every retrieve rebuilds it from scratch, so each message costs time in
proportion to the conversation's length: py-spy on a Rasa server under 10 SMS
senders put a third of its CPU in the tracker store (save 24%, retrieve 8%).

Here a conversation is a Redis list of events (JSON, as Rasa serialises them):
- a save appends only the events the tracker gained since it was loaded, on the
  condition (checked in Redis by a script) that nobody else appended meanwhile;
- a server keeps the trackers it loaded recently; `retrieve` hands back the same
  tracker while the list's length shows nobody else wrote, and rebuilds it only
  when somebody did (another server, an erasure, the TTL).
Other trackers (a conversation's first save, Rasa's REST API) keep Rasa's merge
rule: events the stored conversation does not already hold are appended. One
exception, which Rasa's own Redis store gets wrong: saving a tracker with no events
(`PUT /conversations/<id>/tracker/events` with `[]`, as `delete_my_data` does)
erases the conversation instead of merging nothing into it.

The list expires `record_exp` seconds after its last save (TRACKER_TTL_DAYS). A
conversation stored by the earlier format (one JSON string) is converted on first
use. This depends on Rasa 3.6's tracker internals: recheck on any Rasa upgrade.
"""
from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional

import redis
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)

# Append ARGV[3..] to the list KEYS[1] if it still holds ARGV[1] events; refresh
# its expiry to ARGV[2] seconds (0: none). Returns the new length, or -1.
_APPEND_IF_UNCHANGED = """
if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return -1 end
local length = tonumber(ARGV[1])
if #ARGV > 2 then length = redis.call('RPUSH', KEYS[1], unpack(ARGV, 3)) end
if tonumber(ARGV[2]) > 0 and length > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return length
"""
_SCRIPT_CHUNK = 1000  # events per script call: Lua's unpack has a stack limit


@dataclass
class _Held:
    """A tracker this server loaded, and how far it matches the stored list."""

    tracker: DialogueStateTracker
    stored: int  # length of the Redis list when the tracker last matched it
    seen: int  # len(tracker.events) at that moment (Rasa 3.6 only ever appends events)


def _serialise(events: Iterable[Event]) -> List[str]:
    return [json.dumps(event.as_dict()) for event in events]


def _starts_session(item: str) -> bool:
    """Rasa's sessions begin at `action_session_start` (`get_trackers_for_conversation_sessions`)."""
    if ACTION_SESSION_START_NAME not in item:
        return False
    event = json.loads(item)
    return event.get("event") == ActionExecuted.type_name and \
        event.get("name") == ACTION_SESSION_START_NAME


def _canonical(event: dict) -> str:
    """A hashable form of an event's dict: equal dicts give equal strings."""
    return json.dumps(event, sort_keys=True, default=str)


class PuenteRedisTrackerStore(RedisTrackerStore):
    """Conversations as append-only Redis lists; recent trackers kept in memory."""

    def __init__(self, *args: Any, recent_conversations: int = 512, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recent_conversations = int(recent_conversations)
        self._held: "OrderedDict[str, _Held]" = OrderedDict()
        self._append_script = self.red.register_script(_APPEND_IF_UNCHANGED)

    # Reading ---------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's last session: the held tracker while it is current."""
        length = self._length(sender_id)
        held = self._held.get(sender_id)
        if length == 0:
            self._held.pop(sender_id, None)
            return None
        if held and held.stored == length and len(held.tracker.events) == held.seen:
            self._held.move_to_end(sender_id)
            return held.tracker
        tracker, stored = self._load(sender_id, last_session=True)
        if tracker is not None:
            self._hold(sender_id, _Held(tracker, stored, len(tracker.events)))
        return tracker

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """Every session (Rasa's REST API); such a tracker is not held."""
        self._length(sender_id)  # converts the earlier format if needed
        return self._load(sender_id, last_session=False)[0]

    async def exists(self, conversation_id: str) -> bool:
        return self._length(conversation_id) > 0

    async def keys(self) -> Iterable[str]:
        """Conversation ids (Rasa's store returns its prefixed keys, which its own
        `retrieve` cannot read back)."""
        return [key[len(self.key_prefix):] for key in self.red.keys(self.key_prefix + "*")]

    def _load(self, sender_id: str, last_session: bool) -> tuple[Optional[DialogueStateTracker], int]:
        raw = self.red.lrange(self._key(sender_id), 0, -1)
        if not raw:
            return None, 0
        start = 0
        if last_session:
            start = max((i for i, item in enumerate(raw) if _starts_session(item)), default=0)
        tracker = self.init_tracker(sender_id)
        events = deserialise_events([json.loads(item) for item in raw[start:]])
        tracker.recreate_from_dialogue(Dialogue(sender_id, events))
        return tracker, len(raw)

    def _length(self, sender_id: str) -> int:
        key = self._key(sender_id)
        try:
            return self.red.llen(key)
        except redis.ResponseError:  # WRONGTYPE: stored by the earlier format
            self._convert(key)
            return self.red.llen(key)

    def _convert(self, key: str) -> None:
        """Turn a conversation stored as one JSON document into a list of events."""
        document = self.red.get(key)
        ttl = self.red.ttl(key)
        events = json.loads(document).get("events") or [] if document else []
        with self.red.pipeline() as pipe:
            pipe.delete(key)
            if events:
                pipe.rpush(key, *[json.dumps(event) for event in events])
                if ttl and ttl > 0:
                    pipe.expire(key, ttl)
            pipe.execute()
        log.info("converted a stored conversation to the event-list format")

    # Writing ---------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        """Append what is new; see the module's docstring for which events that is."""
        sender_id = tracker.sender_id
        held = self._held.get(sender_id)
        if held is not None and held.tracker is tracker:
            new = _serialise(itertools.islice(tracker.events, held.seen, None))
            length = self._append(sender_id, held.stored, new, timeout)
            if length >= 0:
                await self._publish(sender_id, new)
                if any(_starts_session(item) for item in new):
                    # A new session began: `retrieve` must return it alone again.
                    self._held.pop(sender_id, None)
                else:
                    held.stored, held.seen = length, len(tracker.events)
                return
            self._held.pop(sender_id, None)  # somebody else wrote: merge as Rasa does
        if not tracker.events:
            self._erase(sender_id)
            return
        await self._merge(tracker, timeout)

    async def _merge(self, tracker: DialogueStateTracker, timeout: Optional[float]) -> None:
        """Append the tracker's events the stored conversation does not hold."""
        sender_id = tracker.sender_id
        items = _serialise(tracker.events)
        forms = [_canonical(json.loads(item)) for item in items]  # as stored ones read back
        for _ in range(5):
            stored = self.red.lrange(self._key(sender_id), 0, -1)
            known = {_canonical(json.loads(item)) for item in stored}
            new = [item for item, form in zip(items, forms) if form not in known]
            length = self._append(sender_id, len(stored), new, timeout)
            if length >= 0:
                await self._publish(sender_id, new)
                if not stored:  # it is the whole conversation: hold it
                    self._hold(sender_id, _Held(tracker, length, len(tracker.events)))
                return
        raise RuntimeError("the conversation kept changing while it was being saved")

    def _append(self, sender_id: str, expected: int, items: List[str],
                timeout: Optional[float]) -> int:
        """RPUSH if the list still has `expected` items; its new length, or -1."""
        ttl = int(timeout or self.record_exp or 0)
        key = self._key(sender_id)
        if not items:
            return self._append_script(keys=[key], args=[expected, ttl])
        length = expected
        for start in range(0, len(items), _SCRIPT_CHUNK):
            chunk = items[start:start + _SCRIPT_CHUNK]
            length = self._append_script(keys=[key], args=[length, ttl, *chunk])
            if length < 0:
                return -1
        return length

    async def _publish(self, sender_id: str, items: List[str]) -> None:
        """What Rasa's `stream_events` does, for the events just appended."""
        if self.event_broker is not None and items:
            await self._stream_new_events(self.event_broker, deserialise_events(
                [json.loads(item) for item in items]), sender_id)

    def _erase(self, sender_id: str) -> None:
        self._held.pop(sender_id, None)
        self.red.delete(self._key(sender_id))

    def _hold(self, sender_id: str, held: _Held) -> None:
        self._held[sender_id] = held
        self._held.move_to_end(sender_id)
        while len(self._held) > self.recent_conversations:
            self._held.popitem(last=False)

    def _key(self, sender_id: str) -> str:
        return self.key_prefix + sender_id
