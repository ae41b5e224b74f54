"""Country contacts (emergency numbers, support lines, NGO hotline) from the app."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from .api import AppRejected, AppUnavailable, request

# Said when no country is known or the app is down: an organisation present across
# the region, never an invented phone number.
FALLBACK_HOTLINE = "Red Cross / Cruz Roja / Croix-Rouge / Kwa Wouj / Cruz Vermelha"


async def contacts_for(country: Optional[str]) -> Dict[str, Any]:
    """The contacts block of the entitlements API for `country`, or {} when unknown."""
    if not country:
        return {}
    try:
        body = await request("GET", "/v1/entitlements", params={"country": country})
    except (AppRejected, AppUnavailable):
        return {}
    return body.get("contacts") or {}


def contact_text(entry: Dict[str, Any]) -> Optional[str]:
    """"Emergencias 123" / "R4V https://www.r4v.info/": a label and a way to reach it.

    An entry with no phone, WhatsApp or web address (a placeholder) gives None.
    """
    reach = entry.get("phone") or (entry.get("whatsapp") and f"WhatsApp {entry['whatsapp']}") \
        or entry.get("url")
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


async def hotline_for(country: Optional[str]) -> str:
    """Who to call for help: the NGO line, else regional help, else the Red Cross."""
    found = contact_texts(await contacts_for(country), "ngo_hotline", "regional")
    return found[0] if found else FALLBACK_HOTLINE


def country_hint(tracker: Any) -> Optional[str]:
    """The country of the phone number's calling code, as the channel passed it.

    Only a hint (a Venezuelan SIM in Colombia says `ve`): used where giving some
    numbers at once beats asking, as in an emergency.
    """
    metadata = tracker.latest_message.get("metadata") or {}
    hint = metadata.get("country_hint")
    return str(hint).lower() if hint else None
