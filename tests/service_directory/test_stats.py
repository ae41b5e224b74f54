"""Statistics: what an event may hold, who may read the views, what they show, CSV,
retention, and the events the app records itself, on SQLite and PostgreSQL.

The disclosure property (no small count recoverable) is tested with Hypothesis in
test_stats_disclosure.py.
"""
from __future__ import annotations

import csv
import io
import logging
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from service_directory import migrate
from service_directory.config import get_settings
from service_directory.db import make_engine, session_factory
from service_directory.models.accounts import User
from service_directory.stats import events, queries, retention
from service_directory.stats.events import StatsEvent
from service_directory.web import auth as web_auth

from .conftest import ROOT

UTC = timezone.utc
TODAY = (datetime.now(UTC) - queries.ENDED_AFTER).date()  # as the views see it
MONDAY = TODAY - timedelta(days=TODAY.weekday())
WEEK1 = MONDAY - timedelta(days=7)  # the last ended week
WEEK2 = MONDAY - timedelta(days=14)
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


def internal() -> dict[str, str]:
    return {"X-Puente-Internal": get_settings().app_secret}


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def add(app, n: int, kind: str, when: date, **fields) -> None:
    with app.sessions() as session:
        assert events.record_many(session, [{"kind": kind, "now": at(when), **fields}] * n) == n
        session.commit()


def stored(app) -> list[StatsEvent]:
    with app.sessions() as session:
        return list(session.scalars(select(StatsEvent).order_by(StatsEvent.id)))


@pytest.fixture
def analyst(accounts_app):
    _, key = accounts_app.user("analyst")
    return accounts_app.headers(key)


def view(app, headers, name, **params) -> dict:
    response = app.client.get(f"/stats/{name}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def figures(body: dict, *keys: str) -> dict:
    """{row key: {measure: value or None}} of a view's JSON."""
    measures = [k for k in body["rows"][0] if isinstance(body["rows"][0][k], dict)] if body["rows"] else []
    return {tuple(row[k] for k in keys): {m: row[m]["value"] for m in measures} for row in body["rows"]}


# --- what an event may hold ------------------------------------------------------------
def test_a_posted_event_keeps_only_known_fields_and_known_values(accounts_app):
    body = {"events": [
        {"kind": "search", "channel": "twilio_whatsapp", "language": "es", "country": "CO",
         "area": "co-21", "service_type": "prep", "outcome": "0", "distance_band": ">100km",
         "text": "necesito prep en calle 10 # 4-55", "sender": "+573001234567",
         "pseudonym": "f" * 64, "lat": 7.8939, "lon": -72.5078},
        {"kind": "topic", "channel": "telegram", "language": "de", "country": "us",
         "area": "Calle 10 #4-55, Cúcuta", "intent": "tell me where she lives",
         "service_type": "dentist", "outcome": "maybe", "value": 573001234567},
        {"kind": "sms_segments", "channel": "sms", "value": 3},
        {"kind": "sms_segments", "channel": "sms", "value": 3001234567},
    ]}
    response = accounts_app.client.post("/v1/events", json=body, headers=internal())
    assert response.status_code == 202 and response.json() == {"accepted": 4, "recorded": 4}
    rows = stored(accounts_app)
    first, second, third, fourth = ([getattr(r, c) for c in ("kind", "channel", "language", "country",
                                     "area", "intent", "service_type", "outcome", "distance_band", "value")]
                                    for r in rows)
    assert first == ["search", "whatsapp", "es", "co", "Norte de Santander Department", None,
                     "prep", "0", ">100km", None]
    assert second == ["topic", None, None, None, None, None, None, None, None, None]
    assert third[-1] == 3 and fourth[-1] is None  # a value too big to be segments is dropped
    columns = set(StatsEvent.__table__.columns.keys())
    assert not columns & {"text", "sender", "pseudonym", "phone", "lat", "lon", "latitude", "longitude"}
    everything = " ".join(str(getattr(r, c)) for r in rows for c in columns)
    for secret in ("573001234567", "3001234567", "calle", "Calle", "7.89", "72.5", "f" * 16,
                   "dentist", "telegram", "tell me"):
        assert secret not in everything
    assert all(r.occurred_hour.minute == 0 and r.occurred_hour.second == 0 for r in rows)


def test_an_area_is_kept_only_when_it_is_an_admin1_area_of_the_country():
    def area(country, written):
        return events.clean("search", country=country, area=written)["area"]

    assert area("co", "Norte de Santander Department") == "Norte de Santander Department"
    assert area("co", "CO-21") == "Norte de Santander Department"
    assert area("co", "Cúcuta") is None  # a city is finer than an admin-1 area
    assert area("co", "La Parada, calle 3") is None
    assert area("pe", "co-21") is None  # another country's area
    assert area(None, "co-21") is None


def test_the_recording_function_has_no_way_to_take_a_person_or_a_time():
    import inspect

    for function in (events.record, events.clean):
        parameters = set(inspect.signature(function).parameters)
        assert not parameters & {"text", "sender", "pseudonym", "phone", "person", "latitude",
                                 "longitude", "lat", "lon", "occurred_hour"}
    with pytest.raises(events.UnknownKind):
        events.clean("gossip")


def test_a_bad_kind_or_too_many_events_is_refused_whole(accounts_app):
    bad = accounts_app.client.post("/v1/events", headers=internal(), json={
        "events": [{"kind": "topic"}, {"kind": "gossip", "country": "co"}]})
    assert bad.status_code == 422
    many = accounts_app.client.post("/v1/events", headers=internal(),
                                    json={"events": [{"kind": "topic"}] * 101})
    assert many.status_code == 422
    assert stored(accounts_app) == []


def test_events_need_the_internal_secret(accounts_app):
    body = {"events": [{"kind": "topic"}]}
    assert accounts_app.client.post("/v1/events", json=body).status_code == 401
    assert accounts_app.client.post("/v1/events", json=body,
                                    headers={"X-Puente-Internal": "guess"}).status_code == 403
    _, key = accounts_app.user("admin")
    assert accounts_app.client.post("/v1/events", json=body,
                                    headers=accounts_app.headers(key)).status_code == 401


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
                                 "sqlite:////nonexistent-dir/puente.db"])
def test_with_the_database_down_a_statistic_is_lost_never_an_answer(url, caplog):
    engine = make_engine(url)
    session = session_factory(engine)()
    with caplog.at_level(logging.WARNING, logger="service_directory.stats.events"):
        assert events.record(session, "search", country="co", area="co-21", language="es") is False
        assert events.record_now(session, "no_content", country="xx") is False
        assert events.record_many(session, [{"kind": "topic", "intent": "ask_rights"}]) == 0
    lines = [r.getMessage() for r in caplog.records]
    assert lines and all(line.startswith("statistics lost") for line in lines)
    assert not any("co-21" in line or "Norte" in line or "ask_rights" in line for line in lines)
    session.close()
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_event_that_cannot_be_written_never_spoils_the_callers_transaction(backend, tmp_path):
    """Without the statistics tables (a deploy ahead of its migration), the answer's own
    writes still commit."""
    from .conftest import _postgres_server_url

    if backend == "sqlite":
        url, admin = f"sqlite:///{tmp_path / 'bare.db'}", None
    else:
        server = _postgres_server_url()
        name = f"puente_bare_{tmp_path.name[-8:].lower().replace('-', '_')}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE answer (x INTEGER)"))
        with session_factory(engine)() as session:
            session.execute(sa.text("INSERT INTO answer VALUES (1)"))
            assert events.record(session, "topic", country="co") is False
            session.execute(sa.text("INSERT INTO answer VALUES (2)"))
            session.commit()
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM answer")).scalar() == 2
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def test_the_internal_endpoint_answers_when_the_database_is_down(accounts_app):
    from service_directory.deps import get_session

    engine = make_engine("sqlite:////nonexistent-dir/puente.db")

    def _dead():
        session = session_factory(engine)()
        yield session
        session.close()

    accounts_app.client.app.dependency_overrides[get_session] = _dead
    response = accounts_app.client.post("/v1/events", headers=internal(),
                                        json={"events": [{"kind": "topic"}]})
    assert response.status_code == 202 and response.json() == {"accepted": 1, "recorded": 0}


# --- who may read ----------------------------------------------------------------------
def test_stats_are_for_analysts_and_admins_by_key_or_web_session(accounts_app):
    client = accounts_app.client
    assert client.get("/stats/conversations").status_code == 401
    assert client.get("/stats/conversations",
                      headers={"Authorization": "Bearer pk_wrong"}).status_code == 401
    for role, expected in (("curator", 403), ("analyst", 200), ("admin", 200)):
        user_id, key = accounts_app.user(role)
        assert client.get("/stats/conversations", headers=accounts_app.headers(key)).status_code == expected
        with accounts_app.sessions() as session:
            cookie = web_auth.issue(session.get(User, user_id))
        client.cookies.set(web_auth.COOKIE, cookie)
        assert client.get("/stats/topics").status_code == expected, role
        assert client.get("/stats").status_code == expected
        client.cookies.clear()
    paths = client.get("/openapi.json").json()["paths"]
    assert {f"/stats/{name}" for name in queries.VIEWS} <= set(paths) and "/v1/events" in paths


# --- what the views show ---------------------------------------------------------------
def test_conversations_per_week_by_language_with_small_groups_suppressed(accounts_app, analyst):
    add(accounts_app, 30, "conversation_started", WEEK1, country="co", language="es", channel="sms")
    add(accounts_app, 12, "conversation_started", WEEK1, country="co", language="es", channel="whatsapp")
    add(accounts_app, 4, "conversation_started", WEEK1, country="co", language="ht", channel="whatsapp")
    add(accounts_app, 11, "conversation_started", WEEK2, country="pe", language="ht", channel="sms")
    add(accounts_app, 3, "conversation_started", WEEK2, country="co", language="ht", channel="sms")
    add(accounts_app, 50, "conversation_started", MONDAY, country="co", language="es", channel="sms")
    body = view(accounts_app, analyst, "conversations")
    rows = {(r["week"], r["language"]): r["conversations"] for r in body["rows"]}
    assert rows == {
        (WEEK1.isoformat(), "es"): {"value": 42},
        (WEEK1.isoformat(), "ht"): {"value": None, "suppressed": True},
        (WEEK2.isoformat(), "ht"): {"value": 11, "partial": True},  # pe's 11 shown, co's 3 left out
    }  # the current week is not shown until it ends
    assert body["total"]["conversations"] == {"value": 53, "partial": True}
    assert body["period"]["grain"] == "week" and body["period"]["to"] == (MONDAY - timedelta(days=1)).isoformat()
    by_channel = view(accounts_app, analyst, "conversations", channel="whatsapp")
    assert {(r["week"], r["language"]): r["conversations"]["value"] for r in by_channel["rows"]} == {
        (WEEK1.isoformat(), "es"): 12, (WEEK1.isoformat(), "ht"): None}
    one_week = view(accounts_app, analyst, "conversations", **{"from": WEEK2.isoformat(),
                                                               "to": (WEEK2 + timedelta(days=2)).isoformat()})
    assert [r["week"] for r in one_week["rows"]] == [WEEK2.isoformat()]
    assert one_week["period"]["from"] == WEEK2.isoformat()


def test_demo_events_are_shown_only_when_asked_for_and_never_mixed(accounts_app, analyst):
    add(accounts_app, 20, "conversation_started", WEEK1, country="co", language="es", channel="sms")
    with accounts_app.sessions() as session:
        events.record_many(session, [{"kind": "conversation_started", "now": at(WEEK1), "country": "co",
                                      "language": "es", "channel": "sms", "synthetic": True}] * 15)
        session.commit()
    real = view(accounts_app, analyst, "conversations")
    demo = view(accounts_app, analyst, "conversations", synthetic="true")
    assert real["total"]["conversations"] == {"value": 20}
    assert demo["total"]["conversations"] == {"value": 15} and demo["filters"]["synthetic"] is True


def test_top_topics_by_country_and_fallback_rate_by_language(accounts_app, analyst):
    for intent, n in (("find_service", 40), ("ask_rights", 25), ("ask_cost", 5)):
        add(accounts_app, n, "topic", WEEK1, country="co", language="es", channel="sms", intent=intent)
    add(accounts_app, 12, "topic", WEEK1, country="pe", language="fr", channel="sms", intent="ask_rights")
    add(accounts_app, 14, "fallback", WEEK1, country="co", language="es", channel="sms")
    add(accounts_app, 2, "fallback", WEEK1, country="pe", language="fr", channel="sms")
    topics = view(accounts_app, analyst, "topics")
    assert [(r["country"], r["intent"], r["questions"]["value"]) for r in topics["rows"]] == [
        ("co", "find_service", 40), ("co", "ask_rights", 25), ("co", "ask_cost", None),
        ("pe", "ask_rights", 12)]
    understanding = figures(view(accounts_app, analyst, "understanding"), "language")
    assert understanding == {
        ("es",): {"messages": 79, "fallbacks": 14, "fallback_rate": 0.177},  # ask_cost's 5 left out
        ("fr",): {"messages": 12, "fallbacks": None, "fallback_rate": None}}


def test_unmet_demand_by_area_and_service_type_last_month(accounts_app, analyst):
    area = "Norte de Santander Department"
    common = dict(country="co", area=area, service_type="prep")
    add(accounts_app, 12, "search", LAST_MONTH, outcome="0", **common)
    add(accounts_app, 10, "search", LAST_MONTH + timedelta(days=3), outcome="1-2", distance_band=">100km", **common)
    add(accounts_app, 25, "search", LAST_MONTH, outcome="1-2", distance_band="<5km", **common)
    add(accounts_app, 3, "search", LAST_MONTH, outcome="0", country="co", area="Bogota D.C.", service_type="pep")
    add(accounts_app, 11, "no_content", LAST_MONTH, country="cr", service_type="prep", language="es")
    body = view(accounts_app, analyst, "unmet-demand", **{"from": LAST_MONTH.isoformat()})
    assert body["period"]["grain"] == "month" and body["period"]["from"] == LAST_MONTH.isoformat()
    assert figures(body, "country", "area", "service_type") == {
        ("co", area, "prep"): {"searches": 47, "unmet": 22, "no_results": 12, "beyond_reach": 10},
        ("co", "Bogota D.C.", "pep"): {"searches": None, "unmet": None, "no_results": None,
                                       "beyond_reach": 0}}
    no_content = view(accounts_app, analyst, "no-content", **{"from": LAST_MONTH.isoformat()})
    assert figures(no_content, "country", "service_type") == {("cr", "prep"): {"questions": 11}}
    refused = accounts_app.client.get("/stats/unmet-demand", params={"language": "es"}, headers=analyst)
    assert refused.status_code == 422 and "cannot be filtered by language" in refused.json()["detail"]


def test_reminders_response_rate_and_share_taken(accounts_app, analyst):
    plan = dict(country="cl", language="ht", channel="twilio_sms")
    add(accounts_app, 40, "reminder_sent", WEEK1, outcome="dose", **plan)
    add(accounts_app, 20, "checkin_answer", WEEK1, outcome="taken", **plan)
    add(accounts_app, 10, "checkin_answer", WEEK1, outcome="ok", **plan)
    add(accounts_app, 2, "checkin_answer", WEEK1, outcome="problem", **plan)
    add(accounts_app, 10, "reminder_opt_in", WEEK1, **plan)
    body = view(accounts_app, analyst, "reminders")
    assert figures(body, "week", "country") == {(WEEK1.isoformat(), "cl"): {
        "opt_ins": 10, "opt_outs": 0, "sent": 40, "delivered": 0, "failed": 0, "answers": 30,
        "taken": 20, "response_rate": 0.75, "share_taken": 0.667}}
    assert body["rows"][0]["answers"] == {"value": 30, "partial": True}  # the 2 "problem" left out


def test_sms_cost_per_conversation_by_country(accounts_app, analyst):
    add(accounts_app, 20, "conversation_started", WEEK1, country="gy", language="en", channel="sms")
    add(accounts_app, 15, "conversation_started", WEEK1, country="gy", language="en", channel="whatsapp")
    add(accounts_app, 30, "sms_segments", WEEK1, country="gy", language="en", channel="sms", value=2)
    add(accounts_app, 10, "sms_segments", WEEK1, country="gy", language="en", channel="sms", value=3)
    body = view(accounts_app, analyst, "cost")
    assert figures(body, "country") == {("gy",): {
        "segments": 90, "sms_messages": 40, "sms_conversations": 20, "segments_per_conversation": 4.5}}


def test_csv_has_the_json_figures_and_leaves_suppressed_cells_empty(accounts_app, analyst):
    add(accounts_app, 25, "topic", WEEK1, country="co", language="es", channel="sms", intent="ask_rights")
    add(accounts_app, 4, "topic", WEEK1, country="co", language="es", channel="sms", intent="emergency")
    body = view(accounts_app, analyst, "topics")
    response = accounts_app.client.get("/stats/topics", params={"format": "csv"}, headers=analyst)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [{"country": "co", "intent": "ask_rights", "questions": "25"},
                    {"country": "co", "intent": "emergency", "questions": ""}]
    assert [str(r["questions"]["value"] or "") for r in body["rows"]] == [r["questions"] for r in rows]


# --- retention -------------------------------------------------------------------------
def test_rolling_old_events_keeps_every_view_unchanged(accounts_app, analyst):
    old, recent = MONDAY - timedelta(days=49), WEEK1
    for when in (old, old + timedelta(days=3), recent):
        add(accounts_app, 13, "conversation_started", when, country="co", language="es", channel="sms")
        add(accounts_app, 4, "conversation_started", when, country="co", language="pt", channel="sms")
        add(accounts_app, 11, "topic", when, country="co", language="es", channel="sms", intent="find_service")
        add(accounts_app, 9, "sms_segments", when, country="co", language="es", channel="sms", value=2)
    add(accounts_app, 12, "search", LAST_MONTH, country="co", area="co-34", service_type="prep", outcome="0")
    params = {"from": (old - timedelta(days=60)).isoformat()}
    before = {name: view(accounts_app, analyst, name, **params) for name in queries.VIEWS}
    with accounts_app.sessions() as session:
        rolled = retention.roll(session, raw_days=21)
        session.commit()
    assert rolled.events >= 2 * 37 and rolled.rows >= 2
    with accounts_app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(retention.StatsWeekly)) == rolled.rows
        oldest = session.scalar(select(func.min(StatsEvent.occurred_hour)))
    assert oldest is None or oldest.replace(tzinfo=UTC) >= rolled.cutoff - timedelta(hours=1)
    after = {name: view(accounts_app, analyst, name, **params) for name in queries.VIEWS}
    assert after == before
    assert before["conversations"]["total"]["conversations"] == {"value": 39, "partial": True}


def test_puente_stats_roll_and_demo_from_the_command_line(accounts_db_url, accounts_sessions):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": accounts_db_url, "PYTHONPATH": str(ROOT),
           "STATS_RAW_DAYS": "10"}
    demo = subprocess.run([sys.executable, "-m", "service_directory.cli", "stats", "demo", "--days", "30"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    with accounts_sessions() as session:
        synthetic = session.scalar(select(func.count()).where(StatsEvent.synthetic.is_(True)))
        real = session.scalar(select(func.count()).where(StatsEvent.synthetic.is_(False)))
        assert synthetic > 1000 and real == 0
    roll = subprocess.run([sys.executable, "-m", "service_directory.cli", "stats", "roll"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert roll.returncode == 0, roll.stderr
    assert "rolled" in roll.stdout
    with accounts_sessions() as session:
        left = session.scalar(select(func.min(StatsEvent.occurred_hour)))
        assert session.scalar(select(func.count()).select_from(retention.StatsWeekly)) > 0
    left = left.replace(tzinfo=UTC) if left.tzinfo is None else left
    assert left >= datetime.now(UTC) - timedelta(days=11)


def test_the_workers_daily_roll_rolls_and_never_runs_twice_at_once(accounts_app,
                                                                    accounts_sessions):
    old = MONDAY - timedelta(days=120)
    add(accounts_app, 5, "conversation_started", old, country="co", language="es", channel="sms")
    if accounts_sessions.kw["bind"].dialect.name == "postgresql":
        with accounts_sessions() as holder:  # another worker rolling right now
            holder.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"),
                           {"k": retention.ROLL_LOCK_KEY})
            with accounts_sessions() as session:
                assert retention.roll_exclusively(session) is None
            holder.rollback()
    stop = threading.Event()
    stop.set()  # one pass, then return
    retention.roll_every(accounts_sessions, seconds=0, stop=stop)
    with accounts_sessions() as session:
        assert session.scalar(select(func.count()).select_from(StatsEvent)) == 0
        assert session.scalar(select(func.sum(retention.StatsWeekly.events))) == 5


def test_the_search_events_of_usage_events_move_into_the_new_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, revision="0004_reminders")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO usage_events (kind, country, area, service_type, language, found_bucket, "
            "radius_km, occurred_hour) VALUES ('search', 'co', 'Cúcuta', 'prep', 'es', '0', 50, "
            "'2026-11-03 14:00:00'), ('search', 'co', 'co-34', NULL, 'xx', '1-2', NULL, "
            "'2026-11-05 09:00:00')"))
    migrate.upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT kind, country, area, service_type, language, outcome, period FROM stats_event "
            "ORDER BY id")).all()
        tables = set(sa.inspect(connection).get_table_names())
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("search", "co", "Norte de Santander Department", "prep", "es", "0", "2026-11-02"),
        ("search", "co", "Bogota D.C.", None, None, "1-2", "2026-11-02")]
    assert "usage_events" not in tables


# --- events the app records where they happen -----------------------------------------
def test_the_app_counts_reports_missing_content_and_reminders(accounts_app):
    from service_directory.entitlements_data.load import load_sample_entitlements
    from service_directory.reminders import plans
    from service_directory.reminders.models import ReminderOccurrence

    with accounts_app.sessions.begin() as session:
        load_sample_entitlements(session)
    client = accounts_app.client
    assert client.get("/v1/entitlements", params={"country": "cr", "lang": "es",
                                                  "service_type": "prep", "topic": "cost"}).status_code == 200
    assert client.get("/v1/entitlements", params={"country": "co", "lang": "es"}).status_code == 200
    client.post("/v1/reports", headers=internal(), json={
        "pseudonym": "a" * 64, "description": "me echaron", "service_name": "Clínica X",
        "country": "co", "language": "es"})
    person = "b" * 64
    draft = client.post("/v1/reminders/draft", headers=internal(), json={
        "person": person, "text": "a las 8pm", "language": "ht", "country": "cl",
        "service_type": "hiv_treatment"}).json()["draft"]
    client.post("/v1/reminders", headers=internal(), json={
        "person": person, "draft": draft, "language": "ht", "channel": "twilio_sms"})
    with accounts_app.sessions() as session:
        plan = plans.plan_of(session, person)
        session.add(ReminderOccurrence(plan_id=plan.id, key="k1", kind="dose", due_at=datetime.now(UTC),
                                       status="sent", attempts=1, sent_at=datetime.now(UTC)))
        session.commit()
    client.post("/v1/reminders/status", headers=internal(), json={"key": "k1", "status": "delivered"})
    client.post(f"/v1/reminders/{person}/answer", headers=internal(), json={"answer": "taken"})
    client.post(f"/v1/reminders/{person}/stop", headers=internal())
    client.post(f"/v1/reminders/{person}/stop", headers=internal())  # no second opt-out
    seen = [(e.kind, e.country, e.language, e.channel, e.service_type, e.outcome, e.intent)
            for e in stored(accounts_app)]
    assert seen == [
        ("no_content", "cr", "es", None, "prep", None, "ask_cost"),
        ("discrimination_report", "co", "es", None, None, None, None),
        ("reminder_opt_in", "cl", "ht", "sms", "hiv_treatment", None, None),
        ("reminder_delivered", "cl", "ht", "sms", "hiv_treatment", None, None),
        ("checkin_answer", "cl", "ht", "sms", "hiv_treatment", "taken", None),
        ("reminder_opt_out", "cl", "ht", "sms", "hiv_treatment", None, None)]
    everything = " ".join(str(getattr(e, c)) for e in stored(accounts_app)
                          for c in StatsEvent.__table__.columns.keys())
    assert "a" * 16 not in everything and "b" * 16 not in everything and "echaron" not in everything


def test_the_worker_counts_reminders_sent_and_failed(accounts_sessions):
    from service_directory.reminders import plans
    from service_directory.reminders.worker import run_once

    class Sender:
        def __init__(self, answer):
            self.answer = answer

        def send(self, items):
            return {item.key: self.answer for item in items}

    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with accounts_sessions() as session:
        for n, country in enumerate(("co", "pe")):
            draft = plans.read_message(plans.Draft(), "a las 20:00", country=country)
            plans.create(session, f"{n:064d}", draft, language="es", channel="twilio_whatsapp", now=now)
        session.commit()
    run_once(accounts_sessions, Sender("sent"), now=datetime(2026, 12, 8, 1, 0, 5, tzinfo=UTC))
    with accounts_sessions() as session:
        kinds = session.execute(select(StatsEvent.kind, StatsEvent.outcome, StatsEvent.channel)
                                .where(StatsEvent.kind.like("reminder_sent"))).all()
    assert sorted(kinds) == [("reminder_sent", "dose", "whatsapp")] * 2
