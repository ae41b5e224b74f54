"""Reminders under load: the worker's send rate, draining 10,000 due reminders while
people keep texting, and the send path Rasa offers (`trigger_intent`) for comparison.

Production topology on this machine: PostgreSQL for the app (a fresh database on the
project's own server), Redis for Rasa and the connectors, one Rasa server per core
behind HAProxy (scripts/run-rasa.sh; the worker posts to HAProxy, as in production),
the fake Twilio on loopback. Prints:
1. one worker, unpaced, draining 3,000 due reminders, three times: sends per second
   (each pass timed in this process, so interpreter start-up is not counted) and the
   Rasa servers' CPU per reminder;
2. the SMS webhook at 10 senders alone, then 10,000 due in the same minute sent by one
   `puente worker --once` at its default pace (PUENTE_WORKER_RATE) while 10 senders
   text: time to drain, and the webhook's p50/p95 meanwhile;
3. the other send path: Rasa's `POST /conversations/{id}/trigger_intent`
   (`EXTERNAL_dose_reminder`, which runs the dialogue and the NLG for each one) at
   concurrency 10 for 500 people, against the proactive endpoint for the same 500.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.webhook_load import TOKEN, load, production_env  # noqa: E402
from connectors.fake_twilio import FakeTwilio  # noqa: E402
from tests.e2e.reminder_people import pseudonym_of, seed_opted_in  # noqa: E402
from service_directory.reminders.worker import WorkerConfig  # noqa: E402
from tests.e2e.stack import running_stack  # noqa: E402


def fresh_postgres() -> tuple[str, str]:
    """(database URL, name) of a new database on the project's PostgreSQL."""
    server = subprocess.run([str(ROOT / "scripts/services.sh"), "postgres"], check=True,
                            capture_output=True, text=True).stdout.strip()
    name = f"puente_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False), server


def drop_postgres(server: str, name: str) -> None:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_workers(stack, count: int, **settings: str) -> float:
    """Seconds for `count` `puente worker --once` processes to finish, with their
    defaults but for `settings` (PUENTE_WORKER_... variables)."""
    env = {**stack.env, **settings}
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "service_directory.cli", "worker",
                                   "--once"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for _ in range(count)]
    for process in processes:
        _, err = process.communicate(timeout=900)
        if process.returncode:
            raise RuntimeError(err)
    return time.perf_counter() - started


def one_worker_pass(stack) -> float:
    """Seconds of one worker's unpaced pass (`run_once`) over what is due, in this
    process."""
    from service_directory.db import engine_for, session_factory
    from service_directory.reminders.sender import ConnectorSender
    from service_directory.reminders.worker import WorkerConfig, run_once

    sender = ConnectorSender(base_url=stack.rasa_url, secret=stack.env.get(
        "APP_SECRET", "dev-only-secret-change-me"))
    started = time.perf_counter()
    run_once(session_factory(engine_for(stack.env["DATABASE_URL"])), sender, WorkerConfig(rate=0))
    elapsed = time.perf_counter() - started
    sender.close()
    return elapsed


def rasa_servers() -> list[int]:
    """Process ids of the Rasa servers this benchmark started (its descendants)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [os.getpid()]
    while todo:
        for pid in children.get(todo.pop(), []):
            todo.append(pid)
            try:
                if "rasa run --enable-api" in (Path("/proc") / str(pid) / "cmdline"
                                               ).read_text().replace("\0", " "):
                    found.append(pid)
            except OSError:
                pass
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU the processes `pids` have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def received(fake: FakeTwilio, numbers: set[str]) -> int:
    return sum(1 for m in list(fake.messages) if m["to"] in numbers)


async def trigger_intents(stack, people: list[str], concurrency: int) -> float:
    """Seconds to send one reminder each through Rasa's trigger_intent."""
    queue: asyncio.Queue = asyncio.Queue()
    for person in people:
        queue.put_nowait(person)

    async def one(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            person = queue.get_nowait()
            reply = await client.post(
                f"{stack.rasa_url}/conversations/{person}/trigger_intent",
                params={"output_channel": "twilio_sms"},
                json={"name": "EXTERNAL_dose_reminder", "entities": {}})
            reply.raise_for_status()

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(one(client) for _ in range(concurrency)))
    return time.perf_counter() - started


def main() -> int:
    url, server = fresh_postgres()
    name = sa.make_url(url).database
    try:
        with tempfile.TemporaryDirectory() as tmp, FakeTwilio() as fake:
            env = {"TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": fake.base_url,
                   "PUENTE_CONNECTOR_STATE": str(Path(tmp) / "state.sqlite3"),
                   "DATABASE_URL": url, **production_env()}
            print(f"PostgreSQL, Redis, {os.environ.get('RASA_PROCESSES') or os.cpu_count()} "
                  f"Rasa server(s) behind HAProxy; {os.cpu_count()} cores", flush=True)
            with running_stack(Path(tmp), env, timeout=600) as stack:
                # 1. one worker's send rate, unpaced: what one worker can do
                servers = rasa_servers()
                rates = []
                for attempt in range(3):
                    numbers = set(seed_opted_in(stack, 3000, f"+5697{attempt}"))
                    cpu = cpu_seconds(servers)
                    seconds = one_worker_pass(stack)
                    cpu = cpu_seconds(servers) - cpu
                    got = received(fake, numbers)
                    rates.append(got / seconds)
                    print(f"one worker (unpaced): {got} reminders in {seconds:.1f} s = "
                          f"{got / seconds:.0f} sends/s; Rasa servers' CPU "
                          f"{1000 * cpu / max(got, 1):.2f} ms per reminder", flush=True)
                print(f"one worker: {min(rates):.0f}-{max(rates):.0f} sends/s", flush=True)

                # 2. 10,000 due at once, one worker at its default pace, 10 people texting
                public = stack.env["PUBLIC_BASE_URL"] + "/webhooks/twilio_sms/webhook"
                hook = stack.rasa_url + "/webhooks/twilio_sms/webhook"
                alone = asyncio.run(load(hook, public, 10, 300, 200))
                print(f"webhook alone at 10 senders: p50 {alone['p50']:.0f} ms, p95 "
                      f"{alone['p95']:.0f} ms, {alone['errors']} errors", flush=True)
                numbers = set(seed_opted_in(stack, 10000, "+5696"))
                webhook: dict = {}
                texting = threading.Thread(target=lambda: webhook.update(asyncio.run(load(
                    hook, public, 10, 300, 200))))
                texting.start()
                seconds = run_workers(stack, 1)  # `puente worker --once`, its defaults
                texting.join()
                print(f"10,000 due: {received(fake, numbers)} sent by 1 worker "
                      f"({WorkerConfig.from_env().rate:.0f}/s pace) in {seconds:.1f} s; "
                      f"webhook meanwhile at 10 senders: p50 {webhook['p50']:.0f} ms, p95 "
                      f"{webhook['p95']:.0f} ms, {webhook['errors']} errors", flush=True)

                # 3. trigger_intent against the proactive endpoint, same 500 people
                numbers = sorted(seed_opted_in(stack, 500, "+5695"))
                people = [pseudonym_of(stack, n) for n in numbers]
                seconds = asyncio.run(trigger_intents(stack, people, 10))
                got = received(fake, set(numbers))
                print(f"trigger_intent: {got} reminders in {seconds:.1f} s = "
                      f"{got / seconds:.0f} sends/s", flush=True)
                seconds = one_worker_pass(stack)
                print(f"proactive endpoint (worker): {received(fake, set(numbers)) - got} in "
                      f"{seconds:.1f} s = {(received(fake, set(numbers)) - got) / seconds:.0f} "
                      f"sends/s", flush=True)
    finally:
        drop_postgres(server, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
