"""Anonymous usage statistics from the conversation's own events (Rasa event broker).

Rasa hands every tracker event to the event broker named in `endpoints.yml`. This one
keeps none of them: it turns each into, at most, one anonymous statistic (DESIGN.md
"Statistics") and sends those in batches to the app (`POST /v1/events`, internal).
What leaves: the kind, the channel, the language, the country, the intent or service
type asked, an SMS segment count. What never leaves: the sender id, the text, an
entity's words, a place, a time finer than the app's hour.

Recording must never delay or break an answer: `publish` only appends to a bounded
queue; a background task posts it; when the app cannot be reached the batch is dropped
and counted in the log (a statistic is lost, never a reply).
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict, deque
from typing import Any, Deque, Dict, List, Optional, Text

import aiohttp
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from connectors.gsm import segment_count, to_gsm7

log = logging.getLogger(__name__)

CHANNELS = {"twilio_sms": "sms", "twilio_whatsapp": "whatsapp", "rest": "web"}
# Bot answers that are statistics of their own
ANSWER_KINDS = {"utter_urgent_care": "urgent_answer", "utter_human": "handoff"}
FALLBACK_INTENTS = {"nlu_fallback"}
_TIMEOUT = aiohttp.ClientTimeout(total=3)
_REMEMBERED = 10_000  # conversations whose channel, language and country are kept in memory


class StatsEventBroker(EventBroker):
    """Statistics out of Rasa's events, posted to the app in the background."""

    def __init__(self, url: str, secret: str, flush_seconds: float = 2.0,
                 batch_size: int = 100, max_queue: int = 10_000) -> None:
        self.url = url
        self.secret = secret
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self.queue: Deque[Dict[str, Any]] = deque(maxlen=max_queue)
        # sender id -> what the statistics of later events need; in memory only, bounded
        self._context: "OrderedDict[str, Dict[str, Any]]" = OrderedDict()
        self._task: Optional[asyncio.Task] = None
        self.lost = 0

    @classmethod
    async def from_endpoint_config(cls, broker_config: EndpointConfig,
                                   event_loop: Optional[asyncio.AbstractEventLoop] = None
                                   ) -> "StatsEventBroker":
        kwargs = broker_config.kwargs or {}
        return cls(url=broker_config.url,
                   secret=os.environ.get("APP_SECRET", "dev-only-secret-change-me"),
                   flush_seconds=float(kwargs.get("flush_seconds", 2.0)))

    # -- turning one Rasa event into statistics ------------------------------------
    def publish(self, event: Dict[Text, Any]) -> None:
        try:
            for stat in self.statistics(event):
                self.queue.append(stat)
        except Exception:  # a statistic is never worth an answer
            log.exception("statistics: an event could not be read")
            return
        self._ensure_flusher()

    def statistics(self, event: Dict[str, Any]) -> List[Dict[str, Any]]:
        """The anonymous statistics one Rasa event gives (often none)."""
        sender = str(event.get("sender_id") or "")
        context = self._remember(sender)
        kind = event.get("event")
        if kind == "action" and event.get("name") == "action_session_start":
            context["new"] = True
            return []
        if kind == "slot" and event.get("name") in ("country", "language"):
            value = event.get("value")
            if isinstance(value, str) and len(value) == 2:
                context[event["name"]] = value
            return []
        if kind == "user":
            return self._from_user(event, context)
        if kind == "bot":
            return self._from_bot(event, context)
        return []

    def _from_user(self, event: Dict[str, Any], context: Dict[str, Any]) -> List[Dict[str, Any]]:
        parse = event.get("parse_data") or {}
        entities = {e.get("entity"): e.get("value") for e in parse.get("entities") or []}
        channel = CHANNELS.get(str(event.get("input_channel") or ""))
        if channel:
            context["channel"] = channel
        for name in ("language", "country"):
            value = entities.get(name)
            if isinstance(value, str) and len(value) == 2:
                context[name] = value
        stats = []
        if context.pop("new", False):
            stats.append(self._stat("conversation_started", context))
        intent = (parse.get("intent") or {}).get("name")
        if intent in FALLBACK_INTENTS:
            stats.append(self._stat("fallback", context))
        elif intent:
            service = entities.get("service_type")
            stats.append(self._stat("topic", context, intent=intent,
                                    service_type=service if isinstance(service, str) else None))
        return stats

    def _from_bot(self, event: Dict[str, Any], context: Dict[str, Any]) -> List[Dict[str, Any]]:
        stats = []
        answer = ANSWER_KINDS.get(str((event.get("metadata") or {}).get("utter_action")))
        if answer:
            stats.append(self._stat(answer, context))
        text = event.get("text")
        if text and context.get("channel") == "sms":
            stats.append(self._stat("sms_segments", context,
                                    value=segment_count(to_gsm7(str(text)))))
        return stats

    @staticmethod
    def _stat(kind: str, context: Dict[str, Any], **fields: Any) -> Dict[str, Any]:
        stat = {"kind": kind, "channel": context.get("channel"),
                "language": context.get("language"), "country": context.get("country")}
        stat.update({k: v for k, v in fields.items() if v is not None})
        return stat

    def _remember(self, sender: str) -> Dict[str, Any]:
        context = self._context.pop(sender, None) or {}
        self._context[sender] = context
        while len(self._context) > _REMEMBERED:
            self._context.popitem(last=False)
        return context

    # -- sending ----------------------------------------------------------------------
    def _ensure_flusher(self) -> None:
        if self._task and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a test, a script): `flush` sends on demand
        self._task = loop.create_task(self._flush_forever())

    async def _flush_forever(self) -> None:
        async with aiohttp.ClientSession(timeout=_TIMEOUT) as session:
            while True:
                await asyncio.sleep(self.flush_seconds)
                await self.flush(session)

    async def flush(self, session: Optional[aiohttp.ClientSession] = None) -> int:
        """Post what is queued, in batches; returns how many statistics were sent."""
        sent = 0
        own = session is None
        session = session or aiohttp.ClientSession(timeout=_TIMEOUT)
        try:
            while self.queue:
                batch = [self.queue.popleft()
                         for _ in range(min(self.batch_size, len(self.queue)))]
                try:
                    async with session.post(self.url, json={"events": batch},
                                            headers={"X-Puente-Internal": self.secret}) as reply:
                        reply.raise_for_status()
                    sent += len(batch)
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    self.lost += len(batch)
                    log.warning("statistics: %d lost (%s); %d lost in all",
                                len(batch), type(error).__name__, self.lost)
                    break
        finally:
            if own:
                await session.close()
        return sent

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
        await self.flush()
