"""Soak: 10 phones texting the production topology back to back for 10 minutes.

Each phone is a new person every 30 messages (ten rounds of ask, place, thanks): one
endless conversation per phone would measure its own length instead (Rasa hands the
whole conversation to the action server on every call), which README "Production
topology" shows separately (PUENTE_SOAK_NEW_PERSON_EVERY=0).

Starts `scripts/prod.sh` (HAProxy, two Rasa servers, action server, app, worker,
PostgreSQL, Redis; tests/faults/topology.py) on free loopback ports with a fake
Twilio, sends signed SMS webhooks as the fault tests do (tests/faults/traffic.py), and
prints throughput, p50/p95/p99 latency, errors and each process's memory (resident,
with its children) at the start and the end. PUENTE_SOAK_SECONDS shortens it.
Loopback only; bounded by its duration.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.fake_twilio import FakeTwilio  # noqa: E402
from tests.faults.figures import apology_openings, is_apology  # noqa: E402
from tests.faults.topology import Topology, start_topology  # noqa: E402
from tests.faults.traffic import SteadyTraffic  # noqa: E402

TOKEN = "soak-auth-token"
PROGRAMS = ("puente:haproxy", "puente:rasa1", "puente:rasa2", "puente:actions", "puente:app",
            "puente:worker", "stores:postgres", "stores:redis")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(stat[1]), []).append(int(entry))
    return tree


def resident_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (PostgreSQL's backends), MB."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        todo += tree.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def memory(topology: Topology) -> dict[str, float]:
    return {program: resident_mb(topology.pid(program)) for program in PROGRAMS}


def main() -> int:
    seconds = float(os.environ.get("PUENTE_SOAK_SECONDS") or 600)
    with FakeTwilio() as fake:
        topology = start_topology({
            "TWILIO_API_BASE": fake.base_url, "TWILIO_AUTH_TOKEN": TOKEN,
            "PUENTE_INBOUND_PER_MINUTE": "0", "PUENTE_DAILY_SEGMENTS_PER_SENDER": "0",
            "PUENTE_DAILY_SEGMENTS_TOTAL": "0"})
        try:
            before = memory(topology)
            every = int(os.environ.get("PUENTE_SOAK_NEW_PERSON_EVERY") or 30)
            traffic = SteadyTraffic(topology.rasa_url, topology.env["PUBLIC_BASE_URL"], TOKEN,
                                    fake, phones=10, pause=0.0, new_person_every=every).start()
            started = time.monotonic()
            time.sleep(seconds)
            traffic.stop()
            elapsed = time.monotonic() - started
            after = memory(topology)
        finally:
            topology.stop()
    webhooks = traffic.webhooks
    answered = [w for w in webhooks if w.answers]
    latencies = sorted(w.answers[0][0] - w.sent_at for w in answered)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    openings = apology_openings()
    apologies = sum(is_apology(w.answers[0][1], openings) for w in answered)
    not_200 = sum(outcome != "200" for w in webhooks for _, outcome in w.attempts)
    print(f"soak: 10 phones back to back for {elapsed:.0f} s through HAProxy and 2 Rasa "
          f"servers ({os.cpu_count()} cores)")
    print(f"{'webhooks':>9}{'msg/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
          f"{'lost':>6}{'apologies':>10}{'not 200':>9}")
    print(f"{len(webhooks):>9}{len(answered) / elapsed:>8.1f}{q[49] * 1000:>8.0f}"
          f"{q[94] * 1000:>8.0f}{q[98] * 1000:>8.0f}{len(webhooks) - len(answered):>6}"
          f"{apologies:>10}{not_200:>9}")
    print(f"{'minute':>7}{'msg/s':>8}{'p95 ms':>8}")
    for minute in range(int(elapsed // 60) + 1):
        window = sorted(w.answers[0][0] - w.sent_at for w in answered
                        if 0 <= w.sent_at - started - 60 * minute < 60)
        if len(window) > 1:
            p95 = statistics.quantiles(window, n=100, method="inclusive")[94]
            span = min(60.0, elapsed - 60 * minute)
            print(f"{minute + 1:>7}{len(window) / span:>8.1f}{p95 * 1000:>8.0f}")
    print(f"{'process':<18}{'start MB':>10}{'end MB':>10}")
    for program in PROGRAMS:
        print(f"{program:<18}{before[program]:>10.0f}{after[program]:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
