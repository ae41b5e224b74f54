"""The actions' client of the app: any failure, a hung app included, is AppUnavailable.

On Python 3.10 (the bot's environment) aiohttp's timeout is `asyncio.TimeoutError`,
not the builtin `TimeoutError`; uncaught, it failed the action, Rasa answered nothing
and logged the whole tracker the action server sent back.
"""
from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from bot.actions import api


@pytest.fixture
async def app_url(monkeypatch, unused_tcp_port):
    async def hang(_: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({})

    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    server = web.Application()
    server.router.add_get("/hang", hang)
    server.router.add_get("/broken", broken)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    monkeypatch.setenv("APP_URL", f"http://127.0.0.1:{unused_tcp_port}")
    monkeypatch.setattr(api, "TIMEOUT", aiohttp.ClientTimeout(total=0.3))
    yield
    await runner.cleanup()


@pytest.mark.parametrize("path", ["/hang", "/broken"])
async def test_a_hung_or_failing_app_is_app_unavailable(app_url, path):
    with pytest.raises(api.AppUnavailable):
        await api.request("GET", path)


async def test_an_app_that_is_down_is_app_unavailable(monkeypatch, unused_tcp_port):
    monkeypatch.setenv("APP_URL", f"http://127.0.0.1:{unused_tcp_port}")
    with pytest.raises(api.AppUnavailable):
        await api.request("GET", "/v1/anything")
