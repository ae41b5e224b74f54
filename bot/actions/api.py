"""The one HTTP client of the actions: the app's public and internal API.

Actions are thin; the app owns the data. Every call has a short timeout and raises
`AppUnavailable` on any failure, so an action can still answer the person.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Dict, List, Optional

import aiohttp

from .options import COUNTRY_MENU  # the countries of the route

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("PUENTE_ACTION_HTTP_TIMEOUT", "4")))


class AppUnavailable(RuntimeError):
    """The app could not answer (down, timeout, 5xx)."""


class AppRejected(RuntimeError):
    """The app answered 4xx: the request itself was wrong (e.g. unknown place)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"app answered {status}")
        self.status = status
        self.body = body


def _base_url() -> str:
    return os.environ.get("APP_URL", "http://127.0.0.1:8000").rstrip("/")


def _internal_headers() -> Dict[str, str]:
    return {"X-Puente-Internal": os.environ.get("APP_SECRET", "dev-only-secret-change-me")}


async def request(method: str, path: str, params: Optional[Dict[str, Any]] = None,
                  json: Optional[Dict[str, Any]] = None, internal: bool = False) -> Any:
    """Call the app; JSON body back, or AppRejected (4xx) / AppUnavailable (anything else)."""
    clean = {k: _param(v) for k, v in (params or {}).items() if v is not None}
    headers = _internal_headers() if internal else {}
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.request(method, _base_url() + path, params=clean,
                                       json=json, headers=headers) as response:
                body = await response.json(content_type=None)
                if 400 <= response.status < 500:
                    raise AppRejected(response.status, body)
                if response.status >= 500:
                    raise AppUnavailable(f"{method} {path}: {response.status}")
                return body
    # asyncio.TimeoutError: aiohttp's timeout, not the builtin TimeoutError before 3.11
    # (the action server runs on 3.10): a hung app must be AppUnavailable too.
    except (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, ValueError) as error:
        log.warning("app call %s %s failed: %s", method, path, type(error).__name__)
        raise AppUnavailable(str(error)) from error


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


async def resolve_place(name: str, country: Optional[str] = None) -> Dict[str, Any]:
    """The gazetteer's answer for a place as written: status found|ambiguous|not_found."""
    try:
        return await request("GET", "/v1/places/resolve", params={"name": name, "country": country})
    except AppRejected:
        return {"status": "not_found", "query": name, "place": None, "choices": []}


async def country_of_place(name: str) -> Optional[str]:
    """The country of a place as written; for a name shared by several places, the
    likeliest one on the route ("San Vicente": the Darién station, not Argentina)."""
    found = await resolve_place(name)
    if found["status"] == "not_found":
        return None
    if found["status"] == "ambiguous":
        on_route = [c.get("country") for c in found.get("choices") or []
                    if c.get("country") in COUNTRY_MENU]
        if on_route:
            return on_route[0]
    return (found.get("place") or {}).get("country")


async def places_in_text(text: Optional[str]) -> List[Dict[str, Any]]:
    """The places of the route named anywhere in a message, longest names first."""
    if not text or not text.strip():
        return []
    try:
        found = await request("POST", "/v1/places/in-text", json={"text": text[:2000]})
    except AppRejected:
        return []
    return found.get("places") or []


async def country_in_text(text: Optional[str]) -> Optional[str]:
    """The country of the first place named anywhere in a message, if any."""
    places = await places_in_text(text)
    return places[0].get("country") if places else None
