"""The reminder worker: materialise what is due, claim it with a lease, send it once.

Any number of workers can run (`puente worker`), on SQLite or PostgreSQL:
1. Materialise: each active plan whose `next_due_at` has come gets one occurrence
   row, keyed (plan, local date, kind); the unique key makes a second worker's
   insert a no-op, and moving `next_due_at` on is idempotent.
2. Claim: one UPDATE marks a batch `leased` with this batch's token and an expiry
   (PostgreSQL skips rows another worker holds: `FOR UPDATE SKIP LOCKED`; SQLite
   serialises writers). A worker killed mid-batch leaves leases that expire and are
   claimed again by whoever runs next.
3. Send through the connectors' proactive endpoint, which alone reads the number
   and refuses a key it has already sent: a batch sent but not yet recorded when
   its worker died is recognised, not sent twice.
Late occurrences: less than `late_after` late (2 h) are sent, older ones skipped and
counted. A reminder sent without an answer gets one check-in, out of quiet hours.
"""
from __future__ import annotations

import logging
import os
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Protocol

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from ..stats import events
from . import plans, schedule, texts
from .models import ReminderOccurrence, ReminderPlan, utcnow

log = logging.getLogger(__name__)


# `puente worker`'s pace (PUENTE_WORKER_RATE): 10,000 due in one minute go out in
# about 35 s, and people texting meanwhile keep their answer times (README "Reminders").
DEFAULT_RATE = 300.0


@dataclass(frozen=True)
class WorkerConfig:
    """`rate`: at most this many reminders per second from this worker (0: as fast as
    it can, which tests and the benchmark's capacity figure use). The Rasa servers that
    send reminders also answer people; a spike of reminders due in the same minute need
    not go out in ten seconds, and at full speed it takes the servers' CPU from the
    people texting (README "Reminders")."""

    batch: int = 200
    lanes: int = 1
    lease_seconds: int = 60
    late_after: timedelta = timedelta(hours=2)
    checkin_after_minutes: int = 120
    rate: float = 0.0

    @classmethod
    def from_env(cls) -> "WorkerConfig":
        get = os.environ.get
        return cls(batch=int(get("PUENTE_WORKER_BATCH", 200)),
                   lanes=int(get("PUENTE_WORKER_LANES", 1)),
                   lease_seconds=int(get("PUENTE_WORKER_LEASE_SECONDS", 60)),
                   checkin_after_minutes=int(get("PUENTE_CHECKIN_AFTER_MINUTES", 120)),
                   rate=float(get("PUENTE_WORKER_RATE", DEFAULT_RATE)))


@dataclass(frozen=True)
class Outgoing:
    """One message for the connector: the key it deduplicates on, never a number."""

    key: str
    person: str
    channel: str
    kind: str
    language: str
    text: str
    variables: dict[str, str] = field(default_factory=dict)


class Sender(Protocol):
    def send(self, items: list[Outgoing]) -> dict[str, str]:
        """Send; per key: sent, duplicate, in_flight, opted_out, no_contact, capped
        or failed."""


@dataclass
class Tally:
    """What one pass did, for logs and the benchmark (counts only)."""

    counts: Counter = field(default_factory=Counter)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] += amount

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def materialise(session: Session, now: datetime, limit: int = 1000) -> int:
    """Create the due occurrence of every plan whose time has come; how many plans."""
    due_plans = session.scalars(
        select(ReminderPlan)
        .where(ReminderPlan.status.in_(("active", "paused")),
               ReminderPlan.next_due_at <= now)
        .order_by(ReminderPlan.next_due_at).limit(limit)).all()
    rows: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for plan in due_plans:
        due = plans.as_utc(plan.next_due_at)
        local_day = due.astimezone(schedule.zone(plan.timezone)).date()
        paused = plan.status == "paused" and plan.paused_until is not None \
            and plans.as_utc(plan.paused_until) > due
        if plan.status == "paused" and not paused:
            plan.status, plan.paused_until = "active", None
        if not paused:
            kind = "checkin" if plan.mode == "weekly" else "dose"
            rows.append({"plan_id": plan.id, "kind": kind, "due_at": due, "status": "due",
                         "key": schedule.occurrence_key(plan.id, local_day, kind),
                         "attempts": 0})
        following, _ = schedule.next_due(plan.local_time, plan.days, plan.timezone, due,
                                         weekly=plan.mode == "weekly")
        moves.append({"plan": plan.id, "was": plan.next_due_at, "next": following})
    if moves:
        # Compare-and-set: a worker that raced us to a plan has moved it already.
        session.connection().execute(
            update(ReminderPlan.__table__)
            .where(ReminderPlan.__table__.c.id == bindparam("plan"),
                   ReminderPlan.__table__.c.next_due_at == bindparam("was"))
            .values(next_due_at=bindparam("next")), moves)
    if rows:
        _insert_occurrences(session, rows)
    session.commit()
    return len(due_plans)


def _insert_occurrences(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert occurrence rows, skipping keys that exist. One cached statement executed
    for many rows (batched by the driver): a multi-row VALUES built per batch was
    compiled anew each time, a fifth of the worker's CPU."""
    table = ReminderOccurrence.__table__
    session.connection().execute(
        _insert(session)(table).on_conflict_do_nothing(index_elements=["key"]), rows)


def claim(session: Session, now: datetime, config: WorkerConfig) -> list[ReminderOccurrence]:
    """Lease a batch of due occurrences (or ones whose lease expired) to this caller."""
    token = str(uuid.uuid4())
    claimable = and_(ReminderOccurrence.due_at <= now,
                     or_(ReminderOccurrence.status == "due",
                         and_(ReminderOccurrence.status == "leased",
                              ReminderOccurrence.lease_until < now)))
    ids = (select(ReminderOccurrence.id).where(claimable)
           .order_by(ReminderOccurrence.due_at, ReminderOccurrence.id).limit(config.batch))
    if session.get_bind().dialect.name == "postgresql":
        # A CTE runs once: as an IN subquery PostgreSQL may re-run it per row, and
        # each run may pick other rows, leasing far more than one batch.
        picked = ids.with_for_update(skip_locked=True).cte("picked")
        chosen = ReminderOccurrence.id == picked.c.id
    else:
        chosen = ReminderOccurrence.id.in_(ids.scalar_subquery())
    session.execute(update(ReminderOccurrence)
                    .where(chosen, claimable)
                    .values(status="leased", lease_token=token,
                            lease_until=now + timedelta(seconds=config.lease_seconds),
                            attempts=ReminderOccurrence.attempts + 1)
                    .execution_options(synchronize_session=False))
    session.commit()
    return list(session.scalars(select(ReminderOccurrence)
                                .where(ReminderOccurrence.lease_token == token)))


def _outgoing(occurrence: ReminderOccurrence, plan: ReminderPlan) -> Outgoing:
    text, kind, variables = texts.render(occurrence.kind, plan)
    return Outgoing(key=occurrence.key, person=plan.pseudonym, channel=plan.channel,
                    kind=kind, language=plan.language, text=text, variables=variables)


def _by_channel(items: Iterable[Outgoing]) -> dict[str, list[Outgoing]]:
    groups: dict[str, list[Outgoing]] = {}
    for item in items:
        groups.setdefault(item.channel, []).append(item)
    return groups


def send_claimed(session: Session, batch: list[ReminderOccurrence], sender: Sender,
                 now: datetime, config: WorkerConfig, tally: Tally) -> None:
    """Send a leased batch and record each result; late ones are skipped and counted."""
    plan_ids = {o.plan_id for o in batch}
    plans_by_id = {p.id: p for p in session.scalars(
        select(ReminderPlan).where(ReminderPlan.id.in_(plan_ids)))}
    to_send: dict[str, tuple[ReminderOccurrence, ReminderPlan]] = {}
    for occurrence in batch:
        plan = plans_by_id.get(occurrence.plan_id)
        if plan is None or plan.status == "stopped":
            occurrence.status = "cancelled"
            tally.add("cancelled")
        elif now - plans.as_utc(occurrence.due_at) > config.late_after:
            occurrence.status = "skipped_late"
            tally.add("skipped_late")
        else:
            to_send[occurrence.key] = (occurrence, plan)
    session.commit()
    results: dict[str, str] = {}
    try:
        for group in _by_channel(_outgoing(o, p) for o, p in to_send.values()).values():
            results.update(sender.send(group))
    except SenderUnavailable as error:
        log.warning("connector unavailable (%s): %d occurrences go back to the queue",
                    error, len(to_send) - len(results))
    _record(session, to_send, results, now, config, tally)
    session.commit()


def _record(session: Session, sent: dict[str, tuple[ReminderOccurrence, ReminderPlan]],
            results: dict[str, str], now: datetime, config: WorkerConfig, tally: Tally) -> None:
    """Each occurrence's fate in a few statements (one UPDATE per outcome, one INSERT
    of check-ins), not one round trip per row: the worker's time is mostly here."""
    outcome: dict[str, list[int]] = {}
    checkins: list[dict[str, Any]] = []
    counted: list[dict[str, Any]] = []  # statistics events, one INSERT for the batch
    for key, (occurrence, plan) in sent.items():
        result = results.get(key)
        if result is None:  # never reached the connector: the next pass retries it
            tally.add("retry")
            outcome.setdefault("due", []).append(occurrence.id)
            continue
        tally.add(result)
        if result in ("sent", "duplicate", "failed"):
            counted.append({"kind": "reminder_failed" if result == "failed" else "reminder_sent",
                            "outcome": occurrence.kind, "country": plan.country,
                            "language": plan.language, "channel": plan.channel,
                            "service_type": plan.treatment, "now": now})
        if result in ("sent", "duplicate"):
            outcome.setdefault("sent", []).append(occurrence.id)
            if occurrence.kind == "dose":  # one gentle check-in if no answer comes
                checkins.append({
                    "plan_id": plan.id, "kind": "checkin", "status": "due", "attempts": 0,
                    "key": occurrence.key.rsplit(":", 1)[0] + ":checkin",
                    "due_at": schedule.checkin_due(now, plan.timezone,
                                                   config.checkin_after_minutes)})
        elif result == "in_flight":
            # another Rasa server holds its send lease right now (this batch's lease
            # expired while it sent): the row stays leased, so a later pass asks again
            # and hears "duplicate" (it was sent) or sends it (that server died)
            continue
        elif result in ("opted_out", "no_contact"):
            outcome.setdefault("skipped_optout", []).append(occurrence.id)
            plans.stop(session, plan.pseudonym)
        else:
            outcome.setdefault("failed", []).append(occurrence.id)
    for status, ids in outcome.items():
        values: dict[str, Any] = {"status": status}
        if status == "sent":
            values["sent_at"] = now
        if status == "due":
            values["lease_token"] = None
        session.execute(update(ReminderOccurrence).where(ReminderOccurrence.id.in_(ids))
                        .values(**values).execution_options(synchronize_session=False))
    if checkins:
        _insert_occurrences(session, checkins)
    events.record_many(session, counted)


def run_once(factory: sessionmaker, sender: Sender, config: WorkerConfig | None = None,
             now: datetime | None = None) -> Tally:
    """Send everything due now, batch by batch, and return what happened.

    `config.lanes` batches are in flight at once (each lane claims, sends and records
    its own), so while the connector sends one batch the next is being claimed and
    another Rasa server can take it; lanes coordinate like workers, by leases.
    """
    config = config or WorkerConfig()
    with factory() as session:
        while materialise(session, now or utcnow()):
            pass
    tallies = [Tally() for _ in range(max(1, config.lanes))]
    if len(tallies) == 1:
        _lane(factory, sender, config, now, tallies[0])
    else:
        with ThreadPoolExecutor(len(tallies), thread_name_prefix="reminder-lane") as pool:
            for future in [pool.submit(_lane, factory, sender, config, now, t) for t in tallies]:
                future.result()
    total = Tally()
    for tally in tallies:
        total.counts.update(tally.counts)
    return total


def _lane(factory: sessionmaker, sender: Sender, config: WorkerConfig,
          now: datetime | None, tally: Tally) -> None:
    started, claimed = time.monotonic(), 0
    with factory() as session:
        while True:
            if config.rate > 0:  # this lane's share of the worker's rate
                ahead = started + claimed * config.lanes / config.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)  # before claiming: no lease is held meanwhile
            moment = now or utcnow()
            batch = claim(session, moment, config)
            if not batch:
                return
            claimed += len(batch)
            tally.add("claimed", len(batch))
            send_claimed(session, batch, sender, moment, config, tally)
            if tally["retry"]:
                return  # the connector is down: try again on the next pass


def run_forever(factory: sessionmaker, sender: Sender, config: WorkerConfig | None = None,
                interval: float = 5.0) -> None:
    """`puente worker`: a pass every few seconds until interrupted."""
    while True:
        try:
            tally = run_once(factory, sender, config)
            if tally.counts:
                log.info("reminder pass: %s", dict(tally.counts))
        except Exception:  # a database restart must not end the worker
            log.exception("reminder pass failed; retrying")
        time.sleep(interval)


class SenderUnavailable(RuntimeError):
    """The connector could not be reached (down, timeout, 5xx)."""
