"""The running stack shared by the end-to-end tests of a session, in both of the
configurations Puente runs in: one Rasa server with in-memory stores (development)
and production's (one Rasa server per core, here two, behind HAProxy; Redis
tracker, lock and channel stores). Every test runs against each."""
import secrets
import uuid

import pytest

from tests.fake_twilio import FakeTwilio

from .stack import Stack, running_stack


@pytest.fixture(scope="session")
def fake_twilio() -> FakeTwilio:
    """Twilio's REST API on loopback: the slow path and proactive sends land here."""
    with FakeTwilio() as twilio:
        yield twilio


@pytest.fixture(scope="session", params=["in memory", "two servers, Redis"])
def stack(request, tmp_path_factory, fake_twilio) -> Stack:
    env = {"TWILIO_API_BASE": fake_twilio.base_url}
    if request.param == "two servers, Redis":
        # A fresh APP_SECRET gives fresh pseudonyms: Redis keeps conversations across runs.
        env.update(REDIS_URL=request.getfixturevalue("redis_url"), RASA_PROCESSES="2",
                   APP_SECRET=secrets.token_hex(16))
    with running_stack(tmp_path_factory.mktemp("stack"), extra_env=env) as running:
        yield running


@pytest.fixture
def sender() -> str:
    """A fresh conversation id per test (what the connectors' pseudonym would be)."""
    return uuid.uuid4().hex
