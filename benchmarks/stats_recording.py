"""What recording anonymous statistics costs the replies (issue "statistics", item 8).

The same production stack (Redis stores, one Rasa server per core behind HAProxy, the
fake Twilio on loopback) started seven times: one discarded (the first stack after a
while is the slowest, whatever its mode), then three pairs with recording on and off in
alternating order
(`PUENTE_STATS_EVENTS=0` drops the event broker from Rasa's endpoints), each time 300
signed SMS from 10 senders at once. Prints p50/p95 per run, the events recorded and
the CPU every process of the stack spent per message,
then each pair's difference and their median, so "webhook p95 unchanged within noise"
is read from runs taken side by side (other work on the machine moves single runs a
lot, pairs much less).
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.webhook_load import TOKEN, cpu_seconds, load, production_env  # noqa: E402
from connectors.fake_twilio import FakeTwilio  # noqa: E402
from tests.e2e.stack import running_stack, stats_rows  # noqa: E402

SENDERS, MESSAGES = 10, 300
PATH = "/webhooks/twilio_sms/webhook"


def stack_cpu_seconds(marker: str) -> float:
    """CPU seconds (user + system) so far of every process of one stack: those whose
    environment holds `marker` (this run's own PUENTE_CONNECTOR_STATE). CPU time is
    what recording adds; unlike latency, other work on the machine does not move it."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                total += cpu_seconds(int(proc.name))
        except OSError:  # gone meanwhile, or not ours
            continue
    return total


def one_run(recording: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp, FakeTwilio() as fake:
        marker = str(Path(tmp) / "state.sqlite3")
        env = {"TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_API_BASE": fake.base_url,
               "PUENTE_CONNECTOR_STATE": marker,
               "PUENTE_STATS_EVENTS": "1" if recording else "0", **production_env()}
        with running_stack(Path(tmp), env, timeout=600) as stack:
            public = stack.env.get("PUBLIC_BASE_URL", stack.rasa_url)
            asyncio.run(load(stack.rasa_url + PATH, public + PATH, SENDERS, 30, 200))  # warm
            before = stack_cpu_seconds(f"PUENTE_CONNECTOR_STATE={marker}")
            result = asyncio.run(load(stack.rasa_url + PATH, public + PATH, SENDERS,
                                      MESSAGES, 200))
            time.sleep(3)  # the broker posts every 2 s
            cpu = stack_cpu_seconds(f"PUENTE_CONNECTOR_STATE={marker}") - before
            result["cpu_ms"] = cpu * 1000 / MESSAGES
            result["events"] = len(stats_rows(stack))
    return result


def main() -> int:
    print(f"{'recording':<10}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>8}{'errors':>8}"
          f"{'events':>8}{'CPU ms/msg':>12}   (10 senders, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f})", flush=True)
    one_run(True)  # discarded: the first stack after a while is the slowest, whatever its mode
    p95s: dict[bool, list[float]] = {True: [], False: []}
    cpus: dict[bool, list[float]] = {True: [], False: []}
    for recording in (True, False, False, True, True, False):  # pairs, order alternating
        r = one_run(recording)
        p95s[recording].append(r["p95"])
        cpus[recording].append(r["cpu_ms"])
        print(f"{'on' if recording else 'off':<10}{r['n']:>6}{r['p50']:>9.0f}{r['p95']:>9.0f}"
              f"{r['rps']:>8.1f}{r['errors']:>8}{r['events']:>8}{r['cpu_ms']:>12.1f}",
              flush=True)
        if recording and not r["events"] or not recording and r["events"]:
            print("error: recording was not what this run asked for", file=sys.stderr)
            return 1
    differences = [on - off for on, off in zip(p95s[True], p95s[False])]
    print("p95 with recording minus without, pair by pair: "
          + ", ".join(f"{d:+.0f} ms" for d in differences)
          + f"; median {statistics.median(differences):+.0f} ms")
    on, off = statistics.median(cpus[True]), statistics.median(cpus[False])
    print(f"stack CPU per message (median): {on:.1f} ms with recording, {off:.1f} ms "
          f"without ({(on - off) / off:+.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
