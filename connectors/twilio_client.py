"""Twilio's Messages API, asynchronous, with retries that do not make things worse.

Why not the `twilio` package's Client: it is synchronous (Rasa's built-in channel
blocks the event loop, and so every conversation, on each send). Here: aiohttp,
retries with exponential backoff on 429, 5xx and connection errors (honouring
Retry-After), never on another 4xx (a bad number will not get better), and a base
URL from `TWILIO_API_BASE` so tests and `puente chat` can point it at a fake Twilio.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, Optional

import aiohttp

log = logging.getLogger(__name__)

OPTED_OUT = 21610  # "Attempt to send to unsubscribed recipient"


class TwilioSendError(RuntimeError):
    """Twilio refused a message; `code` is Twilio's error code when it gave one."""

    def __init__(self, status: int, code: Optional[int], detail: str) -> None:
        super().__init__(f"Twilio refused the message: HTTP {status}, code {code}: {detail}")
        self.status = status
        self.code = code

    @property
    def opted_out(self) -> bool:
        return self.code == OPTED_OUT


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str
    attempts: int


class TwilioClient:
    """Sends messages through `{base_url}/2010-04-01/Accounts/{sid}/Messages.json`."""

    def __init__(self, account_sid: str, auth_token: str, base_url: str = "https://api.twilio.com",
                 max_attempts: int = 4, backoff_seconds: float = 0.5,
                 timeout_seconds: float = 10.0) -> None:
        self.account_sid = account_sid
        self._auth = aiohttp.BasicAuth(account_sid, auth_token)
        self.base_url = base_url.rstrip("/")
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: Optional[aiohttp.ClientSession] = None

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(auth=self._auth, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def send(self, to: str, from_: str, body: Optional[str] = None,
                   content_sid: Optional[str] = None,
                   content_variables: Optional[Dict[str, Any]] = None,
                   status_callback: Optional[str] = None) -> SentMessage:
        """Send one message (a body, or a WhatsApp template by ContentSid)."""
        form: Dict[str, str] = {"To": to, "From": from_}
        if body is not None:
            form["Body"] = body
        if content_sid:
            form["ContentSid"] = content_sid
            form["ContentVariables"] = json.dumps(content_variables or {})
        if status_callback:
            form["StatusCallback"] = status_callback
        last_error: Optional[BaseException] = None
        for attempt in range(1, self.max_attempts + 1):
            retry_after: Optional[float] = None
            try:
                async with self._client().post(self.messages_url, data=form) as reply:
                    payload = await _json(reply)
                    if reply.status < 300:
                        return SentMessage(str(payload.get("sid", "")),
                                           str(payload.get("status", "queued")), attempt)
                    error = TwilioSendError(reply.status, _code(payload),
                                            str(payload.get("message", ""))[:200])
                    if reply.status != 429 and reply.status < 500:
                        raise error
                    last_error = error
                    retry_after = _retry_after(reply.headers.get("Retry-After"))
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as error:
                last_error = error
            if attempt < self.max_attempts:
                delay = retry_after if retry_after is not None else \
                    self.backoff_seconds * 2 ** (attempt - 1)
                log.info("twilio send attempt %d failed (%s); retrying in %.2fs",
                         attempt, type(last_error).__name__, delay)
                await asyncio.sleep(delay)
        if isinstance(last_error, TwilioSendError):
            raise last_error
        raise TwilioSendError(0, None, f"no answer from Twilio: {type(last_error).__name__}")


async def _json(reply: aiohttp.ClientResponse) -> Dict[str, Any]:
    try:
        payload = await reply.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _code(payload: Dict[str, Any]) -> Optional[int]:
    try:
        return int(payload["code"])
    except (KeyError, TypeError, ValueError):
        return None


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        return min(max(float(value), 0.0), 5.0) if value else None
    except ValueError:
        return None
