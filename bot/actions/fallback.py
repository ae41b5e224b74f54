"""Two-stage fallback: first ask to rephrase, then show the menu.

Counting consecutive misunderstandings from the tracker keeps no extra state: a
person who keeps failing gets the numbered menu, which works on any phone.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many user messages in a row (latest included) were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent not in FALLBACK_INTENTS:
            break
        count += 1
    return max(count, 1)


class ActionFallback(Action):
    """Rephrase on the first miss, the menu on the second and later ones."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if consecutive_fallbacks(tracker) == 1:
            dispatcher.utter_message(response="utter_ask_rephrase")
        else:
            dispatcher.utter_message(response="utter_default")
            dispatcher.utter_message(response="utter_menu")
        return []
