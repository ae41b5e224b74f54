"""Reminders end to end: SMS webhooks into the running stack, the real worker
(`puente worker`) sending through the connectors' proactive endpoint to the fake
Twilio, in both configurations (one server in memory; two servers with Redis).

The clock is the only thing moved by hand: a plan is made due by setting its
`next_due_at` to now (the clock rules themselves are in tests/service_directory).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from connectors.gsm import GSM7, encoding, segment_count
from service_directory.reminders import plans
from service_directory.reminders.models import ReminderOccurrence, ReminderPlan

from .reminder_people import (make_due, occurrence_keys, pseudonym_of, seed_opted_in,
                              sessions)
from .sms_phone import SmsPhone
from .stack import stats_rows

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc


def chilean_number() -> str:
    return f"+569{uuid.uuid4().int % 10**8:08d}"


def worker(stack, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service_directory.cli", "worker", *args],
                            cwd=ROOT, env={**stack.env, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def worker_once(stack, **env: str) -> str:
    process = worker(stack, "--once", **env)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return err


def to(fake_twilio, number: str) -> list[dict]:
    return [m for m in fake_twilio.messages if m["to"] == number]


def test_a_haitian_woman_in_santiago_sets_answers_and_stops_her_reminder(stack, fake_twilio):
    number = chilean_number()
    phone = SmsPhone(stack, number)
    person = pseudonym_of(stack, number)
    asked = " ".join(phone.send(
        "Bonswa, mwen se ayisyen m ap viv Santiago. M pran grenn mwen chak swa men m "
        "toujou bliye, mwen ta renmen yon rapèl chak jou a 8è di swa"))
    assert "20:00" in asked and "Santiago" in asked, asked
    confirmed = " ".join(phone.send("wi"))
    assert "20:00" in confirmed and "Santiago" in confirmed, confirmed

    make_due(stack, person)
    worker_once(stack)
    reminders = to(fake_twilio, number)
    assert len(reminders) == 1, reminders
    text = reminders[0]["body"]
    assert encoding(text) == GSM7 and segment_count(text) == 1
    assert not any(word in text.upper() for word in ("VIH", "HIV", "ARV", "GRENN"))
    worker_once(stack)  # nothing due any more: nothing sent again
    assert len(to(fake_twilio, number)) == 1

    helped = " ".join(phone.send("2"))
    assert "1" in helped and "4" in helped, helped  # what is happening? 1..4
    noted = " ".join(phone.send("2"))  # no medicine left
    assert noted, noted
    key = subprocess.run([sys.executable, "-m", "service_directory.cli", "users", "create",
                          "--name", "ngo admin", "--role", "admin"], cwd=ROOT, env=stack.env,
                         capture_output=True, text=True, check=True).stdout.strip()
    queue = httpx.get(f"{stack.app_url}/admin/followups",
                      headers={"Authorization": f"Bearer {key}"}, timeout=10).json()
    assert [(q["country"], q["reason"]) for q in queue][:1] == [("cl", "no_medicine")]

    phone.send("STOP")
    with sessions(stack)() as session:
        assert plans.plan_of(session, person).status == "stopped"
    make_due(stack, person)
    worker_once(stack)
    assert len(to(fake_twilio, number)) == 1
    # her reminders' life, counted anonymously (the statistics' e2e test: test_stats_events.py)
    kinds = {row["kind"] for row in stats_rows(stack)}
    assert {"reminder_opt_in", "reminder_sent", "checkin_answer", "reminder_opt_out"} <= kinds


def test_taken_is_understood_in_the_conversation_the_reminder_went_to(stack, fake_twilio):
    number = chilean_number()
    phone = SmsPhone(stack, number)
    phone.send("recuérdame mis pastillas todos los días a las 9 de la noche, estoy en Santiago")
    assert "21:00" in " ".join(phone.send("sí"))
    make_due(stack, pseudonym_of(stack, number))
    worker_once(stack)
    assert len(to(fake_twilio, number)) == 1
    thanked = " ".join(phone.send("ok"))
    with sessions(stack)() as session:
        answered = session.scalar(select(ReminderOccurrence.answer).join(ReminderPlan).where(
            ReminderPlan.pseudonym == pseudonym_of(stack, number)))
    assert answered == "taken", thanked


def test_a_place_said_while_confirming_moves_the_clock_not_the_search(stack):
    phone = SmsPhone(stack, f"+5730{uuid.uuid4().int % 10**8:08d}")  # a Colombian SIM
    phone.send("recuerdame la pastilla")
    asked = " ".join(phone.send("a las 8 de la noche"))
    assert "20:00" in asked and "Bogota" in asked, asked
    moved = " ".join(phone.send("no, estoy en Boa Vista"))
    assert "Boa Vista" in moved and "20:00" in moved, moved
    assert "Boa Vista" in " ".join(phone.send("si"))


def test_two_workers_send_a_thousand_due_reminders_exactly_once(stack, fake_twilio):
    fake_twilio.clear()  # the same numbers were used with the other configuration
    numbers = set(seed_opted_in(stack, 1000, "+5699"))
    workers = [worker(stack, "--once", PUENTE_WORKER_BATCH="50") for _ in range(2)]
    for process in workers:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    sent = [m for m in fake_twilio.messages if m["to"] in numbers]
    keys = occurrence_keys(sent)
    assert len(sent) == 1000 and len(set(keys)) == 1000
    assert {m["to"] for m in sent} == numbers


def test_a_worker_killed_mid_batch_loses_none_and_duplicates_none(stack, fake_twilio):
    fake_twilio.clear()
    numbers = set(seed_opted_in(stack, 400, "+5698"))
    lease = {"PUENTE_WORKER_BATCH": "10", "PUENTE_WORKER_LEASE_SECONDS": "2"}
    process = worker(stack, **lease)
    deadline = time.monotonic() + 120
    while len([m for m in fake_twilio.messages if m["to"] in numbers]) < 60:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(2.5)  # its leases expire
    worker_once(stack, **lease)
    sent = [m for m in fake_twilio.messages if m["to"] in numbers]
    counts = Counter(occurrence_keys(sent))
    assert len(counts) == 400 and max(counts.values()) == 1
