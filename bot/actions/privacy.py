"""Erasure on request, and sessions that forget what must not outlive them.

`delete_my_data` asks for confirmation; YES erases the person's data in the app
(reports' links, and next round vault entry and reminder plans) and then the
conversation itself through Rasa's HTTP API once this turn has released its lock.
A new session keeps only the language and the country: migration status, places
and results are never carried beyond the conversation.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Dict, List, Text

import aiohttp
from rasa_sdk import Action, Tracker
from rasa_sdk.events import (ActionExecuted, AllSlotsReset, EventType, SessionStarted,
                             SlotSet)
from rasa_sdk.executor import CollectingDispatcher

from .api import AppRejected, AppUnavailable, request
from .reminders import AWAITING_ANSWER

log = logging.getLogger(__name__)
CARRIED_OVER = ("language", "country")
_background: set = set()


class ActionAskDelete(Action):
    def name(self) -> Text:
        return "action_ask_delete"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        # "yes, delete it" right after the question is read as delete_my_data again:
        # that is her confirmation, not a new request to confirm.
        if tracker.get_slot("menu") == "confirm_delete" and _asked_just_before(tracker):
            return await delete_person(dispatcher, tracker)
        dispatcher.utter_message(response="utter_ask_confirm_delete")
        return [SlotSet("menu", "confirm_delete")]


def _asked_just_before(tracker: Tracker) -> bool:
    """Whether the bot's last action before her latest message asked to confirm."""
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen > 1:
                return False
        elif users_seen and event.get("event") == "action" \
                and event.get("name") not in ("action_listen", None):
            return event.get("name") == "action_ask_delete"
    return False


async def delete_person(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Erase the app's data for this pseudonym, then the tracker; confirm."""
    try:
        await request("DELETE", f"/v1/people/{tracker.sender_id}", internal=True)
    except AppRejected as rejected:
        if rejected.status != 404:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
    except AppUnavailable:
        dispatcher.utter_message(response="utter_service_unavailable")
        return []
    await erase_vault_entry(tracker.sender_id)
    dispatcher.utter_message(response="utter_deleted")
    task = asyncio.create_task(_erase_tracker(tracker.sender_id))
    _background.add(task)
    task.add_done_callback(_background.discard)
    return [AllSlotsReset()]


async def erase_vault_entry(pseudonym: str) -> None:
    """The contact vault lives in the channels' state store (same env as the actions)."""
    from connectors.runtime import Runtime
    from connectors.settings import ConnectorSettings

    runtime = Runtime(ConnectorSettings.from_env())
    try:
        await runtime.vault.delete(pseudonym)
    finally:
        await runtime.state.close()


async def _erase_tracker(sender_id: str, attempts: int = 10) -> None:
    """Replace the conversation's events with nothing, once Rasa has released it."""
    url = os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/")
    params = {"token": os.environ["RASA_TOKEN"]} if os.environ.get("RASA_TOKEN") else {}
    for attempt in range(attempts):
        await asyncio.sleep(1.0 + attempt)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
                async with session.put(f"{url}/conversations/{sender_id}/tracker/events",
                                       json=[], params=params) as response:
                    if response.status < 300:
                        return
        except (aiohttp.ClientError, asyncio.TimeoutError):  # Rasa busy or away: again
            continue
    log.error("could not erase a tracker after %d attempts", attempts)


class ActionSessionStart(Action):
    """Start a session carrying over only the language and the country."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        for slot in CARRIED_OVER:
            value = tracker.get_slot(slot)
            if value is not None:
                events.append(SlotSet(slot, value))
        # a reminder or check-in waits for her answer across sessions (she may answer
        # the next morning), and so does the follow-up it opened
        if tracker.get_slot("menu") in AWAITING_ANSWER:
            events += [SlotSet("menu", tracker.get_slot("menu")),
                       SlotSet("followup_id", tracker.get_slot("followup_id"))]
        events.append(ActionExecuted("action_listen"))
        return events
