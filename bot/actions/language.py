"""Language choice: confirm a named language, or offer the numbered language menu."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionChooseLanguage(Action):
    """"kreyòl" switches (the slot is already set from the entity); "change language" asks."""

    def name(self) -> Text:
        return "action_choose_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        named = [e for e in tracker.latest_message.get("entities", [])
                 if e.get("entity") == "language" and e.get("extractor") != "LanguageDetector"]
        if named:
            dispatcher.utter_message(response="utter_language_set")
            return []
        dispatcher.utter_message(response="utter_language_menu")
        return [SlotSet("menu", "language")]
