"""Fixtures for the connector tests: a real Rasa server (Puente's trained model) with
the Twilio channels, a fake Twilio on loopback, and a small NLG endpoint whose texts,
language, delay and failures each test sets (the app's real NLG is exercised by the
end-to-end tests in tests/e2e)."""
from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, AsyncIterator, Dict, Optional

import aiohttp
import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator

from connectors.settings import ConnectorSettings
from connectors.state import LocalState, RedisState
from connectors.twilio_sms import TwilioSMSInput
from connectors.twilio_whatsapp import TwilioWhatsAppInput
from tests.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "bot" / "models" / "puente.tar.gz"
TOKEN = "test-auth-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NLGStub:
    """Rasa's NLG protocol with texts chosen by the test."""

    def __init__(self) -> None:
        self.texts: Dict[str, str] = {}
        self.language: Optional[str] = "en"
        self.delay = 0.0
        self.fail = False
        self.url = ""
        self._runner: Optional[web.AppRunner] = None

    async def _handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            return web.Response(status=500, text="nlg down")
        name = payload.get("response", "")
        text = self.texts.get(name, f"[{name} for {payload.get('channel', {}).get('name')}]")
        return web.json_response({"text": text, "custom": {"language": self.language}})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/nlg", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/nlg"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()



@pytest.fixture(params=["local", "redis"])
async def store(request, tmp_path):
    """The channels' state store, SQLite and Redis (a namespace of its own), for the
    tests of what is kept in it: claims, leases, vault."""
    if request.param == "local":
        state = LocalState(tmp_path / "state.sqlite3")
    else:
        state = RedisState(request.getfixturevalue("redis_url"),
                           namespace=f"test:{uuid.uuid4().hex[:8]}:")
    yield state
    await state.close()

@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL.exists():
        pytest.skip("no trained model (make train)")
    return MODEL


@pytest.fixture(scope="session")
def agent(model_path):
    from rasa.core.agent import load_agent

    return asyncio.run(load_agent(model_path=str(model_path)))


@pytest.fixture(scope="session")
def action_server_url(tmp_path_factory):
    """The real action server (`rasa run actions`), as `make serve` runs it."""
    import os
    import subprocess
    import time
    import urllib.request

    root = Path(__file__).resolve().parents[2]
    port = free_port()
    log = (tmp_path_factory.mktemp("actions") / "actions.log").open("wb")
    process = subprocess.Popen(
        [str(root / ".venv-bot/bin/rasa"), "run", "actions", "--actions", "bot.actions",
         "--port", str(port)],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, stdout=log,
        stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the action server did not start")
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/webhook"
    process.terminate()
    process.wait(timeout=20)
    log.close()


def use_action_server(agent, url: str) -> None:
    """Point the agent (and its processor) at an action server."""
    from rasa.utils.endpoints import EndpointConfig

    agent.action_endpoint = EndpointConfig(url=url)
    agent.processor.action_endpoint = agent.action_endpoint


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
async def nlg():
    stub = NLGStub()
    await stub.start()
    yield stub
    await stub.stop()


class Server:
    """A running Rasa server with both channels, and helpers to send as Twilio does."""

    def __init__(self, base: str, settings: ConnectorSettings, sms: TwilioSMSInput,
                 whatsapp: TwilioWhatsAppInput) -> None:
        self.base = base
        self.settings = settings
        self.sms = sms
        self.whatsapp = whatsapp
        self.session = aiohttp.ClientSession()

    def sign(self, path: str, form: Dict[str, str], token: str = TOKEN) -> str:
        return RequestValidator(token).compute_signature(self.settings.public_base_url + path, form)

    async def post(self, channel: str, form: Dict[str, str], signature: Any = "sign",
                   path_suffix: str = "webhook") -> aiohttp.ClientResponse:
        path = f"/webhooks/{channel}/{path_suffix}"
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = self.sign(path, form)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        reply = await self.session.post(self.base + path, data=form, headers=headers)
        await reply.read()
        return reply

    async def text(self, channel: str, address: str, body: str, **extra: str):
        """Send like Twilio; (status, TwiML messages)."""
        form = sms_form(address, body, **extra)
        reply = await self.post(channel, form)
        return reply.status, twiml_messages(await reply.text())


def sms_form(address: str, body: str, **extra: str) -> Dict[str, str]:
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
            "From": address, "To": "+15005550006", "Body": body, "NumMedia": "0"}
    form.update(extra)
    return form


def twiml_messages(document: str) -> list:
    import xml.etree.ElementTree as ET

    return [m.text or "" for m in ET.fromstring(document).iter("Message")]


@pytest.fixture
def settings(tmp_path, fake_twilio) -> ConnectorSettings:
    # Test phones type faster than people: the per-minute limit is the abuse tests'
    # (test_abuse_limits.py), which set it themselves.
    return ConnectorSettings(
        app_secret="test-app-secret", auth_token=TOKEN, public_base_url="https://puente.example",
        api_base=fake_twilio.base_url, state_path=tmp_path / "state.sqlite3",
        reply_deadline_seconds=5.0, send_backoff_seconds=0.01, hotline="+1 555 0100",
        inbound_per_minute=600,
    )


class FakeRasa:
    """Stands in for Rasa behind the channels: records every message a webhook passes
    on (what NLU would read) and answers as the NLG would, in `language`."""

    def __init__(self) -> None:
        self.received: list = []
        self.reply = "Hi, this is Puente."
        self.language = "en"
        self.kind = "utter_welcome"
        self.delay = 0.0

    async def handle(self, message) -> None:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        await message.output_channel.send_response(message.sender_id, {
            "text": self.reply, "custom": {"language": self.language, "kind": self.kind}})

    @property
    def texts(self) -> list:
        return [m.text for m in self.received]


@contextlib.asynccontextmanager
async def _serving(app, settings, sms, whatsapp) -> AsyncIterator[Server]:
    """The Sanic app on a free loopback port with both channels, as a `Server`; on exit,
    the channels' background tasks awaited, their state closed, the server stopped."""
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                     access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    running = Server(f"http://127.0.0.1:{port}", settings, sms, whatsapp)
    try:
        yield running
    finally:
        await running.session.close()
        for channel in (sms, whatsapp):
            for task in list(channel._background):
                await task
            await channel.runtime.close()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def _drop_namespace(redis_url: str, namespace: str) -> None:
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.from_url(redis_url)
    async for key in client.scan_iter(match=namespace + "*"):
        await client.delete(key)
    await client.close()


@pytest.fixture
async def webhooks(settings, redis_url):
    """Both channels on a Sanic app of their own, in front of a FakeRasa (no model), with
    production's state store (Redis, in a namespace of this test's own, dropped after)."""
    from sanic import Sanic

    Sanic.test_mode = True
    namespace = f"test:{uuid.uuid4().hex[:12]}:"
    settings = replace(settings, redis_url=redis_url, state_namespace=namespace)
    sms, whatsapp = TwilioSMSInput(settings), TwilioWhatsAppInput(replace(settings))
    rasa = FakeRasa()
    app = Sanic(f"fake_rasa_{uuid.uuid4().hex[:12]}")
    for channel in (sms, whatsapp):
        app.blueprint(channel.blueprint(rasa.handle), url_prefix=f"/webhooks/{channel.name()}")
    async with _serving(app, settings, sms, whatsapp) as running:
        running.rasa = rasa
        running.namespace = namespace
        yield running
    await _drop_namespace(redis_url, namespace)


@pytest.fixture
async def server(agent, settings, nlg, action_server_url):
    """Rasa's own app (rasa.core.run.configure_app) with our channels, the model and
    the real action server."""
    from rasa.core import run
    from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
    from rasa.utils.endpoints import EndpointConfig
    from sanic import Sanic

    Sanic.test_mode = True
    sms, whatsapp = TwilioSMSInput(settings), TwilioWhatsAppInput(replace(settings))
    app = run.configure_app([sms, whatsapp], enable_api=True, port=0, use_uvloop=False)
    app.ctx.agent = agent
    use_action_server(agent, action_server_url)
    agent.nlg = CallbackNaturalLanguageGenerator(EndpointConfig(url=nlg.url))
    agent.processor.nlg = agent.nlg
    async with _serving(app, settings, sms, whatsapp) as running:
        yield running
