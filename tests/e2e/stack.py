"""Start and stop the real stack (Rasa, action server, app) for end-to-end tests.

The processes are the ones `make serve` runs (the Procfile, through honcho), on free
ports so a test run never collides with a stack a developer has running.
"""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

from service_directory.stack import ROOT, load_sample_data, procfile_stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    rasa_url: str
    app_url: str
    action_url: str
    env: dict[str, str]

    def rest(self, sender: str, text: str, metadata: dict | None = None) -> list[str]:
        """Send one message over Rasa's REST channel; the texts the bot answered."""
        reply = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": metadata or {}},
            timeout=30,
        )
        reply.raise_for_status()
        return [m["text"] for m in reply.json() if m.get("text")]


@contextmanager
def running_stack(log_dir: Path, extra_env: dict[str, str] | None = None,
                  timeout: float = 360) -> Iterator[Stack]:
    """Run the Procfile's processes on a fresh database with sample data, then stop them."""
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "APP_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    env.update(
        APP_URL=f"http://127.0.0.1:{ports['APP_PORT']}",
        RASA_URL=f"http://127.0.0.1:{ports['RASA_PORT']}",
        ACTION_SERVER_URL=f"http://127.0.0.1:{ports['ACTION_PORT']}",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{ports['RASA_PORT']}",
        PUENTE_CONNECTOR_STATE=str(log_dir / "channel-state.sqlite3"),
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    env["DATABASE_URL"] = f"sqlite:///{log_dir / 'puente.db'}"
    # Test phones type faster than people, and the test Redis outlives runs (a daily
    # total would fill up over a day of runs): limits fit for tests, unless set.
    for name, value in (("PUENTE_INBOUND_PER_MINUTE", "120"),
                        ("PUENTE_DAILY_SEGMENTS_PER_SENDER", "1000"),
                        ("PUENTE_DAILY_SEGMENTS_TOTAL", "0")):
        env.setdefault(name, value)
    env.update(extra_env or {})
    load_sample_data(env)
    stack = Stack(env["RASA_URL"], env["APP_URL"], env["ACTION_SERVER_URL"], env)
    ready = [f"{stack.app_url}/healthz", f"{stack.action_url}/health", f"{stack.rasa_url}/"]
    # The reminder worker is started by each reminders test itself (it kills one).
    with procfile_stack(env, log_dir / "stack.log", ready, timeout,
                        processes=("rasa", "actions", "app")):
        yield stack


def stats_rows(stack: Stack) -> list[dict]:
    """Every anonymous statistics event in the stack's database, as dicts."""
    import sqlalchemy as sa

    engine = sa.create_engine(stack.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [dict(row._mapping)
                    for row in conn.execute(sa.text("SELECT * FROM stats_event"))]
    finally:
        engine.dispose()


@contextmanager
def app_alone(database_url: str, **env: str) -> Iterator[str]:
    """The app by itself (uvicorn on a free port, this database): its base URL, once
    /healthz answers; stopped on exit. For the web UI's browser tests."""
    import subprocess
    import sys
    import time

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service_directory.main:app", "--host", "127.0.0.1",
         "--port", str(port)], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
