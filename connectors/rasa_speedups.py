"""Memoisations inside the Rasa server process, where most of its CPU went.

Measured with py-spy on the Rasa server under 10 concurrent SMS senders: about a
third of its time went to `jsonschema.validate` re-checking the *schema* (not the
response) on every action-server and NLG response, and a tenth to
`Event.resolve_by_type` walking every Event subclass for each stored event of the
tracker. Later profiles found the conversation replayed over and over (below). Each
answer depends only on its input, so this remembers them:
- `jsonschema.validate(instance, schema)`: the schema is checked once per distinct
  schema (as before: an invalid schema still raises SchemaError), the instance is
  validated on every call exactly as before (same errors, best match first);
- `Event.resolve_by_type(name)`: the class found for a type name is remembered;
  unknown names still raise or return the default as before;
- `Domain.states_for_tracker_history(tracker, ...)`: every policy, for every
  prediction, replayed the whole conversation event by event to rebuild the state
  before each action (20% of the server's CPU, growing with the conversation). The
  states of a tracker's applied events are remembered on the tracker (which the
  tracker store now keeps between messages, bot/tracker_store.py), per set of
  arguments; a later call replays only the events added since. If the applied
  events are not an extension of those remembered (an undo, a restart), it replays
  from the start as before. Callers get a copy: some edit the states they get;
- `DialogueStateTracker.applied_events()` (the events left after undos and
  restarts, 13% of the server's CPU once the states were remembered): resumed from
  the events it already went through when the tracker only gained events since,
  recomputed when a new form name appears (earlier decisions depend on those).
Installed once, when Rasa loads our channels (connectors.channel).
"""
from __future__ import annotations

import copy
import functools
import itertools
import json
from typing import Any, Dict, List, Optional, Tuple, Type

_installed = False


def install() -> None:
    """Idempotent: install the four memoisations once."""
    global _installed
    if _installed:
        return
    _cache_schema_checks()
    _cache_event_types()
    _remember_states()
    _remember_applied_events()
    _installed = True


def _cache_schema_checks() -> None:
    import jsonschema
    from jsonschema import exceptions, validators

    original = jsonschema.validate
    checked: Dict[str, Any] = {}

    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        if cls is not None or args or kwargs:
            return original(instance, schema, cls, *args, **kwargs)
        key = json.dumps(schema, sort_keys=True, default=repr)
        validator = checked.get(key)
        if validator is None:
            validator_class = validators.validator_for(schema)
            validator_class.check_schema(schema)
            validator = checked[key] = validator_class(schema)
        error = exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    validate.__doc__ = original.__doc__
    jsonschema.validate = validate


def _cache_event_types() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: Dict[str, Optional[Type[Event]]] = {}

    def resolve_by_type(type_name: str,
                        default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        if type_name not in found:
            try:
                found[type_name] = original(type_name)
            except ValueError:
                if default is not None:
                    return default
                raise
        return found[type_name]

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


class _StatesReplay:
    """`Domain.states_for_tracker_history`'s loop, resumable where it stopped.

    Holds the replayed tracker after the events consumed so far, the states of
    the actions among them and the loop's two variables; `states()` adds the final
    state (after the last event) to a copy without disturbing what is held.
    """

    def __init__(self, domain: Any, tracker: Any, omit_unset_slots: bool,
                 ignore_rule_only_turns: bool, rule_only_data: Any) -> None:
        self.domain, self.rule_only_data = domain, copy.deepcopy(rule_only_data)
        self.omit_unset_slots, self.ignore_rule_only_turns = omit_unset_slots, ignore_rule_only_turns
        self.replayed = tracker.init_copy()
        self.events: List[Any] = []
        self.held: List[Dict[str, Any]] = []
        self.last_ml_action_sub_state: Any = None
        self.turn_was_hidden = False

    def extends(self, domain: Any, rule_only_data: Any, applied: List[Any]) -> bool:
        """Whether `applied` starts with exactly the events consumed so far."""
        return (domain is self.domain and rule_only_data == self.rule_only_data
                and len(applied) >= len(self.events)
                and all(a is b for a, b in zip(self.events, applied)))

    def states(self, applied: List[Any]) -> List[Dict[str, Any]]:
        from rasa.shared.core.events import ActionExecuted

        for event in applied[len(self.events):]:
            if isinstance(event, ActionExecuted):
                self.last_ml_action_sub_state, self.turn_was_hidden = self._visit(
                    event.hide_rule_turn, self.held, self.last_ml_action_sub_state,
                    self.turn_was_hidden)
            self.replayed.update(event)
            self.events.append(event)
        states = list(self.held)
        self._visit(False, states, self.last_ml_action_sub_state, self.turn_was_hidden)
        return _copy_states(states)

    def _visit(self, hide_rule_turn: bool, states: List[Dict[str, Any]],
               last_ml_action_sub_state: Any, turn_was_hidden: bool) -> Tuple[Any, bool]:
        """The body of Rasa 3.6's loop, for the tracker before one action."""
        from rasa.shared.core.constants import PREVIOUS_ACTION

        domain, tr = self.domain, self.replayed
        if self.ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
            if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return last_ml_action_sub_state, turn_was_hidden
        state = domain.get_active_state(tr, omit_unset_slots=self.omit_unset_slots)
        if self.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state
        states.append(domain._clean_state(state))
        return last_ml_action_sub_state, turn_was_hidden


def _copy_states(states: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Copy states and their sub-states, keeping sub-states shared where Rasa shares
    them (a rule-only turn reuses the previous user sub-state)."""
    copies: Dict[int, Dict[str, Any]] = {}

    def copied(sub_state: Dict[str, Any]) -> Dict[str, Any]:
        found = copies.get(id(sub_state))
        if found is None:
            found = copies[id(sub_state)] = dict(sub_state)
        return found

    return [{kind: copied(sub_state) for kind, sub_state in state.items()} for state in states]


def _remember_states() -> None:
    from rasa.shared.core.domain import Domain

    @functools.wraps(Domain.states_for_tracker_history)  # keeps it as __wrapped__
    def states_for_tracker_history(self: Any, tracker: Any, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False,
                                   rule_only_data: Optional[Dict[str, Any]] = None
                                   ) -> List[Dict[str, Any]]:
        applied = tracker.applied_events()
        replays = tracker.__dict__.setdefault("_puente_states", {})
        key = (omit_unset_slots, ignore_rule_only_turns)
        replay = replays.get(key)
        if replay is None or not replay.extends(self, rule_only_data, applied):
            replay = replays[key] = _StatesReplay(self, tracker, omit_unset_slots,
                                                  ignore_rule_only_turns, rule_only_data)
        return replay.states(applied)

    Domain.states_for_tracker_history = states_for_tracker_history


class _AppliedEvents:
    """`DialogueStateTracker.applied_events`' loop (Rasa 3.6), resumable."""

    def __init__(self, events: Any, loop_names: set) -> None:
        self.events, self.loop_names = events, loop_names
        self.consumed, self.last, self.applied = 0, None, []

    def resumes(self, events: Any) -> bool:
        """Whether `events` is the same deque, only longer than when last seen."""
        return (events is self.events and len(events) >= self.consumed
                and (self.consumed == 0 or events[self.consumed - 1] is self.last))

    def advance(self, tracker: Any, new: List[Any]) -> None:
        from rasa.shared.core.events import (ActionExecuted, ActionReverted, Restarted,
                                             SessionStarted, UserUttered,
                                             UserUtteranceReverted)

        applied = self.applied
        for event in new:
            if isinstance(event, (Restarted, SessionStarted)):
                applied.clear()
            elif isinstance(event, ActionReverted):
                tracker._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                tracker._undo_till_previous(UserUttered, applied)
                tracker._undo_till_previous(ActionExecuted, applied)
            elif (isinstance(event, ActionExecuted) and event.action_name in self.loop_names
                  and not tracker._first_loop_execution_or_unhappy_path(
                      event.action_name, applied)):
                tracker._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        self.consumed += len(new)
        if new:
            self.last = new[-1]


def _loop_names(events: Any) -> set:
    from rasa.shared.core.events import ActiveLoop

    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def _remember_applied_events() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    original = DialogueStateTracker.applied_events

    @functools.wraps(original)
    def applied_events(self: Any) -> List[Any]:
        events = self.events
        if getattr(events, "maxlen", None) is not None:  # old events fall off: no resuming
            return original(self)
        memo = self.__dict__.get("_puente_applied")
        if memo is None or not memo.resumes(events):
            memo = _AppliedEvents(events, set())
        new = list(itertools.islice(events, memo.consumed, None))
        names = _loop_names(new)
        if not names <= memo.loop_names:
            memo = _AppliedEvents(events, _loop_names(events))
            new = list(events)
        self.__dict__["_puente_applied"] = memo
        memo.advance(self, new)
        return list(memo.applied)

    DialogueStateTracker.applied_events = applied_events
