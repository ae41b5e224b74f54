"""One running stack shared by the end-to-end tests of a session."""
import uuid

import pytest

from tests.fake_twilio import FakeTwilio

from .stack import Stack, running_stack


@pytest.fixture(scope="session")
def fake_twilio() -> FakeTwilio:
    """Twilio's REST API on loopback: the slow path and proactive sends land here."""
    with FakeTwilio() as twilio:
        yield twilio


@pytest.fixture(scope="session")
def stack(tmp_path_factory, fake_twilio) -> Stack:
    with running_stack(tmp_path_factory.mktemp("stack"),
                       extra_env={"TWILIO_API_BASE": fake_twilio.base_url}) as running:
        yield running


@pytest.fixture
def sender() -> str:
    """A fresh conversation id per test (what the connectors' pseudonym would be)."""
    return uuid.uuid4().hex
