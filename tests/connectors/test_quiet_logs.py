"""Rasa's report of a failed action names the failure, never her conversation."""
from __future__ import annotations

import logging

from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError

from connectors import channel  # noqa: F401  (importing the channels installs the filter)
from connectors.quiet_logs import LOGGERS

SECRET = "a1b2c3pseudonym"
WORDS = "tengo vih y no tengo papeles"


def failed_action() -> RasaException:
    body = f'{{"error":"","request_body":{{"sender_id":"{SECRET}","text":"{WORDS}"}}}}'
    try:
        try:
            raise ClientResponseError(500, "Internal Server Error", body)
        except ClientResponseError as error:
            raise RasaException("Failed to execute custom action 'action_x'") from error
    except RasaException as wrapped:
        return wrapped


def test_a_failed_action_is_logged_without_the_tracker(caplog):
    caplog.set_level(logging.ERROR)
    error = failed_action()
    logging.getLogger("rasa.core.processor").error(
        "Encountered an exception while running action 'action_x'.", exc_info=error)
    assert caplog.records, "the failure itself must still be logged"
    text = caplog.text
    assert "action_x" in text and "ClientResponseError" in text
    assert SECRET not in text and "papeles" not in text


def test_a_body_in_a_plain_message_is_withheld(caplog):
    caplog.set_level(logging.ERROR)
    logging.getLogger("rasa.core.actions.action").error(
        "500, Internal Server Error, body='%s'", f'{{"sender_id": "{SECRET}"}}')
    assert SECRET not in caplog.text and "withheld" in caplog.text


def test_every_logger_that_reports_actions_has_the_filter():
    for name in LOGGERS:
        assert logging.getLogger(name).filters, name
