"""A MessageSid's claim is a lease until answered (connectors/claims.py): a retry of a
message whose server died is answered, a retry of an answered one is not."""
import asyncio

import pytest

from connectors import claims
from connectors.claims import answer_again, claim_message, remember_answer


@pytest.fixture
def short_lease(monkeypatch):
    monkeypatch.setattr(claims, "LEASE_SECONDS", 1)
    monkeypatch.setattr(claims, "RENEW_EVERY_SECONDS", 0.3)


async def test_a_retry_of_an_answered_message_is_not_answered(store):
    first = await claim_message(store, "sid:SM1")
    await first.settle(True, 60)
    assert await claim_message(store, "sid:SM1", wait_seconds=0.5) is None


async def test_a_retry_waits_for_a_live_holder_and_stays_silent(store, short_lease):
    first = await claim_message(store, "sid:SM2")

    async def answer_later():
        await asyncio.sleep(1.5)  # longer than the lease: only renewal keeps it
        await first.settle(True, 60)

    answering = asyncio.ensure_future(answer_later())
    assert await claim_message(store, "sid:SM2", wait_seconds=5) is None
    await answering


async def test_a_retry_answers_when_the_holder_died(store, short_lease):
    first = await claim_message(store, "sid:SM3")
    first._renewal.cancel()  # its server was killed: nobody renews, nobody settles
    retry = await claim_message(store, "sid:SM3", wait_seconds=5)
    assert retry is not None
    await retry.settle(True, 60)


async def test_a_webhook_cut_off_before_answering_leaves_the_message_to_its_retry(store):
    first = await claim_message(store, "sid:SM4")
    await first.settle(False, 60)
    retry = await claim_message(store, "sid:SM4", wait_seconds=0.5)
    assert retry is not None
    await retry.settle(True, 60)


async def test_concurrent_claims_give_one_holder(store):
    won = await asyncio.gather(*[claim_message(store, "sid:SM5", wait_seconds=0.2)
                                 for _ in range(10)])
    holders = [c for c in won if c is not None]
    assert len(holders) == 1
    await holders[0].settle(True, 60)


async def test_twilios_retry_of_a_lost_answer_gets_it_again_once(store):
    await remember_answer(store, "SM6", "token-6", "<Response><Message>hi</Message></Response>")
    assert await answer_again(store, "SM6", "") is None           # a replay without it
    assert await answer_again(store, "SM6", "other") is None      # someone else's token
    assert await answer_again(store, "SM6", "token-6") == \
        "<Response><Message>hi</Message></Response>"
    assert await answer_again(store, "SM6", "token-6") is None    # once only
