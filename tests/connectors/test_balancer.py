"""The sender-sticky balancer, against two real HTTP servers standing in for Rasa:
one person's webhooks always reach the same server, unchanged; a dead server is
skipped; with none alive the answer is a clear 502."""
import os
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors.balancer import backend_order, make_app, sender_of

FORM = "application/x-www-form-urlencoded"


class Backend:
    """A stand-in Rasa server that records what reached it and answers TwiML."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[tuple[str, bytes, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.path_qs, await request.read(),
                          request.headers.get("X-Twilio-Signature", "")))
        return web.Response(status=200, text=f"<Response>{self.name}</Response>",
                            content_type="text/xml", headers={"X-Served-By": self.name})


@pytest.fixture
async def backends():
    started = []
    for name in ("a", "b"):
        backend = Backend(name)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", backend.handle)
        server = TestServer(app)
        await server.start_server()
        started.append((backend, server))
    yield started
    for _, server in started:
        await server.close()


async def _balancer(urls):
    client = TestClient(TestServer(make_app(urls, timeout_seconds=5)))
    await client.start_server()
    return client


def _url(server) -> str:
    return str(server.make_url("/"))


async def _sms(client, sender: str, body: str = "hola"):
    form = urlencode({"From": sender, "Body": body, "MessageSid": "SM1"})
    return await client.post("/webhooks/twilio_sms/webhook?x=1", data=form,
                             headers={"Content-Type": FORM, "X-Twilio-Signature": "sig"})


async def test_one_senders_webhooks_reach_one_server_unchanged(backends):
    client = await _balancer([_url(s) for _, s in backends])
    try:
        answers = [await _sms(client, "+573001112233", f"msg {i}") for i in range(5)]
        served = {a.headers["X-Served-By"] for a in answers}
        assert len(served) == 1 and all(a.status == 200 for a in answers)
        text = await answers[0].text()
        assert text.startswith("<Response>") and answers[0].content_type == "text/xml"
        backend = next(b for b, _ in backends if b.name in served)
        path, body, signature = backend.seen[0]
        assert path == "/webhooks/twilio_sms/webhook?x=1" and signature == "sig"
        assert body == urlencode({"From": "+573001112233", "Body": "msg 0",
                                  "MessageSid": "SM1"}).encode()
    finally:
        await client.close()


async def test_senders_are_spread_over_the_servers(backends):
    client = await _balancer([_url(s) for _, s in backends])
    try:
        for i in range(40):
            await _sms(client, f"+5730000000{i:02d}")
        counts = [len(b.seen) for b, _ in backends]
        assert sum(counts) == 40 and min(counts) >= 10
    finally:
        await client.close()


async def test_a_dead_server_is_skipped_and_none_alive_is_a_502(backends):
    (alive, alive_server), (dead, dead_server) = backends
    urls = [_url(alive_server), _url(dead_server)]
    await dead_server.close()
    client = await _balancer(urls)
    try:
        answers = [await _sms(client, f"+5730000001{i:02d}") for i in range(6)]
        assert all(a.status == 200 and a.headers["X-Served-By"] == "a" for a in answers)
        await alive_server.close()
        down = await _sms(client, "+573000000999")
        assert down.status == 502 and "no Rasa server" in await down.text()
    finally:
        await client.close()


@pytest.mark.parametrize("body, content_type, sender", [
    (b"From=whatsapp%3A%2B50937000000&Body=x", FORM, "whatsapp:+50937000000"),
    (b'{"sender": "abc", "message": "hola"}', "application/json", "abc"),
    (b"not json", "application/json", None),
    (b"Body=x", FORM, None),
    (b"", "text/plain", None),
])
def test_the_sender_is_read_from_forms_and_json(body, content_type, sender):
    assert sender_of(body, content_type) == sender


def test_every_backend_is_tried_once_starting_with_the_senders():
    assert sorted(backend_order("+573001112233", 3)) == [0, 1, 2]
    assert backend_order("+573001112233", 3) == backend_order("+573001112233", 3)
    assert backend_order(None, 3) == [0, 1, 2]


def test_several_servers_without_redis_are_refused_before_anything_starts():
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run([str(root / "scripts/run-rasa.sh")], env={**env, "RASA_PROCESSES": "2"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "RASA_PROCESSES=2 needs REDIS_URL" in done.stderr
