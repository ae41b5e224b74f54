"""One production topology (scripts/prod.sh) for the fault tests, a fake Twilio on
loopback, and the table of figures that every fault adds a row to (printed at the
end of the run and written to results/faults.md)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from tests.fake_twilio import FakeTwilio

from .figures import FaultFigures, table, write_report
from .topology import Topology, start_topology

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "results" / "faults.md"
AUTH_TOKEN = "faults-auth-token"
PREAMBLE = """# Faults survived (`tests/faults`, run by `make test`)

The production topology (`scripts/prod.sh`: HAProxy, two Rasa servers, action server,
app, reminder worker, PostgreSQL, Redis, under supervisord) takes a steady load of
signed SMS from 10 phones, one message a second each; then one fault per row.
Twilio's retry of a webhook that got no answer is imitated (same MessageSid)."""
_rows: list[FaultFigures] = []


@pytest.fixture(scope="session")
def fake_twilio() -> FakeTwilio:
    with FakeTwilio() as twilio:
        yield twilio


@pytest.fixture(scope="session")
def topology(request, fake_twilio) -> Topology:
    running = start_topology({
        "TWILIO_API_BASE": fake_twilio.base_url, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUENTE_HOTLINE": "+57 601 555 0199",
        # Ten test phones text every second for minutes: limits fit for that.
        "PUENTE_INBOUND_PER_MINUTE": "600", "PUENTE_DAILY_SEGMENTS_PER_SENDER": "100000",
        "PUENTE_DAILY_SEGMENTS_TOTAL": "0"})
    try:
        yield running
    finally:
        running.stop()
    if not request.session.testsfailed:  # else its logs say what happened
        shutil.rmtree(running.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def fault_table() -> list[FaultFigures]:
    """Rows added by the tests; written to results/faults.md when all have run."""
    yield _rows
    if _rows:
        when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        write_report(REPORT, _rows, f"{PREAMBLE}\n\nMeasured {when} on {os.cpu_count()} "
                                    f"cores, load average {load} (other work shares them).")


def pytest_terminal_summary(terminalreporter) -> None:
    if _rows:
        terminalreporter.section("faults survived (results/faults.md)")
        terminalreporter.write_line(table(_rows))
