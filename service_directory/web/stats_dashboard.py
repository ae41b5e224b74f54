"""`/ui/stats`: the statistics views for analysts and admins, as a chart, a table and a
CSV download, with the API's filters.

Every figure comes from `stats.queries.compute` and `stats.api.as_json`, the same as
`/stats/...`: the disclosure rule lives there, once. A suppressed cell is shown as
"hidden" and is a gap in the chart, never a zero. The chart is drawn by the vendored
Chart.js from the JSON embedded in the page (`static/puente-stats.js`); unmet demand
is also a map of admin-1 areas when `MAP_TILE_URL` is set (vendored Leaflet; circles at
each area's centre, sized by its unmet searches). Without JavaScript the table says
everything.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from .. import gazetteer
from ..config import LANGUAGES, get_settings
from ..deps import get_session
from ..messages import N_
from ..stats import api as stats_api
from ..stats import events, queries
from . import auth
from .pages import render
from .services import COUNTRIES

router = APIRouter(prefix="/ui", include_in_schema=False)
READERS = ("analyst", "admin")

# Per view: the figure charted, and the row key drawn as separate series (if any).
CHARTS: dict[str, dict[str, Any]] = {
    "conversations": {"type": "bar", "figure": "conversations", "series": "language",
                      "stacked": True},
    "topics": {"type": "bar", "figure": "questions", "series": "country", "horizontal": True},
    "unmet-demand": {"type": "bar", "figure": "unmet", "series": "service_type",
                     "horizontal": True, "stacked": True},
    "no-content": {"type": "bar", "figure": "questions", "series": "service_type",
                   "stacked": True},
    "reminders": {"type": "line", "figure": "response_rate", "series": "country", "percent": True},
    "understanding": {"type": "bar", "figure": "fallback_rate", "percent": True},
    "cost": {"type": "bar", "figure": "segments_per_conversation"},
    "activity": {"type": "bar", "figure": "urgent_answers"},
}
TITLES = {
    "conversations": N_("Conversations per week, by language"),
    "topics": N_("Top topics by country"),
    "unmet-demand": N_("Unmet demand: searches with nothing within reach, by area and service"),
    "no-content": N_("Questions with no content for the country"),
    "reminders": N_("Reminders: check-in response rate by week and country"),
    "understanding": N_("Messages not understood, by language"),
    "cost": N_("SMS segments per conversation, by country"),
    "activity": N_("Urgent answers, hand-offs and discrimination reports"),
}

GRAINS = (N_("week"), N_("month"))  # said in the page's period line


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(values: dict[str, str]) -> queries.Filters:
    """The form's filters, unknown values dropped (the form offers only valid ones)."""
    return queries.Filters(
        date_from=_date(values.get("from", "")), date_to=_date(values.get("to", "")),
        country=values.get("country") if values.get("country") in COUNTRIES else None,
        language=values.get("language") if values.get("language") in LANGUAGES else None,
        channel=values.get("channel") if values.get("channel") in events.CHANNELS else None,
        synthetic=values.get("synthetic") == "1")


def _chart(view: queries.View, body: dict[str, Any]) -> dict[str, Any]:
    """Labels and series for Chart.js: one series per value of the series key; a
    suppressed cell is null (a gap)."""
    spec = CHARTS[view.name]
    series_key = spec.get("series") if spec.get("series") in view.rows else None
    label_keys = [key for key in view.rows if key != series_key]
    labels: list[str] = []
    series: dict[str, dict[str, Any]] = {}
    for row in body["rows"]:
        label = " · ".join(str(row[key] or "—") for key in label_keys) or "—"
        if label not in labels:
            labels.append(label)
        name = str(row[series_key] or "—") if series_key else spec["figure"]
        series.setdefault(name, {})[label] = row[spec["figure"]]["value"]
    return {"type": spec["type"], "labels": labels, "percent": bool(spec.get("percent")),
            "stacked": bool(spec.get("stacked")), "horizontal": bool(spec.get("horizontal")),
            "datasets": [{"label": name, "data": [values.get(label) for label in labels]}
                         for name, values in series.items()]}


def _unmet_points(body: dict[str, Any]) -> list[dict[str, Any]]:
    """One circle per admin-1 area with unmet demand shown (hidden cells add nothing),
    at the area's centre, with its service types."""
    centres = gazetteer.admin1_centres()
    areas: dict[tuple[str, str], dict[str, Any]] = {}
    for row in body["rows"]:
        value = row["unmet"]["value"]
        key = (row["country"], row["area"])
        if not value or key not in centres:
            continue
        area = areas.setdefault(key, {"area": row["area"], "country": row["country"],
                                      "lat": centres[key][0], "lon": centres[key][1],
                                      "unmet": 0, "services": []})
        area["unmet"] += value
        area["services"].append([row["service_type"], value])
    return sorted(areas.values(), key=lambda a: -a["unmet"])


def _reader(request: Request, session: Session) -> auth.WebSession:
    """Analysts and admins; a curator gets the 404 every page gives a role with no
    business there."""
    return auth.require(request, session, roles=READERS)


def _result(session: Session, name: str, values: dict[str, str]):
    if name not in queries.VIEWS:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    filters = _filters(values)
    view = queries.VIEWS[name]
    # a filter the view cannot apply is dropped, and said so, rather than refused
    dropped = [d for d in queries.FILTER_DIMS if getattr(filters, d) and d not in view.filters]
    for dim in dropped:
        filters = queries.Filters(**{**filters.__dict__, dim: None})
    threshold = get_settings().stats_min_cell
    return queries.compute(session, name, filters, min_cell=threshold), filters, threshold, dropped


@router.get("/stats")
def dashboard(request: Request, view: str = "conversations",
              session: Session = Depends(get_session)) -> Response:
    web = _reader(request, session)
    values = dict(request.query_params)
    result, filters, threshold, dropped = _result(session, view, values)
    body = stats_api.as_json(result, filters, threshold)
    query = urlencode({k: v for k, v in values.items() if k not in ("view", "lang") and v})
    tiles = get_settings().map_tile_url
    points = _unmet_points(body) if view == "unmet-demand" and tiles else []
    return render(request, "stats.html", {
        "user": web.user, "csrf": web.csrf, "views": TITLES, "view": result.view,
        "body": body, "chart": json.dumps(_chart(result.view, body)).replace("</", "<\\/"), "values": values,
        "query": query, "dropped": dropped, "countries": COUNTRIES, "languages_": LANGUAGES,
        "channels": events.CHANNELS, "map_tiles": tiles if points else "",
        "points": json.dumps(points).replace("</", "<\\/")})


@router.get("/stats/{view}.csv")
def download(view: str, request: Request, session: Session = Depends(get_session)) -> Response:
    _reader(request, session)
    result, _filters_, _threshold, _dropped = _result(session, view, dict(request.query_params))
    return stats_api.as_csv(result)
