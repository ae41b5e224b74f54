"""Reminders in the app: plans by conversation, the clock, and the worker's exactly-once
sending, on SQLite and PostgreSQL (migrated with Alembic), with a recording sender.

The whole path through the connectors and the fake Twilio is in
tests/e2e/test_reminders.py; here each rule is pinned down where it lives.
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from service_directory.reminders import plans, schedule
from service_directory.reminders.models import (FollowUpRequest, ReminderOccurrence,
                                                ReminderPlan)
from service_directory.reminders.worker import Outgoing, WorkerConfig, run_once

UTC = timezone.utc
PERSON = "a" * 64


class RecordingSender:
    """Stands in for the connectors: records what it was asked to send, refuses a key
    twice (as the connector does) and answers per key."""

    def __init__(self, answer: str = "sent") -> None:
        self.answer = answer
        self.sent: list[Outgoing] = []
        self.keys: set[str] = set()
        self.lock = threading.Lock()

    def send(self, items: list[Outgoing]) -> dict[str, str]:
        results = {}
        with self.lock:
            for item in items:
                if self.answer != "sent":
                    results[item.key] = self.answer
                elif item.key in self.keys:
                    results[item.key] = "duplicate"
                else:
                    self.keys.add(item.key)
                    self.sent.append(item)
                    results[item.key] = "sent"
        return results


def make_plan(session, *, person=PERSON, at="20:00", country="cl", language="ht",
              text=None, now=None, channel="twilio_sms", **draft_fields) -> ReminderPlan:
    draft = plans.read_message(plans.Draft(), text or f"rapèl a {at}", country=country)
    draft.time = at
    for key, value in draft_fields.items():
        setattr(draft, key, value)
    plan = plans.create(session, person, draft, language=language, channel=channel,
                        now=now or datetime(2026, 4, 3, 12, 0, tzinfo=UTC))
    session.commit()
    return plan


# --- the clock ------------------------------------------------------------------------
@pytest.mark.parametrize("day, expected_utc", [
    (date(2026, 4, 4), datetime(2026, 4, 4, 23, 0, tzinfo=UTC)),   # summer time, UTC-3
    (date(2026, 4, 5), datetime(2026, 4, 6, 0, 0, tzinfo=UTC)),    # winter time, UTC-4
    (date(2026, 9, 5), datetime(2026, 9, 6, 0, 0, tzinfo=UTC)),
    (date(2026, 9, 6), datetime(2026, 9, 6, 23, 0, tzinfo=UTC)),   # summer again
])
def test_eight_pm_in_santiago_stays_eight_pm_across_the_clock_changes(day, expected_utc):
    assert schedule.local_instant(day, time(20, 0), "America/Santiago") == expected_utc


def test_bogota_and_lima_never_change_clocks():
    for zone in ("America/Bogota", "America/Lima"):
        instants = {schedule.local_instant(date(2026, m, 10), time(20, 0), zone).hour
                    for m in range(1, 13)}
        assert instants == {1}  # 20:00 at UTC-5 is 01:00 UTC the next day


def test_next_due_walks_days_and_skips_unchosen_weekdays():
    after = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # a Monday
    due, day = schedule.next_due("20:00", "3", "America/Bogota", after)  # Thursdays only
    assert day == date(2026, 12, 10) and due == datetime(2026, 12, 11, 1, 0, tzinfo=UTC)


def test_a_checkin_never_lands_at_night():
    sent = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)  # 21:30 in Bogotá
    due = schedule.checkin_due(sent, "America/Bogota", 120)  # 23:30: quiet hours
    assert due == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 08:00 the next morning


def test_the_zone_follows_the_place_then_the_country():
    assert schedule.zone_for("br", "America/Manaus") == "America/Manaus"
    assert schedule.zone_for("cl") == "America/Santiago"
    with pytest.raises(schedule.UnknownZone):
        schedule.zone_for("zz")


# --- plans by conversation --------------------------------------------------------------
def test_a_draft_reads_time_country_and_asks_for_what_is_missing(accounts_sessions):
    draft = plans.read_message(plans.Draft(), "mwen vle yon rapèl chak jou")
    assert draft.missing == "time"
    draft = plans.read_message(draft, "8è di swa")
    assert draft.missing == "country"
    draft = plans.read_message(draft, "", country="cl")
    assert (draft.missing, draft.time, draft.zone) == (None, "20:00", "America/Santiago")


def test_a_place_she_names_beats_her_numbers_country():
    """A Colombian SIM in Santo Domingo: her clock is Santo Domingo's."""
    draft = plans.read_message(plans.Draft(), "Bonjour, je suis haïtienne à Santo Domingo, je "
                               "voudrais un rappel chaque soir à 20h", country_hint="co")
    assert (draft.country, draft.zone, draft.time) == ("do", "America/Santo_Domingo", "20:00")
    draft = plans.read_message(plans.Draft(), "recuérdame a las 8", country_hint="co")
    assert draft.zone == "America/Bogota"  # nothing better known: her number's country
    draft = plans.read_message(draft, "estoy en Boa Vista")
    assert (draft.country, draft.zone) == ("br", "America/Boa_Vista")
    draft = plans.read_message(draft, "que diga 'hora del té'", country="co")  # an old slot
    assert (draft.country, draft.zone, draft.codeword) == ("br", "America/Boa_Vista",
                                                           "hora del té")


def test_pause_resume_change_and_stop(accounts_sessions):
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with accounts_sessions() as session:
        make_plan(session, country="co", now=now)
        assert plans.change(session, PERSON, "no me mandes esta semana", now=now).result == "paused"
        assert plans.plan_of(session, PERSON).status == "paused"
        assert plans.change(session, PERSON, "vuelve a mandarme", now=now).result == "resumed"
        changed = plans.change(session, PERSON, "mejor a las 9 de la noche", now=now)
        assert changed.result == "changed" and changed.summary["time"] == "21:00"
        assert plans.change(session, PERSON, "ya no", now=now, default="stop").result == "stopped"
        assert plans.plan_of(session, PERSON).status == "stopped"
        assert plans.change(session, PERSON, "a las 8", now=now).result == "no_plan"


def test_moving_moves_the_clock(accounts_sessions):
    with accounts_sessions() as session:
        make_plan(session, country="co")
        moved = plans.move(session, PERSON, "cl")
        assert moved["zone"] == "America/Santiago"
        assert plans.plan_of(session, PERSON).timezone == "America/Santiago"


# --- the worker ---------------------------------------------------------------------
def test_sends_once_at_her_local_time_in_her_words(accounts_sessions):
    sender = RecordingSender()
    with accounts_sessions() as session:
        make_plan(session, language="ht", now=datetime(2026, 4, 3, 12, 0, tzinfo=UTC))
    before = datetime(2026, 4, 3, 22, 59, tzinfo=UTC)
    assert run_once(accounts_sessions, sender, now=before)["claimed"] == 0
    at = datetime(2026, 4, 3, 23, 0, 30, tzinfo=UTC)  # 20:00:30 in Santiago
    tally = run_once(accounts_sessions, sender, now=at)
    assert tally["sent"] == 1 and len(sender.sent) == 1
    item = sender.sent[0]
    assert item.person == PERSON and item.kind == "utter_dose_reminder"
    assert item.language == "ht" and item.channel == "twilio_sms"
    assert "VIH" not in item.text.upper() and "HIV" not in item.text.upper()
    assert run_once(accounts_sessions, sender, now=at)["claimed"] == 0  # not twice


def test_every_day_at_eight_pm_across_the_april_clock_change(accounts_sessions):
    sender = RecordingSender()
    with accounts_sessions() as session:
        plan = make_plan(session, now=datetime(2026, 4, 2, 12, 0, tzinfo=UTC))
    moment = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
    while moment <= datetime(2026, 4, 8, 0, 30, tzinfo=UTC):
        run_once(accounts_sessions, sender, now=moment)
        moment += timedelta(minutes=30)
    with accounts_sessions() as session:
        rows = session.scalars(select(ReminderOccurrence).where(
            ReminderOccurrence.plan_id == plan.id, ReminderOccurrence.kind == "dose")
            .order_by(ReminderOccurrence.due_at)).all()
    local = [plans.as_utc(r.due_at).astimezone(schedule.zone("America/Santiago")) for r in rows]
    assert [d.date() for d in local] == [date(2026, 4, d) for d in range(2, 8)]
    assert {(d.hour, d.minute) for d in local} == {(20, 0)}
    assert len(sender.keys) == len({i.key for i in sender.sent}) == len(sender.sent)


def test_after_downtime_a_little_late_is_sent_too_late_is_skipped(accounts_sessions):
    sender = RecordingSender()
    with accounts_sessions() as session:
        make_plan(session, person="b" * 64, country="co", at="20:00",
                  now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
        make_plan(session, person="c" * 64, country="co", at="17:00",
                  now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    # Down from 16:00 to 21:30 Bogotá: 20:00 is 90 minutes late, 17:00 is 4.5 hours late.
    tally = run_once(accounts_sessions, sender, now=datetime(2026, 12, 8, 2, 30, tzinfo=UTC))
    assert tally["sent"] == 1 and tally["skipped_late"] == 1
    assert sender.sent[0].person == "b" * 64


def test_taken_cancels_the_checkin_and_silence_brings_one(accounts_sessions):
    sender = RecordingSender()
    config = WorkerConfig(checkin_after_minutes=60)
    with accounts_sessions() as session:
        make_plan(session, person="d" * 64, country="co", at="09:00",
                  now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
        make_plan(session, person="e" * 64, country="co", at="09:00",
                  now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    sent_at = datetime(2026, 12, 8, 14, 0, 10, tzinfo=UTC)  # 09:00 Bogotá
    run_once(accounts_sessions, sender, config, now=sent_at)
    with accounts_sessions() as session:
        assert plans.answer(session, "d" * 64, "taken", now=sent_at + timedelta(minutes=5))
        session.commit()
    tally = run_once(accounts_sessions, sender, config, now=sent_at + timedelta(minutes=61))
    checkins = [i for i in sender.sent if i.kind == "utter_checkin"]
    assert tally["sent"] == 1 and [i.person for i in checkins] == ["e" * 64]
    assert "1" in checkins[0].text and "2" in checkins[0].text


def test_a_paused_plan_sends_nothing_until_the_pause_ends(accounts_sessions):
    sender = RecordingSender()
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # Monday, 07:00 in Bogotá
    with accounts_sessions() as session:
        make_plan(session, country="co", at="20:00", now=now)
        plans.change(session, PERSON, "no me mandes por 3 dias", now=now)
        session.commit()
    moment = now
    while moment < now + timedelta(days=5):
        run_once(accounts_sessions, sender, now=moment)
        moment += timedelta(hours=1)
    local_days = sorted(i.key.split(":")[1] for i in sender.sent if i.kind == "utter_dose_reminder")
    assert local_days == ["2026-12-10", "2026-12-11"]  # Thursday and Friday


def test_weekly_mode_asks_how_she_is_once_a_week(accounts_sessions):
    sender = RecordingSender()
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with accounts_sessions() as session:
        make_plan(session, country="pe", at="18:00", now=now, mode="weekly", days="2")
    moment = now
    while moment < now + timedelta(days=15):
        run_once(accounts_sessions, sender, now=moment)
        moment += timedelta(hours=1)
    assert [(i.kind, i.key.split(":")[1]) for i in sender.sent] == [
        ("utter_checkin_weekly", "2026-12-09"), ("utter_checkin_weekly", "2026-12-16")]


def test_an_opted_out_person_gets_nothing_and_her_plan_ends(accounts_sessions):
    with accounts_sessions() as session:
        make_plan(session, country="co", now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    tally = run_once(accounts_sessions, RecordingSender("opted_out"),
                     now=datetime(2026, 12, 8, 1, 0, 5, tzinfo=UTC))
    assert tally["opted_out"] == 1
    with accounts_sessions() as session:
        assert plans.plan_of(session, PERSON).status == "stopped"


def test_two_workers_over_a_thousand_due_send_each_exactly_once(accounts_sessions):
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with accounts_sessions() as session:
        for n in range(1000):
            make_plan(session, person=f"{n:064d}", country="co", at="20:00", now=now)
    sender = RecordingSender()
    due = datetime(2026, 12, 8, 1, 0, 5, tzinfo=UTC)
    config = WorkerConfig(batch=50)
    workers = [threading.Thread(target=run_once, args=(accounts_sessions, sender, config, due))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(sender.sent) == 1000 and len({i.key for i in sender.sent}) == 1000
    with accounts_sessions() as session:
        statuses = Counter(session.scalars(select(ReminderOccurrence.status).where(
            ReminderOccurrence.kind == "dose")))
    assert statuses == {"sent": 1000}


def test_a_claim_leases_one_batch_not_more(accounts_sessions):
    """PostgreSQL may re-run an IN (... LIMIT n) subquery per row: the claim must not."""
    from service_directory.reminders.worker import claim

    due = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    with accounts_sessions() as session:
        plan = make_plan(session, country="co")
        session.add_all(ReminderOccurrence(plan_id=plan.id, key=f"k{n}", kind="dose",
                                           due_at=due, status="due", attempts=0)
                        for n in range(120))
        session.commit()
        assert len(claim(session, due, WorkerConfig(batch=50))) == 50
        assert len(claim(session, due, WorkerConfig(batch=50))) == 50
        assert len(claim(session, due, WorkerConfig(batch=50))) == 20


def test_an_expired_lease_is_claimed_again_and_the_connector_refuses_a_resend(accounts_sessions):
    """A worker that died after sending left a lease: the next one sends nothing twice."""
    sender = RecordingSender()
    with accounts_sessions() as session:
        make_plan(session, country="co", now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    due = datetime(2026, 12, 8, 1, 0, 5, tzinfo=UTC)
    from service_directory.reminders.worker import claim, materialise

    with accounts_sessions() as session:  # the dying worker: claims, sends, never records
        materialise(session, due)
        batch = claim(session, due, WorkerConfig(lease_seconds=30))
        sender.send([Outgoing(o.key, PERSON, "twilio_sms", "utter_dose_reminder", "es", "x")
                     for o in batch])
    assert run_once(accounts_sessions, sender, now=due + timedelta(seconds=10))["claimed"] == 0
    tally = run_once(accounts_sessions, sender, now=due + timedelta(seconds=40))
    assert tally["duplicate"] == 1 and len(sender.sent) == 1
    with accounts_sessions() as session:
        assert session.scalar(select(ReminderOccurrence.status).where(
            ReminderOccurrence.kind == "dose")) == "sent"


def test_a_paced_worker_sends_no_faster_than_its_rate(accounts_sessions):
    """PUENTE_WORKER_RATE: a spike goes out at the pace set, leaving the Rasa servers
    to the people texting; all of it still goes."""
    import time as clock

    due = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    with accounts_sessions() as session:
        plan = make_plan(session, country="co", now=due - timedelta(days=1))
        session.add_all(ReminderOccurrence(plan_id=plan.id, key=f"p{n}", kind="dose",
                                           due_at=due, status="due", attempts=0)
                        for n in range(30))
        session.commit()
    sender = RecordingSender()
    started = clock.monotonic()
    tally = run_once(accounts_sessions, sender, WorkerConfig(batch=10, rate=100),
                     now=due + timedelta(seconds=5))
    assert clock.monotonic() - started >= 0.2  # batches 2 and 3 wait 0.1 s each
    assert {f"p{n}" for n in range(30)} <= {item.key for item in sender.sent}
    assert tally["sent"] >= 30


def test_a_key_another_server_is_still_sending_stays_leased_and_is_asked_again(
        accounts_sessions):
    """The connector answers in_flight while a Rasa server holds the key's send lease
    (connectors/claims.py): not sent, not failed, not retried at once; after the
    worker's lease, the next pass asks again and hears what became of it."""
    sender = RecordingSender(answer="in_flight")
    with accounts_sessions() as session:
        make_plan(session, country="co", now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    due = datetime(2026, 12, 8, 1, 0, 5, tzinfo=UTC)
    config = WorkerConfig(lease_seconds=30)
    tally = run_once(accounts_sessions, sender, config, now=due)
    assert tally["in_flight"] == 1 and tally["claimed"] == 1
    with accounts_sessions() as session:
        assert session.scalar(select(ReminderOccurrence.status).where(
            ReminderOccurrence.kind == "dose")) == "leased"
    assert run_once(accounts_sessions, sender, config,
                    now=due + timedelta(seconds=10))["claimed"] == 0
    sender.answer = "sent"  # that server died: its lease lapsed, this pass sends it
    tally = run_once(accounts_sessions, sender, config, now=due + timedelta(seconds=40))
    assert tally["sent"] == 1 and len(sender.sent) == 1
    with accounts_sessions() as session:
        assert session.scalar(select(ReminderOccurrence.status).where(
            ReminderOccurrence.kind == "dose")) == "sent"


# --- the API the bot and the connectors use -------------------------------------------
INTERNAL = {"X-Puente-Internal": "dev-only-secret-change-me"}


def test_kreyol_opt_in_reply_two_and_the_ngo_queue(accounts_app):
    client = accounts_app.client
    found = client.post("/v1/reminders/draft", headers=INTERNAL, json={
        "person": PERSON, "text": "mwen bezwen yon rapèl pou grenn mwen 8è di swa",
        "language": "ht", "country": "cl", "service_type": "hiv_treatment"}).json()
    assert found["missing"] is None and found["summary"]["zone"] == "America/Santiago"
    created = client.post("/v1/reminders", headers=INTERNAL, json={
        "person": PERSON, "draft": found["draft"], "language": "ht", "channel": "twilio_sms"})
    assert created.status_code == 201, created.text
    helped = client.post(f"/v1/reminders/{PERSON}/answer", headers=INTERNAL,
                         json={"answer": "problem", "language": "ht"}).json()
    assert helped["followup_id"] and helped["service_type"] == "hiv_treatment"
    assert client.post(f"/v1/reminders/followups/{helped['followup_id']}/reason",
                       headers=INTERNAL, json={"reason": "no_medicine"}).status_code == 200
    _, admin_key = accounts_app.user("admin")
    queue = client.get("/admin/followups", headers=accounts_app.headers(admin_key)).json()
    assert [(q["reason"], q["country"], q["status"]) for q in queue] == [
        ("no_medicine", "cl", "new")]
    assert "pseudonym" not in queue[0]
    _, analyst_key = accounts_app.user("analyst")
    assert client.get("/admin/followups",
                      headers=accounts_app.headers(analyst_key)).status_code == 403


def test_the_internal_routes_refuse_outsiders(accounts_app):
    response = accounts_app.client.post("/v1/reminders/draft", json={"person": PERSON})
    assert response.status_code == 401
    response = accounts_app.client.post("/v1/reminders/draft", json={"person": PERSON},
                                        headers={"X-Puente-Internal": "guess"})
    assert response.status_code == 403


def test_erasure_deletes_plans_and_history_and_unlinks_followups(accounts_app):
    with accounts_app.sessions() as session:
        plan = make_plan(session, country="co")
        session.add(ReminderOccurrence(plan_id=plan.id, key="k1", kind="dose",
                                       due_at=datetime.now(UTC), status="sent", attempts=1))
        plans.open_followup(session, PERSON, None, "hiv_treatment")
        session.commit()
    response = accounts_app.client.delete(f"/v1/people/{PERSON}", headers=INTERNAL)
    assert response.json()["reminder_plans_erased"] == 1
    with accounts_app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReminderPlan)) == 0
        assert session.scalar(select(func.count()).select_from(ReminderOccurrence)) == 0
        assert session.scalar(select(FollowUpRequest.pseudonym)) is None


def test_a_delivery_report_with_21610_ends_the_plan(accounts_app):
    with accounts_app.sessions() as session:
        plan = make_plan(session, country="co")
        session.add(ReminderOccurrence(plan_id=plan.id, key="k2", kind="dose",
                                       due_at=datetime.now(UTC), status="sent", attempts=1))
        session.commit()
    response = accounts_app.client.post("/v1/reminders/status", headers=INTERNAL, json={
        "key": "k2", "status": "undelivered", "error_code": "21610"})
    assert response.json()["status"] == "failed"
    with accounts_app.sessions() as session:
        assert plans.plan_of(session, PERSON).status == "stopped"


# --- the words -----------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "es", "fr", "ht", "pt"])
@pytest.mark.parametrize("response", ["utter_dose_reminder", "utter_checkin",
                                      "utter_checkin_weekly"])
def test_what_is_sent_unasked_is_one_discreet_sms_segment(language, response):
    from connectors.gsm import GSM7, encoding, segment_count, to_gsm7
    from service_directory.nlg import render

    text = to_gsm7(render(response, language, "twilio_sms", {}))
    assert encoding(text) == GSM7 and segment_count(text) == 1, text
    words = text.upper()
    assert not any(w in words for w in ("HIV", "VIH", "SIDA", "AIDS", "TB", "ARV", "PREP",
                                        "TRATAMIENTO", "TRAITEMENT", "TRATAMENTO"))


@pytest.mark.parametrize("language, expected", [
    ("en", "every day at 8:00 PM, Santiago"), ("es", "20:00"), ("ht", "20:00")])
def test_the_confirmation_repeats_her_local_time(language, expected):
    from service_directory.nlg import render

    text = render("utter_reminder_confirm", language, "twilio_sms",
                  {"time": "20:00", "days": "0123456", "mode": "daily",
                   "zone_label": "Santiago"})
    assert expected in text and "Santiago" in text
