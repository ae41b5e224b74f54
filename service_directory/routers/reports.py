"""`POST /v1/reports`: the bot files a discrimination report (internal callers only)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from .. import reports
from ..config import LANGUAGES
from ..deps import get_session, require_internal
from ..hsds.values import optional_lower_country

router = APIRouter(tags=["reports"])


class ReportIn(BaseModel):
    """What the person said, as the bot's `report_discrimination` flow collected it."""

    pseudonym: str | None = Field(None, max_length=128,
                                  description="the sender's pseudonym, kept only for erasure")
    service_id: str | None = Field(None, description="a directory service id (from the last results)")
    service_name: str | None = Field(None, max_length=300, description="the service as the person named it")
    description: str = Field(..., min_length=1, max_length=4000,
                             description="what happened, in the person's words")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, lower case")
    language: str | None = Field(None, description="one of " + ", ".join(LANGUAGES))

    _country = field_validator("country")(optional_lower_country)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in LANGUAGES:
            raise ValueError(f"unknown language; use one of {', '.join(LANGUAGES)}")
        return value


@router.post("/v1/reports", status_code=status.HTTP_201_CREATED,
             summary="File a discrimination report (the bot's action)")
def create_report(body: ReportIn, session: Session = Depends(get_session),
                  caller: str = Depends(require_internal)) -> dict[str, Any]:
    """Lands in the review queue of the service's organization. Answers the report id
    and whether it was matched to a directory service (never echoes the pseudonym)."""
    try:
        report = reports.file_report(session, actor=caller, **body.model_dump())
    except reports.ReportError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    session.commit()
    return {"id": report.id, "status": report.status, "service_id": report.service_id,
            "matched_service": report.service_id is not None}
