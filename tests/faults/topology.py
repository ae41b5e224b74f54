"""The production topology (`scripts/prod.sh`) on free loopback ports, for fault tests.

Everything runs in a directory of its own (PostgreSQL and Redis included), so killing
or restarting a piece never touches a server another test or developer uses. Faults
go through supervisord, the supervisor of the topology: a killed process is started
again by it, as systemd's `Restart=always` does in production (deploy/systemd/).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "puente: ready"


@dataclass
class Topology:
    """A running `scripts/prod.sh`: its addresses, environment and supervisor."""

    directory: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    rasa_ports: list[int] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.env['APP_PORT']}"

    @property
    def log(self) -> Path:
        return self.directory / "prod.out"

    def ctl(self, *args: str) -> str:
        """supervisorctl on this topology (`status`, `restart stores:redis`, ...)."""
        done = subprocess.run([str(ROOT / ".venv/bin/supervisorctl"), "-c",
                               str(self.directory / "supervisord.conf"), *args],
                              capture_output=True, text=True, timeout=60)
        return done.stdout

    def pid(self, program: str) -> int:
        """The process id of a program (`puente:rasa1`, `stores:redis`, ...)."""
        out = self.ctl("pid", program).strip()
        if not out.isdigit() or out == "0":
            raise RuntimeError(f"{program} is not running: {out!r}")
        return int(out)

    def kill(self, program: str, sig: signal.Signals = signal.SIGKILL) -> int:
        """Kill a program's process (supervisord then starts it again); its old pid."""
        pid = self.pid(program)
        os.kill(pid, sig)
        return pid

    def haproxy_stat(self, server: str) -> dict[str, str]:
        """HAProxy's statistics of one server of the Rasa backend (`rasa1`, ...)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.directory / "haproxy.sock"))
            sock.sendall(b"show stat\n")
            data = b"".join(iter(lambda: sock.recv(65536), b""))
        lines = data.decode().splitlines()
        names = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            fields = dict(zip(names, line.split(",")))
            if fields.get("pxname") == "rasa_servers" and fields.get("svname") == server:
                return fields
        raise KeyError(server)

    def haproxy_resent(self) -> int:
        """Requests HAProxy sent again (here always to another Rasa server) so far."""
        return int(self.haproxy_stat("BACKEND").get("wretr") or 0)

    def kill_mid_request(self, server: str, timeout: float = 10) -> int:
        """SIGKILL a Rasa server while HAProxy has a request on it (the worst moment:
        the message is claimed and half processed); its old pid."""
        program = f"puente:{server}"
        pid = self.pid(program)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if int(self.haproxy_stat(server).get("scur") or 0) > 0:
                break
            time.sleep(0.005)
        os.kill(pid, signal.SIGKILL)
        return pid

    def restart(self, program: str) -> None:
        """What an operator does: `supervisorctl restart` (stop, then start)."""
        self.ctl("restart", program)

    def wait_running(self, program: str, other_than: int | None = None,
                     timeout: float = 240) -> int:
        """Until supervisord reports the program running (under a new pid if given)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                pid = self.pid(program)
                if pid != other_than and "RUNNING" in self.ctl("status", program):
                    return pid
            except RuntimeError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{program} did not come back within {timeout:.0f}s")

    def wait_answers(self, url: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_topology(extra_env: dict[str, str], rasa_servers: int = 2,
                   timeout: float = 420) -> Topology:
    """Start `scripts/prod.sh` in a fresh directory on free ports; return when ready."""
    # PostgreSQL runs as `postgres` when we are root: the directory must be reachable.
    directory = Path(tempfile.mkdtemp(prefix="puente-faults-"))
    directory.chmod(0o755)
    rasa_ports = [free_port() for _ in range(rasa_servers)]
    env = {**os.environ, **extra_env}
    env.update(PUENTE_PROD_DIR=str(directory), RASA_PORT=str(free_port()),
               RASA_SERVERS=str(rasa_servers),
               RASA_SERVER_PORTS=" ".join(map(str, rasa_ports)),
               ACTION_PORT=str(free_port()), APP_PORT=str(free_port()),
               PUENTE_PG_PORT=str(free_port()), PUENTE_REDIS_PORT=str(free_port()),
               PUENTE_SAMPLE_DATA="1")
    for inherited in ("DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "RASA_URL", "APP_URL",
                      "ACTION_SERVER_URL"):
        env.pop(inherited, None)  # prod.sh derives them from the ports above
    topology = Topology(directory, env, rasa_ports=rasa_ports)
    with topology.log.open("wb") as sink:
        topology.process = subprocess.Popen([str(ROOT / "scripts/prod.sh")], cwd=ROOT,
                                            env=env, stdout=sink, stderr=subprocess.STDOUT,
                                            start_new_session=True)
    deadline = time.monotonic() + timeout
    while READY_LINE not in topology.log.read_text(errors="replace"):
        if topology.process.poll() is not None or time.monotonic() > deadline:
            tail = topology.log.read_text(errors="replace")[-3000:]
            topology.stop()
            raise RuntimeError(f"scripts/prod.sh did not get ready (logs in {directory}):\n"
                               f"{tail}")
        time.sleep(0.5)
    topology.env.update(PUBLIC_BASE_URL=topology.rasa_url, APP_URL=topology.app_url,
                        ACTION_SERVER_URL=f"http://127.0.0.1:{env['ACTION_PORT']}")
    return topology
