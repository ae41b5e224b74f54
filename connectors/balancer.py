"""A sender-sticky balancer in front of several Rasa servers (`RASA_PROCESSES` > 1).

Why: one Rasa server is one Python process, so it uses one core; under load it was
the only busy process while the second core sat mostly idle (README "Webhook load").
Several servers share the conversations through the Redis tracker and lock stores
(`REDIS_URL`, required), and this balancer sends each webhook on by a hash of its
sender (`From` of a Twilio form, `sender` of a REST/JSON body), so one person's
messages go to one server and do not wait on each other's locks across servers.

It forwards the request unchanged (method, path, query, body, X-Twilio-Signature; the
channels check signatures against PUBLIC_BASE_URL + path, not the Host) and returns
the server's answer unchanged. A server that cannot be reached is skipped for the
next one, so a crashed process costs no message; when none answers, 502. It never
logs a sender, a number or a body.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
from typing import List, Optional, Sequence
from urllib.parse import parse_qs

from aiohttp import ClientError, ClientSession, ClientTimeout, web

log = logging.getLogger("puente.balancer")

# Headers that describe one connection, not the message (RFC 9110 7.6.1), and the
# ones aiohttp sets itself.
_NOT_FORWARDED = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                  "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"}


def sender_of(body: bytes, content_type: str) -> Optional[str]:
    """The conversation's sender as the request names it, or None."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace")).get("From")
        return values[0] if values else None
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            return None
        sender = data.get("sender") if isinstance(data, dict) else None
        return sender if isinstance(sender, str) else None
    return None


def backend_order(sender: Optional[str], count: int) -> List[int]:
    """Backends to try, the sender's own first; requests without a sender start at 0."""
    first = 0
    if sender is not None:
        digest = hashlib.blake2b(sender.encode("utf-8"), digest_size=8).digest()
        first = int.from_bytes(digest, "big") % count
    return [(first + i) % count for i in range(count)]


def make_app(backends: Sequence[str], timeout_seconds: float = 60.0) -> web.Application:
    """The balancer as an aiohttp application forwarding to `backends` (base URLs)."""
    if not backends:
        raise ValueError("the balancer needs at least one backend URL")
    backends = [url.rstrip("/") for url in backends]
    app = web.Application(client_max_size=1024 ** 2)

    async def open_session(app: web.Application) -> None:
        app["client"] = ClientSession(timeout=ClientTimeout(total=timeout_seconds),
                                      auto_decompress=False)

    async def close_session(app: web.Application) -> None:
        await app["client"].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in _NOT_FORWARDED}
        order = backend_order(sender_of(body, request.content_type), len(backends))
        for index in order:
            try:
                async with request.app["client"].request(
                        request.method, backends[index] + request.path_qs, data=body,
                        headers=headers, allow_redirects=False) as answer:
                    payload = await answer.read()
                    kept = {k: v for k, v in answer.headers.items()
                            if k.lower() not in _NOT_FORWARDED}
                    return web.Response(status=answer.status, body=payload, headers=kept)
            except (ClientError, asyncio.TimeoutError) as error:
                log.warning("Rasa server %d did not answer (%s); trying the next",
                            index, type(error).__name__)
        return web.Response(status=502, text="no Rasa server answered")

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("backends", nargs="+", help="base URLs of the Rasa servers")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    web.run_app(make_app(args.backends), host=args.host, port=args.port,
                access_log=None, print=None)


if __name__ == "__main__":
    main()
