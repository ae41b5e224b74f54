"""FoldedCRFEntityExtractor: Rasa's CRF entity extractor, blind to case and accents.

People text "estoy en cucuta" as often as "Estoy en Cúcuta", but the training data
is mostly written with capitals and accents, so the stock CRF learns "capitalised
word after 'en' = place" and misses the lower-case one. Here the word features
(the word, its prefixes and suffixes) are read from the accent- and case-folded word,
and the config drops the case features (`title`, `upper`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.crf_entity_extractor import (
    CRFEntityExtractor,
    CRFEntityExtractorOptions as Option,
    CRFToken,
)

from bot.components.folding import fold

_WORD = [option.value for option in (Option.LOW, Option.PREFIX5, Option.PREFIX2,
                                     Option.SUFFIX5, Option.SUFFIX3, Option.SUFFIX2,
                                     Option.DIGIT, Option.PATTERN)]
_AROUND = [Option.LOW.value, Option.PATTERN.value]


@lru_cache(maxsize=8192)
def _folded(word: str) -> str:
    """`fold` once per word: the features below read it up to 21 times per token
    (seven features, three window positions), ~1.2 ms of a message's parse otherwise."""
    return fold(word)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class FoldedCRFEntityExtractor(CRFEntityExtractor):
    """CRF entities from folded words: "Cúcuta", "cucuta" and "CUCUTA" look the same."""

    function_dict: Dict[Text, Callable[[CRFToken], Any]] = {
        **CRFEntityExtractor.function_dict,
        Option.LOW: lambda token: _folded(token.text),
        Option.PREFIX5: lambda token: _folded(token.text)[:5],
        Option.PREFIX2: lambda token: _folded(token.text)[:2],
        Option.SUFFIX5: lambda token: _folded(token.text)[-5:],
        Option.SUFFIX3: lambda token: _folded(token.text)[-3:],
        Option.SUFFIX2: lambda token: _folded(token.text)[-2:],
        Option.SUFFIX1: lambda token: _folded(token.text)[-1:],
    }

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        config = CRFEntityExtractor.get_default_config()
        config["features"] = [_AROUND, [Option.BIAS.value, *_WORD], _AROUND]
        return config
