"""Only Twilio's signed requests reach the assistant."""
from tests.connectors.conftest import sms_form

SMS = "twilio_sms"


async def test_signed_webhook_is_answered(server):
    status, messages = await server.text(SMS, "+573001234567", "hello")
    assert status == 200
    assert messages


async def test_unsigned_webhook_is_rejected(server):
    reply = await server.post(SMS, sms_form("+573001234567", "hello"), signature=None)
    assert reply.status == 403
    assert await server.sms.runtime.state.counters("webhook_rejected")


async def test_forged_signature_is_rejected(server):
    form = sms_form("+573001234567", "hello")
    forged = server.sign("/webhooks/twilio_sms/webhook", form, token="someone-else")
    reply = await server.post(SMS, form, signature=forged)
    assert reply.status == 403


async def test_tampered_body_is_rejected(server):
    form = sms_form("+573001234567", "hello")
    signature = server.sign("/webhooks/twilio_sms/webhook", form)
    form["To"] = "+15550009999"  # make the bot text someone else at our cost
    reply = await server.post(SMS, form, signature=signature)
    assert reply.status == 403


async def test_replayed_webhook_is_not_answered_twice(server):
    form = sms_form("+573001234567", "hello")
    first = await server.post(SMS, form)
    replay = await server.post(SMS, form)
    assert first.status == replay.status == 200
    assert "<Message>" in await first.text()
    assert "<Message>" not in await replay.text()
