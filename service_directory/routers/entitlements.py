"""`GET /v1/entitlements`: a person's health rights in a country, for the bot's answers.

An answer with no content for the question (a country we do not know, or no entry
for that service) is counted as a `no_content` statistics event: unmet demand."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy.orm import Session

from .. import entitlements
from ..config import LANGUAGES
from ..deps import get_session
from ..i18n import UnknownLanguage, require_language
from ..models.entitlements import ENTITLEMENT_SERVICE_TYPES, QUERY_TOPICS, SITUATIONS
from ..stats import events

router = APIRouter(tags=["entitlements"])
#: The intent behind each `topic` the bot asks with.
INTENT_OF_TOPIC = {"rights": "ask_rights", "cost": "ask_cost", "documents": "ask_documents",
                   "confidentiality": "ask_confidentiality"}


def invalid(field: str, message: str) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, with a plain message."""
    return HTTPException(422, detail=[{"loc": ["query", field], "msg": message,
                                       "type": "value_error"}])


def check_choice(field: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    clean = value.strip().lower()
    if clean not in choices:
        raise invalid(field, f"unknown {field} {value!r}; use one of {', '.join(choices)}")
    return clean


@router.get("/v1/entitlements", summary="Health entitlements of migrants in a country")
def get_entitlements(
    country: str = Query(..., description="ISO 3166-1 alpha-2 code, e.g. co"),
    service_type: str | None = Query(None, description="one of " + ", ".join(ENTITLEMENT_SERVICE_TYPES)),
    situation: str | None = Query(None, description="only when the person said it: "
                                  + ", ".join(SITUATIONS)),
    topic: str | None = Query(None, description="focus of the summary: " + ", ".join(QUERY_TOPICS)),
    lang: str = Query("en", description="language of the texts: " + ", ".join(LANGUAGES)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Entries (structured, with a `summary` in `lang`), the country's contacts, and
    `depends_on_situation` (true: entries differ by situation and none was given, so
    the bot asks the person's migration status, and only then). An unknown country
    answers `known: false` with regional contacts."""
    clean_country = (country or "").strip().lower()
    if len(clean_country) != 2 or not clean_country.isalpha():
        raise invalid("country", f"country must be an ISO 3166-1 alpha-2 code like 'co', not {country!r}")
    try:
        language = require_language(lang)
    except UnknownLanguage as error:
        raise invalid("lang", str(error)) from None
    clean_topic = check_choice("topic", topic, QUERY_TOPICS)
    answer = entitlements.lookup(
        session, clean_country,
        service_type=check_choice("service_type", service_type, ENTITLEMENT_SERVICE_TYPES),
        situation=check_choice("situation", situation, SITUATIONS),
        topic=clean_topic, lang=language)
    if not answer.entries:
        events.record_now(session, "no_content", country=clean_country, language=language,
                          service_type=answer.service_type,
                          intent=INTENT_OF_TOPIC.get(clean_topic or ""))
    return answer.as_dict()
