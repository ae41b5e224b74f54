"""The memoised schema check and event lookup behave exactly as Rasa's originals:
valid answers pass, invalid ones raise the same errors, unknown events still fail."""
import pytest
from jsonschema import SchemaError, ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator, nlg_response_format_spec
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from connectors import rasa_speedups


@pytest.fixture(autouse=True, scope="module")
def installed():
    rasa_speedups.install()
    rasa_speedups.install()  # idempotent


def test_nlg_responses_are_still_validated():
    assert CallbackNaturalLanguageGenerator.validate_response({"text": "hola"})
    with pytest.raises(Exception, match="Failed to validate NLG response"):
        CallbackNaturalLanguageGenerator.validate_response({"text": 42})


def test_action_server_answers_are_still_validated():
    action = RemoteAction("action_search_services", None)
    assert action._validate_action_result({"events": [], "responses": [{"text": "ok"}]})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


def test_an_invalid_schema_is_still_refused():
    import jsonschema

    with pytest.raises(SchemaError):
        jsonschema.validate({}, {"type": "no such type"})
    jsonschema.validate({"text": "x"}, nlg_response_format_spec())


def test_event_types_resolve_as_before():
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Event.resolve_by_type("user") is UserUttered  # from the cache
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    restored = Event.from_parameters({"event": "slot", "name": "language", "value": "es"})
    assert restored == SlotSet("language", "es")
