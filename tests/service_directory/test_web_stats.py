"""The statistics dashboard (`/ui/stats`) through HTTP: who sees it, what a hidden cell
looks like in the table, the chart's data and the CSV, on SQLite and PostgreSQL. The
page in a real browser, at 1280 and 360 px: tests/e2e/test_web_browser.py."""
from __future__ import annotations

import csv
import io
import json
import re

from .test_stats import LAST_MONTH, WEEK1, add
from .test_web import person, sign_in


def _chart(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>',
                                html, re.S).group(1))


def test_curators_get_no_statistics_and_analysts_land_on_them(accounts_app):
    person(accounts_app, "curator", "cam@ngo.example")
    sign_in(accounts_app, "cam@ngo.example")
    assert accounts_app.client.get("/ui/stats", follow_redirects=False).status_code == 404
    assert accounts_app.client.get("/ui/stats/topics.csv").status_code == 404
    accounts_app.client.cookies.clear()
    assert accounts_app.client.get("/ui/stats", follow_redirects=False).status_code == 303
    person(accounts_app, "analyst", "dan@ngo.example")
    sign_in(accounts_app, "dan@ngo.example")
    home = accounts_app.client.get("/ui/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/ui/stats"


def test_a_small_count_is_hidden_in_the_table_the_chart_and_the_csv(accounts_app):
    add(accounts_app, 40, "conversation_started", WEEK1, language="es", channel="sms",
        country="co")
    add(accounts_app, 3, "conversation_started", WEEK1, language="ht", channel="sms",
        country="co")
    person(accounts_app, "analyst", "dan@ngo.example")
    sign_in(accounts_app, "dan@ngo.example")
    page = accounts_app.client.get("/ui/stats?view=conversations")
    assert page.status_code == 200
    html = page.text
    assert ">40<" in html and ">3<" not in html and "hidden" in html
    chart = _chart(html)
    series = {d["label"]: d["data"] for d in chart["datasets"]}
    assert series["es"] == [40] and series["ht"] == [None]  # a gap, never a zero
    download = accounts_app.client.get("/ui/stats/conversations.csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert {row["language"]: row["conversations"] for row in rows} == {"es": "40", "ht": ""}


def test_filters_and_views_the_view_cannot_take_are_said_not_applied(accounts_app):
    person(accounts_app, "admin", "eva@ngo.example")
    sign_in(accounts_app, "eva@ngo.example")
    for view in ("conversations", "topics", "unmet-demand", "no-content", "reminders",
                 "understanding", "cost", "activity"):
        assert accounts_app.client.get(f"/ui/stats?view={view}").status_code == 200, view
    page = accounts_app.client.get("/ui/stats?view=unmet-demand&language=es").text
    assert "that filter is not applied" in page
    assert accounts_app.client.get("/ui/stats?view=nope").status_code == 404
    spanish = accounts_app.client.get("/ui/stats?view=cost&lang=es").text
    assert 'lang="es"' in spanish


def test_unmet_demand_is_a_map_of_areas_when_tiles_are_set(accounts_app, monkeypatch):
    from service_directory.config import get_settings

    add(accounts_app, 30, "search", LAST_MONTH, country="co",
        area="Norte de Santander Department", service_type="prep", outcome="0")
    monkeypatch.setenv("MAP_TILE_URL", "http://127.0.0.1:9/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    try:
        person(accounts_app, "analyst", "dan@ngo.example")
        sign_in(accounts_app, "dan@ngo.example")
        html = accounts_app.client.get("/ui/stats?view=unmet-demand").text
    finally:
        monkeypatch.delenv("MAP_TILE_URL")
        get_settings.cache_clear()
    points = json.loads(re.search(r'id="map-data">(.*?)</script>', html, re.S).group(1))
    assert [(p["area"], p["unmet"]) for p in points] == [("Norte de Santander Department", 30)]
    assert 7 < points[0]["lat"] < 9 and -74 < points[0]["lon"] < -72  # around Cúcuta
    assert "leaflet.js" in html
    assert "leaflet.js" not in accounts_app.client.get("/ui/stats?view=conversations").text
