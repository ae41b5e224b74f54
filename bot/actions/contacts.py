"""Country contacts (emergency numbers, support lines, NGO hotline) from the app."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from .api import AppRejected, AppUnavailable, request

# Said only when the app cannot be reached: the programme's own line, the same number
# the channels give in their apology (PUENTE_HOTLINE; a fictional one in development).
FALLBACK_HOTLINE = os.environ.get("PUENTE_HOTLINE") or "+1 555 0100"
# Who to send a person to for help, in order: lines that answer migrants' questions.
HELP_KINDS = ("migrant_help", "ngo_hotline", "health_line", "regional")


async def contacts_for(country: Optional[str], language: Optional[str] = None) -> Dict[str, Any]:
    """The contacts block of the entitlements API for `country` (the regional lines
    for an unknown country or none), labelled in `language`, or {} when the app
    cannot be reached."""
    try:
        body = await request("GET", "/v1/entitlements", params={
            "country": country or "zz", "lang": language or "en"})
    except (AppRejected, AppUnavailable):
        return {}
    return body.get("contacts") or {}


def contact_text(entry: Dict[str, Any]) -> Optional[str]:
    """"Emergencias 123" / "ACNUR WhatsApp +57 ...": a label and a number to reach it.

    An entry with no phone or WhatsApp number (a placeholder, a web page) gives None:
    nobody can call a web address from a basic phone.
    """
    reach = entry.get("phone") or (entry.get("whatsapp") and f"WhatsApp {entry['whatsapp']}")
    if not reach:
        return None
    label = entry.get("label") or entry.get("name") or ""
    return f"{label} {reach}".strip()


def contact_texts(contacts: Dict[str, Any], *kinds: str) -> List[str]:
    """Reachable contacts of the given kinds, in that order."""
    texts = []
    for kind in kinds:
        for entry in contacts.get(kind) or []:
            text = contact_text(entry) if isinstance(entry, dict) else str(entry)
            if text and text not in texts:
                texts.append(text)
    return texts


def first_of_each(contacts: Dict[str, Any], kinds: tuple) -> List[str]:
    """One line of each kind, a number given once ("Línea 155; Emergencias 123"; in
    Ecuador, where 911 is both, only once): an urgent SMS has no room for more."""
    chosen: List[str] = []
    for kind in kinds:
        for text in contact_texts(contacts, kind):
            number = text.rsplit(" ", 1)[-1]
            if not any(line.endswith(number) for line in chosen):
                chosen.append(text)
                break
    return chosen


async def hotline_for(country: Optional[str], language: Optional[str] = None) -> str:
    """Who to call for help: a line for migrants, the NGO, a health line or a regional
    line, always with a number; the programme's own line when the app is down."""
    found = contact_texts(await contacts_for(country, language), *HELP_KINDS)
    return found[0] if found else FALLBACK_HOTLINE


def country_hint(tracker: Any) -> Optional[str]:
    """The country of the phone number's calling code, as the channel passed it.

    Only a hint (a Venezuelan SIM in Colombia says `ve`): used where giving some
    numbers at once beats asking, as in an emergency.
    """
    metadata = tracker.latest_message.get("metadata") or {}
    hint = metadata.get("country_hint")
    return str(hint).lower() if hint else None
