"""Signed SMS webhooks against the running stack: our `twilio_sms` channel next to
Rasa's built-in `twilio` channel, at concurrency 1, 10 and 50.

Starts the stack with tests/e2e/stack.py's `running_stack` (the Procfile's processes,
free ports, TWILIO_API_BASE at a fake Twilio on loopback) as production runs it: Redis
for the tracker and lock stores (REDIS_URL, else the project's own local Redis) and
one Rasa server per core behind HAProxy (scripts/run-rasa.sh's default with
Redis; RASA_PROCESSES=1 for a single server). Then a second Rasa server
with the same model, action server and NLG whose temporary credentials file also
enables the built-in `twilio` channel (dummy account values: its sends go nowhere,
they fail fast without a network, so for it this measures the webhook only).
Bounded: 30, 150 and 400 requests per level; loopback only. Also prints the CPU
that the process in front of our channel (HAProxy with several servers) spent per
message. Prints p50/p95/p99
latency, throughput and errors per channel and level.
"""
from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.fake_twilio import FakeTwilio  # noqa: E402
from tests.e2e.stack import free_port, running_stack  # noqa: E402

LEVELS = ((1, 30), (10, 150), (50, 400))
TOKEN = "bench-auth-token"
BODIES = ("hola", "hello", "bonjou", "olá", "menu", "gracias")
BUILTIN_CREDENTIALS = """rest:
twilio:
  account_sid: "AC00000000000000000000000000000000"
  auth_token: "dummy"
  twilio_number: "+15005550006"
"""


def signature(url: str, form: dict) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(TOKEN).compute_signature(url, form)


async def load(url: str, public_url: str, concurrency: int, total: int, ok: int) -> dict:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    senders = [f"+5730{uuid.uuid4().int % 10**8:08d}" for _ in range(concurrency)]

    async def worker(index: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
                    "From": senders[index], "To": "+15005550006",
                    "Body": BODIES[i % len(BODIES)], "NumMedia": "0"}
            headers = {"X-Twilio-Signature": signature(public_url, form)}
            start = time.perf_counter()
            try:
                reply = await client.post(url, data=form, headers=headers)
                if reply.status_code != ok:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency)) as c:
        await asyncio.gather(*(worker(i, c) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"n": total, "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
            "rps": total / elapsed, "errors": errors}


def start_builtin_rasa(stack, credentials: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # The built-in channel sends through twilio's own client to api.twilio.com, which it
    # cannot be pointed away from: route its HTTP through a closed loopback port so every
    # send fails here and no request leaves the machine (loopback stays direct).
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    env = {**stack.env, "PYTHONPATH": str(ROOT), "HTTPS_PROXY": dead_proxy,
           "HTTP_PROXY": dead_proxy, "https_proxy": dead_proxy, "http_proxy": dead_proxy,
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    command = [str(ROOT / ".venv-bot/bin/rasa"), "run", "--enable-api", "--port", str(port),
               "--model", str(ROOT / "bot/models/puente.tar.gz"), "--endpoints",
               str(ROOT / "bot/endpoints.yml"), "--credentials", str(credentials)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("built-in Rasa exited:\n" + log.read_text()[-3000:])
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError("built-in Rasa not ready")


def listener_pid(port: int) -> int | None:
    """The process listening on a loopback TCP port (HAProxy, or Rasa itself), from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_table(results: dict) -> None:
    print(f"{'channel':<22}{'conc':>5}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'msg/s':>8}{'errors':>8}")
    for (name, concurrency), r in results.items():
        print(f"{name:<22}{concurrency:>5}{r['n']:>6}{r['p50']:>9.0f}{r['p95']:>9.0f}"
              f"{r['p99']:>9.0f}{r['rps']:>8.1f}{r['errors']:>8}")


def production_env() -> dict:
    """REDIS_URL, else the project's own Redis; with it scripts/run-rasa.sh starts one
    Rasa server per core unless RASA_PROCESSES says otherwise."""
    redis_url = os.environ.get("REDIS_URL") or subprocess.run(
        [str(ROOT / "scripts/services.sh"), "redis"], check=True, capture_output=True,
        text=True).stdout.strip()
    return {"REDIS_URL": redis_url}


def main() -> int:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp, FakeTwilio() as fake:
        tmp_path = Path(tmp)
        env = {"TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": fake.base_url,
               "PUENTE_CONNECTOR_STATE": str(tmp_path / "state.sqlite3"), **production_env()}
        servers = os.environ.get("RASA_PROCESSES") or os.cpu_count()
        print(f"ours: {servers} Rasa server(s), Redis stores; built-in: one "
              f"server, Rasa's in-memory stores; {os.cpu_count()} cores", flush=True)
        with running_stack(tmp_path, env, timeout=600) as stack:
            public = stack.env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5005")
            credentials = tmp_path / "credentials.builtin.yml"
            credentials.write_text(BUILTIN_CREDENTIALS)
            builtin, builtin_url = start_builtin_rasa(stack, credentials,
                                                      tmp_path / "builtin.log")
            front = listener_pid(int(stack.env["RASA_PORT"]))
            front_cpu, front_messages = 0.0, 0
            try:
                for concurrency, total in LEVELS:
                    path = "/webhooks/twilio_sms/webhook"
                    before = cpu_seconds(front)
                    results[("twilio_sms (ours)", concurrency)] = asyncio.run(load(
                        stack.rasa_url + path, public + path, concurrency, total, 200))
                    front_cpu += cpu_seconds(front) - before
                    front_messages += total
                    path = "/webhooks/twilio/webhook"
                    results[("twilio (Rasa built-in)", concurrency)] = asyncio.run(load(
                        builtin_url + path, builtin_url + path, concurrency, total, 204))
            finally:
                os.killpg(builtin.pid, signal.SIGTERM)
                builtin.wait(timeout=30)
        print_table(results)
        print(f"fake Twilio received {len(fake.messages)} REST messages (slow path)")
        if front is not None and front_messages:
            print(f"in front of our channel (pid {front}): "
                  f"{front_cpu / front_messages * 1000:.2f} ms CPU per message")
    return 0


if __name__ == "__main__":
    sys.exit(main())
