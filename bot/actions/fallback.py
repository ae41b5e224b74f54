"""Two-stage fallback: first ask to rephrase, then show the menu; but never for a
message that said what it is about.

Counting consecutive misunderstandings from the tracker keeps no extra state: a
person who keeps failing gets the numbered menu, which works on any phone.
A long message that names a country, a place, a service or her situation and whose
question the classifier was unsure of ("I registered in 2019 but the card expired, I
have HIV, the ARVs free or do I pay?") is not "not understood": it is answered by the
most likely of the question intents, since asking her to rephrase everything she
wrote is worse than an answer about what she named.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .options import topic_of_intent
from .rights import TOPIC_INTENTS, ActionAnswerRights, ActionMovingCountry
from .safety import ActionEmergency

FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}
# What a rescued message is answered by: an action run here, or the search form.
RESCUE_ACTIONS = {**{intent: ActionAnswerRights for intent in TOPIC_INTENTS},
                  "emergency": ActionEmergency, "moving_country": ActionMovingCountry}
RESCUE_FORM_INTENT = "find_service"
CONTENT_ENTITIES = {"service_type", "country", "location", "situation", "condition", "urgent"}
RESCUE_MIN_CONFIDENCE = 0.15


def rescued_intent(tracker: Tracker) -> Optional[str]:
    """The question intent to answer a misunderstood message with, if it named what
    it is about; None for short or empty messages (they get the rephrase prompt)."""
    message = tracker.latest_message or {}
    if len((message.get("text") or "").split()) < 5:
        return None
    if not any(e.get("entity") in CONTENT_ENTITIES for e in message.get("entities") or []):
        return None
    for item in message.get("intent_ranking") or []:
        name = item.get("name")
        if name in RESCUE_ACTIONS or name == RESCUE_FORM_INTENT:
            return name if item.get("confidence", 0) >= RESCUE_MIN_CONFIDENCE else None
    return None


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
        intent = rescued_intent(tracker)
        if intent == RESCUE_FORM_INTENT:
            return [FollowupAction("service_search_form")]  # the form asks, then listens
        if intent:
            # Answered here, not by a FollowupAction: after a followup the rule for
            # nlu_fallback would run this action again, and again.
            events: List[Dict[Text, Any]] = []
            if intent in TOPIC_INTENTS:
                events.append(SlotSet("pending_topic", topic_of_intent(intent)))
                tracker.add_slots(events)
            return events + await RESCUE_ACTIONS[intent]().run(dispatcher, tracker, domain)
        if consecutive_fallbacks(tracker) == 1:
            dispatcher.utter_message(response="utter_ask_rephrase")
        else:
            dispatcher.utter_message(response="utter_default")
            dispatcher.utter_message(response="utter_menu")
        return []
