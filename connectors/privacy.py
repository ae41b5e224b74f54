"""What the rest of the system may know about a sender: a pseudonym and coarse hints.

DESIGN's rule: no raw number in conversation state, logs or statistics. The address
Twilio gives (`+573001234567`, `whatsapp:+573001234567`) becomes
HMAC-SHA256(APP_SECRET, address), hex, used as Rasa's sender id. The whole address is
hashed, channel prefix included, so SMS and WhatsApp are separate conversations (each
with its own reply channel, language memory and WhatsApp 24-hour window).
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Optional

import phonenumbers


def pseudonym(address: str, secret: str) -> str:
    """The stable, non-reversible id of a Twilio address."""
    return hmac.new(secret.encode(), address.strip().encode(), hashlib.sha256).hexdigest()


def bare_number(address: str) -> str:
    """`whatsapp:+57...` → `+57...`."""
    return address.split(":", 1)[1] if ":" in address else address


def country_hint(address: str) -> Optional[str]:
    """ISO 3166-1 alpha-2 (lower case) of the number's calling code, or None.

    A hint only (a Venezuelan SIM in Colombia says `ve`): the app may use it to
    guess a country when the person has not named one. Coarse by design.
    """
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(bare_number(address)))
    except phonenumbers.NumberParseException:
        return None
    return region.lower() if region and region != "ZZ" else None
