"""`rasa test core` for Puente's test stories, including the ones with user text.

Why a wrapper: the LanguageDetector adds a `language` entity that describes the whole
message, not a span of it, so Rasa story markup cannot annotate it and `rasa test`
would count it as a wrong entity in every story written with user text. This runs
Rasa's own story test unchanged except that it leaves whole-message entities
(extractor in MESSAGE_LEVEL_EXTRACTORS) out of the entity comparison; intents, span
entities and every predicted action are still compared, and any difference fails.
The PhraseSpotter's `situation` and `urgent` facts are left out the same way: they are
facts about the message found by lexicon (tested by each lexicon's own examples, and
end to end by what the bot answers), not spans the stories annotate.

Run with `--e2e` (make test-stories does): only then does Rasa parse the user text of
a story, and only in files named test_*.yml; steps with an intent alone are taken
as written.

Usage: python -m bot.test_stories [rasa test core arguments]
"""
from __future__ import annotations

import sys
from typing import Any, Dict, List

import rasa.core.test as story_test

MESSAGE_LEVEL_EXTRACTORS = {"LanguageDetector", "PhraseSpotter"}


def span_entities(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The entities that mark a span of the text (the ones stories can annotate)."""
    return [e for e in entities if e.get("extractor") not in MESSAGE_LEVEL_EXTRACTORS]


_compare_user_utterance = story_test._collect_user_uttered_predictions


def _compare_span_entities_only(event: Any, predicted: Dict[str, Any], *args: Any,
                                **kwargs: Any) -> Any:
    predicted = dict(predicted, entities=span_entities(predicted.get("entities") or []))
    return _compare_user_utterance(event, predicted, *args, **kwargs)


def main(argv: List[str]) -> None:
    from rasa.__main__ import main as rasa_main

    story_test._collect_user_uttered_predictions = _compare_span_entities_only
    sys.argv = ["rasa", "test", "core", *argv]
    rasa_main()


if __name__ == "__main__":
    main(sys.argv[1:])
