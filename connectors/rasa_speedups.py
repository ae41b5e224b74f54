"""Two memoisations inside the Rasa server process, where most of its CPU went.

Measured with py-spy on the Rasa server under 10 concurrent SMS senders: about a
third of its time went to `jsonschema.validate` re-checking the *schema* (not the
response) on every action-server and NLG response, and a tenth to
`Event.resolve_by_type` walking every Event subclass for each stored event of the
tracker. Both answers depend only on their input, so this caches them:
- `jsonschema.validate(instance, schema)`: the schema is checked once per distinct
  schema (as before: an invalid schema still raises SchemaError), the instance is
  validated on every call exactly as before (same errors, best match first);
- `Event.resolve_by_type(name)`: the class found for a type name is remembered;
  unknown names still raise or return the default as before.
Installed once, when Rasa loads our channels (connectors.channel).
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type

_installed = False


def install() -> None:
    """Idempotent: patch jsonschema.validate and Event.resolve_by_type once."""
    global _installed
    if _installed:
        return
    _cache_schema_checks()
    _cache_event_types()
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
