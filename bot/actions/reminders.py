"""Adherence reminders by conversation: set up, change, pause, resume, stop, answer.

Thin, like every action: her whole message goes to the app (`/v1/reminders/...`),
which reads the time, days and wording in five languages and keeps the plan. The
draft of a reminder being set up travels in the slot `reminder_draft`; the slot
`menu` says which answer is awaited (`reminder_confirm`, `reminder_country`, and,
set by the connector when it sends one, `dose_reminder` or `checkin`).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import options
from .api import AppRejected, AppUnavailable, request

log = logging.getLogger(__name__)

CHANNELS = ("twilio_sms", "twilio_whatsapp")
FOLLOWUP_REASONS = ["side_effects", "no_medicine", "moved", "other"]
# Values of the slot `menu` this flow sets (the connector sets the last two of
# AWAITING_ANSWER when it sends a reminder or a check-in).
SETTING_UP = ("reminder_confirm", "reminder_time")  # a time or a place continues it
AWAITING_ANSWER = ("dose_reminder", "checkin", "followup_reason")  # kept across sessions
REMINDER_MENUS = ("reminder_confirm", "reminder_country") + AWAITING_ANSWER  # read a number


def _channel(tracker: Tracker) -> str:
    name = tracker.get_latest_input_channel()
    return name if name in CHANNELS else "twilio_sms"


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _country_hint(tracker: Tracker) -> Optional[str]:
    """Her number's country when it is on the route: the app's last resort for her clock."""
    hint = (tracker.latest_message.get("metadata") or {}).get("country_hint")
    return hint if hint in options.COUNTRY_MENU else None


def _unavailable(dispatcher: CollectingDispatcher) -> List[EventType]:
    dispatcher.utter_message(response="utter_service_unavailable")
    return []


async def read_draft(dispatcher: CollectingDispatcher, tracker: Tracker,
                     country: Optional[str] = None, text: Optional[str] = None) -> List[EventType]:
    """Fold her message into the draft; ask what is missing, else confirm."""
    service_type = tracker.get_slot("service_type") or next(
        tracker.get_latest_entity_values("service_type"), None)
    body = {"person": tracker.sender_id, "text": _text(tracker) if text is None else text,
            "language": tracker.get_slot("language") or "en",
            "country": country or tracker.get_slot("country"),
            "country_hint": _country_hint(tracker),
            "place": tracker.get_slot("location"), "service_type": service_type,
            "draft": tracker.get_slot("reminder_draft")}
    try:
        found = await request("POST", "/v1/reminders/draft", json=body, internal=True)
    except (AppRejected, AppUnavailable):
        return _unavailable(dispatcher)
    events: List[EventType] = [SlotSet("reminder_draft", found["draft"])]
    if found["missing"] == "time":
        dispatcher.utter_message(response="utter_reminder_ask_time")
        return events + [SlotSet("menu", "reminder_time")]
    if found["missing"] == "country":
        dispatcher.utter_message(response="utter_ask_country")
        return events + [SlotSet("menu", "reminder_country")]
    dispatcher.utter_message(response="utter_reminder_confirm", **found["summary"])
    return events + [SlotSet("menu", "reminder_confirm")]


async def confirm(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """YES to the confirmation: the plan starts (and the connector keeps her number)."""
    body = {"person": tracker.sender_id, "draft": tracker.get_slot("reminder_draft") or {},
            "language": tracker.get_slot("language") or "en", "channel": _channel(tracker)}
    try:
        created = await request("POST", "/v1/reminders", json=body, internal=True)
    except AppRejected:
        return await read_draft(dispatcher, tracker, text="")
    except AppUnavailable:
        return _unavailable(dispatcher)
    dispatcher.utter_message(response="utter_reminder_set", **created["summary"])
    return [SlotSet("reminder_draft", None), SlotSet("menu", "main")]


def cancel(dispatcher: CollectingDispatcher) -> List[EventType]:
    dispatcher.utter_message(response="utter_reminder_cancelled")
    return [SlotSet("reminder_draft", None), SlotSet("menu", "main")]


async def record_answer(dispatcher: CollectingDispatcher, tracker: Tracker,
                        answer: str) -> List[EventType]:
    """"OK"/"taken", "1" or "2" to a reminder or check-in."""
    language = tracker.get_slot("language") or "en"
    try:
        result = await request("POST", f"/v1/reminders/{tracker.sender_id}/answer",
                               json={"answer": answer, "language": language}, internal=True)
    except (AppRejected, AppUnavailable):
        result = {"recorded": False, "has_plan": False}
    if answer == "taken":
        dispatcher.utter_message(response="utter_dose_noted" if result.get("has_plan")
                                 else "utter_thanks")
        return [SlotSet("menu", "main")]
    if answer == "ok":
        dispatcher.utter_message(response="utter_checkin_ok")
        return [SlotSet("menu", "main")]
    if not result.get("followup_id"):  # the app is down: no one would see her request
        from .contacts import hotline_for

        dispatcher.utter_message(response="utter_directory_unavailable", hotline=await hotline_for(
            tracker.get_slot("country"), language))
        return [SlotSet("menu", "main")]
    return await offer_help(dispatcher, tracker, result)


async def offer_help(dispatcher: CollectingDispatcher, tracker: Tracker,
                     result: Dict[str, Any]) -> List[EventType]:
    """"2, I need help": the nearest service for her treatment, the help line, and
    what she wants the NGO to know (a number, never free text)."""
    if result.get("place"):
        try:
            found = await request("GET", "/v1/services/search", params={
                "near": result["place"], "service_type": result.get("service_type"),
                "country": result.get("country"), "limit": 1,
                "lang": tracker.get_slot("language")})
            if found.get("results"):
                dispatcher.utter_message(
                    response="utter_services_found", services=found["results"],
                    place=result["place"], service_type=result.get("service_type"),
                    offset=0, widened=bool(found.get("widened")),
                    radius_km=found.get("radius_km"), has_more=False)
        except (AppRejected, AppUnavailable):
            log.warning("no service search for a check-in answer")
    line = result.get("help_line") or {}
    dispatcher.utter_message(response="utter_checkin_help", line_name=line.get("name"),
                             line_phone=line.get("phone") or line.get("whatsapp"))
    return [SlotSet("menu", "followup_reason"), SlotSet("followup_id", result.get("followup_id"))]


async def record_reason(dispatcher: CollectingDispatcher, tracker: Tracker,
                        option: Optional[str]) -> List[EventType]:
    reason = options.pick(FOLLOWUP_REASONS, option)
    followup = tracker.get_slot("followup_id")
    if reason is None or not followup:
        dispatcher.utter_message(response="utter_menu")
        return [SlotSet("menu", "main")]
    try:
        await request("POST", f"/v1/reminders/followups/{followup}/reason",
                      json={"reason": reason}, internal=True)
    except (AppRejected, AppUnavailable):
        return _unavailable(dispatcher)
    dispatcher.utter_message(response="utter_followup_noted")
    return [SlotSet("menu", "main"), SlotSet("followup_id", None)]


class ActionSetReminder(Action):
    """set_reminder: start or continue setting one up (a time alone continues it)."""

    def name(self) -> Text:
        return "action_set_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return await read_draft(dispatcher, tracker)


class ActionChangeReminder(Action):
    """change_reminder / stop_reminder: new time, pause, resume, or stop for good."""

    def name(self) -> Text:
        return "action_change_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        stopping = tracker.get_intent_of_latest_message() == "stop_reminder"
        if tracker.get_slot("menu") in SETTING_UP and not stopping:
            return await read_draft(dispatcher, tracker)  # still setting it up
        try:
            outcome = await request(
                "POST", f"/v1/reminders/{tracker.sender_id}/change", internal=True,
                json={"text": _text(tracker), "language": tracker.get_slot("language"),
                      "default": "stop" if stopping else None})
        except (AppRejected, AppUnavailable):
            return _unavailable(dispatcher)
        result = outcome["result"]
        if result == "no_plan":
            if stopping:
                dispatcher.utter_message(response="utter_reminder_none")
                return []
            return await read_draft(dispatcher, tracker)  # no reminder yet: set one up
        if result == "stopped":
            await forget_contact(tracker.sender_id)
            dispatcher.utter_message(response="utter_reminder_stopped")
            return [SlotSet("menu", "main"), SlotSet("reminder_draft", None)]
        if result == "paused":
            dispatcher.utter_message(response="utter_reminder_paused",
                                     days=outcome.get("paused_days"))
            return []
        response = {"changed": "utter_reminder_changed", "resumed": "utter_reminder_resumed"}
        dispatcher.utter_message(response=response.get(result, "utter_reminder_unclear"),
                                 **outcome.get("summary", {}))
        return []


class ActionDoseTaken(Action):
    def name(self) -> Text:
        return "action_dose_taken"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return await record_answer(dispatcher, tracker, "taken")


async def after_move(dispatcher: CollectingDispatcher, tracker: Tracker,
                     country: Optional[str], place: Optional[str]) -> None:
    """She moved: her reminder follows her new clock, and she is told so."""
    try:
        moved = await request("POST", f"/v1/reminders/{tracker.sender_id}/move",
                              json={"country": country, "place": place}, internal=True)
    except (AppRejected, AppUnavailable):
        return
    if moved.get("moved"):
        dispatcher.utter_message(response="utter_reminder_moved", **moved["summary"])


async def forget_contact(pseudonym: str) -> None:
    """Reminders stopped: the vault forgets her number (the connector does too)."""
    from .privacy import erase_vault_entry

    try:
        await erase_vault_entry(pseudonym)
    except Exception as error:  # the connector forgets it on the reply as well
        log.warning("vault entry not erased here (%s)", type(error).__name__)
