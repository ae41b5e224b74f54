"""Outbound sends: retried on 429 and 5xx, never on another 4xx; 21610 is recognisable."""
import pytest

from connectors.twilio_client import TwilioClient, TwilioSendError

SID = "AC" + "0" * 32


@pytest.fixture
async def client(fake_twilio):
    c = TwilioClient(SID, "token", fake_twilio.base_url, backoff_seconds=0.01)
    yield c
    await c.close()


async def test_send_reaches_twilio(client, fake_twilio):
    sent = await client.send("+573001234567", "+15005550006", body="hola")
    assert sent.sid.startswith("SM") and sent.attempts == 1
    assert fake_twilio.messages[0]["body"] == "hola"


@pytest.mark.parametrize("failure", [429, 500, 503])
async def test_rate_limits_and_server_errors_are_retried(client, fake_twilio, failure):
    fake_twilio.fail_next(failure, times=2)
    sent = await client.send("+573001234567", "+15005550006", body="hola")
    assert sent.attempts == 3
    assert len(fake_twilio.messages) == 1


async def test_other_client_errors_are_not_retried(client, fake_twilio):
    fake_twilio.fail_next(21211)
    with pytest.raises(TwilioSendError) as error:
        await client.send("+573001234567", "+15005550006", body="hola")
    assert error.value.code == 21211 and fake_twilio.requests == 1


async def test_unsubscribed_recipient_is_reported_as_opted_out(client, fake_twilio):
    fake_twilio.opt_out("+573001234567")
    with pytest.raises(TwilioSendError) as error:
        await client.send("+573001234567", "+15005550006", body="hola")
    assert error.value.opted_out and fake_twilio.requests == 1


async def test_gives_up_after_the_last_attempt(client, fake_twilio):
    fake_twilio.fail_next(500, times=10)
    with pytest.raises(TwilioSendError) as error:
        await client.send("+573001234567", "+15005550006", body="hola")
    assert error.value.status == 500 and fake_twilio.requests == client.max_attempts
