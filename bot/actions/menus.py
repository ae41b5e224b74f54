"""Numbered SMS menus: show the main menu, and turn "1", "2", MORE, YES/NO into
what they meant given the menu or question last shown (slot `menu`)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (ActionExecuted, EventType, SlotSet,
                             UserUttered, UserUtteranceReverted)
from rasa_sdk.executor import CollectingDispatcher

from . import options, reminders

PAGE_SIZE = 3


def act_as_if_user_said(intent: str, entities: Optional[List[Dict[str, Any]]] = None) -> List[EventType]:
    """Replace the last user message by `intent`, so rules for it apply as if typed.

    The same events Rasa's own rephrasing uses: revert the number, listen, utter the intent.
    """
    return [
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        UserUttered(text=f"/{intent}",
                    parse_data={"intent": {"name": intent, "confidence": 1.0},
                                "entities": entities or [], "text": f"/{intent}"}),
    ]


def latest_option(tracker: Tracker) -> Optional[str]:
    value = next(tracker.get_latest_entity_values("option"), None)
    return str(value) if value is not None else None


class ActionShowMenu(Action):
    def name(self) -> Text:
        return "action_show_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_menu")
        return [SlotSet("menu", "main")]


class ActionChooseOption(Action):
    """Dispatch a menu choice; an unclear one repeats the menu it answered."""

    def name(self) -> Text:
        return "action_choose_option"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        option = latest_option(tracker)
        menu = tracker.get_slot("menu") or "main"
        if menu in reminders.REMINDER_MENUS:
            return await _reminder_option(dispatcher, tracker, menu, option)
        if menu == "language":
            language = options.pick(options.LANGUAGE_MENU, option)
            if language:
                dispatcher.utter_message(response="utter_language_set", language=language)
                return [SlotSet("language", language), SlotSet("menu", "main")]
            dispatcher.utter_message(response="utter_language_menu")
            return []
        if menu == "results":
            if option == "more":
                from .directory import search_and_reply

                offset = int(tracker.get_slot("results_offset") or 0) + PAGE_SIZE
                return await search_and_reply(dispatcher, tracker, offset=offset)
            if option == options.REPORT_OPTION:
                return act_as_if_user_said("report_discrimination")
        intent = options.pick(options.MAIN_MENU, option)
        if intent is None:
            dispatcher.utter_message(response="utter_menu")
            return [SlotSet("menu", "main")]
        return act_as_if_user_said(intent)


class ActionHandleYesNo(Action):
    """YES/NO answers the last yes-no question; out of context it shows the menu."""

    def name(self) -> Text:
        return "action_handle_yes_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        yes = tracker.get_intent_of_latest_message() == "affirm"
        menu = tracker.get_slot("menu")
        if menu == "reminder_confirm":
            if yes:
                return await reminders.confirm(dispatcher, tracker)
            return reminders.cancel(dispatcher)
        if menu in ("dose_reminder", "checkin") and yes:  # "OK" to a reminder or check-in
            return await reminders.record_answer(
                dispatcher, tracker, "taken" if menu == "dose_reminder" else "ok")
        if menu == "confirm_delete":
            if yes:
                from .privacy import delete_person

                return await delete_person(dispatcher, tracker)
            dispatcher.utter_message(response="utter_delete_cancelled")
            return [SlotSet("menu", "main")]
        dispatcher.utter_message(response="utter_menu")
        return [SlotSet("menu", "main")]


async def _reminder_option(dispatcher: CollectingDispatcher, tracker: Tracker, menu: str,
                           option: Optional[str]) -> List[EventType]:
    """A number answering a reminder's question: her country, or a check-in's 1 / 2."""
    if menu == "reminder_country":
        country = options.pick(options.COUNTRY_MENU, option)
        if country:
            return [SlotSet("country", country)] + await reminders.read_draft(
                dispatcher, tracker, country=country, text="")
    if menu in ("checkin", "dose_reminder") and option in ("1", "2"):
        return await reminders.record_answer(dispatcher, tracker,
                                             "ok" if option == "1" else "problem")
    if menu == "followup_reason":
        return await reminders.record_reason(dispatcher, tracker, option)
    dispatcher.utter_message(response="utter_menu")
    return [SlotSet("menu", "main")]
