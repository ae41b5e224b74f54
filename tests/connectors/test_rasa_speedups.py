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


# Remembered states: equal to Rasa's replay for every prefix of real conversations.

from pathlib import Path  # noqa: E402

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (ActionReverted, Restarted,  # noqa: E402
                                     UserUtteranceReverted)
from rasa.shared.core.generator import TrainingDataGenerator  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.shared.core.training_data.loading import load_data_from_files  # noqa: E402
from rasa.shared.core.training_data.structures import StoryGraph  # noqa: E402

BOT = Path(__file__).resolve().parents[2] / "bot"
FLAGS = [(omit, ignore) for omit in (False, True) for ignore in (False, True)]


@pytest.fixture(scope="module")
def domain():
    """The bot's domain and one slot that shapes the states (none of ours does), so
    that every argument of `states_for_tracker_history` makes a difference."""
    extra = Domain.from_dict({"slots": {"shaping": {
        "type": "float", "initial_value": 0.5, "influence_conversation": True,
        "mappings": [{"type": "custom"}]}}})
    return Domain.load(str(BOT / "domain")).merge(extra)


@pytest.fixture(scope="module")
def conversations(domain):
    """The events of the bot's own stories and rules, as training sees them, with the
    shaping slot set halfway and some turns hidden as rule-only turns are."""
    files = [str(p) for p in sorted((BOT / "data").glob("*/*.yml"))
             if p.parent.name in ("stories", "rules")]
    graph = StoryGraph(load_data_from_files(files, domain))
    trackers = TrainingDataGenerator(graph, domain, remove_duplicates=True,
                                     augmentation_factor=0).generate()
    conversations = []
    for tracker in trackers:
        events = list(tracker.events)
        if len(events) <= 4:
            continue
        for i, event in enumerate(events):
            if isinstance(event, ActionExecuted) and event.action_name != "action_listen" \
                    and i % 3 == 0:
                events[i] = ActionExecuted(event.action_name, hide_rule_turn=True)
        events.insert(len(events) // 2, SlotSet("shaping", 1.0))
        conversations.append(events)
    return conversations


@pytest.fixture(scope="module")
def rule_only_data():
    return {"rule_only_slots": ["shaping"], "rule_only_loops": []}


def test_the_arguments_matter_in_these_conversations(domain, conversations, rule_only_data):
    """Otherwise the comparisons below could not tell the arguments' memos apart."""
    original = Domain.states_for_tracker_history.__wrapped__
    tracker = DialogueStateTracker.from_events("s", conversations[0], domain.slots)
    results = [original(domain, tracker, omit, ignore, rule_only_data) for omit, ignore in FLAGS]
    plain, ignoring, omitting, _ = results  # in FLAGS' order
    assert plain != ignoring and plain != omitting


def _same_as_rasa(domain, tracker, rule_only_data):
    original = Domain.states_for_tracker_history.__wrapped__
    for omit, ignore in FLAGS:
        ours = domain.states_for_tracker_history(tracker, omit, ignore, rule_only_data)
        assert ours == original(domain, tracker, omit, ignore, rule_only_data)


def test_states_grow_with_the_conversation_exactly_as_rasa_replays_them(
        domain, conversations, rule_only_data):
    assert len(conversations) > 30
    for events in conversations:
        tracker = DialogueStateTracker("s", domain.slots)
        for event in events:  # the same tracker, one event at a time, as a server sees it
            tracker.update(event)
            _same_as_rasa(domain, tracker, rule_only_data)
        assert "_puente_states" in tracker.__dict__


def test_undone_and_restarted_conversations_replay_from_the_start(domain, conversations,
                                                                   rule_only_data):
    for undo in (UserUtteranceReverted(), ActionReverted(), Restarted()):
        for events in conversations[:20]:
            tracker = DialogueStateTracker.from_events("s", events, domain.slots)
            _same_as_rasa(domain, tracker, rule_only_data)
            for event in [undo] + events * 2:  # undone, then longer than before
                tracker.update(event)
            _same_as_rasa(domain, tracker, rule_only_data)


def test_callers_may_edit_the_states_they_get(domain, conversations, rule_only_data):
    tracker = DialogueStateTracker.from_events("s", conversations[0], domain.slots)
    first = domain.states_for_tracker_history(tracker, False, True, rule_only_data)
    for state in first:  # as Rasa's featurizers do (_remove_user_text_if_intent, ...)
        state.pop("user", None)
        for sub_state in state.values():
            sub_state.clear()
    again = domain.states_for_tracker_history(tracker, False, True, rule_only_data)
    assert again == Domain.states_for_tracker_history.__wrapped__(
        domain, tracker, False, True, rule_only_data)


# Remembered applied events: equal to Rasa's for every prefix, forms and undos included.

from rasa.shared.core.events import ActionExecutionRejected, ActiveLoop  # noqa: E402

_FORM_TURNS = [ActiveLoop("details_form"), ActionExecuted("details_form"),
               ActionExecuted("action_listen"), UserUttered("x", {"name": "inform"}),
               ActionExecuted("details_form"), ActionExecuted("action_listen"),
               UserUttered("y", {"name": "deny"}),
               ActionExecutionRejected("details_form"), ActionExecuted("utter_ask_continue"),
               ActionExecuted("details_form"), ActiveLoop(None),
               ActionExecuted("action_listen")]


def _applied_as_rasa(tracker):
    ours = tracker.applied_events()
    assert ours == DialogueStateTracker.applied_events.__wrapped__(tracker)
    assert [id(e) for e in ours] == [id(e) for e in
                                     DialogueStateTracker.applied_events.__wrapped__(tracker)]


@pytest.mark.parametrize("undo", [None, UserUtteranceReverted(), ActionReverted(), Restarted()])
def test_applied_events_grow_exactly_as_rasa_computes_them(domain, conversations, undo):
    for events in conversations[:15]:
        middle = len(events) // 2
        grown = events[:middle] + _FORM_TURNS + ([undo] if undo else []) + events[middle:]
        tracker = DialogueStateTracker("s", domain.slots)
        for event in grown:
            tracker.update(event)
            _applied_as_rasa(tracker)
        for event in _FORM_TURNS + events[:5]:  # a form name it has seen, several at once
            tracker.update(event)
        _applied_as_rasa(tracker)


def test_a_new_form_name_recomputes_what_was_applied(domain, conversations):
    tracker = DialogueStateTracker("s", domain.slots)
    loop_turns = [ActionExecuted("other_form"), ActionExecuted("action_listen"),
                  UserUttered("z", {"name": "inform"}), ActionExecuted("other_form")]
    for event in conversations[0] + loop_turns:
        tracker.update(event)
        _applied_as_rasa(tracker)
    tracker.update(ActiveLoop("other_form"))  # now earlier executions count as a loop's
    _applied_as_rasa(tracker)


def test_a_tracker_with_a_bounded_history_is_computed_afresh(domain, conversations):
    tracker = DialogueStateTracker("s", domain.slots, max_event_history=5)
    for event in conversations[0]:
        tracker.update(event)
        _applied_as_rasa(tracker)
