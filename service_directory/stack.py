"""Run the whole stack in the background, as `make serve` runs it in the foreground.

The Procfile's processes (Rasa, action server, app) start under honcho in their own
process group, so one signal stops them all. `puente demo`, the end-to-end tests and
the webhook benchmark use this one runner.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_COMMANDS = (["db", "upgrade"], ["directory", "load-sample"],
                   ["entitlements", "load-sample"])


def load_sample_data(env: dict[str, str] | None = None) -> None:
    """Migrate DATABASE_URL and load the sample directory and entitlements (idempotent)."""
    for command in SAMPLE_COMMANDS:
        subprocess.run([sys.executable, "-m", "service_directory.cli", *command], cwd=ROOT,
                       env=env, check=True, capture_output=True)


def _wait_ready(urls: list[str], process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        if process.poll() is not None:
            raise RuntimeError(f"the stack stopped while starting (log: {log}):\n"
                               f"{log.read_text(errors='replace')[-4000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the stack was not ready after {timeout:.0f}s ({pending[0]}; "
                               f"log: {log}):\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(pending[0], timeout=2).status_code < 500:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


@contextmanager
def procfile_stack(env: dict[str, str], log: Path, ready_urls: list[str],
                   timeout: float = 360, processes: tuple[str, ...] = ()) -> Iterator[subprocess.Popen]:
    """The Procfile's processes (all, or those named), running until the block ends;
    ready when every URL answers."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/honcho"), "-f", str(ROOT / "Procfile"), "start", *processes],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_ready(ready_urls, process, log, timeout)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
