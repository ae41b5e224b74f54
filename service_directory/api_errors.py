"""How the API tells a caller the request was wrong, documented as it really is.

FastAPI documents every 422 as its own field-error list, but many routes explain a
refusal in a sentence (`{"detail": "the reminder still needs its time"}`) or a small
object (`{"detail": {"error": "place_not_found", "message": ...}}`) that the bot's
actions read. `UNPROCESSABLE` documents all three shapes, so clients and the schema
tests (tests/service_directory/test_openapi_fuzz.py) see the truth.

A value the database cannot hold (an integer past PostgreSQL's range, a NUL byte in
text) is the caller's to fix too: `data_error` answers it as a 422, not a 500.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    """One field FastAPI's validation refused."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class Unprocessable(BaseModel):
    """A request the app understood but will not act on, and why."""

    detail: list[FieldError] | str | dict[str, Any] = Field(
        description="field errors (FastAPI's validation), a sentence saying what to change, "
                    "or an object with `error` (a code) and `message`")


UNPROCESSABLE: dict[int | str, dict[str, Any]] = {
    status.HTTP_422_UNPROCESSABLE_CONTENT: {"model": Unprocessable,
                                            "description": "The request cannot be acted on"},
}


async def data_error(request: Request, error: Exception) -> JSONResponse:
    """A value the database refused (out of range, NUL byte): the caller's to fix."""
    log.warning("%s %s: the database refused a value (%s)", request.method, request.url.path,
                type(getattr(error, "orig", error)).__name__)
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={
        "detail": "a value is out of range or holds characters that cannot be stored "
                  "(such as a NUL byte); change it and send again"})


HANDLERS = {DataError: data_error}
