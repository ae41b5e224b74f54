"""`DELETE /v1/people/{pseudonym}`: erase what Puente links to a person (delete_my_data).

Internal only (the bot's action server, with `X-Puente-Internal`). Today it unlinks
discrimination reports and follow-up requests, and deletes reminder plans with
their history (the vault entry is the connectors': the action erases it).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from .. import audit, reports
from ..reminders import plans as reminder_plans
from ..deps import get_session, require_internal

router = APIRouter(tags=["people"])


def erase_person(session: Session, pseudonym: str) -> dict[str, int]:
    """Counts of what was erased or unlinked, by kind; the caller commits."""
    return {"reports_unlinked": reports.unlink_person(session, pseudonym),
            "reminder_plans_erased": reminder_plans.erase(session, pseudonym)}


@router.delete("/v1/people/{pseudonym}", summary="Erase a person's data (delete_my_data)")
def delete_person(pseudonym: str, session: Session = Depends(get_session),
                  caller: str = Depends(require_internal)) -> dict[str, Any]:
    counts = erase_person(session, pseudonym)
    # The audit row must not keep the pseudonym it erased.
    audit.record(session, caller, "erase", "person", None, None, counts)
    session.commit()
    return {"erased": True, **counts}
