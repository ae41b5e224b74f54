"""How the worker hands messages to the connectors: their proactive-send endpoint.

The connectors alone read the contact vault, honour opt-outs and WhatsApp's 24-hour
window, refuse a key already sent, and tell the conversation a reminder went out, so
her "OK", "1" or "2" is understood there. One POST per batch and channel.
"""
from __future__ import annotations

import logging
from dataclasses import asdict

import httpx

from ..config import get_settings
from .worker import Outgoing, SenderUnavailable

log = logging.getLogger(__name__)
INTERNAL_HEADER = "X-Puente-Internal"


class ConnectorSender:
    """POST `{items: [...]}` to `RASA_URL/webhooks/<channel>/proactive`."""

    def __init__(self, base_url: str | None = None, secret: str | None = None,
                 timeout: float = 60.0) -> None:
        settings = get_settings()
        self.base_url = (base_url or settings.rasa_url).rstrip("/")
        self._headers = {INTERNAL_HEADER: secret or settings.app_secret}
        self._client = httpx.Client(timeout=timeout)

    def send(self, items: list[Outgoing]) -> dict[str, str]:
        if not items:
            return {}
        url = f"{self.base_url}/webhooks/{items[0].channel}/proactive"
        # `sender` lets a balancer that routes by sender spread batches over the Rasa
        # servers (any of them can send: the vault and trackers are shared).
        payload = {"sender": items[0].key,
                   "items": [{k: v for k, v in asdict(i).items() if k != "channel"}
                             for i in items]}
        try:
            response = self._client.post(url, json=payload, headers=self._headers)
        except httpx.HTTPError as error:
            raise SenderUnavailable(type(error).__name__) from error
        if response.status_code >= 500:
            raise SenderUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            # Our own request is wrong (secret, shape): say so loudly, keep the queue.
            log.error("connector refused the proactive batch: %s %s",
                      response.status_code, response.text[:200])
            raise SenderUnavailable(f"HTTP {response.status_code}")
        return dict(response.json().get("results") or {})

    def close(self) -> None:
        self._client.close()
