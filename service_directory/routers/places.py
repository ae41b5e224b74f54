"""`GET /v1/places/resolve`: a place name as written → the place, or a short choice.

The bot validates a typed place with this before searching, so a validation is not
counted as a search in the usage statistics.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from .. import gazetteer
from ..schemas import PlaceOut
from .services import _directory_places, _place_out, get_session

router = APIRouter(prefix="/v1/places", tags=["places"])


class PlacesInText(BaseModel):
    """The places named in a message, longest names first."""

    places: list[PlaceOut]


class PlaceResolution(BaseModel):
    """`found`: `place` is it; `ambiguous`: pick from `choices`; `not_found`: neither."""

    status: Literal["found", "ambiguous", "not_found"]
    query: str
    place: PlaceOut | None = None
    choices: list[PlaceOut] = []


@router.get("/resolve", response_model=PlaceResolution)
def resolve_place(
    name: str = Query(..., min_length=1, max_length=120, description="place name as written"),
    country: str | None = Query(None, pattern="^[a-zA-Z]{2}$", description="ISO alpha-2 tie-breaker"),
    session: Session = Depends(get_session),
) -> PlaceResolution:
    if not gazetteer.normalize(name):
        raise HTTPException(422, detail={"error": "empty_place", "message": "write a place name"})
    resolution = gazetteer.resolve(name, country.lower() if country else None,
                                   extra_places=_directory_places(session))
    choices = []
    if resolution.status == "ambiguous":
        choices = [_place_out(p) for p in (resolution.place, *resolution.alternatives) if p]
    return PlaceResolution(
        status=resolution.status, query=name,
        place=_place_out(resolution.place) if resolution.place else None,
        choices=choices,
    )


class MessageText(BaseModel):
    """A whole message, sent in the body: never in a URL, where proxies log it."""

    text: str = Field(..., min_length=1, max_length=2000)


@router.post("/in-text", response_model=PlacesInText)
def places_in_text(body: MessageText, session: Session = Depends(get_session)) -> PlacesInText:
    """Places named anywhere in a message (for a question whose place the NLU did not
    tag); only unambiguous names of the countries on the route. Nothing is stored."""
    places = gazetteer.places_in_text(body.text, extra_places=_directory_places(session))
    return PlacesInText(places=[_place_out(p) for p in places])
