"""A fake Twilio Messages API on loopback: records messages, injects failures.

Used by the tests (`tests/fake_twilio`), by `puente chat` to show replies that come
through the REST API (the slow path), and by the webhook benchmark. Standard
library only, so it runs in both environments. Start it, point `TWILIO_API_BASE` at
`fake.base_url`, and read `fake.messages`.

    with FakeTwilio() as fake:
        fake.fail_next(429)                 # next request: 429, then normal
        fake.opt_out("+573001234567")       # sends to it: 400 with code 21610
"""
from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Set, Tuple
from urllib.parse import parse_qs

_ERRORS = {
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
    21610: (21610, "Attempt to send to unsubscribed recipient"),
    21211: (21211, "Invalid 'To' Phone Number"),
}


class _Server(ThreadingHTTPServer):
    """Accepts as many waiting connections as a busy client opens (the default
    backlog of 5 refuses a burst of proactive sends, which real Twilio never does)."""

    request_queue_size = 256


class FakeTwilio:
    """`POST /2010-04-01/Accounts/{sid}/Messages.json`, as Twilio answers it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.messages: List[Dict[str, Any]] = []
        self.requests = 0
        self._failures: List[int] = []
        self._opted_out: Set[str] = set()
        self._lock = threading.Condition()
        self.listeners: List[Callable[[Dict[str, Any]], None]] = []
        self._server = _Server((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: Optional[threading.Thread] = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
        # A short poll: `stop` waits for it, once per test that uses a fake Twilio.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeTwilio":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- failure injection -------------------------------------------------------
    def fail_next(self, status_or_code: int, times: int = 1) -> None:
        """The next `times` requests fail: 429, 500, 503 (HTTP) or 21610, 21211 (code)."""
        with self._lock:
            self._failures.extend([status_or_code] * times)

    def opt_out(self, address: str) -> None:
        """Every send to `address` fails with 21610 (the person texted STOP to Twilio)."""
        self._opted_out.add(address)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self._failures.clear()
            self._opted_out.clear()
            self.requests = 0

    def wait_for(self, count: int, timeout: float = 30.0) -> List[Dict[str, Any]]:
        """Block until `count` messages were accepted (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._lock.wait(timeout=max(0.0, deadline - time.monotonic()))
            return list(self.messages)

    # ---- HTTP ----------------------------------------------------------------------
    def _answer(self, path: str, auth: str, form: Dict[str, str]) -> Tuple[int, Dict[str, Any]]:
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "2010-04-01" or parts[3] != "Messages.json":
            return 404, {"code": 20404, "message": "not found", "status": 404}
        account = parts[2]
        try:
            user = base64.b64decode(auth.split(" ", 1)[1]).decode().split(":", 1)[0]
        except (IndexError, ValueError):
            user = ""
        if user != account:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        with self._lock:
            self.requests += 1
            failure = self._failures.pop(0) if self._failures else None
            if failure is None and form.get("To") in self._opted_out:
                failure = 21610
        if failure is not None:
            code, message = _ERRORS.get(failure, (failure, "Injected failure"))
            status = failure if failure < 1000 else 400
            return status, {"code": code, "message": message, "status": status}
        if not form.get("To") or not form.get("From") or not (
                form.get("Body") or form.get("ContentSid")):
            return 400, {"code": 21602, "message": "Message body is required", "status": 400}
        record = {
            "sid": "SM" + uuid.uuid4().hex, "account_sid": account, "to": form.get("To"),
            "from": form.get("From"), "body": form.get("Body"),
            "content_sid": form.get("ContentSid"),
            "content_variables": json.loads(form["ContentVariables"])
            if form.get("ContentVariables") else None,
            "status_callback": form.get("StatusCallback"), "status": "queued",
        }
        with self._lock:
            self.messages.append(record)
            self._lock.notify_all()
        for listener in list(self.listeners):
            listener(record)
        return 201, record

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API: no reconnect per send
            # The headers and the body leave in two writes: with Nagle's algorithm the
            # body waited for the client's delayed ACK, 40 ms per message, which made
            # this fake (not the code under test) cap a sender at concurrency / 45 ms.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                status, payload = fake._answer(self.path, self.headers.get("Authorization", ""),
                                               form)
                data = json.dumps(payload).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:  # quiet: bodies are private
                pass

        return Handler
