"""HAProxy's configuration (deploy/haproxy.cfg.in) in front of three stand-in Rasa
servers: one sender always reaches one server, by Twilio's `From` or a JSON `sender`;
when a server dies, its senders move and nobody else does; the request it died on is
sent to the other server. Seconds, no Rasa."""
from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from .topology import ROOT, free_port


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # resets are expected here
        pass


class StandIn:
    """A Rasa stand-in: GET / is 200; a POST answers its name (or dies, if told)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.die_on_next_post = False
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                self._answer(b"Hello from Rasa")

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if stand_in.die_on_next_post:  # the process dies mid-request
                    stand_in.die_on_next_post = False
                    self.connection.close()
                    threading.Thread(target=stand_in.stop).start()
                    return
                self._answer(stand_in.name.encode())

            def _answer(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def balanced(tmp_path: Path) -> Iterator[tuple[str, list[StandIn]]]:
    haproxy = subprocess.run([str(ROOT / "scripts/services.sh"), "haproxy"], check=True,
                             capture_output=True, text=True).stdout.strip()
    servers = [StandIn("rasa1"), StandIn("rasa2"), StandIn("rasa3")]
    port = free_port()
    config = subprocess.run(
        [str(ROOT / "scripts/haproxy-config.sh"), f"127.0.0.1:{port}", str(tmp_path / "sock"),
         *[f"127.0.0.1:{s.port}" for s in servers]], check=True, capture_output=True,
        text=True).stdout
    (tmp_path / "haproxy.cfg").write_text(config)
    process = subprocess.Popen([haproxy, "-db", "-f", str(tmp_path / "haproxy.cfg")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url, servers
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in servers:
            try:
                server.stop()
            except OSError:
                pass


def _server_of(url: str, sender: str, as_json: bool = False) -> str:
    path = url + "/webhooks/twilio_sms/webhook"
    if as_json:
        reply = httpx.post(path, content=json.dumps({"sender": sender, "message": "hi"}),
                           headers={"Content-Type": "application/json"}, timeout=10)
    else:
        reply = httpx.post(path, data={"MessageSid": "SM1", "From": sender, "Body": "hi"},
                           timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.text


SENDERS = [f"+5730012345{i:02d}" for i in range(24)]


def test_each_sender_reaches_one_server_and_all_are_used(balanced):
    url, _ = balanced
    first = {s: _server_of(url, s) for s in SENDERS}
    assert {_server_of(url, s) for s in SENDERS for _ in range(2)} == set(first.values())
    assert all(_server_of(url, s) == first[s] for s in SENDERS)
    assert set(first.values()) == {"rasa1", "rasa2", "rasa3"}
    by_json = {s: _server_of(url, s, as_json=True) for s in SENDERS}
    assert all(_server_of(url, s, as_json=True) == by_json[s] for s in SENDERS)


def test_a_dead_servers_senders_move_and_only_they(balanced):
    url, servers = balanced
    before = {s: _server_of(url, s) for s in SENDERS}
    victim = next(s for s in SENDERS if before[s] == "rasa1")
    servers[0].die_on_next_post = True
    started = time.monotonic()
    assert _server_of(url, victim) != "rasa1"  # the request it died on, sent again
    assert time.monotonic() - started < 3
    after = {s: _server_of(url, s) for s in SENDERS}
    assert "rasa1" not in after.values()
    assert all(after[s] == before[s] for s in SENDERS if before[s] != "rasa1")
