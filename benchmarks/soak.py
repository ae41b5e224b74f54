"""Soak: 10 phones texting the production topology back to back for 10 minutes.

Each phone is a new person every 30 messages (ten rounds of ask, place, thanks): one
endless conversation per phone would measure its own length instead (Rasa hands the
whole conversation to the action server on every call), which README "Production
topology" shows separately (PUENTE_SOAK_NEW_PERSON_EVERY=0).

Starts `scripts/prod.sh` (HAProxy, two Rasa servers, action server, app, worker,
PostgreSQL, Redis; tests/faults/topology.py) on free loopback ports with a fake
Twilio, sends signed SMS webhooks as the fault tests do (tests/faults/traffic.py), and
prints throughput, p50/p95/p99 latency, errors, the front's CPU per message and each
process's memory (resident, with its children) at the start and the end.
PUENTE_SOAK_SECONDS shortens it. Loopback only; bounded by its duration.

PUENTE_SOAK_FRONT=balancer puts the retired hand-written balancer in front of the same
two Rasa servers instead of HAProxy, for the README's comparison: it is run from git
history (`connectors/balancer.py` as it was when deleted, BALANCER_COMMIT), so it needs a
clone with history, and it is never part of the product again.
"""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from connectors.fake_twilio import FakeTwilio  # noqa: E402
from tests.faults.figures import apology_openings, is_apology  # noqa: E402
from tests.faults.topology import Topology, start_topology  # noqa: E402
from tests.faults.traffic import SteadyTraffic  # noqa: E402
from tests.e2e.stack import free_port  # noqa: E402
from benchmarks.webhook_load import cpu_seconds  # noqa: E402

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


BALANCER_COMMIT = "d914755^"  # connectors/balancer.py as it was before its deletion


def start_balancer(topology: Topology) -> tuple[subprocess.Popen, str]:
    """The retired balancer, from history, in front of the topology's Rasa servers."""
    source = subprocess.run(["git", "show", f"{BALANCER_COMMIT}:connectors/balancer.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    script = topology.directory / "balancer.py"
    script.write_text(source)
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv-bot/bin/python"), str(script), "--port", str(port),
         *(f"http://127.0.0.1:{p}" for p in topology.rasa_ports)],
        cwd=topology.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(url + "/", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the balancer from history did not start")


def memory(topology: Topology, front: int) -> dict[str, float]:
    programs = {program: topology.pid(program) for program in PROGRAMS[1:]}
    return {"front": resident_mb(front)} | {p: resident_mb(pid) for p, pid in programs.items()}


def main() -> int:
    seconds = float(os.environ.get("PUENTE_SOAK_SECONDS") or 600)
    front_name = os.environ.get("PUENTE_SOAK_FRONT") or "haproxy"
    if front_name not in ("haproxy", "balancer"):
        print(f"PUENTE_SOAK_FRONT must be haproxy or balancer, not {front_name!r}")
        return 2
    with FakeTwilio() as fake:
        topology = start_topology({
            "TWILIO_API_BASE": fake.base_url, "TWILIO_AUTH_TOKEN": TOKEN,
            "PUENTE_INBOUND_PER_MINUTE": "0", "PUENTE_DAILY_SEGMENTS_PER_SENDER": "0",
            "PUENTE_DAILY_SEGMENTS_TOTAL": "0"})
        try:
            balancer, url = None, topology.rasa_url
            if front_name == "balancer":
                balancer, url = start_balancer(topology)
            front = balancer.pid if balancer else topology.pid(PROGRAMS[0])
            before, cpu_before = memory(topology, front), cpu_seconds(front)
            every = int(os.environ.get("PUENTE_SOAK_NEW_PERSON_EVERY") or 30)
            # Signed for the public address, as Twilio signs; sent to the front chosen.
            traffic = SteadyTraffic(url, topology.env["PUBLIC_BASE_URL"], TOKEN,
                                    fake, phones=10, pause=0.0, new_person_every=every).start()
            started = time.monotonic()
            time.sleep(seconds)
            traffic.stop()
            elapsed = time.monotonic() - started
            after, front_cpu = memory(topology, front), cpu_seconds(front) - cpu_before
        finally:
            if balancer is not None:
                os.killpg(balancer.pid, signal.SIGTERM)
                balancer.wait(timeout=30)
            topology.stop()
    webhooks = traffic.webhooks
    answered = [w for w in webhooks if w.answers]
    latencies = sorted(w.answers[0][0] - w.sent_at for w in answered)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    openings = apology_openings()
    apologies = sum(is_apology(w.answers[0][1], openings) for w in answered)
    not_200 = sum(outcome != "200" for w in webhooks for _, outcome in w.attempts)
    shown = "HAProxy" if front_name == "haproxy" else "the hand-written balancer"
    print(f"soak: 10 phones back to back for {elapsed:.0f} s through {shown} and 2 Rasa "
          f"servers ({os.cpu_count()} cores); front CPU "
          f"{front_cpu / max(len(webhooks), 1) * 1000:.2f} ms per message")
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
    for program in ["front", *PROGRAMS[1:]]:
        print(f"{program:<18}{before[program]:>10.0f}{after[program]:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
