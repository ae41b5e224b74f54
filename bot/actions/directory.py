"""Finding care: the search form, its validation, and the search itself."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.components.folding import fold

from . import options
from .api import (AppRejected, AppUnavailable, country_in_text, places_in_text, request,
                  resolve_place)
from .contacts import country_hint, hotline_for

PAGE_SIZE = 3


def _location_from_pin(tracker: Tracker) -> Optional[Dict[str, float]]:
    """Coordinates of a WhatsApp pin: in the message metadata or as entities."""
    metadata = tracker.latest_message.get("metadata") or {}
    lat = metadata.get("latitude", next(tracker.get_latest_entity_values("latitude"), None))
    lon = metadata.get("longitude", next(tracker.get_latest_entity_values("longitude"), None))
    try:
        return {"latitude": float(lat), "longitude": float(lon)} if lat is not None and lon is not None else None
    except (TypeError, ValueError):
        return None


def search_params(tracker: Tracker, offset: int = 0,
                  situation: Optional[str] = None) -> Dict[str, Any]:
    """The search the conversation asks for, by coordinates: a pin's, or those of the
    place the form resolved. No country filter: near a border, both sides count."""
    params: Dict[str, Any] = {
        "service_type": tracker.get_slot("service_type"),
        "lang": tracker.get_slot("language") or "en",
        "limit": PAGE_SIZE,
        "offset": offset,
    }
    if tracker.get_slot("latitude") is not None and tracker.get_slot("longitude") is not None:
        params["lat"] = tracker.get_slot("latitude")
        params["lon"] = tracker.get_slot("longitude")
    else:
        params["near"] = tracker.get_slot("location")
    if situation == "irregular":
        params["serves_undocumented"] = True
        params["free_of_charge"] = True
    return params


async def search_and_reply(dispatcher: CollectingDispatcher, tracker: Tracker,
                           offset: int = 0) -> List[EventType]:
    """Search, answer with the nearest services (or why there are none), remember them.

    When the person said they have no papers, only services that serve undocumented
    people free of charge are listed, followed by what they are entitled to there.
    """
    from .rights import country_so_far

    country = country_so_far(tracker)
    language = tracker.get_slot("language")
    situation = tracker.get_slot("situation") or _situation_in_this_conversation(tracker)
    try:
        found = await request("GET", "/v1/services/search",
                              params=search_params(tracker, offset, situation))
    except AppRejected:
        dispatcher.utter_message(response="utter_unknown_place",
                                 location=tracker.get_slot("location") or "")
        return [SlotSet("location", None), FollowupAction("service_search_form")]
    except AppUnavailable:
        dispatcher.utter_message(response="utter_directory_unavailable",
                                 hotline=await hotline_for(country, language))
        return []
    results = found.get("results") or []
    resolved = (found.get("query") or {}).get("place") or {}
    place = resolved.get("name") or tracker.get_slot("location") or ""
    place_country = resolved.get("country") or country
    events: List[EventType] = []
    # "¿los ARV son gratis? vivo en Santiago": what she asked comes first, in the first
    # SMS page, and the places follow (MORE); "¿dónde ... gratis?" asks where first
    rights_first = offset == 0 and bool(place_country) and _asks_about_rights(tracker) \
        and not _WHERE.search(fold(tracker.latest_message.get("text") or ""))
    if rights_first:
        events += await _rights_after_search(dispatcher, tracker, place_country, situation)
    if not results:
        if offset:
            dispatcher.utter_message(response="utter_no_more_services")
            return [SlotSet("menu", "main")]
        dispatcher.utter_message(response="utter_no_services_near", place=place,
                                 hotline=await hotline_for(place_country, language))
        events += [SlotSet("menu", "main"), SlotSet("country", place_country)]
        if place_country and not rights_first:  # nothing near: her rights still help
            events += await _rights_after_search(dispatcher, tracker, place_country, situation)
        return events
    has_more = bool(found.get("has_more"))
    dispatcher.utter_message(
        response="utter_services_found", services=results, place=place,
        service_type=tracker.get_slot("service_type"), offset=offset,
        widened=bool(found.get("widened")), radius_km=found.get("radius_km"),
        has_more=has_more,
    )
    remembered = [{"id": r.get("service_id"), "name": r.get("name")} for r in results]
    events += [
        SlotSet("last_results", remembered), SlotSet("results_offset", float(offset)),
        SlotSet("country", place_country)]
    if offset == 0 and place_country and situation and not rights_first:
        events += await _rights_after_search(dispatcher, tracker, place_country, situation)
    return events + [SlotSet("menu", "results")]


def _asks_about_rights(tracker: Tracker) -> bool:
    """Whether the message that asked where also asks whether she can, or what it costs
    ("¿me pueden hacer la prueba gratis?"): the cost cue, or a rights intent close behind
    the search."""
    if any(True for _ in tracker.get_latest_entity_values("asks")):
        return True
    ranking = tracker.latest_message.get("intent_ranking") or []
    return any(item.get("name") in RIGHTS_INTENTS and item.get("confidence", 0) >= 0.2
               for item in ranking[1:3])


async def _rights_after_search(dispatcher: CollectingDispatcher, tracker: Tracker,
                               country: str, situation: Optional[str]) -> List[EventType]:
    """What she may get there, for her situation, after the places (or their absence)."""
    from .rights import answer_entitlements

    shadow = tracker.copy()
    shadow.slots.update({"situation": situation, "country": country})
    events: List[EventType] = [SlotSet("situation", situation)] if situation else []
    return events + await answer_entitlements(dispatcher, shadow, country, "rights",
                                              ask_situation=False)


RIGHTS_INTENTS = {"ask_rights", "ask_cost", "ask_documents"}
# "where" in the five languages (accent-free): a question that asks where gets the places
# first, whatever else it asks
_WHERE = re.compile(r"\b(donde|where|ou|kote|ki bo|onde|cerca|near|nearest|perto|proche|pre)\b")


def _situation_in_this_conversation(tracker: Tracker) -> Optional[str]:
    """The no-papers hint from any message of this session (texts are not stored)."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") == "user":
            hint = options.situation_hint(event.get("text"))
            if hint:
                return hint
    return None


class ActionSearchServices(Action):
    def name(self) -> Text:
        return "action_search_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return await search_and_reply(dispatcher, tracker)


class ActionHandleLocation(Action):
    """A typed place or a WhatsApp pin: through the search form, which resolves the
    place (or offers a choice) and asks what for when that is not known yet."""

    def name(self) -> Text:
        return "action_handle_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        from .reminders import SETTING_UP, read_draft

        if tracker.get_slot("menu") in SETTING_UP:
            # "estoy en Cúcuta" while setting a reminder: where her clock is
            return await read_draft(dispatcher, tracker)
        pin = _location_from_pin(tracker)
        if pin:
            return [SlotSet("latitude", pin["latitude"]), SlotSet("longitude", pin["longitude"]),
                    SlotSet("location", None), FollowupAction("service_search_form")]
        return [SlotSet("latitude", None), SlotSet("longitude", None),
                FollowupAction("service_search_form")]


class ActionAskLocation(Action):
    """"Where are you?", unless the place she just gave has namesakes and the numbered
    choice of them already asks it ("Which San Fernando? 1 ... 2 ...")."""

    def name(self) -> Text:
        return "action_ask_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                break
            if (event.get("metadata") or {}).get("utter_action") == "utter_place_choices":
                return []
        dispatcher.utter_message(response="utter_ask_location")
        return []


class ValidateServiceSearchForm(FormValidationAction):
    """Numbers pick a service type or a place; a pin or a known place fills location."""

    def name(self) -> Text:
        return "validate_service_search_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        """A pin sent while the form asks something is where she is: it replaces any
        typed place before the form decides what to ask next."""
        pin = _location_from_pin(tracker)
        if not pin:
            return await super().run(dispatcher, tracker, domain)
        events: List[EventType] = [SlotSet("latitude", pin["latitude"]),
                                   SlotSet("longitude", pin["longitude"]),
                                   SlotSet("location", None), SlotSet("place_choices", None)]
        tracker.add_slots(events)
        return events + await super().run(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if tracker.get_slot("latitude") is not None and tracker.get_slot("longitude") is not None:
            return [slot for slot in domain_slots if slot != "location"]
        return domain_slots

    async def extract_location(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        """"¿dónde me hago la prueba en Colón?": a place the NLU did not tag, found in
        the message that asks where, so she is not asked where she is."""
        if tracker.get_slot("location") or tracker.get_slot("requested_slot") == "location" \
                or _location_from_pin(tracker) \
                or any(True for _ in tracker.get_latest_entity_values("location")) \
                or tracker.get_intent_of_latest_message() != "find_service":
            return {}
        try:
            named = await places_in_text(tracker.latest_message.get("text"))
        except AppUnavailable:
            return {}
        return {"location": named[0]["name"]} if named else {}

    async def extract_service_type(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        """"Ma femme est enceinte, où faire un contrôle ?": with no service named, a
        pregnancy she tells of asks for pregnancy care."""
        if tracker.get_slot("service_type") or tracker.get_slot("requested_slot") not in (
                None, "service_type"):
            return {}
        if "pregnant" in tracker.get_latest_entity_values("situation"):
            return {"service_type": "prenatal_care"}
        return {}

    def validate_service_type(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if isinstance(value, list):  # two service types in one message: the first known
            value = next((v for v in value if v in options.SERVICE_TYPES), None)
        chosen = options.pick(options.SERVICE_TYPE_MENU, value) if str(value).isdigit() else value
        if chosen in options.SERVICE_TYPES:
            return {"service_type": chosen}
        return {"service_type": None}

    async def validate_location(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if _location_from_pin(tracker):  # the pin's own text is not a place name
            return {"location": None}
        choices = tracker.get_slot("place_choices") or []
        if str(value).isdigit() and choices:
            chosen = options.pick(choices, value)
            if chosen:
                return _place_slots(chosen)
        if not value or str(value).isdigit():
            return {"location": None}
        # The country she named, else the conversation's, else that of a place in her
        # message ("Colón" alone is Panama's), else the phone's, breaks ties between
        # places of the same name ("San Fernando, Trinidad").
        try:
            country = (next(tracker.get_latest_entity_values("country"), None)
                       or tracker.get_slot("country")
                       or await country_in_text(tracker.latest_message.get("text"))
                       or country_hint(tracker))
            found = await resolve_place(value, country)
            if found["status"] == "not_found":
                # "estoy en Turbo, Kolonbi": a whole answer, with a place in it
                named = await places_in_text(str(value))
                if named:
                    found = await resolve_place(named[0]["name"], named[0].get("country"))
        except AppUnavailable:
            return {"location": value}
        if found["status"] == "not_found":
            dispatcher.utter_message(response="utter_unknown_place", location=value)
            return {"location": None}
        if found["status"] == "ambiguous":
            dispatcher.utter_message(response="utter_place_choices", location=value,
                                     choices=found["choices"])
            return {"location": None, "place_choices": found["choices"]}
        return _place_slots(found["place"])


def _place_slots(place: Dict[str, Any]) -> Dict[Text, Any]:
    """A resolved place fills the location, its country and the search coordinates."""
    return {"location": place["name"], "country": place.get("country"),
            "latitude": place.get("latitude"), "longitude": place.get("longitude"),
            "place_choices": None}
