"""SMS text that costs little: GSM-7 transliteration, segment counting and paging.

Why: one character outside GSM 03.38 (an emoji, "á", a curly quote) switches a whole
SMS to UCS-2, where a segment holds 70 characters instead of 160, so a reply can
cost three times as much. Rasa's built-in channel even turns "¡" into "@". Here,
characters outside the GSM 03.38 tables are transliterated (unidecode) while those
inside stay: ñ é ü ¿ ¡ Ñ à è ù ì ò Ç Ø å Ä Ö Ü ä ö. A message is at most three
segments; longer ones are split into pages that end with "reply MORE".
"""
from __future__ import annotations

import re
from typing import List

from unidecode import unidecode

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each character costs two septets (escape + code).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
MAX_SEGMENTS = 3

# Better than unidecode's defaults for a reader on a basic phone.
_PREFERRED = {
    "\u2014": "-", "\u2013": "-", "\u2026": "...", "\u00a0": " ", "`": "'",
    "\u2022": "-", "\u00ab": '"', "\u00bb": '"', "\u00b4": "'",
}


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 03.38 basic or extension table."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def encoding(text: str) -> str:
    """The encoding a phone network would use for `text`: GSM-7 or UCS-2."""
    return GSM7 if is_gsm7(text) else UCS2


def to_gsm7(text: str) -> str:
    """Transliterate what GSM 03.38 lacks, keep what it has; drop what has no letters.

    Emoji and symbols without a Latin reading disappear (unidecode gives ""), and
    the spaces they leave are tidied.
    """
    out = []
    changed = False
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
            continue
        changed = True
        replacement = _PREFERRED.get(char)
        if replacement is None:
            replacement = "".join(c for c in unidecode(char)
                                  if c in GSM7_BASIC or c in GSM7_EXTENSION)
        out.append(replacement)
    result = "".join(out)
    if changed:
        result = re.sub(r"[ \t]{2,}", " ", result)
        result = re.sub(r"[ \t]+\n", "\n", result).strip()
    return result


def _units(text: str) -> List[int]:
    """Cost of each character: septets for GSM-7, UTF-16 code units for UCS-2."""
    if is_gsm7(text):
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def segment_count(text: str) -> int:
    """How many SMS segments `text` takes (0 for an empty text).

    GSM-7: 160 septets in one segment, 153 per segment when concatenated; an
    extension character is two septets and is never split across segments.
    UCS-2: 70 code units, 67 when concatenated; surrogate pairs never split.
    """
    if not text:
        return 0
    units = _units(text)
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for cost in units:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return segments


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    return segment_count(text) <= max_segments


def paginate(text: str, more_hint: str, max_segments: int = MAX_SEGMENTS) -> List[str]:
    """Split `text` into pages of at most `max_segments` segments each.

    Every page but the last ends with `more_hint` ("Reply MORE for the rest.").
    Pages break at line ends, then spaces; a word longer than a page is cut.
    """
    text = text.strip()
    if fits(text, max_segments):
        return [text] if text else []
    pages: List[str] = []
    rest = text
    while rest and not fits(rest, max_segments):
        page = _longest_prefix(rest, more_hint, max_segments)
        pages.append(page.rstrip() + "\n" + more_hint)
        rest = rest[len(page):].lstrip()
    if rest:
        pages.append(rest)
    return pages


def _longest_prefix(text: str, hint: str, max_segments: int) -> str:
    """The longest prefix of `text` that, with the hint, fits; at a break if possible."""
    low, high = 1, len(text)
    while low < high:  # binary search on length: segment_count grows with length
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + "\n" + hint, max_segments):
            low = middle
        else:
            high = middle - 1
    prefix = text[:low]
    for separator in ("\n", ". ", " "):
        cut = prefix.rfind(separator)
        if cut > len(prefix) // 2:
            return prefix[:cut + len(separator)]
    return prefix
