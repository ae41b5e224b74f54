"""Abuse limits: a flood from one number, or from many, cannot make Puente send
unbounded SMS (each one is paid, and a flood could also bury a person's phone).

- Inbound: more than `PUENTE_INBOUND_PER_MINUTE` messages from one sender within a
  minute of her first one, and she gets one polite notice for that minute, then
  silence; nothing more of hers reaches Rasa until the minute is over.
- Outbound: every message sent (a reply or a proactive message) first reserves its
  segments (SMS) or its one message (WhatsApp) against a daily cap per sender
  (`PUENTE_DAILY_SEGMENTS_PER_SENDER`) and in total (`PUENTE_DAILY_SEGMENTS_TOTAL`).
  What would pass a cap is not sent; the excess is counted and logged, without a
  number or a pseudonym.
- STOP always wins: the channel processes an opt-out word whatever the limits say
  (see `channel.py`), and a confirmation that changes her state is never refused.

Keys (in the connectors' state store): `rate:<pseudonym>` (60 s from her first
message), `segs:<pseudonym>:<day>` (2 days) and `segs-total:<day>` (anonymous, 3
days). `forget` drops the per-sender ones for `delete_my_data`; that also resets her
counts, which the total cap still bounds.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, List, Sequence, Tuple

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger(__name__)

OK, NOTICE, SILENT = "ok", "notice", "silent"
RATE = "rate:"
SEGMENTS = "segs:"
SEGMENTS_TOTAL = "segs-total:"
WINDOW_SECONDS = 60
SENDER_TTL_SECONDS = 2 * 86400
TOTAL_TTL_SECONDS = 3 * 86400
_CAP_NAMES = ("per_sender", "total")


def _day(offset: int = 0) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=offset)
    return moment.strftime("%Y-%m-%d")


class Limits:
    """The per-sender inbound rate and the daily outbound caps of one channel."""

    def __init__(self, runtime: "Runtime", channel: str = "") -> None:
        self.runtime = runtime
        self.channel = channel

    async def inbound(self, person: str) -> str:
        """Count one message from `person`: OK to answer it, NOTICE (the first one over
        the limit in this minute: tell her once), or SILENT (answer nothing)."""
        limit = self.runtime.settings.inbound_per_minute
        if limit <= 0:
            return OK
        seen = await self.runtime.state.bump(RATE + person, WINDOW_SECONDS)
        if seen <= limit:
            return OK
        await self.runtime.count("inbound_limited")
        if seen == limit + 1:
            log.warning("%s: a sender passed %d messages in a minute; one notice, then "
                        "silence for the rest of the minute", self.channel, limit)
            return NOTICE
        return SILENT

    async def outbound(self, person: str, units: int, exempt: bool = False) -> bool:
        """Reserve `units` segments for a message to `person` today: False when a daily
        cap refuses it (counted and logged). `exempt` messages (an opt-out's
        confirmation) are counted but never refused."""
        if units <= 0:
            return True
        caps = self._caps(person, _day())
        refused = await self.runtime.state.reserve(caps, units, force=exempt)
        if refused < 0:
            return True
        await self._count_refusal(caps, refused, units)
        return False

    def _caps(self, person: str, today: str) -> list:
        settings = self.runtime.settings
        return [(f"{SEGMENTS}{person}:{today}", settings.daily_segments_per_sender,
                 SENDER_TTL_SECONDS),
                (f"{SEGMENTS_TOTAL}{today}", settings.daily_segments_total, TOTAL_TTL_SECONDS)]

    async def outbound_many(self, requests: Sequence[Tuple[str, int]]) -> List[bool]:
        """`outbound` for a batch of (person, units), in order, in one round trip (the
        proactive endpoint); a message of 0 units passes without reserving."""
        today = _day()
        asked = [(i, self._caps(person, today), units)
                 for i, (person, units) in enumerate(requests) if units > 0]
        refused = await self.runtime.state.reserve_many([(c, u) for _, c, u in asked])
        allowed = [True] * len(requests)
        for (index, caps, units), which in zip(asked, refused):
            if which >= 0:
                allowed[index] = False
                await self._count_refusal(caps, which, units)
        return allowed

    async def _count_refusal(self, caps: list, refused: int, units: int) -> None:
        which = _CAP_NAMES[refused]
        await self.runtime.count("outbound_capped", which)
        await self.runtime.count("outbound_capped_segments", which, amount=units)
        log.warning("%s: daily cap of outbound segments (%s, %d) reached; %d segment(s) "
                    "not sent", self.channel, which.replace("_", " "), caps[refused][1], units)

    async def forget(self, person: str) -> None:
        """Drop every per-sender counter of `person` (delete_my_data)."""
        keys: List[str] = [RATE + person] + [f"{SEGMENTS}{person}:{_day(offset)}"
                                             for offset in (0, -1)]
        for key in keys:
            await self.runtime.state.delete(key)
