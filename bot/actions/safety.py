"""Emergencies, a person to talk to, and reports of discrimination."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .api import AppRejected, AppUnavailable, request
from .contacts import (FALLBACK_HOTLINE, HELP_KINDS, contact_texts, contacts_for, country_hint,
                       first_of_each)
from .rights import asked_country


# What needs care within hours, and the entitlement whose guidance says where to go.
URGENT_CARE_ENTRY = {"sexual_violence": "gbv_care", "condom_broke": "pep", "needle": "pep",
                     "exposure": "pep"}


def urgent_exposure(tracker: Tracker) -> Optional[str]:
    """The urgent exposure this message tells of (PhraseSpotter's `urgent` entity), or
    `exposure` when an emergency names PEP itself."""
    urgent = next(tracker.get_latest_entity_values("urgent"), None)
    if urgent:
        return urgent
    if "pep" in tracker.get_latest_entity_values("service_type"):
        return "exposure"
    return None


Json = Dict[str, Any]


async def care_statement(country: str, service_type: str, topic: str, language: str,
                         situation: Optional[str] = None) -> Tuple[Json, Json]:
    """The country's access statement for a service (for her situation when it has one)
    and the country's contacts; both empty when the app cannot say."""
    params = {"country": country, "service_type": service_type, "topic": topic,
              "lang": language}
    if situation:
        params["situation"] = situation
    try:
        body = await request("GET", "/v1/entitlements", params=params)
    except (AppRejected, AppUnavailable):
        return {}, {}
    access = next((e for e in body.get("entries") or [] if e.get("topic") == "access"), {})
    return access, body.get("contacts") or {}


async def urgent_care_reply(dispatcher: CollectingDispatcher, country: Optional[str],
                            urgent: str, language: str,
                            situation: Optional[str] = None,
                            asked: Optional[str] = None) -> None:
    """PEP within 72 hours (and emergency contraception), the numbers, where to go: for
    her situation when the country has an entry for it (just out of the Darién, the
    health post of the migration station)."""
    care = cost = None
    lines: List[str] = []
    if country:
        access, contacts = await care_statement(country, URGENT_CARE_ENTRY[urgent], "cost",
                                                language, situation)
        care, cost = access.get("how_to_access"), access.get("cost")
        kinds = ("gbv", "emergency") if urgent == "sexual_violence" else ("emergency", "health_line")
        lines = first_of_each(contacts, kinds)
    if not lines:
        lines = first_of_each(await contacts_for(None, language), ("emergency", "regional"))
    dispatcher.utter_message(response="utter_urgent_care", urgent=urgent, care=care,
                             cost=cost, lines="; ".join(lines), asked=asked)


class ActionEmergency(Action):
    """The country's emergency and support numbers at once, whatever was going on; after
    a rape, a broken condom or a needle injury, the 72-hour answer first."""

    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        country = await asked_country(tracker) or country_hint(tracker)
        urgent = urgent_exposure(tracker)
        if urgent:
            await urgent_care_reply(dispatcher, country, urgent,
                                    tracker.get_slot("language") or "en",
                                    next(tracker.get_latest_entity_values("situation"), None),
                                    asked=next(tracker.get_latest_entity_values("asks"), None))
            return [SlotSet("requested_slot", None), SlotSet("country", country)]
        contacts = await contacts_for(country, tracker.get_slot("language"))
        emergency = contact_texts(contacts, "emergency") if country else []
        if not emergency:
            dispatcher.utter_message(response="utter_emergency_unknown_country")
        else:
            dispatcher.utter_message(response="utter_emergency", emergency=", ".join(emergency))
            # "bleeding, 7 months pregnant, no papers: where do we go?": where, and
            # whether papers matter, from the country's emergency-care statement
            access, _ = await care_statement(
                country, "emergency_care", "rights", tracker.get_slot("language") or "en",
                next(tracker.get_latest_entity_values("situation"), None))
            if access.get("how_to_access"):
                dispatcher.utter_message(response="utter_emergency_care",
                                         care=access["how_to_access"])
        support = contact_texts(contacts, "gbv", "suicide", "mental_health", "regional")
        if support:
            dispatcher.utter_message(response="utter_emergency_support", support="; ".join(support))
        return [SlotSet("requested_slot", None)]


class ActionTalkToHuman(Action):
    def name(self) -> Text:
        return "action_talk_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        contacts = await contacts_for(await asked_country(tracker) or country_hint(tracker),
                                      tracker.get_slot("language"))
        reachable = contact_texts(contacts, *HELP_KINDS) or [FALLBACK_HOTLINE]
        dispatcher.utter_message(response="utter_human", hotline="; ".join(reachable[:2]))
        return []


class ValidateReportForm(FormValidationAction):
    """Which service: a number from the last results, or a name as written."""

    def name(self) -> Text:
        return "validate_report_form"

    async def extract_report_service(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        """"Clínica San José de Cúcuta": a clinic's name reads like a search to the NLU (a
        kind of place, a city); while the form waits for the name, a message that names
        no service is that name, not a new search."""
        if tracker.get_slot("requested_slot") != "report_service" \
                or tracker.get_intent_of_latest_message() not in ("find_service",
                                                                  "inform_location") \
                or any(True for _ in tracker.get_latest_entity_values("service_type")):
            return {}
        text = (tracker.latest_message.get("text") or "").strip()
        return {"report_service": text[:200]} if text else {}

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
