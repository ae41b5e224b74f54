"""Country names as people write them → ISO codes, from the NLU synonyms file.

The same table teaches the NLU (`bot/data/synonyms/country.yml`), so a country typed
alone in answer to "which country?" is recognised exactly as in a sentence.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

SYNONYMS = Path(__file__).resolve().parents[1] / "data" / "synonyms" / "country.yml"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain))


@lru_cache(maxsize=1)
def _names() -> Dict[str, str]:
    names: Dict[str, str] = {}
    for block in (yaml.safe_load(SYNONYMS.read_text(encoding="utf-8")) or {}).get("nlu", []):
        code = str(block.get("synonym", "")).lower()
        for line in str(block.get("examples", "")).splitlines():
            name = line.strip().lstrip("-").strip()
            if name:
                names[_fold(name)] = code
        names[code] = code
    return names


def country_code(text: Optional[str]) -> Optional[str]:
    """"Perú", "pewou", "Rep. Dominicana" → "pe", "pe", "do"; None if not a country name."""
    if not text:
        return None
    folded = _fold(text)
    names = _names()
    if folded in names:
        return names[folded]
    for prefix in ("en ", "a ", "em ", "an ", "in ", "nan ", "au ", "na ", "no "):
        if folded.startswith(prefix) and folded[len(prefix):] in names:
            return names[folded[len(prefix):]]
    return None


@lru_cache(maxsize=1)
def _names_pattern() -> "re.Pattern[str]":
    names = sorted((n for n in _names() if len(n) > 2), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


def countries_in(text: Optional[str]) -> List[Tuple[str, str]]:
    """Every country named in a text, in order, with the (folded) words before it, which
    tell where she is from where she comes from: "moving to Lima from Venezuela, is it
    free in Peru" → [("ve", "moving to lima from "), ("pe", "moving ... free in ")]."""
    if not text:
        return []
    folded = _fold(text)
    return [(_names()[m.group(1)], folded[:m.start()])
            for m in _names_pattern().finditer(folded)]
