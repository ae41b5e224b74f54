"""What a person can do with her reminder, by conversation: set it up, change it,
pause, resume, stop, answer it, move country, and erase it.

The bot sends her whole message here (`parse` reads it) with what the conversation
already knows; nothing here sees a phone number. Times are her local wall-clock
time; `schedule` turns them into instants.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .. import gazetteer
from ..entitlements import contacts_for
from ..stats import events
from . import parse, schedule
from .models import FollowUpRequest, ReminderOccurrence, ReminderPlan, utcnow

log = logging.getLogger(__name__)

CHANNELS = ("twilio_sms", "twilio_whatsapp")
TREATMENTS = ("hiv_treatment", "tb_treatment", "prep")
ANSWER_WINDOW = timedelta(hours=24)


@dataclass
class Draft:
    """A reminder being set up over one or more messages."""

    time: str | None = None  # "20:00"
    days: str = schedule.ALL_DAYS
    mode: str = "daily"
    codeword: str | None = None
    country: str | None = None
    place: str | None = None
    zone: str | None = None
    treatment: str | None = None

    @property
    def missing(self) -> str | None:
        """What must still be asked: the time, else where she is (for her clock)."""
        if not self.time:
            return "time"
        if not self.zone:
            return "country"
        return None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Draft":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def place_zone(place: str | None, country: str | None) -> tuple[str | None, str | None]:
    """(zone, country) of a place she named, when the gazetteer knows it."""
    if not place:
        return None, None
    try:
        found = gazetteer.resolve(place, country)
    except Exception:  # the gazetteer is an aid here; the country still gives a zone
        log.warning("gazetteer failed on a reminder place", exc_info=True)
        return None, None
    if found.status == "not_found" or found.place is None:
        return None, None
    return found.place.timezone, found.place.country


def read_message(draft: Draft, text: str, *, country: str | None = None,
                 place: str | None = None, service_type: str | None = None,
                 country_hint: str | None = None) -> Draft:
    """Fold one message and what the conversation knows into the draft.

    Her clock comes from, in order: a place named in this message ("je suis à Santo
    Domingo"), the place or country the conversation knows, what the draft had, and
    last her number's country (a Colombian SIM says little about where she is now).
    """
    found = parse.parse_time(text or "")
    if found is not None:
        draft.time = f"{found.hour:02d}:{found.minute:02d}"
    days = parse.parse_days(text or "")
    if days:
        draft.days = "".join(str(d) for d in sorted(days))
    words = parse.parse_codeword(text or "")
    if words:
        draft.codeword = words
    if "weekly" in parse.parse_intent_cues(text or ""):
        draft.mode = "weekly"
    if service_type in TREATMENTS:
        draft.treatment = service_type
    named = _place_in(text)
    if named is not None:
        draft.place, draft.country = named.name, named.country
        zone_of_place = named.timezone
    else:
        if place and place != draft.place:
            draft.place = place
        # a place she named keeps its own country, whatever the conversation's slot says
        zone_of_place, country_of_place = place_zone(draft.place, country or draft.country)
        if country_of_place:
            draft.country = country_of_place
        elif country:
            draft.country = country.lower()
        draft.country = draft.country or (country_hint or "").lower() or None
    try:
        draft.zone = schedule.zone_for(draft.country, zone_of_place)
    except schedule.UnknownZone:
        draft.zone = None
    return draft


def _place_in(text: str | None):
    """The first place of the route named in her message, if any."""
    if not text:
        return None
    try:
        places = gazetteer.places_in_text(text)
    except Exception:  # an aid only
        log.warning("gazetteer failed on a reminder message", exc_info=True)
        return None
    return places[0] if places else None


def summary(plan_or_draft: ReminderPlan | Draft) -> dict[str, Any]:
    """What the confirmation repeats: time, days, her clock, the wording."""
    is_plan = isinstance(plan_or_draft, ReminderPlan)
    local_time = plan_or_draft.local_time if is_plan else plan_or_draft.time
    zone_name = plan_or_draft.timezone if is_plan else plan_or_draft.zone
    return {"time": local_time, "days": plan_or_draft.days, "mode": plan_or_draft.mode,
            "zone": zone_name, "zone_label": schedule.zone_label(zone_name or ""),
            "codeword": plan_or_draft.codeword, "country": plan_or_draft.country}


def count(session: Session, kind: str, plan: ReminderPlan, now: datetime | None = None,
          outcome: str | None = None) -> None:
    """A reminder statistics event: the plan's country, language, channel and
    treatment, never who."""
    events.record(session, kind, country=plan.country, language=plan.language,
                  channel=plan.channel, service_type=plan.treatment, outcome=outcome, now=now)


def plan_of(session: Session, person: str) -> ReminderPlan | None:
    return session.scalar(select(ReminderPlan).where(ReminderPlan.pseudonym == person))


def _reschedule(plan: ReminderPlan, now: datetime) -> None:
    plan.next_due_at, _ = schedule.next_due(plan.local_time, plan.days, plan.timezone, now,
                                            weekly=plan.mode == "weekly")


def _drop_pending(session: Session, plan: ReminderPlan) -> None:
    """Occurrences not yet sent are cancelled: a new time or a stop means none of them."""
    session.execute(update(ReminderOccurrence)
                    .where(ReminderOccurrence.plan_id == plan.id,
                           ReminderOccurrence.status.in_(("due", "leased")))
                    .values(status="cancelled", lease_token=None))


def create(session: Session, person: str, draft: Draft, *, language: str, channel: str,
           now: datetime | None = None) -> ReminderPlan:
    """Start (or replace) her plan from a complete draft; the caller commits."""
    if draft.missing:
        raise ValueError(f"the reminder still needs its {draft.missing}")
    if channel not in CHANNELS:
        raise ValueError(f"reminders go by SMS or WhatsApp, not {channel!r}")
    now = now or utcnow()
    plan = plan_of(session, person)
    joining = plan is None or plan.status == "stopped"
    if plan is None:
        plan = ReminderPlan(pseudonym=person)
        session.add(plan)
    else:
        _drop_pending(session, plan)
    plan.channel, plan.language = channel, language
    plan.country, plan.place, plan.timezone = draft.country, draft.place, draft.zone
    plan.local_time, plan.days, plan.mode = draft.time, draft.days, draft.mode
    plan.codeword, plan.treatment = draft.codeword, draft.treatment or plan.treatment
    plan.status, plan.paused_until = "active", None
    _reschedule(plan, now)
    if joining:
        count(session, "reminder_opt_in", plan, now)
    return plan


@dataclass
class Change:
    """What a change message did: `result` is changed, paused, resumed, stopped,
    unclear or no_plan."""

    result: str
    summary: dict[str, Any] = field(default_factory=dict)
    paused_days: int | None = None


def change(session: Session, person: str, text: str, *, now: datetime | None = None,
           language: str | None = None, default: str | None = None) -> Change:
    """Apply "9pm instead", "no reminders this week", "start again", "stop" to her plan.

    `default="stop"`: she asked to stop; unless she said for how long (a pause) or
    asked to resume, the plan ends."""
    now = now or utcnow()
    plan = plan_of(session, person)
    if plan is None or plan.status == "stopped":
        return Change("no_plan")
    cues = parse.parse_intent_cues(text or "")
    if language:
        plan.language = language
    if "pause" in cues:
        days = parse.pause_days(text or "")
        plan.status, plan.paused_until = "paused", now + timedelta(days=days)
        _drop_pending(session, plan)
        return Change("paused", summary(plan), days)
    if "resume" in cues:
        plan.status, plan.paused_until = "active", None
        _reschedule(plan, now)
        return Change("resumed", summary(plan))
    if "stop" in cues or default == "stop":
        stop(session, person)
        return Change("stopped")
    draft = read_message(Draft(time=None, days=plan.days, mode=plan.mode,
                               codeword=plan.codeword, country=plan.country,
                               place=plan.place, zone=plan.timezone), text)
    if draft.time is None and draft.days == plan.days and draft.codeword == plan.codeword \
            and draft.mode == plan.mode:
        return Change("unclear", summary(plan))
    plan.local_time = draft.time or plan.local_time
    plan.days, plan.codeword, plan.mode = draft.days, draft.codeword, draft.mode
    if plan.status == "paused" and plan.paused_until and plan.paused_until <= now:
        plan.status = "active"
    _drop_pending(session, plan)
    _reschedule(plan, now)
    return Change("changed", summary(plan))


def move(session: Session, person: str, country: str | None, place: str | None = None,
         now: datetime | None = None) -> dict[str, Any] | None:
    """She moved: her reminder follows her clock. None when she has no plan."""
    plan = plan_of(session, person)
    if plan is None or plan.status == "stopped":
        return None
    zone_of_place, country_of_place = place_zone(place, country)
    try:
        zone_name = schedule.zone_for(country or country_of_place, zone_of_place)
    except schedule.UnknownZone:
        return None
    plan.country = (country or country_of_place or plan.country)
    plan.place, plan.timezone = place, zone_name
    _drop_pending(session, plan)
    _reschedule(plan, now or utcnow())
    return summary(plan)


def stop(session: Session, person: str) -> bool:
    """End her plan for good (STOP, "no more reminders", Twilio 21610)."""
    plan = plan_of(session, person)
    if plan is None:
        return False
    _drop_pending(session, plan)
    if plan.status != "stopped":
        count(session, "reminder_opt_out", plan)
    plan.status, plan.next_due_at = "stopped", None
    return True


def stop_plan_id(session: Session, plan_id: str) -> None:
    plan = session.get(ReminderPlan, plan_id)
    if plan is not None:
        stop(session, plan.pseudonym)


def erase(session: Session, person: str) -> int:
    """delete_my_data: her plan and its history go; follow-ups lose the pseudonym."""
    plan = plan_of(session, person)
    erased = 0
    if plan is not None:
        if plan.status != "stopped":
            count(session, "reminder_opt_out", plan)
        session.execute(delete(ReminderOccurrence).where(ReminderOccurrence.plan_id == plan.id))
        session.delete(plan)
        erased = 1
    session.execute(update(FollowUpRequest).where(FollowUpRequest.pseudonym == person)
                    .values(pseudonym=None))
    return erased


def answer(session: Session, person: str, value: str,
           now: datetime | None = None) -> ReminderOccurrence | None:
    """Record "taken" / 1 (ok) / 2 (problem) on her latest sent reminder or check-in.

    "Taken" cancels the check-in still waiting for that day. None when nothing was
    sent to her in the last day (the reply is then just a thank-you).
    """
    now = now or utcnow()
    plan = plan_of(session, person)
    if plan is None:
        return None
    kinds = ("dose", "checkin") if value == "taken" else ("checkin", "dose")
    latest = session.scalar(
        select(ReminderOccurrence)
        .where(ReminderOccurrence.plan_id == plan.id,
               ReminderOccurrence.status.in_(("sent", "delivered")),
               ReminderOccurrence.kind.in_(kinds),
               ReminderOccurrence.sent_at >= now - ANSWER_WINDOW)
        .order_by(ReminderOccurrence.sent_at.desc()).limit(1))
    if latest is None:
        return None
    latest.answer, latest.answered_at = value, now
    count(session, "checkin_answer", plan, now, outcome=value)
    if value == "taken":
        day_key = latest.key.rsplit(":", 1)[0]
        session.execute(update(ReminderOccurrence)
                        .where(ReminderOccurrence.key == f"{day_key}:checkin",
                               ReminderOccurrence.status == "due")
                        .values(status="cancelled"))
    return latest


def open_followup(session: Session, person: str, organization_id: str | None,
                  service_type: str | None) -> FollowUpRequest:
    """"2 I need help": a request in the NGO's queue (pseudonym kept only for erasure)."""
    plan = plan_of(session, person)
    request = FollowUpRequest(pseudonym=person, organization_id=organization_id,
                              country=plan.country if plan else None,
                              service_type=service_type or (plan.treatment if plan else None))
    session.add(request)
    return request


def help_line(session: Session, country: str | None, language: str) -> dict[str, Any] | None:
    """The country's health or HIV line (else its NGO or migrant line), with a number."""
    contacts = [c for c in contacts_for(session, country, language)
                if c.get("phone") or c.get("whatsapp")]
    for kinds in (("health_line", "hiv_line"), ("ngo_hotline", "migrant_help"), ()):
        for contact in contacts:
            if not kinds or contact["kind"] in kinds:
                return contact
    return None


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for aware columns: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
