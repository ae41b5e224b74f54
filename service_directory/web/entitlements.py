"""`/ui/entitlements`: the statements of rights (what a migrant may get in a country, at
what cost, with which papers), kept by admins and by curators of organizations marked
`legal_partner` (anyone else gets 404, as for what is not hers); admins mark legal
partners at `/ui/organizations`.

The list filters by country, service type and situation; `/ui/entitlements/review` puts
the oldest review first. The form saves through the admin API's own functions
(`create_entitlement`, `update_entitlement`) after its own model, `EntitlementCreate`,
has checked the whole statement, so an edit can never leave one without its source,
review date or text. The form carries the version she opened and saves with it as
If-Match (the API's conditional write): when someone saved meanwhile, nothing is
overwritten, both versions are shown and saving again is hers.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import LANGUAGES
from ..deps import get_session
from ..entitlements import guidance_text, known_countries
from ..messages import LANGUAGE_NAMES, N_, SERVICE_TYPE_NAMES
from ..messages_rights import (COST_TEXT, DOCUMENT_NAMES, ENTITLED_TEXT, MESSAGES_RIGHTS,
                               SITUATION_TEXT)
from ..models.entitlements import (COSTS, DOCUMENTS, ENTITLED, ENTITLEMENT_SERVICE_TYPES,
                                   SITUATIONS, Entitlement)
from ..routers.admin_entitlements import (EntitlementCreate, EntitlementUpdate,
                                          create_entitlement, mark_reviewed,
                                          update_entitlement)
from . import auth
from .pages import fragment, language_of, render, wants_fragment

router = APIRouter(prefix="/ui", include_in_schema=False)
KEEPERS = ("admin", "curator")
REVIEW_AFTER_DAYS = 365
EVERYONE = "everyone"  # the situation filter's value for statements that hold for all
TOPICS = {"access": N_("Access to care"), "confidentiality": N_("Confidentiality"),
          "enrolment": N_("Joining the public health system")}
CONFIDENCE_LABELS = {"high": N_("Sure: a direct, recent source"),
                     "medium": N_("Less sure: an indirect, old or disputed source")}
# What the bot says for each code: the curator picks the sentence a migrant will read.
ENTITLED_LABELS = {c: MESSAGES_RIGHTS[ENTITLED_TEXT[c]].sms for c in ENTITLED}
COST_LABELS = {c: MESSAGES_RIGHTS[COST_TEXT[c]].sms for c in COSTS}
SITUATION_LABELS = {c: MESSAGES_RIGHTS[SITUATION_TEXT[c]].sms for c in SITUATIONS}
DOCUMENT_LABELS = {c: MESSAGES_RIGHTS[DOCUMENT_NAMES[c]].sms if c in DOCUMENT_NAMES
                   else N_("No papers needed") for c in DOCUMENTS}
LABELS = {
    "country": N_("Country (two letters, like co)"),
    "topic": N_("Topic"),
    "service_type": N_("Type"),
    "situation": N_("Situation"),
    "entitled": N_("The right"),
    "cost": N_("What it costs"),
    "documents": N_("Papers asked for (none ticked: not known)"),
    "legal_basis": N_("Legal basis"),
    "cite": N_("The legal basis in a few words, for SMS"),
    "source_url": N_("Source (a public web page)"),
    "confidence": N_("How sure"),
    "last_reviewed": N_("Last reviewed"),
    "reviewer": N_("Reviewed by"),
    "needs_local_review": N_("A local partner should review it"),
}
TEXT_FIELDS = ("country", "topic", "service_type", "situation", "entitled", "cost",
               "legal_basis", "cite", "confidence", "source_url", "last_reviewed", "reviewer")


def keeper(request: Request, session: Session, csrf: str | None = None) -> auth.WebSession:
    web = auth.require(request, session, KEEPERS, csrf)
    if not auth.keeps_rights(session, web.user):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return web


def texts_of(entry: Entitlement | None) -> dict[str, str]:
    """The statement's text in each language: the catalog's when it names a catalog
    key (what the bot sends), else its own; "" where it has none."""
    if entry is None:
        return {lang: "" for lang in LANGUAGES}
    if entry.guidance_key:
        return {lang: guidance_text(entry, lang) for lang in LANGUAGES}
    own = entry.guidance or {}
    return {lang: own.get(lang, "") for lang in LANGUAGES}


def form_values(entry: Entitlement | None) -> dict[str, Any]:
    """The form's fields for a statement (a new one: empty, reviewed today, to review)."""
    if entry is None:
        return {**{f: "" for f in TEXT_FIELDS}, "topic": "access", "confidence": "high",
                "last_reviewed": date.today().isoformat(), "documents": [],
                "needs_local_review": True, "guidance": texts_of(None)}
    values = {f: getattr(entry, f) or "" for f in TEXT_FIELDS}
    values["last_reviewed"] = entry.last_reviewed.isoformat() if entry.last_reviewed else ""
    papers = entry.documents
    values.update(documents=["none"] if papers == [] else list(papers or []),  # [] = none
                  guidance=texts_of(entry),
                  needs_local_review=bool(entry.needs_local_review))
    return values


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _from_form(form) -> dict[str, Any]:
    values: dict[str, Any] = {f: _clean(form.get(f)) for f in TEXT_FIELDS}
    values.update(documents=form.getlist("documents"),
                  needs_local_review=form.get("needs_local_review") == "1",
                  guidance={lang: _clean(form.get(f"guidance_{lang}")) for lang in LANGUAGES})
    return values


def statement(submitted: dict[str, Any], entry: Entitlement | None) -> dict[str, Any]:
    """Her form as the API's fields. Unchanged texts keep their catalog key (translated
    by the catalogs); changed ones become the statement's own text per language."""
    data = {f: submitted[f] or None for f in TEXT_FIELDS}
    data["legal_basis"] = submitted["legal_basis"]
    data["documents"] = submitted["documents"] or None
    data["needs_local_review"] = submitted["needs_local_review"]
    if entry is not None and submitted["guidance"] == texts_of(entry):
        data["guidance_key"], data["guidance"] = entry.guidance_key, entry.guidance
    else:
        texts = {lang: text for lang, text in submitted["guidance"].items() if text}
        data["guidance_key"], data["guidance"] = None, texts or None
    return data


def field_errors(error: ValidationError) -> dict[str, str]:
    """Pydantic's complaints by field ("form" for those about the whole statement)."""
    found: dict[str, str] = {}
    for problem in error.errors():
        key = str(problem["loc"][0]) if problem["loc"] else "form"
        found.setdefault(key, problem["msg"].removeprefix("Value error, "))
    return found


def _age(day: date | None, today: date) -> int | None:
    return None if day is None else (today - day).days


def _rows(entries: list[Entitlement], lang: str) -> list[dict[str, Any]]:
    today = datetime.now(timezone.utc).date()
    return [{"entry": e, "days": _age(e.last_reviewed, today), "text": guidance_text(e, lang),
             "old": (_age(e.last_reviewed, today) or 0) > REVIEW_AFTER_DAYS} for e in entries]


def find_statements(session: Session, *, country: str = "", service_type: str = "",
                    situation: str = "", oldest_first: bool = False) -> list[Entitlement]:
    """Statements matching the filters, by country and subject, or oldest review first."""
    query = select(Entitlement)
    if country:
        query = query.where(Entitlement.country == country.lower())
    if service_type in ENTITLEMENT_SERVICE_TYPES:
        query = query.where(Entitlement.service_type == service_type)
    if situation == EVERYONE:
        query = query.where(Entitlement.situation.is_(None))
    elif situation in SITUATIONS:
        query = query.where(Entitlement.situation == situation)
    order = ((Entitlement.last_reviewed, Entitlement.country) if oldest_first else
             (Entitlement.country, Entitlement.topic, Entitlement.service_type,
              Entitlement.situation))
    return list(session.scalars(query.order_by(*order, Entitlement.id).limit(1000)))


def needing_review(session: Session) -> list[Entitlement]:
    """Marked for a local partner's review, or last reviewed over a year ago; oldest first."""
    cutoff = date.fromordinal(date.today().toordinal() - REVIEW_AFTER_DAYS)
    query = (select(Entitlement)
             .where((Entitlement.needs_local_review.is_(True)) | (Entitlement.last_reviewed < cutoff))
             .order_by(Entitlement.last_reviewed, Entitlement.country, Entitlement.id))
    return list(session.scalars(query.limit(1000)))


def _choices() -> dict[str, Any]:
    return {"topics": TOPICS, "types": {c: SERVICE_TYPE_NAMES[c] for c in ENTITLEMENT_SERVICE_TYPES},
            "situations": SITUATION_LABELS, "entitled": ENTITLED_LABELS, "costs": COST_LABELS,
            "documents": DOCUMENT_LABELS, "confidence": CONFIDENCE_LABELS,
            "everyone": EVERYONE}


@router.get("/entitlements")
def statements(request: Request, country: str = "", type: str = "", situation: str = "",
               session: Session = Depends(get_session)) -> Response:
    web = keeper(request, session)
    found = find_statements(session, country=country, service_type=type, situation=situation)
    return render(request, "entitlements.html", {
        "user": web.user, "csrf": web.csrf, "rows": _rows(found, language_of(request)),
        "review": False, "countries": known_countries(session),
        "deleted": request.query_params.get("deleted"),
        "reviewed": request.query_params.get("reviewed"),
        "filters": {"country": country, "type": type, "situation": situation}, **_choices()})


@router.get("/entitlements/review")
def review(request: Request, session: Session = Depends(get_session)) -> Response:
    web = keeper(request, session)
    return render(request, "entitlements.html", {
        "user": web.user, "csrf": web.csrf, "review": True,
        "reviewed": request.query_params.get("reviewed"),
        "rows": _rows(needing_review(session), language_of(request)), **_choices()})


@router.post("/entitlements/{entry_id}/review")
def still_accurate(entry_id: str, request: Request, csrf: str = Form(""), back: str = Form(""),
                   session: Session = Depends(get_session)) -> Response:
    """One click on "still accurate": reviewed today by her, audited (the admin API's
    `mark_reviewed`). htmx gets the statement's row; a plain form the list again."""
    web = keeper(request, session, csrf)
    entry = statement_or_404(session, entry_id)
    mark_reviewed(session, entry, web.user)
    session.commit()
    if wants_fragment(request):
        return fragment(request, "_statement_row.html", {
            "user": web.user, "csrf": web.csrf, "row": _rows([entry], language_of(request))[0],
            "review": back == "review", "reviewed_now": True, **_choices()})
    where = "/ui/entitlements/review" if back == "review" else "/ui/entitlements"
    return RedirectResponse(f"{where}?reviewed={entry_id}", status_code=status.HTTP_303_SEE_OTHER)


def _page(request: Request, web: auth.WebSession, entry: Entitlement | None,
          values: dict[str, Any], errors: dict[str, str] | None = None,
          theirs: dict[str, Any] | None = None, version: int | None = None,
          status_code: int = 200) -> Response:
    return render(request, "entitlement_edit.html", {
        "user": web.user, "csrf": web.csrf, "entry": entry, "values": values,
        "labels": LABELS, "errors": errors or {}, "theirs": theirs, "language_names": LANGUAGE_NAMES,
        "version": version if version is not None else (entry.version if entry else None),
        "compared": TEXT_FIELDS + ("documents", "needs_local_review"),
        "saved": request.query_params.get("saved"), **_choices()}, status_code=status_code)


def statement_or_404(session: Session, entry_id: str) -> Entitlement:
    entry = session.get(Entitlement, entry_id)
    if entry is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such statement")
    return entry


@router.get("/entitlements/new")
def new_page(request: Request, session: Session = Depends(get_session)) -> Response:
    web = keeper(request, session)
    return _page(request, web, None, form_values(None))


@router.post("/entitlements/new")
async def create(request: Request, session: Session = Depends(get_session)) -> Response:
    form = await request.form()
    web = keeper(request, session, form.get("csrf") or "")
    submitted = _from_form(form)
    try:
        checked = EntitlementCreate(**statement(submitted, None))
    except ValidationError as error:
        return _page(request, web, None, submitted, field_errors(error), status_code=422)
    made = create_entitlement(checked, Response(), session, web.user)
    return RedirectResponse(f"/ui/entitlements/{made['id']}?saved=1",
                            status_code=status.HTTP_303_SEE_OTHER)


@router.get("/entitlements/{entry_id}")
def edit_page(entry_id: str, request: Request,
              session: Session = Depends(get_session)) -> Response:
    web = keeper(request, session)
    entry = statement_or_404(session, entry_id)
    return _page(request, web, entry, form_values(entry))


@router.post("/entitlements/{entry_id}")
async def save(entry_id: str, request: Request,
               session: Session = Depends(get_session)) -> Response:
    form = await request.form()
    web = keeper(request, session, form.get("csrf") or "")
    entry = statement_or_404(session, entry_id)
    submitted = _from_form(form)
    try:
        version = int(form.get("version") or "")
        checked = EntitlementCreate(**statement(submitted, entry))
    except ValueError as error:  # ValidationError is a ValueError too
        errors = field_errors(error) if isinstance(error, ValidationError) else {
            "form": "the form has no version; open the statement again"}
        return _page(request, web, entry, submitted, errors, status_code=422)
    try:
        update_entitlement(entry_id, EntitlementUpdate(**checked.model_dump()), Response(),
                           f'"v{version}"', session, web.user)
        return RedirectResponse(f"/ui/entitlements/{entry_id}?saved=1",
                                status_code=status.HTTP_303_SEE_OTHER)
    except HTTPException as error:  # 412: someone saved meanwhile
        if error.status_code != status.HTTP_412_PRECONDITION_FAILED:
            raise
    session.rollback()
    fresh = session.get(Entitlement, entry_id, populate_existing=True)
    if fresh is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="the statement was deleted")
    return _page(request, web, fresh, submitted, theirs=form_values(fresh),
                 version=fresh.version, status_code=status.HTTP_409_CONFLICT)
