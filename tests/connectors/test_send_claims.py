"""A reminder occurrence's send key is a lease while it is being sent
(connectors/claims.py): a Rasa server that dies between claiming it and the Twilio
call leaves a lease that lapses, and the worker's next pass sends the reminder; a
live server keeps it; a sent key is never sent again."""
import asyncio

import pytest

from connectors import claims
from connectors.claims import CLAIMED, DONE, IN_FLIGHT, SENT_PREFIX, claim_sends

NUMBER = "+56912345678"
HEADERS = {"X-Puente-Internal": "test-app-secret"}
KEY = "plan-7:2026-12-05:dose"


@pytest.fixture
def short_lease(monkeypatch):
    monkeypatch.setattr(claims, "SEND_LEASE_SECONDS", 1)
    monkeypatch.setattr(claims, "SEND_RENEW_EVERY_SECONDS", 0.3)


async def test_a_dead_holders_send_lease_lapses_and_the_key_can_be_sent(store, short_lease):
    lease, first = await claim_sends(store, ["k1", "k2"])
    assert first == {"k1": CLAIMED, "k2": CLAIMED}
    lease.cancel()  # its server was killed: nobody renews, nothing is marked done
    assert (await claim_sends(store, ["k1"]))[1] == {"k1": IN_FLIGHT}
    await asyncio.sleep(1.3)
    again, second = await claim_sends(store, ["k1", "k2"])
    assert second == {"k1": CLAIMED, "k2": CLAIMED}
    again.cancel()


async def test_a_live_holder_keeps_its_lease_until_the_key_is_done(store, short_lease):
    lease, _ = await claim_sends(store, ["k1", "k2", "k3"])
    await asyncio.sleep(1.5)  # longer than the lease: only renewal keeps it
    assert (await claim_sends(store, ["k1"]))[1] == {"k1": IN_FLIGHT}
    lease.mark_done("k1")
    lease.mark_done("k2")
    await lease.settle(released=["k3"])  # k3 not sent (a cap): may be sent later
    other, seen = await claim_sends(store, ["k1", "k2", "k3"])
    assert seen == {"k1": DONE, "k2": DONE, "k3": CLAIMED}
    other.cancel()


async def test_a_final_claim_of_an_earlier_version_means_sent(store):
    await store.set(SENT_PREFIX + "old", "1", ttl_seconds=60)
    lease, seen = await claim_sends(store, ["old", "old"])
    assert seen == {"old": DONE}
    lease.cancel()


async def post(webhooks, items):
    reply = await webhooks.session.post(f"{webhooks.base}/webhooks/twilio_sms/proactive",
                                        json={"items": items}, headers=HEADERS)
    assert reply.status == 200
    return (await reply.json())["results"]


async def test_a_reminder_is_not_lost_when_its_server_dies_before_sending(webhooks, fake_twilio,
                                                                       short_lease):
    """Production's store (Redis): a server claimed the key and died before Twilio."""
    rt = webhooks.sms.runtime
    person = rt.pseudonym(NUMBER)
    await rt.vault.store(person, NUMBER)
    item = {"key": KEY, "person": person, "text": "Hi, it is time. Reply OK.",
            "kind": "utter_dose_reminder", "language": "en", "variables": {}}
    dead, _ = await claim_sends(rt.state, [KEY])
    dead.cancel()

    assert await post(webhooks, [item]) == {KEY: "in_flight"}  # maybe still sending
    assert fake_twilio.messages == []
    await asyncio.sleep(1.3)  # it was not: its lease lapsed (the worker waits longer)
    assert await post(webhooks, [item]) == {KEY: "sent"}
    assert await post(webhooks, [item]) == {KEY: "duplicate"}
    assert [m["to"] for m in fake_twilio.messages] == [NUMBER]
