"""HTTP: `/stats/...` views for analysts and admins, `POST /v1/events` for Puente's own
processes (the bot's action server, the connectors).

Each view of `queries.VIEWS` is one GET route with its own response model (in the
OpenAPI schema): JSON by default, CSV with `?format=csv` (a suppressed cell is empty).
A route validates and delegates; the figures come from `queries.compute`.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, create_model, model_serializer
from sqlalchemy.orm import Session

from .. import deps
from ..config import LANGUAGES, get_settings
from . import events, queries
from .disclosure import Cell

READERS = ("analyst", "admin")
MAX_EVENTS = 100
EARLIEST, LATEST = date(2020, 1, 1), date(2100, 12, 31)


stats_reader = deps.require_roles_key_or_session(*READERS)


def min_cell() -> int:
    """STATS_MIN_CELL (a dependency, so tests can lower it)."""
    return get_settings().stats_min_cell


# --- response models -------------------------------------------------------------------
class StatsCell(TypedDict):
    value: float | int | None
    suppressed: NotRequired[bool]
    partial: NotRequired[bool]


class CellOut(BaseModel):
    """A figure: `{"value": n}`; `{"value": null, "suppressed": true}` when it would show
    fewer than STATS_MIN_CELL events; `"partial": true` when small groups inside it were
    left out (the value is then a lower bound)."""

    value: float | int | None
    suppressed: bool | None = None
    partial: bool | None = None

    @model_serializer
    def _only_what_is_true(self) -> StatsCell:
        out: StatsCell = {"value": self.value}
        if self.suppressed:
            out["suppressed"] = True
        if self.partial:
            out["partial"] = True
        return out


class PeriodOut(BaseModel):
    """The whole weeks or months the figures cover (ended ones only)."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    grain: Literal["week", "month"]
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class FiltersOut(BaseModel):
    country: str | None = None
    language: str | None = None
    channel: str | None = None
    synthetic: bool = False


class ViewInfo(BaseModel):
    name: str
    summary: str
    grain: Literal["week", "month"]
    filters: list[str]
    columns: list[str]


def _models(view: queries.View) -> type[BaseModel]:
    dims = {name: (str | None, ...) for name in view.rows}
    figures = {name: (CellOut, ...) for name in (*(m.name for m in view.measures),
                                                 *(r.name for r in view.ratios))}
    title = "".join(part.title() for part in view.name.split("-"))
    row = create_model(f"{title}Row", **dims, **figures)
    total = create_model(f"{title}Total", **figures)
    return create_model(f"{title}View", view=(str, ...), summary=(str, ...),
                        period=(PeriodOut, ...), filters=(FiltersOut, ...),
                        min_cell=(int, ...), rows=(list[row], ...), total=(total, ...))


# --- routes ----------------------------------------------------------------------------
router = APIRouter()
views = APIRouter(prefix="/stats", tags=["stats"], dependencies=[Depends(stats_reader)])

Country = Query(None, pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")
Language = Query(None, description="one of " + ", ".join(LANGUAGES))
Channel = Query(None, description="one of " + ", ".join(events.CHANNELS))


@views.get("", response_model=list[ViewInfo], summary="The statistics views and their filters")
def list_views() -> list[ViewInfo]:
    return [ViewInfo(name=v.name, summary=v.summary, grain=v.grain, filters=["from", "to", *v.filters],
                     columns=list(v.columns)) for v in queries.VIEWS.values()]


def _filters(date_from: date | None, date_to: date | None, country: str | None,
             language: str | None, channel: str | None, synthetic: bool) -> queries.Filters:
    if language is not None and language not in LANGUAGES:
        raise HTTPException(422, detail=f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    if channel is not None and channel not in events.CHANNELS:
        raise HTTPException(422, detail=f"unknown channel {channel!r}; use one of {', '.join(events.CHANNELS)}")
    if date_from and date_to and date_from > date_to:
        raise HTTPException(422, detail="'from' is after 'to'")
    for day in (date_from, date_to):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise HTTPException(422, detail=f"dates go from {EARLIEST} to {LATEST}")
    return queries.Filters(date_from=date_from, date_to=date_to,
                           country=country.lower() if country else None,
                           language=language, channel=channel, synthetic=synthetic)


def _add_view_route(view: queries.View) -> None:
    model = _models(view)

    def read_view(session: Session = Depends(deps.get_session),
                  date_from: date | None = Query(None, alias="from", description="first day (its whole week or month counts)"),
                  date_to: date | None = Query(None, alias="to", description="last day (its whole week or month counts)"),
                  country: str | None = Country, language: str | None = Language,
                  channel: str | None = Channel,
                  synthetic: bool = Query(False, description="demo events instead of real ones"),
                  format: Literal["json", "csv"] = Query("json"),
                  threshold: int = Depends(min_cell)) -> Any:
        filters = _filters(date_from, date_to, country, language, channel, synthetic)
        try:
            result = queries.compute(session, view.name, filters, min_cell=threshold)
        except queries.FilterError as error:
            raise HTTPException(422, detail=str(error)) from None
        if format == "csv":
            return as_csv(result)
        return model.model_validate(as_json(result, filters, threshold))

    read_view.__name__ = f"stats_{view.name.replace('-', '_')}"
    views.add_api_route(f"/{view.name}", read_view, methods=["GET"], response_model=model,
                        summary=view.summary,
                        description=f"{view.summary}. Filters: from, to, {', '.join(view.filters)}. "
                                    "`?format=csv` for CSV (suppressed cells empty).",
                        responses={200: {"content": {"text/csv": {}}}})


def _cell(cell: Cell) -> dict[str, Any]:
    return {"value": cell.value, "suppressed": cell.suppressed or None, "partial": cell.partial or None}


def as_json(result: queries.ViewResult, filters: queries.Filters, threshold: int) -> dict[str, Any]:
    """A view's answer as the API's JSON (the dashboard renders the same)."""
    view = result.view
    return {
        "view": view.name, "summary": view.summary, "min_cell": threshold,
        "period": {"from": result.start, "to": result.end, "grain": view.grain},
        "filters": {"country": filters.country, "language": filters.language,
                    "channel": filters.channel, "synthetic": filters.synthetic},
        "rows": [{key: _cell(value) if isinstance(value, Cell) else value
                  for key, value in row.items()} for row in result.rows],
        "total": {key: _cell(value) for key, value in result.total.items()},
    }


def as_csv(result: queries.ViewResult) -> Response:
    """A view's rows as a CSV download: suppressed cells empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = result.view.columns
    writer.writerow(columns)
    for row in result.rows:
        writer.writerow([_csv_value(row[column]) for column in columns])
    name = f"puente-{result.view.name}-{result.start}-{result.end}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv_value(value: Any) -> Any:
    if isinstance(value, Cell):
        value = value.value
    return "" if value is None else value


for _view in queries.VIEWS.values():
    _add_view_route(_view)


# --- events from Puente's processes ---------------------------------------------------
class EventIn(BaseModel):
    """One anonymous event. Only these fields exist: anything else in the body (a text,
    a sender, a position) is ignored, never stored; a value outside the vocabulary of
    its field is stored as null."""

    kind: Literal[events.KINDS]  # type: ignore[valid-type]
    channel: str | None = Field(None, max_length=20, description="sms, whatsapp, web (or twilio_sms, twilio_whatsapp, rest)")
    language: str | None = Field(None, max_length=8, description="en, es, fr, ht, pt")
    country: str | None = Field(None, max_length=8, description="ISO 3166-1 alpha-2 of the region")
    area: str | None = Field(None, max_length=120, description="an admin-1 area of the country, by name or code (co-21)")
    intent: str | None = Field(None, max_length=40, description="an intent of the conversation contract")
    service_type: str | None = Field(None, max_length=40, description="a service_type code")
    outcome: str | None = Field(None, max_length=20, description="per kind: " + "; ".join(
        f"{kind}: {', '.join(values)}" for kind, values in events.OUTCOMES.items()))
    distance_band: str | None = Field(None, max_length=20, description="search only: " + ", ".join(events.DISTANCE_BANDS))
    value: int | None = Field(None, description="sms_segments only: segments of one message (0-20)")


class EventsIn(BaseModel):
    events: list[EventIn] = Field(..., max_length=MAX_EVENTS)


class EventsOut(BaseModel):
    accepted: int
    recorded: int


@router.post("/v1/events", response_model=EventsOut, status_code=status.HTTP_202_ACCEPTED,
             tags=["stats"], summary="Record anonymous usage events (Puente's own processes)")
def post_events(body: EventsIn, session: Session = Depends(deps.get_session),
                _caller: str = Depends(deps.require_internal)) -> EventsOut:
    """Up to 100 events, stamped with the current hour; `recorded` is 0 when the
    database could not take them (the statistic is lost, the caller need not retry)."""
    recorded = events.record_many(session, [event.model_dump() for event in body.events])
    if recorded and not events.commit_quietly(session, "posted"):
        recorded = 0
    return EventsOut(accepted=len(body.events), recorded=recorded)


router.include_router(views)
