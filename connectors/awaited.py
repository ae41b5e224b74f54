"""The answer a reminder awaits, kept beside the conversation until she writes again.

A reminder sent by the proactive endpoint must be part of her conversation, so that
"OK", "1" or "2" is read as its answer (the slot `menu`: `dose_reminder` or
`checkin`). Writing it into the tracker when it is sent took the conversation's
lock, a load and a save per reminder: most of the endpoint's time, for people most
of whom do not answer within the hour. So the send only appends a small record to
`await:<pseudonym>` in the connectors' store (one pipelined round trip per batch,
expiring with `AWAIT_TTL_SECONDS`), and the conversation learns of it when her next
message reaches the assistant: before that turn, under the conversation's lock, the
reminder is appended as it was sent (the bot's message, at the time it was sent)
with the answer it awaits. A reminder she never answers within the TTL is never
written into her conversation; the app's database keeps it all the same.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Dict, List, Optional, Sequence

from .state import StateStore

log = logging.getLogger(__name__)

AWAITED = "await:"
# A weekly check-in may be answered days later; sessions carry the answer over too.
AWAIT_TTL_SECONDS = 8 * 86400
CHECKIN_KINDS = {"utter_checkin", "utter_checkin_weekly"}


def record(text: str, kind: str, sent_at: Optional[float] = None) -> str:
    """What is kept of one reminder sent: its text, kind and time (no number)."""
    return json.dumps({"text": text, "kind": kind, "at": sent_at or time.time()},
                      separators=(",", ":"))


def menu_for(kind: str) -> str:
    """The answer a reminder of `kind` awaits (the slot `menu`)."""
    return "checkin" if kind in CHECKIN_KINDS else "dose_reminder"


async def remember_many(state: StateStore, sent: Dict[str, Sequence[str]]) -> None:
    """Keep the records of the reminders just sent, per pseudonym, in one round trip."""
    await state.append_many({AWAITED + person: records for person, records in sent.items()},
                            AWAIT_TTL_SECONDS)


async def apply(state: StateStore, agent: Any, person: str) -> int:
    """Write the reminders awaiting her answer into her conversation; how many.

    Called before her message's turn. When the tracker cannot be written (the tracker
    store is down) the records are put back (logged, not raised: her message still goes to
    the assistant), so her next message tries again."""
    if agent is None:
        return 0
    records = await state.take(AWAITED + person)
    if not records:
        return 0
    try:
        await _append_to_conversation(agent, person, [json.loads(r) for r in records])
    except Exception as error:
        log.error("could not write %d awaited reminder(s) into a conversation (%s)",
                  len(records), type(error).__name__)
        await state.append(AWAITED + person, records, AWAIT_TTL_SECONDS)
        return 0
    return len(records)


async def _append_to_conversation(agent: Any, person: str, sent: List[Dict[str, Any]]) -> None:
    from rasa.shared.core.events import BotUttered, SlotSet

    async with agent.lock_store.lock(person):
        tracker = await agent.processor.get_tracker(person)
        for item in sent:
            at = float(item.get("at") or time.time())
            kind = str(item.get("kind") or "utter_dose_reminder")
            tracker.update(BotUttered(str(item.get("text") or ""),
                                      metadata={"utter_action": kind}, timestamp=at),
                           agent.domain)
            tracker.update(SlotSet("menu", menu_for(kind), timestamp=at), agent.domain)
        await agent.tracker_store.save(tracker)
