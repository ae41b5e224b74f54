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
from typing import Awaitable, Callable, Dict, Iterable, List, Optional, Tuple

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


# ---- a reminder occurrence's send key -------------------------------------------------
# The proactive endpoint sends each occurrence key at most once. Its claim is a lease
# too: held (and renewed) while the batch is being sent, turned to `SEND_DONE` once
# Twilio has answered for it. A Rasa server that dies mid-batch leaves leases that
# lapse within `SEND_LEASE_SECONDS`; the worker's own lease (60 s) then brings the
# occurrence back, and the next pass sends it. (Between Twilio accepting a message and
# the key turning to done a server's death means the message goes twice: a window of
# a Redis round trip, against a reminder lost for good when the claim was final.)
SENT_PREFIX = "rsent:"
SEND_DONE = "done"  # and "1", what the final claims of earlier versions held
SEND_LEASE_SECONDS = 15
SEND_DONE_TTL_SECONDS = 3 * 86400  # longer than the worker ever retries a key
SEND_RENEW_EVERY_SECONDS = 5.0
CLAIMED, DONE, IN_FLIGHT = "claimed", "done", "in_flight"


class SendLease:
    """The send keys one proactive batch holds, renewed together until settled.

    Each key turns to done as soon as its message has left (`mark_done`): the keys
    sent meanwhile are written together, one round trip while the next ones go, so
    a server that dies mid-batch resends at most those of the last round trip."""

    def __init__(self, state: StateStore, token: str, keys: List[str],
                 on_done: Optional[Callable[[List[str]], Awaitable[None]]] = None) -> None:
        self._state = state
        self._token = token
        self._held = set(keys)
        self._done: List[str] = []
        self._on_done = on_done
        self._flushing: Optional[asyncio.Future] = None
        self._renewal = asyncio.ensure_future(self._renew()) if keys else None

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(SEND_RENEW_EVERY_SECONDS)
            try:
                keys = [SENT_PREFIX + k for k in self._held]
                renewed = await self._state.renew_many(keys, self._token, SEND_LEASE_SECONDS)
                if renewed < len(keys):
                    log.warning("%d reminder send leases lapsed while being sent",
                                len(keys) - renewed)
            except Exception as error:  # the store is down: the sends still go
                log.warning("could not renew reminder send leases (%s)", type(error).__name__)

    def mark_done(self, key: str) -> None:
        """`key` was sent (or finally refused by Twilio): never send it again."""
        self._held.discard(key)
        self._done.append(key)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        while self._done:
            keys, self._done = self._done, []
            try:
                await self._state.set_many({SENT_PREFIX + k: SEND_DONE for k in keys},
                                           SEND_DONE_TTL_SECONDS)
                if self._on_done is not None:
                    await self._on_done(keys)
            except Exception as error:  # their leases lapse: the next pass may resend
                log.error("could not mark %d reminder sends done (%s)", len(keys),
                          type(error).__name__)

    async def settle(self, released: Iterable[str] = ()) -> None:
        """Wait until every done key is written; `released` keys (not sent: a cap)
        may be sent again. Renewal stops: leases still held lapse by themselves."""
        self.cancel()
        if self._flushing is not None:
            await self._flushing
        await self._flush()
        released = list(released)
        self._held.difference_update(released)
        await self._state.delete_many([SENT_PREFIX + k for k in released])

    def cancel(self) -> None:
        """Stop renewing (the holder gives up): unsettled leases lapse by themselves."""
        if self._renewal is not None:
            self._renewal.cancel()


async def claim_sends(state: StateStore, keys: List[str],
                      on_done: Optional[Callable[[List[str]], Awaitable[None]]] = None,
                      ) -> Tuple[SendLease, Dict[str, str]]:
    """Lease every key of a batch in one round trip: per key CLAIMED (this batch sends
    it), DONE (sent before) or IN_FLIGHT (another live sender holds it now).
    `on_done` is told, in the same round of writes, which keys turned done."""
    keys = list(dict.fromkeys(keys))
    token = LEASE_PREFIX + uuid.uuid4().hex
    held = await state.claim_many([SENT_PREFIX + k for k in keys], token, SEND_LEASE_SECONDS)
    outcome = {key: CLAIMED if value is None else
               IN_FLIGHT if value.startswith(LEASE_PREFIX) else DONE
               for key, value in zip(keys, held)}
    return SendLease(state, token, [k for k, o in outcome.items() if o == CLAIMED],
                     on_done), outcome
