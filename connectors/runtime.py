"""The resources a channel shares between requests: settings, state, vault, Twilio client.

Created lazily on first use, inside the running event loop (the Redis and HTTP
clients bind to it), once per channel instance.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Optional

from . import texts
from .awaited import AWAITED
from .privacy import pseudonym
from .settings import ConnectorSettings
from .state import StateStore, open_state
from .twilio_client import TwilioClient
from .vault import ContactVault

log = logging.getLogger(__name__)

OPTOUT = "optout:"
LANGUAGE = "lang:"
PAGES = "pages:"
LAST_INBOUND = "lastin:"
CLAIM = "sid:"


def today() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")


class Runtime:
    """Settings plus lazily opened state store, vault and Twilio client."""

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings
        self._state: Optional[StateStore] = None
        self._vault: Optional[ContactVault] = None
        self._client: Optional[TwilioClient] = None

    @property
    def state(self) -> StateStore:
        if self._state is None:
            self._state = open_state(self.settings.redis_url, self.settings.state_path,
                                     self.settings.state_namespace)
        return self._state

    @property
    def vault(self) -> ContactVault:
        if self._vault is None:
            self._vault = ContactVault(self.settings.vault_key_bytes(), self.state)
        return self._vault

    @property
    def client(self) -> TwilioClient:
        if self._client is None:
            s = self.settings
            self._client = TwilioClient(s.account_sid, s.auth_token, s.api_base,
                                        backoff_seconds=s.send_backoff_seconds)
        return self._client

    def pseudonym(self, address: str) -> str:
        return pseudonym(address, self.settings.app_secret)

    def text(self, name: str, language: Optional[str]) -> str:
        return texts.text(name, language, self.settings.locales_dir, hotline=self.settings.hotline)

    # Opt-out, remembered forever (until START): the state store is durable.
    async def is_opted_out(self, person: str) -> bool:
        return await self.state.get(OPTOUT + person) is not None

    async def opt_out(self, person: str) -> None:
        """Remember the opt-out, and drop the contact and pending pages we hold."""
        await self.state.set(OPTOUT + person, today())
        await self.vault.delete(person)
        await self.state.delete(PAGES + person)
        log.info("opt-out recorded for %s", person[:8])

    async def opt_in(self, person: str) -> None:
        await self.state.delete(OPTOUT + person)
        log.info("opt-in recorded for %s", person[:8])

    async def forget_person(self, person: str) -> None:
        """delete_my_data: drop every key of the state store that names her pseudonym
        (contact vault, opt-out, language, pages, last message time, the reminders
        awaiting her answer). The opt-out may
        go too: without the vault nothing proactive can reach her, and a message she
        sends later starts afresh."""
        await self.vault.delete(person)
        for prefix in (OPTOUT, LANGUAGE, PAGES, LAST_INBOUND, AWAITED):
            await self.state.delete(prefix + person)
        log.info("channel state erased on request")

    async def language(self, person: str) -> Optional[str]:
        return await self.state.get(LANGUAGE + person)

    async def remember_language(self, person: str, language: Optional[str]) -> None:
        if language and language in texts.LANGUAGES:
            await self.state.set(LANGUAGE + person, language,
                                 ttl_seconds=400 * 86400)

    async def count(self, name: str, detail: object = "", amount: int = 1) -> None:
        """An anonymous counter `name:YYYY-MM-DD[:detail]` (no pseudonym, ever)."""
        await self.state.incr(self.counter_key(name, detail), amount)

    def counter_key(self, name: str, detail: object = "") -> str:
        """The key `count` adds to, for adding many at once (`state.incr_many`)."""
        return f"{name}:{today()}" + (f":{detail}" if detail != "" else "")

    async def tell_app(self, path: str, payload: dict) -> bool:
        """POST to the app's internal API; False (logged, never raised) when it fails:
        the worker reconciles (an opted-out person's reminder is refused and stopped)."""
        import aiohttp

        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=4)) as session:
                async with session.post(self.settings.app_url + path, json=payload,
                                        headers={"X-Puente-Internal": self.settings.app_secret}
                                        ) as response:
                    return response.status < 300
        except (aiohttp.ClientError, TimeoutError) as error:
            # the path may hold a pseudonym: log the failure only
            log.warning("could not reach the app's internal API (%s)", type(error).__name__)
            return False

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._state is not None:
            await self._state.close()
