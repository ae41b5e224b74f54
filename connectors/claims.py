"""One answer per MessageSid, even when the Rasa server answering it dies.

Twilio sends a webhook again when it got no answer (and HAProxy sends a request
again, to another server, when the first died on it). A claim that said "taken" for
two days from the first moment would turn that retry away while nobody answers: the
message would be lost. So a webhook first takes its MessageSid as a short *lease*
that it keeps alive while it works, and marks it *answered* (for the dedupe period)
once it has answered. A retry that finds the lease held waits: when it turns to
answered, the retry gets nothing more; when it lapses because its holder died, the
retry takes it and answers. A holder that is alive but slow keeps its lease, and the
retry, after `wait_seconds`, leaves the answer to it.

Twilio retries only a webhook whose answer it did not get (a timeout, a cut
connection), and marks its retries with the `I-Twilio-Idempotency-Token` of the
first attempt. When the first attempt did answer but the answer was lost on the way
back, the retry with that token gets the same TwiML again, once, within
`RETRY_WINDOW_SECONDS`; anything else (a replay without the token, a second retry)
gets an empty TwiML, so a replay never makes Puente send more than that one copy.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Optional

from .state import StateStore

log = logging.getLogger(__name__)

ANSWERED = "1"  # what the claims held before leases existed mean too
LEASE_PREFIX = "lease:"
LEASE_SECONDS = 3
RENEW_EVERY_SECONDS = 1.0
POLL_SECONDS = 0.1
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
RETRY_WINDOW_SECONDS = 60
_ANSWER = "answer:"   # the TwiML of an answered MessageSid, for Twilio's retry
_RESENT = "resent:"   # claimed when that TwiML has been given again


class MessageClaim:
    """A MessageSid held by this webhook, its lease renewed until `settle`."""

    def __init__(self, state: StateStore, key: str, token: str) -> None:
        self._state = state
        self._key = key
        self._token = token
        self._renewal = asyncio.ensure_future(self._renew())

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY_SECONDS)
            try:
                if not await self._state.renew(self._key, self._token, LEASE_SECONDS):
                    log.warning("a MessageSid lease lapsed while its webhook was working")
                    return
            except Exception as error:  # the store is down: the answer still goes
                log.warning("could not renew a MessageSid lease (%s)", type(error).__name__)

    async def settle(self, answered: bool, dedupe_ttl_seconds: int) -> None:
        """Answered: no retry is answered again. Not answered (the webhook was cut off
        before its answer left): the lease goes, so Twilio's retry answers."""
        self._renewal.cancel()
        try:
            if answered:
                await self._state.set(self._key, ANSWERED, ttl_seconds=dedupe_ttl_seconds)
            else:
                await self._state.delete(self._key)
        except Exception as error:  # the store is down: the lease lapses by itself
            log.warning("could not settle a MessageSid claim (%s)", type(error).__name__)


async def claim_message(state: StateStore, key: str,
                        wait_seconds: float = LEASE_SECONDS + 1.0) -> Optional[MessageClaim]:
    """The claim of `key` for this webhook, or None when the message is answered (or
    is being answered by a live webhook elsewhere) and this one must stay silent."""
    token = LEASE_PREFIX + uuid.uuid4().hex
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        if await state.claim(key, LEASE_SECONDS, value=token):
            return MessageClaim(state, key, token)
        held = await state.get(key)
        if held is not None and not held.startswith(LEASE_PREFIX):
            return None  # answered
        if loop.time() >= deadline:
            return None  # its holder is alive (it renews the lease): it answers
        if held is not None:
            await asyncio.sleep(POLL_SECONDS)  # else it lapsed just now: take it


async def remember_answer(state: StateStore, sid: str, token: str, twiml: str) -> None:
    """Keep a webhook's TwiML for its retries with the same idempotency token."""
    if not token:
        return
    try:
        await state.set(_ANSWER + sid, json.dumps({"token": token, "twiml": twiml}),
                        ttl_seconds=RETRY_WINDOW_SECONDS)
    except Exception as error:  # the answer still goes; only a lost one cannot be resent
        log.warning("could not keep a webhook's answer for retries (%s)", type(error).__name__)


async def answer_again(state: StateStore, sid: str, token: str) -> Optional[str]:
    """The TwiML to give Twilio's retry of an answer it never got, or None."""
    if not token:
        return None
    stored = await state.get(_ANSWER + sid)
    if stored is None or json.loads(stored).get("token") != token:
        return None
    if not await state.claim(_RESENT + sid, RETRY_WINDOW_SECONDS):
        return None
    return json.loads(stored)["twiml"]
