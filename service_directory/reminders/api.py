"""The reminders' HTTP API: the bot's actions (internal) and the connectors' reports.

Internal routes only (`X-Puente-Internal`): the actions set up and change a plan by
sending her message; the connectors report Twilio's delivery status. The curators'
queue of follow-up requests is under `/admin/followups` (`admin_api.py`).
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import gazetteer
from ..deps import get_session, require_internal
from ..models.directory import Service
from ..search import SearchQuery, nearest_services
from . import plans
from .models import FollowUpRequest, ReminderOccurrence, ReminderPlan

router = APIRouter(tags=["reminders"], dependencies=[Depends(require_internal)])

Person = Field(..., min_length=8, max_length=128, description="the sender's pseudonym")


class DraftIn(BaseModel):
    """Her latest message and what the conversation knows (slots)."""

    person: str = Person
    text: str = Field("", max_length=2000, description="her message, to read time, days, words")
    language: Literal["en", "es", "fr", "ht", "pt"] = "en"
    country: str | None = Field(None, max_length=2)
    place: str | None = Field(None, max_length=120)
    service_type: str | None = Field(None, max_length=40)
    country_hint: str | None = Field(None, max_length=2,
                                     description="her number's country: the last resort")
    draft: dict[str, Any] | None = Field(None, description="the draft returned last time")


class PlanIn(BaseModel):
    person: str = Person
    draft: dict[str, Any]
    language: Literal["en", "es", "fr", "ht", "pt"] = "en"
    channel: Literal["twilio_sms", "twilio_whatsapp"]


class ChangeIn(BaseModel):
    text: str = Field("", max_length=2000)
    language: Literal["en", "es", "fr", "ht", "pt"] | None = None
    default: Literal["stop"] | None = Field(None, description="she asked to stop")


class MoveIn(BaseModel):
    country: str | None = Field(None, max_length=2)
    place: str | None = Field(None, max_length=120)


class AnswerIn(BaseModel):
    answer: Literal["taken", "ok", "problem"]
    language: Literal["en", "es", "fr", "ht", "pt"] = "en"


class ReasonIn(BaseModel):
    reason: Literal["side_effects", "no_medicine", "moved", "other"]


class StatusIn(BaseModel):
    """Twilio's delivery report for one occurrence, relayed by the connector."""

    key: str = Field(..., max_length=80)
    status: str = Field(..., max_length=20)
    error_code: str | None = Field(None, max_length=10)


@router.post("/v1/reminders/draft", summary="Read a reminder request into a draft")
def read_draft(body: DraftIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    draft = plans.read_message(plans.Draft.from_dict(body.draft), body.text,
                               country=body.country, place=body.place,
                               service_type=body.service_type,
                               country_hint=body.country_hint)
    return {"draft": asdict(draft), "missing": draft.missing,
            "summary": plans.summary(draft)}


@router.post("/v1/reminders", status_code=status.HTTP_201_CREATED,
             summary="Start (or replace) her reminder from a complete draft")
def create_plan(body: PlanIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    draft = plans.Draft.from_dict(body.draft)
    try:
        plan = plans.create(session, body.person, draft, language=body.language,
                            channel=body.channel)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    session.commit()
    return {"status": plan.status, "summary": plans.summary(plan)}


@router.post("/v1/reminders/{person}/change", summary="Change, pause or resume her reminder")
def change_plan(person: str, body: ChangeIn,
                session: Session = Depends(get_session)) -> dict[str, Any]:
    outcome = plans.change(session, person, body.text, language=body.language,
                           default=body.default)
    session.commit()
    return {"result": outcome.result, "summary": outcome.summary,
            "paused_days": outcome.paused_days}


@router.post("/v1/reminders/{person}/stop", summary="Stop her reminder for good")
def stop_plan(person: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    stopped = plans.stop(session, person)
    session.commit()
    return {"stopped": stopped}


@router.post("/v1/reminders/{person}/move", summary="She moved: the reminder follows her clock")
def move_plan(person: str, body: MoveIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    moved = plans.move(session, person, body.country, body.place)
    session.commit()
    return {"moved": moved is not None, "summary": moved}


@router.post("/v1/reminders/{person}/answer", summary="Her answer: taken, 1 (ok) or 2 (problem)")
def answer(person: str, body: AnswerIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    occurrence = plans.answer(session, person, body.answer)
    plan = plans.plan_of(session, person)
    reply: dict[str, Any] = {"recorded": occurrence is not None, "has_plan": plan is not None}
    if body.answer == "problem":
        reply.update(_help_for(session, person, plan, body.language))
    session.commit()
    return reply


def _help_for(session: Session, person: str, plan, language: str) -> dict[str, Any]:
    """"2": the nearest service for her treatment, the help line, and a request in the
    queue of the NGO that curates that service (else the admins' queue)."""
    treatment = (plan.treatment if plan else None) or "hiv_treatment"
    country = plan.country if plan else None
    place_name = (plan.place if plan else None)
    organization_id = None
    place = None
    if place_name:
        found = gazetteer.resolve(place_name, country)
        place = found.place
    if place is None and country:  # she never named a place: the largest city
        place = gazetteer.largest_city(country)
    if place is not None:
        outcome = nearest_services(session, SearchQuery(
            latitude=place.latitude, longitude=place.longitude, service_type=treatment,
            country=country, limit=1))
        if outcome.results:
            organization_id = session.scalar(select(Service.organization_id).where(
                Service.id == outcome.results[0].service_id))
    request = plans.open_followup(session, person, organization_id, treatment)
    session.flush()
    return {"followup_id": request.id, "service_type": treatment, "country": country,
            "place": place.name if place else None,
            "help_line": plans.help_line(session, country, language)}


@router.post("/v1/reminders/followups/{followup_id}/reason",
             summary="What she chose to say about her follow-up request")
def followup_reason(followup_id: str, body: ReasonIn,
                    session: Session = Depends(get_session)) -> dict[str, Any]:
    request = session.get(FollowUpRequest, followup_id)
    if request is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such follow-up request")
    request.reason = body.reason
    session.commit()
    return {"id": request.id, "reason": request.reason}


@router.post("/v1/reminders/status", summary="Twilio's delivery report for an occurrence")
def delivery_status(body: StatusIn, session: Session = Depends(get_session)) -> dict[str, Any]:
    occurrence = session.scalar(select(ReminderOccurrence)
                                .where(ReminderOccurrence.key == body.key))
    if occurrence is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such occurrence")
    before = occurrence.status
    if body.status == "delivered":
        occurrence.status = "delivered"
    elif body.status in ("failed", "undelivered"):
        occurrence.status = "failed"
    plan = session.get(ReminderPlan, occurrence.plan_id)
    if occurrence.status != before and plan is not None:
        plans.count(session, f"reminder_{occurrence.status}", plan)
    if body.error_code == "21610":  # she replied STOP to the carrier: the plan ends
        plans.stop_plan_id(session, occurrence.plan_id)
    session.commit()
    return {"key": body.key, "status": occurrence.status}

