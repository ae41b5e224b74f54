"""Texts built from structured data: lists of services, entitlement answers.

Every word still comes from the catalogs (`messages.py`); this module only decides
which lines appear and in what order, compact for SMS and richer for WhatsApp.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import Locale, UnknownLocaleError

from .i18n import gettext_for
from .messages import FLAG_LABELS, LANGUAGE_NAMES, SERVICE_TYPE_NAMES, TEXTS
from .messages_rights import MESSAGES_RIGHTS
from .reminders.texts import COMPOSERS as REMINDER_COMPOSERS
from .reminders.texts import day_names

Composer = Callable[[str, str, dict[str, Any]], str]

# Languages every service of a country is assumed to speak: not worth a line on SMS.
OFFICIAL_LANGUAGES = {
    "co": ("es",), "pe": ("es",), "ec": ("es",), "cl": ("es",), "ve": ("es",),
    "mx": ("es",), "pa": ("es",), "do": ("es",), "br": ("pt",), "tt": ("en",),
    "gy": ("en",), "ht": ("fr", "ht"),
}


def _t(lang: str, key: str, **values: Any) -> str:
    return gettext_for(lang, TEXTS[key]).format(**values)


def service_type_name(lang: str, code: str | None) -> str:
    if not code or code not in SERVICE_TYPE_NAMES:
        return gettext_for(lang, SERVICE_TYPE_NAMES["health_care"])
    return gettext_for(lang, SERVICE_TYPE_NAMES[code])


# CLDR has no Haitian Creole names: those of the countries Puente's people move between.
# "Giyàn" is French Guiana (gf) for Haitians, as in the NLU synonyms; Guyana is "Giyana".
KREYOL_COUNTRY_NAMES = {
    "br": "Brezil", "co": "Kolonbi", "pe": "Pewou", "ec": "Ekwatè", "cl": "Chili",
    "gy": "Giyana", "do": "Repiblik Dominikèn", "ve": "Venezyela", "ht": "Ayiti",
    "tt": "Trinidad ak Tobago", "mx": "Meksik", "pa": "Panama", "us": "Etazini",
}


def country_name(lang: str, code: str | None) -> str:
    """The country's name in `lang` from CLDR (Babel); Kreyòl from its own table, else French."""
    if not code:
        return ""
    if lang == "ht" and code.lower() in KREYOL_COUNTRY_NAMES:
        return KREYOL_COUNTRY_NAMES[code.lower()]
    for locale in (lang, "fr" if lang == "ht" else "en"):
        try:
            return Locale.parse(locale).territories.get(code.upper(), code.upper())
        except (UnknownLocaleError, ValueError):
            continue
    return code.upper()


def _distance(km: float) -> str:
    return f"{km:.1f} km" if km < 10 else f"{round(km)} km"


def _next_opening(lang: str, upcoming: dict[str, Any]) -> str:
    """"opens tomorrow 08:00", "opens Monday 08:00", "opens at 14:00" (later today)."""
    ahead, opens = int(upcoming["days_ahead"]), upcoming["opens"]
    if ahead == 0:
        return _t(lang, "opens_later_today", time=opens)
    if ahead == 1:
        return _t(lang, "opens_tomorrow", time=opens)
    return _t(lang, "opens_on", day=day_names(lang)[int(upcoming["weekday"])], time=opens)


def _service_lines(lang: str, style: str, number: int, service: dict[str, Any]) -> list[str]:
    name = service.get("name", "")
    head = f"{number}. *{name}*" if style == "whatsapp" else f"{number}. {name}"
    if service.get("distance_km") is not None:
        head += f" ({_distance(float(service['distance_km']))})"
    lines = [head]
    if service.get("address"):
        lines.append(service["address"])
    contact = []
    if service.get("phone"):
        contact.append(_t(lang, "phone", phone=service["phone"]))
    hours = service.get("hours_today")
    if hours:
        spans = ", ".join(f"{h['opens']}-{h['closes']}" for h in hours) if isinstance(hours, list) else str(hours)
        contact.append(_t(lang, "hours_today", hours=spans))
    elif hours == []:
        contact.append(_t(lang, "closed_today"))
    upcoming = service.get("next_opening")
    if upcoming and not service.get("open_now"):
        contact.append(_next_opening(lang, upcoming))
    if contact:
        lines.append(" | ".join(contact))
    safety = service.get("safety") or service.get("flags") or {}
    flags = [gettext_for(lang, FLAG_LABELS[flag]) for flag in FLAG_LABELS
             if safety.get(flag) is True]
    local = OFFICIAL_LANGUAGES.get((service.get("country") or "").lower(), ())
    spoken = [LANGUAGE_NAMES[code] for code in service.get("languages") or []
              if code in LANGUAGE_NAMES and code not in local]
    if spoken:
        flags.append(_t(lang, "speaks", languages=", ".join(spoken)))
    if flags:
        lines.append("; ".join(flags))
    if service.get("stale"):
        days = service.get("verified_days_ago")
        lines.append(_t(lang, "stale", days=days) if days is not None else _t(lang, "never_verified"))
    return lines


def services_found(lang: str, style: str, values: dict[str, Any]) -> str:
    """The nearest services, numbered, with what decides if a migrant can go there."""
    services = values.get("services") or []
    kind = service_type_name(lang, values.get("service_type"))
    place = values.get("place") or values.get("location") or ""
    offset = int(values.get("offset") or 0)
    if values.get("widened"):
        header = _t(lang, "services_widened", kind=kind, place=place,
                    km=round(float(values.get("radius_km") or 0)))
    else:
        header = _t(lang, "services_header", kind=kind, place=place)
    blocks = ["\n".join(_service_lines(lang, style, offset + i + 1, s))
              for i, s in enumerate(services)]
    footer = _t(lang, "services_footer_more" if values.get("has_more") else "services_footer")
    separator = "\n\n" if style == "whatsapp" else "\n"
    return separator.join([header, *blocks, footer])


# One SMS answer is at most 3 segments of GSM-7 (DESIGN "Channels").
SMS_ANSWER_CHARS = 459


def _entry_lines(lang: str, entry: dict[str, Any]) -> list[str]:
    """The entry's summary (the asked fact first, then the rest) and its citation."""
    lines = [entry.get("summary") or ""]
    if entry.get("confidence") == "medium":
        lines.append(_t(lang, "rights_unconfirmed"))
    cite = entry.get("cite") or entry.get("legal_basis")
    if cite:
        lines.append(_t(lang, "source", url=cite))
    return [line for line in lines if line]


def entitlement_answer(lang: str, style: str, values: dict[str, Any]) -> str:
    """The answer to what was asked: one service (or, with none named, the care everyone
    gets) in one country: the right, the cost, the papers, where to go, the source.

    Other services are offered in one line, never listed. At most two entries (a general
    one and one for the person's situation) so that an SMS answer stays within 3
    segments; the WhatsApp answer adds the source links.
    """
    entries = list(values.get("entries") or [])[:2]
    country = country_name(lang, values.get("country"))
    asked = values.get("service_type")
    general = not asked or asked == "emergency_care" and values.get("general")
    kind = service_type_name(lang, "emergency_care" if general else asked)
    if values.get("topic") == "enrolment":
        general, kind = False, _t(lang, "enrolment_kind")
    header = _t(lang, "rights_focus_header", country=country, kind=kind)
    body: list[str] = []
    for entry in entries:
        lines = _entry_lines(lang, entry)
        if values.get("said_situation") and entry.get("situation") is None \
                and entry.get("entitled") in ("yes", "partial") and len(entries) == 1:
            # She told her situation and the answer is the same for everyone: say so
            # first (it also says that no papers are needed, so that sentence goes).
            no_papers = gettext_for(lang, MESSAGES_RIGHTS["rights_documents_none"].sms)
            lines[0] = " ".join(lines[0].replace(no_papers, "").split())
            lines.insert(0, _t(lang, "rights_any_status"))
        if values.get("paper") and entry.get("documents") == ["none"] \
                and entry.get("entitled") == "yes":
            # "¿precisa CPF?": the whole right holds with no papers, so without that one
            # too (a partial right, "sin PPT no se garantizan", says nothing of the kind)
            lines.insert(1, _t(lang, "rights_paper_not_needed", paper=values["paper"]))
        body.extend(lines)
        if style == "whatsapp" and entry.get("source_url"):
            body.append(entry["source_url"])
    offer = _t(lang, "rights_general_offer" if general else "rights_offer_other")
    if values.get("offer") is False:  # another answer follows in the same reply
        offer = ""
    separator = "\n\n" if style == "whatsapp" else "\n"
    # lines to call (care after violence) go first: they are what she needs now
    call = [_t(lang, "urgent_lines", lines=values["lines"])] if values.get("lines") else []
    text = separator.join([*call, header + " " + " ".join(body[:1]), *body[1:],
                           *([offer] if offer else [])])
    if style != "whatsapp" and len(text) > SMS_ANSWER_CHARS:
        text = separator.join([*call, header + " " + " ".join(body[:1]), *body[1:]])
    return text


def urgent_care(lang: str, style: str, values: dict[str, Any]) -> str:
    """After a rape, a condom that broke or a needle injury: the time windows first
    (PEP within 72 hours; emergency contraception where pregnancy is possible), that it
    is free where it is, the numbers to call, then where to go in her country (its
    entry's guidance), all in the first SMS reply: "free" gives way when it would push
    where to go onto a second page, unless she asked whether it is free."""
    pep = _t(lang, "urgent_pep")
    rest = []
    if values.get("lines"):
        rest.append(_t(lang, "urgent_lines", lines=values["lines"]))
    if values.get("urgent") in ("sexual_violence", "condom_broke", "exposure"):
        rest.append(_t(lang, "urgent_ec"))
    if values.get("care"):  # where to go, and what she may be asked (no police report)
        rest.append(str(values["care"]))
    separator = "\n\n" if style == "whatsapp" else "\n"
    text = separator.join([pep, *rest])
    if values.get("cost") == "free":  # "is it free?" is the next thing she would ask
        free = separator.join(
            [f"{pep} {gettext_for(lang, MESSAGES_RIGHTS['rights_cost_free'].sms)}", *rest])
        asked_cost = values.get("asked") == "cost"  # said, even if where to go moves to MORE
        if style == "whatsapp" or len(free) <= SMS_ANSWER_CHARS or asked_cost:
            text = free
    return text


def place_choices(lang: str, style: str, values: dict[str, Any]) -> str:
    """An ambiguous place name as a short numbered choice."""
    lines = [_t(lang, "place_choices", location=values.get("location", ""))]
    for number, choice in enumerate(values.get("choices") or [], start=1):
        where = country_name(lang, choice.get("country"))
        lines.append(f"{number} {choice.get('name', '')}" + (f" ({where})" if where else ""))
    return "\n".join(lines)


COMPOSERS: dict[str, Composer] = {
    "utter_place_choices": place_choices,
    "utter_services_found": services_found,
    "utter_entitlements": entitlement_answer,
    "utter_urgent_care": urgent_care,
    **REMINDER_COMPOSERS,
}
