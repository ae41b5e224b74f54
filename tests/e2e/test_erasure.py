"""Erasure, verified: after `delete_my_data`, nothing Puente keeps names her.

Production's engines (PostgreSQL for the app, Redis of this test's own for Rasa's
trackers and locks and the channels' state, two Rasa servers behind the balancer):
a woman texts by SMS, opts in to a daily reminder, gets it and answers it, reports a
clinic that turned her away, and then asks Puente to delete her data. Then every
text column of every table, every Redis key and value, and the logs of every process
(the stack, the reminder worker, PostgreSQL's own) are searched for her
number (E.164, without +, national, international, as digits) and her pseudonym.
"""
from __future__ import annotations

import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import phonenumbers
import pytest
import redis
import sqlalchemy as sa

from tests.fake_twilio import FakeTwilio

from .reminder_people import make_due, pseudonym_of
from .sms_phone import SmsPhone
from .stack import running_stack
from .test_redis_down import PrivateRedis

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh PostgreSQL database for this module, dropped afterwards."""
    server = subprocess.run([str(ROOT / "scripts/services.sh"), "postgres"], check=True,
                            capture_output=True, text=True).stdout.strip()
    name = f"puente_erasure_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def production(tmp_path_factory, postgres_url, private_redis):
    log_dir = tmp_path_factory.mktemp("erasure")
    with FakeTwilio() as twilio:
        env = {"DATABASE_URL": postgres_url,
               "REDIS_URL": f"redis://127.0.0.1:{private_redis.port}/0",
               "RASA_PROCESSES": "2", "APP_SECRET": secrets.token_hex(16),
               "TWILIO_API_BASE": twilio.base_url}
        with running_stack(log_dir, extra_env=env) as stack:
            yield stack, log_dir, twilio


def traces_of(number: str, person: str) -> list[str]:
    """Every way her number or her pseudonym could be written down."""
    parsed = phonenumbers.parse(number)
    national = str(parsed.national_number)
    return sorted({number, number.lstrip("+"), national, person,
                   phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
                   phonenumbers.format_number(parsed,
                                              phonenumbers.PhoneNumberFormat.INTERNATIONAL)})


def database_traces(url: str, traces: list[str]) -> list[str]:
    """Every (table.column) of every table in which a text value holds a trace."""
    engine = sa.create_engine(url)
    found = []
    with engine.connect() as conn:
        columns = conn.execute(sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(:types)"),
            {"types": list(TEXT_TYPES)}).all()
        for table, column in columns:
            for trace in traces:
                hits = conn.execute(sa.text(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE :pattern'),
                    {"pattern": f"%{trace}%"}).scalar()
                if hits:
                    found.append(f"{table}.{column}: {hits} row(s) hold {trace!r}")
    engine.dispose()
    assert columns, "no text columns found: is this the migrated database?"
    return found


def redis_dump(client: redis.Redis) -> dict[bytes, str]:
    """Every key with everything it holds, as text."""
    dumped = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            value = client.get(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = client.smembers(key)
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        elif kind == "stream":
            value = client.xrange(key)
        else:
            value = kind
        dumped[key] = repr(value)
    return dumped


def redis_traces(client: redis.Redis, traces: list[str]) -> list[str]:
    found = []
    for key, value in redis_dump(client).items():
        name = key.decode("utf-8", "replace")
        for trace in traces:
            if trace in name or trace in value:
                found.append(f"redis key {name!r} holds {trace!r}")
    return found


def log_traces(logs: dict[str, str], traces: list[str]) -> list[str]:
    return [f"{name}: {text.count(trace)} line(s) hold {trace!r}"
            for name, text in logs.items() for trace in traces if trace in text]


def tail_from(path: Path, offset: int) -> str:
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace")


def test_after_delete_my_data_no_table_key_or_log_names_her(production):
    stack, log_dir, twilio = production
    pg_log = ROOT / ".cache/pg/server.log"
    pg_mark = pg_log.stat().st_size if pg_log.exists() else 0
    number = f"+57300{uuid.uuid4().int % 10**7:07d}"
    person = pseudonym_of(stack, number)
    phone = SmsPhone(stack, number)

    # A daily reminder, opted in, sent by the worker and answered.
    asked = " ".join(phone.send("recuérdame mis pastillas todos los días a las 9 de la noche, "
                                "estoy en Cúcuta"))
    assert "21:00" in asked, asked
    assert "21:00" in " ".join(phone.send("sí"))
    make_due(stack, person)
    worker = subprocess.run([sys.executable, "-m", "service_directory.cli", "worker", "--once"],
                            cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stderr
    assert [m["to"] for m in twilio.messages] == [number]
    phone.send("ok")

    # A clinic that turned her away, reported.
    phone.ask("necesito la prueba de vih, no tengo papeles", "es")
    phone.ask("Cúcuta", "es")
    phone.ask("0", "es")
    phone.ask("1", "es")
    thanks = phone.ask("me pidieron el pasaporte y no me atendieron por ser venezolana", "es")
    assert "Gracias" in thanks, thanks
    traces = traces_of(number, person)
    client = redis.Redis.from_url(stack.env["REDIS_URL"])
    assert redis_traces(client, traces), "nothing named her before the erasure: scan broken?"
    assert database_traces(stack.env["DATABASE_URL"], [person])

    # She asks Puente to forget her.
    phone.send("borra mis datos")
    deleted = " ".join(phone.send("sí"))
    assert "borr" in deleted.lower(), deleted
    deadline = time.monotonic() + 30  # the action erases the tracker once Rasa lets go
    while redis_traces(client, traces) and time.monotonic() < deadline:
        time.sleep(0.5)

    logs = {"stack (rasa, balancer, actions, app)": (log_dir / "stack.log").read_text(
                errors="replace"),
            "reminder worker": worker.stdout + worker.stderr,
            "postgresql": tail_from(pg_log, pg_mark)}
    found = (database_traces(stack.env["DATABASE_URL"], traces) + redis_traces(client, traces)
             + log_traces(logs, traces))
    assert not found, "after delete_my_data:\n" + "\n".join(found)
