"""Rights, cost, documents, confidentiality, and moving country: answers specific to
the person's country, asking the country, and the migration situation only when the
answer depends on it (the situation is never kept beyond the conversation)."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.components.folding import fold

from . import options
from .countries import countries_in, country_code
from .api import (AppRejected, AppUnavailable, country_in_text, country_of_place, request,
                  resolve_place)
from .contacts import first_of_each, hotline_for

TOPIC_INTENTS = {"ask_rights", "ask_cost", "ask_documents", "ask_confidentiality"}


def _current_topic(tracker: Tracker) -> str:
    intent = tracker.get_intent_of_latest_message()
    if intent in TOPIC_INTENTS:
        return options.topic_of_intent(intent)
    return tracker.get_slot("pending_topic") or "rights"


def _latest(tracker: Tracker, entity: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(entity), None)


def _previous_user_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the message before the latest one, in this session."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") == "user":
            seen += 1
            if seen == 2:
                return (event.get("parse_data") or {}).get("intent", {}).get("name")
    return None


def asked_service_type(tracker: Tracker) -> Optional[str]:
    """The service this question is about: named in it; else, when it answers a form
    or follows a rights answer ("¿y es gratis?"), the one asked before; else none
    (a new question about care in general must not inherit an earlier search's service).
    """
    named = next((value for value in tracker.get_latest_entity_values("service_type")
                  if value in options.ENTITLEMENT_SERVICE_TYPES), None)
    if named:
        return named
    # "tengo VIH, ¿me atienden sin papeles?": the care her condition needs (before a
    # service kept from an earlier question: "m gen VIH ... grenn yo gratis?" after a
    # question about the test is about the treatment)
    condition = _latest(tracker, "condition")
    if condition in options.ENTITLEMENT_SERVICE_TYPES:
        return condition
    intent = tracker.get_intent_of_latest_message()
    if intent not in TOPIC_INTENTS or _previous_user_intent(tracker) in TOPIC_INTENTS:
        earlier = tracker.get_slot("service_type")
        if earlier:
            return earlier
    if _latest(tracker, "situation") == "pregnant":
        return "prenatal_care"
    return None


# "vengo de Venezuela", "I'm from Venezuela", "soti Ayiti": the country she comes from
# (folded text before the country's name); "ciudad de Panamá" is not an origin
_ORIGIN = re.compile(
    r"(?:\b(?:vengo|venimos|vine|vinimos|llegue|llegamos|llegad[oa]s?|sali|salimos|soy|somos|"
    r"viene|vienen|venezolan[oa]s?)\s+(?:de|desde)|\bdesde|\bfrom|"
    r"\b(?:viens|venons|venu|venue|arrivee?s?|suis)\s+(?:de|du|d)|\bsoti(?:\s+nan)?|"
    r"\b(?:vim|viemos|cheguei|chegamos|sou|somos)\s+(?:de|da|do)|"
    # where she lived before ("morei 5 anos no Brasil", "I lived in Chile"), not where she is
    r"\b(?:morei|moramos|morava|moravam|vivi|vivimos|viviamos|vivia|vivian|lived|"
    r"(?:ai|avons|avait|avaient) vecu|te rete)(?:\s+\w+){0,4}?\s+(?:no|na|em|en|in|au|aux|a|nan))"
    r"\s+(?:la\s+|el\s+)?$")
# Where she says she is now, which wins over every other country the message names
# ("morei no Brasil ... agora tô em Santiago do Chile ... no Brasil pegava o remédio").
_HERE = re.compile(r"\b(?:agora|ahora|now|kounye a|konnya|maintenant|actualmente|atualmente)"
                   r"\b[^.?!]{0,30}?\b(?:em|en|in|nan|a|au|aux|no|na)\s+(?:[a-z]+\s+){0,3}$")


# A card, number or insurance of a health or migration system: a papers question that
# names one is about joining the system.
_SYSTEM_WORDS = re.compile(
    r"\b(cpf|rut|run|curp|sis|eps|sus|fonasa|senasa|imss|sisben|carte|cartao|carnet|kat|card|"
    r"ppt|rnm|crnm|protocol\w*|protokol|inscri\w*|afili\w*|enskri\w*|cadastr\w*|register\w*)\b")


def _origins(tracker: Tracker) -> List[str]:
    """The countries this message says she comes from."""
    return [code for code, before in countries_in(tracker.latest_message.get("text"))
            if _ORIGIN.search(before)]


def country_so_far(tracker: Tracker, origins: Optional[List[str]] = None) -> Optional[str]:
    """The conversation's country, unless this message set it to where she comes from
    ("she from venezuela" fills the slot from its entity): then the one it held before.
    `origins`: this message's, when the caller has them already."""
    country = tracker.get_slot("country")
    if country not in (_origins(tracker) if origins is None else origins):
        return country
    user_seen = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_seen = True
        elif user_seen and event.get("event") == "slot" and event.get("name") == "country" \
                and event.get("value") and event.get("value") != country:
            return event["value"]
    return None


def _where_named(tracker: Tracker, origins: List[str]) -> Optional[str]:
    """The country the message names where she is: an entity or any country name in the
    text ("is it free in Peru? moving to Lima from Venezuela"), not where she comes from."""
    mentions = countries_in(tracker.latest_message.get("text"))
    here = [code for code, before in mentions if _HERE.search(before)]
    if here:
        return here[-1]
    named = [value for value in tracker.get_latest_entity_values("country")]
    named += [code for code, _ in mentions]
    return next((value for value in named if value not in origins), None)


async def asked_country(tracker: Tracker) -> Optional[str]:
    """Where she is: the country named in the message (unless a place named in it lies
    in another country of the route), or that of a place named in it (a "country" the
    synonyms do not know, like "Panama City", is a place), or the conversation's."""
    origins = _origins(tracker)
    named = _where_named(tracker, origins)
    code = named if named and len(named) == 2 and named.isalpha() else country_code(named)
    code = code.lower() if code else None
    place = _latest(tracker, "location")
    if code in options.COUNTRY_MENU:
        # a place with no namesake in the country named says where she is ("raped in
        # Ibarra on the way to Peru" is Ecuador); else the country decides ("San
        # Fernando, Trinidad")
        if place:
            try:
                resolved = await resolve_place(place, code)
            except AppUnavailable:
                resolved = {"status": "not_found"}
            elsewhere = (resolved.get("place") or {}).get("country")
            if resolved["status"] == "found" and elsewhere != code \
                    and elsewhere in options.COUNTRY_MENU:
                return elsewhere
        return code
    # a country Puente does not cover is often where she comes from ("recién llegados
    # de Venezuela"): a place of the route in the message says where she is
    place = place or (None if code else named)
    try:
        found = await country_of_place(place) if place else None
        found = found or await country_in_text(tracker.latest_message.get("text"))
    except AppUnavailable:
        found = None
    if found in origins:  # "she from venezuela": where she comes from, not where she is
        found = None
    earlier = country_so_far(tracker, origins)  # the slot is also set by this message
    return found or code or earlier or _only_country_of(tracker)


def _only_country_of(tracker: Tracker) -> Optional[str]:
    """Brazil for a message in Portuguese: it is the only Portuguese-speaking country on
    the route, so asking "which country?" would only cost her an SMS (the answer names
    the country, so she can correct it)."""
    return "br" if tracker.get_slot("language") == "pt" else None


async def _asked_more_broadly(params: Dict[str, Any]) -> Dict[str, Any]:
    """The entitlements question asked again with less in it (the first answer was
    empty); an app that fails now leaves the answer unknown."""
    try:
        return await request("GET", "/v1/entitlements", params=params)
    except (AppRejected, AppUnavailable):
        return {"known": False}


# A paper she names ("¿precisa CPF?", "no tengo RUT", "m pa gen cpf"): when none is
# needed, the answer says so of that paper. One she says she lacks wins, then one she
# asks about; one she only says she has ("tengo el protocolo") is not echoed.
_PAPER = (r"(cpf|rut|run|curp|dni|cedula|pasaporte|passaporte|passport|passeport|paspo|"
          r"carnet de extranjeria|carne de extranjeria|ppt|visa|cartao (do )?sus|carte (du )?sus|"
          r"c?rnm|comprovante( de residencia| de endereco)?|comprobante( de domicilio)?|"
          r"proof of address)")
_LACKED_PAPER = re.compile(r"\b(sin|sem|sans|without|no|nao|pa gen|pa genyen|n'?ai pas( de)?|"
                           r"no tengo( el| la| mi)?|nao tenho( o| a)?|i have no|dont have( a)?|"
                           r"don'?t have( a)?|pas de|ni)( [a-z]+)? " + _PAPER + r"\b")
_ASKED_PAPER = re.compile(r"\b(precisa|precisa de|necesita|necesito|need|needs|besoin d[e']?|bezwen|"
                          r"piden|pide|pidieron|pedem|pede|pediram|exigen|exige|exigiram|require|"
                          r"requires|asked (me )?for|mande|mande m)( (el|la|o|a|de|un|una|yon))? "
                          + _PAPER + r"\b")


def named_paper(text: Optional[str]) -> Optional[str]:
    """The paper she says she lacks or asks about, as a short word ("CPF", "cedula")."""
    folded = fold(text or "")
    found = _LACKED_PAPER.search(folded) or _ASKED_PAPER.search(folded)
    if not found:
        return None
    word = re.search(_PAPER + "$", found.group(0)).group(0)  # the match ends with it
    return word.upper() if len(word) <= 4 else word


async def answer_entitlements(dispatcher: CollectingDispatcher, tracker: Tracker,
                              country: str, topic: str,
                              ask_situation: bool = True) -> List[EventType]:
    """Say what applies in `country` to the service asked (or, with none, to the care
    everyone gets); ask the situation first only when the answer depends on it."""
    asked = asked_service_type(tracker)
    asks = _latest(tracker, "asks")
    if asks == "documents" and topic in ("rights", "cost"):
        topic = "documents"  # "¿necesita el PPT?" asked as a rights question
    if asked is None and topic != "confidentiality" and (
            asks == "enrolment" or topic == "documents"
            and _SYSTEM_WORDS.search(fold(tracker.latest_message.get("text") or ""))):
        # "¿cómo me afilio a una EPS?", "¿hace falta el CPF para el SUS?": how to join the
        # system; "¿me pueden negar el hospital sin papeles?" stays the care everyone gets
        topic = "enrolment"
    general = asked is None and topic not in ("confidentiality", "enrolment")
    situation = (_latest(tracker, "situation") or tracker.get_slot("situation")
                 or options.situation_hint(tracker.latest_message.get("text")))
    params = {"country": country, "service_type": "emergency_care" if general else asked,
              "situation": situation, "topic": topic,
              "lang": tracker.get_slot("language") or "en"}
    try:
        body = await request("GET", "/v1/entitlements", params=params)
    except AppRejected:
        body = {"known": False}
    except AppUnavailable:
        dispatcher.utter_message(response="utter_service_unavailable")
        return []
    if body.get("known") and not body.get("entries") and topic == "enrolment":
        topic = params["topic"] = "documents"
        params["service_type"], general = "emergency_care", True
        body = await _asked_more_broadly(params)
    if body.get("known") and not body.get("entries") and params["situation"]:
        params["situation"] = None
        body = await _asked_more_broadly(params)
        ask_situation = False
    remembered: List[EventType] = [SlotSet("service_type", asked), SlotSet("country", country)]
    if not body.get("known", True) or not body.get("entries"):
        response = ("utter_rights_unknown_country" if not body.get("known", True)
                    else "utter_rights_unknown_service")
        dispatcher.utter_message(response=response, country=country, service_type=asked,
                                 hotline=await hotline_for(country, params["lang"]))
        return remembered + [SlotSet("pending_topic", None)]
    # "¿necesita el PPT?": the papers per situation answer it; otherwise ask hers
    if body.get("depends_on_situation") and not situation and ask_situation \
            and topic != "documents":
        return remembered + [SlotSet("pending_topic", topic), FollowupAction("situation_form")]
    # Care after violence: the numbers to call come first, whatever else was asked
    # ("¿a dónde llamo? ¿me denuncia a migración?")
    lines = (first_of_each(body.get("contacts") or {}, ("emergency", "gbv"))
             if params["service_type"] == "gbv_care" else [])
    also_reported = topic != "confidentiality" and \
        "confidentiality" in tracker.get_latest_entity_values("asks")
    # after violence the numbers to call, in an emergency where to go, still come first
    reported_first = also_reported and not lines and params["service_type"] != "emergency_care"
    if reported_first:
        await _whether_reported(dispatcher, params)
    dispatcher.utter_message(response="utter_entitlements", country=country, topic=topic,
                             service_type=params["service_type"], general=general,
                             said_situation=situation, entries=body["entries"],
                             lines="; ".join(lines),
                             paper=named_paper(tracker.latest_message.get("text")))
    if also_reported and not reported_first:
        await _whether_reported(dispatcher, params)
    return remembered + [SlotSet("pending_topic", None)]


async def _whether_reported(dispatcher: CollectingDispatcher, params: Dict[str, Any]) -> None:
    """"¿Cuánto me cobran, y me reportan a immigration?": whether they report her decides
    whether she goes at all, so the country's confidentiality statement comes first
    (but after the numbers to call after violence, and after where to go in an
    emergency), then the answer to the rest; nothing when the country has none."""
    body = await _asked_more_broadly({**params, "topic": "confidentiality", "situation": None})
    if body.get("entries"):
        dispatcher.utter_message(response="utter_entitlements", country=params["country"],
                                 topic="confidentiality", service_type=params["service_type"],
                                 general=False, entries=body["entries"][:1], offer=False)


class ActionAnswerRights(Action):
    def name(self) -> Text:
        return "action_answer_rights"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        topic = _current_topic(tracker)
        country = await asked_country(tracker)
        if not country:
            # the slot may hold where she comes from ("llegados de Venezuela"): the form
            # must ask, not take it as answered
            return [SlotSet("pending_topic", topic), SlotSet("country", None),
                    SlotSet("service_type", asked_service_type(tracker)),
                    FollowupAction("country_form")]
        if tracker.get_slot("pending_topic") == "moving":
            return await moving_answer(dispatcher, tracker, country)
        return await answer_entitlements(dispatcher, tracker, country, topic)


async def moving_answer(dispatcher: CollectingDispatcher, tracker: Tracker,
                        country: str) -> List[EventType]:
    events = await answer_entitlements(dispatcher, tracker, country, "rights", ask_situation=False)
    dispatcher.utter_message(response="utter_carry_for_treatment")
    return events + [SlotSet("pending_topic", None)]


class ActionMovingCountry(Action):
    """Destination's entitlements, services near the destination city, what to carry."""

    def name(self) -> Text:
        return "action_moving_country"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        destination: Optional[str] = next(tracker.get_latest_entity_values("country"), None)
        city = next(tracker.get_latest_entity_values("location"), None)
        events: List[EventType] = [SlotSet("latitude", None), SlotSet("longitude", None)]
        if not destination and not city:
            return events + [SlotSet("country", None), SlotSet("pending_topic", "moving"),
                             FollowupAction("country_form")]
        if city and not destination:
            try:
                destination = await country_of_place(city)
            except AppUnavailable:
                destination = None
        events.append(SlotSet("country", destination))
        if destination:
            events += await moving_answer(dispatcher, tracker, destination)
        else:
            dispatcher.utter_message(response="utter_carry_for_treatment")
        if city:
            from .directory import search_and_reply

            shadow = tracker.copy()
            shadow.slots.update({"location": city, "country": destination,
                                 "latitude": None, "longitude": None,
                                 "service_type": tracker.get_slot("service_type") or "hiv_treatment"})
            events += [SlotSet("location", city)] + await search_and_reply(dispatcher, shadow)
        if destination:
            from .reminders import after_move

            await after_move(dispatcher, tracker, destination, city)
        return events


class ValidateCountryForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_country_form"

    async def validate_country(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if str(value).isdigit():
            chosen = options.pick(options.COUNTRY_MENU, value)
            return {"country": chosen}
        origins = _origins(tracker)
        if value in origins:  # "llegados de Venezuela" is not where she is; "free in
            # Peru? moving from Venezuela" names where she is beside it
            elsewhere = _where_named(tracker, origins)
            return {"country": elsewhere if elsewhere in options.COUNTRY_MENU else None}
        text = str(value or "").strip()
        named = country_code(text)
        if named:
            return {"country": named}
        try:
            return {"country": await country_of_place(text) or await country_in_text(text)}
        except AppUnavailable:
            return {"country": None}


class ValidateSituationForm(FormValidationAction):
    """Her situation, by menu number or as she wrote it ("m ansent 4 mwa")."""

    def name(self) -> Text:
        return "validate_situation_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        # "m ansent, m nan Higüey, kote m ka fè kontwòl?" answers the question and asks
        # where: the search wins (the interruption rule), her situation goes with it
        if tracker.get_intent_of_latest_message() == "find_service":
            return [ActionExecutionRejected(self.form_name())]
        return await super().run(dispatcher, tracker, domain)

    def validate_situation(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value in options.SITUATION_MENU or value == "transit":
            return {"situation": value}  # told in her words, spotted by the lexicons
        return {"situation": options.pick(options.SITUATION_MENU, value)}
