"""Rasa's NLG endpoint (`endpoints.yml` `nlg: url: .../nlg`)."""
from typing import Any

from fastapi import APIRouter, Body

from .. import nlg

router = APIRouter(tags=["nlg"])


@router.post("/nlg")
def render_response(payload: dict[str, Any] = Body(...)) -> dict[str, Any]:
    return nlg.respond(payload)
