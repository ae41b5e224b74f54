"""Emergencies, a person to talk to, and reports of discrimination."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import options
from .api import AppRejected, AppUnavailable, request
from .contacts import FALLBACK_HOTLINE, contact_texts, contacts_for, country_hint


class ActionEmergency(Action):
    """The country's emergency and support numbers at once, whatever was going on."""

    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        country = (next(tracker.get_latest_entity_values("country"), None)
                   or tracker.get_slot("country") or country_hint(tracker))
        contacts = await contacts_for(country)
        emergency = contact_texts(contacts, "emergency")
        if not emergency:
            dispatcher.utter_message(response="utter_emergency_unknown_country")
        else:
            dispatcher.utter_message(response="utter_emergency", emergency=", ".join(emergency))
        support = contact_texts(contacts, "gbv", "suicide", "mental_health")
        if support:
            dispatcher.utter_message(response="utter_emergency_support", support="; ".join(support))
        return [SlotSet("requested_slot", None)]


class ActionTalkToHuman(Action):
    def name(self) -> Text:
        return "action_talk_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        contacts = await contacts_for(tracker.get_slot("country") or country_hint(tracker))
        reachable = contact_texts(contacts, "ngo_hotline", "regional") or [FALLBACK_HOTLINE]
        dispatcher.utter_message(response="utter_human", hotline="; ".join(reachable[:2]))
        return []


class ValidateReportForm(FormValidationAction):
    """Which service: a number from the last results, or a name as written."""

    def name(self) -> Text:
        return "validate_report_form"

    def validate_report_service(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        results = tracker.get_slot("last_results") or []
        if str(value).isdigit():
            offset = int(tracker.get_slot("results_offset") or 0)
            index = int(value) - 1 - offset if int(value) > offset else int(value) - 1
            if 0 <= index < len(results):
                return {"report_service": f"id:{results[index]['id']}"}
            return {"report_service": None}
        text = str(value or "").strip()
        return {"report_service": text[:200] or None}

    def validate_report_details(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "").strip()
        return {"report_details": text[:2000] or None}


class ActionSubmitReport(Action):
    """Send the report to the curating NGO's queue; thank the person, offer others."""

    def name(self) -> Text:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        chosen = tracker.get_slot("report_service") or ""
        service_id = chosen[3:] if chosen.startswith("id:") else None
        if not service_id and not chosen.strip():
            chosen = "unknown"
        body = {
            "pseudonym": tracker.sender_id,
            "service_id": service_id,
            "service_name": None if service_id else chosen,
            "description": tracker.get_slot("report_details") or "",
            "country": tracker.get_slot("country"),
            "language": tracker.get_slot("language") or "en",
        }
        try:
            await request("POST", "/v1/reports", json=body, internal=True)
        except (AppRejected, AppUnavailable):
            dispatcher.utter_message(response="utter_service_unavailable")
            return [SlotSet("report_service", None), SlotSet("report_details", None)]
        dispatcher.utter_message(response="utter_report_thanks")
        return [SlotSet("report_service", None), SlotSet("report_details", None),
                SlotSet("menu", "main")]
