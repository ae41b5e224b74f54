"""Faults in the production topology under a steady load of signed SMS, measured.

Each test starts the load, injects one fault, keeps the load on until the piece is
back and a little longer, and counts what the phones got (figures.py). Targets:
nothing lost, nothing answered twice, every retried webhook answered exactly once,
every failure answered with an apology that gives a help line, and real answers
again without anyone restarting anything by hand. What brings each piece back is
named in the table: supervisord (systemd in production) restarts a killed process,
HAProxy moves a dead Rasa server's senders, and the processes reconnect to a
restarted PostgreSQL or Redis.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest

from connectors.privacy import pseudonym

from .conftest import AUTH_TOKEN
from .figures import FaultFigures, count
from .topology import Topology
from .traffic import SteadyTraffic

pytestmark = pytest.mark.faults
WARM_UP = 4.0      # seconds of steady load before the fault
AFTER = 8.0        # seconds of load once the piece is back
MAX_GAP = 30.0     # seconds without a real answer that we accept for any fault
_NUMBERS: set[str] = set()  # every number that texted, for the log scan


def run_fault(topology: Topology, fake_twilio, name: str, recovery: str,
              inject: Callable[[SteadyTraffic], None]) -> FaultFigures:
    """Load, fault (`inject` returns once the piece is back), more load; the figures."""
    resent_before = topology.haproxy_resent()
    traffic = SteadyTraffic(topology.rasa_url, topology.env["PUBLIC_BASE_URL"], AUTH_TOKEN,
                            fake_twilio).start()
    _NUMBERS.update(traffic.numbers)
    try:
        time.sleep(WARM_UP)
        fault_at = time.monotonic()
        inject(traffic)
        time.sleep(AFTER)
        end = time.monotonic()
    finally:
        traffic.stop()
    figures = count(name, recovery, traffic.between(0, end), fault_at, end,
                    traffic.stray_rest_messages())
    figures.haproxy_resent = topology.haproxy_resent() - resent_before
    return figures


def assert_survived(figures: FaultFigures) -> None:
    assert figures.sent > 0
    assert figures.lost == 0, figures
    assert figures.answered_twice == 0, figures
    assert figures.retried_answered_once == figures.retried, figures
    assert figures.apologies_without_help_line == 0, figures.without_help_line_example
    assert figures.longest_gap < MAX_GAP, figures


@pytest.fixture
def survive(topology, fake_twilio, fault_table) -> Callable[..., FaultFigures]:
    """Run one fault under load, add its row to the table, then hold it to the targets
    (the row is kept even when it misses them: the table shows what happened)."""
    def run(name: str, recovery: str, inject: Callable[[SteadyTraffic], None]) -> FaultFigures:
        figures = run_fault(topology, fake_twilio, name, recovery, inject)
        fault_table.append(figures)
        assert_survived(figures)
        return figures
    return run


def test_a_rasa_server_killed_moves_its_senders_to_another(topology, survive):
    def inject(_: SteadyTraffic) -> None:
        old = topology.kill_mid_request("rasa1")
        topology.wait_running("puente:rasa1", other_than=old, timeout=30)

    survive("SIGKILL one Rasa server (of 2)",
            "HAProxy marks it down, its senders move; supervisord restarts it",
            inject)


def test_twilio_hanging_up_and_retrying_gets_one_answer(topology, survive):
    """Twilio gives up on a webhook (here: every first attempt, after 30 ms, while the
    answer is being made) and sends it again: the retry is answered, once."""
    def inject(traffic: SteadyTraffic) -> None:
        traffic.hang_up_after = 0.03
        time.sleep(6)
        traffic.hang_up_after = None

    figures = survive("Twilio hangs up on webhooks (30 ms), retries",
                      "the answer is kept for Twilio's retry (same idempotency token) "
                      "and given once (connectors/claims.py)", inject)
    assert figures.retried > 0


def test_postgresql_restarted(topology, survive):
    survive("restart PostgreSQL",
            "the app's pool reconnects (pre-ping)",
            lambda _: topology.restart("stores:postgres"))


def test_redis_restarted(topology, survive):
    survive("restart Redis",
            "Rasa and the channels reconnect; its append-only file keeps state",
            lambda _: topology.restart("stores:redis"))


def test_action_server_killed(topology, survive):
    def inject(_: SteadyTraffic) -> None:
        old = topology.kill("puente:actions")
        topology.wait_running("puente:actions", other_than=old)
        topology.wait_answers(topology.env["ACTION_SERVER_URL"] + "/health")

    survive("SIGKILL the action server",
            "supervisord restarts it", inject)


def test_app_killed(topology, survive):
    def inject(_: SteadyTraffic) -> None:
        old = topology.kill("puente:app")
        topology.wait_running("puente:app", other_than=old)
        topology.wait_answers(topology.app_url + "/healthz")

    survive("SIGKILL the app",
            "supervisord restarts it", inject)


def test_app_hanging(topology, survive):
    """The app stops answering without dying (SIGSTOP for 8 s): the actions' and the
    NLG's short timeouts let every turn end with an answer or the apology, and no log
    gets the conversation that the failed actions carried."""
    def inject(_: SteadyTraffic) -> None:
        pid = topology.kill("puente:app", signal.SIGSTOP)
        try:
            time.sleep(8)
        finally:
            os.kill(pid, signal.SIGCONT)
        topology.wait_answers(topology.app_url + "/healthz")

    survive("the app hangs for 8 s (SIGSTOP)",
            "short timeouts in the actions and the NLG; it resumes", inject)


def test_no_log_names_a_sender(topology):
    """After every fault above, no process's log holds a sender's number or pseudonym
    (the privacy rule holds in failures too: connectors/quiet_logs.py)."""
    secret = topology.env.get("APP_SECRET", "dev-only-secret-change-me")
    traces = {trace for number in _NUMBERS
              for trace in (number, number.lstrip("+"), pseudonym(number, secret))}
    assert traces, "no traffic ran: the scan would prove nothing"
    logs = [topology.log, *sorted((topology.directory / "logs").glob("*.log"))]
    found = [f"{path.name} holds {trace!r}" for path in logs
             for trace in traces if trace in path.read_text(errors="replace")]
    assert not found, found
