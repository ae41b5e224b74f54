"""Accent- and case-folding shared by the NLU components (SMS text often has no accents)."""
from __future__ import annotations

import unicodedata
from typing import List, Tuple


def fold_with_offsets(text: str) -> Tuple[str, List[int]]:
    """Lower-cased, accent-free text and, for each of its characters, the index of
    the original character it came from (so a match maps back to the real span)."""
    folded, origin = [], []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(piece):
                folded.append(piece)
                origin.append(index)
    return "".join(folded), origin


def fold(text: str) -> str:
    """Lower-cased, accent-free, whitespace collapsed: the form look-ups compare."""
    return " ".join(fold_with_offsets(text)[0].split())
