"""The search's candidate query reads the (latitude, longitude) index, whatever the statistics.

A database that has never been ANALYZEd is the normal state of a fresh install: rows
arrive through an HSDS import or the sample load, and SQLite keeps no statistics of
its own. Without statistics SQLite's planner trusted `ix_location_country` for
`country = ?` and read every location of that country (12-17 ms at 100,000 services
instead of 0.5 ms); the benchmark ran ANALYZE first, so its figures hid it. These
tests build a few thousand locations across several countries, leave the statistics
absent (and then fresh), and EXPLAIN the statements `nearest_services` really sends:
the candidates must come through the bounding box, and the page's details through the
page's ids (not every attribute of a service type, not every schedule whose
service-at-location is NULL, which is what SQLite did without statistics).

PostgreSQL: on a table of a few thousand rows a sequential scan can be the cheapest
plan and is then the right one, so a plain EXPLAIN would prove nothing. The check
runs with `enable_seqscan = off`: the planner must then show an index path through
`ix_location_latitude_longitude`, which proves the query's shape can use it (a
bitmap that also reads the country index is fine; reading only the country index, or
a sequential scan that survives the penalty, is not). Autovacuum is off on these
tables so "not analyzed" stays true while the test runs.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event, insert

from service_directory import migrate
from service_directory.db import Base, make_engine, session_factory
from service_directory.models import directory as d
from service_directory.search import SearchQuery, nearest_services

from .conftest import _postgres_server_url

# Where the rows are: several countries, as in the region the service covers.
CENTRES = {
    "co": (7.89, -72.51), "ve": (10.49, -66.88), "pe": (-12.05, -77.04), "ec": (-0.18, -78.47),
    "br": (2.82, -60.67), "tt": (10.65, -61.51), "do": (18.47, -69.89),
}
N_LOCATIONS = 3500
CUCUTA = CENTRES["co"]
LAT_LON_INDEX = "ix_location_latitude_longitude"

# Every shape of the candidate query worth planning: with and without a country,
# with safety flags, and with every filter at once.
SHAPES = {
    "no filter": {},
    "country": {"country": "co"},
    "safety flags": {"require": frozenset({"serves_undocumented", "free_of_charge"})},
    "country and safety flags": {"country": "co", "require": frozenset({"serves_undocumented"})},
    "every filter": {"country": "co", "require": frozenset({"confidential_no_immigration_reporting"}),
                     "service_type": "hiv_testing", "language": "es"},
}


def _rows(terms: dict[str, d.TaxonomyTerm]) -> dict[type, list[dict]]:
    """A few thousand services, one location each, spread around the centres."""
    rng = random.Random(4)
    today = date.today()
    rows: dict[type, list[dict]] = {model: [] for model in
                                    (d.Organization, d.Service, d.Location, d.ServiceAtLocation,
                                     d.Attribute, d.Language, d.Phone, d.Schedule)}
    rows[d.Organization].append({"id": "plan-org", "name": "[SAMPLE] Plan test org"})
    codes = sorted(terms)
    for i in range(N_LOCATIONS):
        country = list(CENTRES)[i % len(CENTRES)]
        lat, lon = CENTRES[country]
        sid, lid = f"plan-svc-{i}", f"plan-loc-{i}"
        rows[d.Service].append({
            "id": sid, "organization_id": "plan-org", "name": f"[SAMPLE] Plan service {i}",
            "status": "active", "assured_date": today - timedelta(days=i % 300),
            "serves_undocumented": i % 2 == 0, "free_of_charge": i % 3 != 0,
            "confidential_no_immigration_reporting": i % 4 != 0,
        })
        rows[d.Location].append({"id": lid, "name": f"Plan location {i}", "country": country,
                                 "latitude": lat + rng.gauss(0, 0.5), "longitude": lon + rng.gauss(0, 0.5)})
        rows[d.ServiceAtLocation].append({"id": f"plan-sal-{i}", "service_id": sid, "location_id": lid})
        rows[d.Attribute].append({"id": f"plan-att-{i}", "link_id": sid, "link_entity": "service",
                                  "taxonomy_term_id": terms[codes[i % len(codes)]].id})
        rows[d.Language].append({"id": f"plan-lang-{i}", "service_id": sid, "code": ("es", "en", "pt")[i % 3]})
        if i % 2:
            rows[d.Phone].append({"id": f"plan-phone-{i}", "service_id": sid, "number": "+571234567"})
        # Hours at each HSDS level: mostly the service's, some the location's or the pair's.
        level = ((sid, None, None), (sid, None, None), (None, lid, None), (sid, None, f"plan-sal-{i}"))[i % 4]
        level = dict(zip(("service_id", "location_id", "service_at_location_id"), level))
        rows[d.Schedule].append({"id": f"plan-hours-{i}", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR",
                                 "opens_at": time(8), "closes_at": time(17), **level})
    return rows


def _load(engine: sa.Engine) -> None:
    with session_factory(engine)() as session:
        terms = d.ensure_taxonomies(session)
        session.commit()
    with engine.begin() as conn:
        for model, rows in _rows(terms).items():
            conn.execute(insert(model), rows)


@dataclass
class PlanDatabase:
    engine: sa.Engine
    backend: str
    analyzed: bool


def _sqlite_database(directory, analyzed: bool) -> PlanDatabase:
    url = f"sqlite:///{directory / 'plan.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    _load(engine)
    with engine.begin() as conn:
        # Whatever set-up code ANALYZEd ran on empty tables; forget it, so "not
        # analyzed" means what it says.
        conn.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
        if analyzed:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()  # statistics are read when a connection loads the schema
    return PlanDatabase(make_engine(url), "sqlite", analyzed)


@pytest.fixture(scope="module", params=[
    ("sqlite", False), ("sqlite", True),
    pytest.param(("postgres", False), marks=pytest.mark.postgres),
    pytest.param(("postgres", True), marks=pytest.mark.postgres),
], ids=lambda p: f"{p[0]}-{'analyzed' if p[1] else 'not-analyzed'}")
def plan_database(request, tmp_path_factory) -> Iterator[PlanDatabase]:
    backend, analyzed = request.param
    if backend == "sqlite":
        database = _sqlite_database(tmp_path_factory.mktemp("plan"), analyzed)
        yield database
        database.engine.dispose()
        return
    server = sa.make_url(_postgres_server_url())
    name = f"puente_plan_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        migrate.upgrade(url)
        with engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                conn.execute(sa.text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)'))
        _load(engine)
        if analyzed:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        yield PlanDatabase(engine, "postgres", analyzed)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sent_statements(engine: sa.Engine, query: SearchQuery) -> list[tuple[str, object]]:
    """The SQL and DBAPI parameters of every statement a search sends."""
    sent: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with session_factory(engine)() as session:
            outcome = nearest_services(session, query)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert outcome.results, "the test data should have services near the query point"
    return sent


def _candidate_statement(engine: sa.Engine, query: SearchQuery) -> tuple[str, object]:
    """The statement that finds the candidates (the one reading `location`)."""
    sent = _sent_statements(engine, query)
    candidates = [item for item in sent if "FROM location" in item[0]]
    assert candidates, f"no statement read the location table: {[s for s, _ in sent]}"
    return candidates[0]


def _plan(database: PlanDatabase, statement: str, parameters) -> str:
    with database.engine.connect() as conn:
        if database.backend == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            return "\n".join(row[3] for row in rows)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        return "\n".join(row[0] for row in rows)


def test_test_database_is_in_the_statistics_state_it_claims(plan_database):
    with plan_database.engine.connect() as conn:
        if plan_database.backend == "sqlite":
            has_stats = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar() == 1 and \
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'location'").scalar() > 0
        else:
            has_stats = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'location'").scalar() > 0
    assert has_stats is plan_database.analyzed


@pytest.mark.parametrize("shape", list(SHAPES))
def test_candidate_query_reads_the_latitude_longitude_index(plan_database, shape):
    query = SearchQuery(*CUCUTA, limit=10, **SHAPES[shape])
    statement, parameters = _candidate_statement(plan_database.engine, query)
    plan = _plan(plan_database, statement, parameters)
    assert LAT_LON_INDEX in plan, f"{shape}: the candidates do not use {LAT_LON_INDEX}:\n{plan}"
    if plan_database.backend == "sqlite":
        location_steps = [line for line in plan.splitlines() if " location " in f" {line} "]
        assert all(LAT_LON_INDEX in line for line in location_steps), (
            f"{shape}: location is read by something else than {LAT_LON_INDEX}:\n{plan}")
        assert "SCAN location" not in plan, f"{shape}: full scan of location:\n{plan}"
    else:
        assert "Seq Scan on location" not in plan, f"{shape}: full scan of location:\n{plan}"


def test_sample_load_leaves_fresh_statistics(db_session):
    """The sample load (like an HSDS import) runs ANALYZE with its rows, so a fresh
    install's planner knows how big the directory is."""
    from service_directory.sample_data import load_sample

    load_sample(db_session)
    if db_session.bind.dialect.name == "sqlite":
        stats = db_session.execute(sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'location' "
                                           "AND idx = 'ix_location_latitude_longitude'")).scalar()
        assert stats is not None and int(stats.split()[0]) >= 150
    else:
        rows = db_session.execute(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'location'")).scalar()
        assert rows >= 150


def test_page_details_are_read_by_the_page_ids(plan_database):
    """Types, languages, phones and hours of the page: looked up by the page's ids."""
    sent = _sent_statements(plan_database.engine, SearchQuery(*CUCUTA, limit=10, **SHAPES["every filter"]))
    facts = next(item for item in sent if "FROM attribute" in item[0] and "FROM location" not in item[0])
    hours = next(item for item in sent if "FROM schedule" in item[0])
    facts_plan, hours_plan = _plan(plan_database, *facts), _plan(plan_database, *hours)
    assert "ix_attribute_link_id_link_entity" in facts_plan, facts_plan
    assert "ix_attribute_taxonomy_term_id" not in facts_plan, (
        f"the page's types are read through every attribute of a service type:\n{facts_plan}")
    if plan_database.backend == "sqlite":
        used = [line.split("USING INDEX ")[1].split()[0] for line in hours_plan.splitlines()
                if line.startswith("SEARCH schedule")]
        assert sorted(used) == ["ix_schedule_location_id", "ix_schedule_service_at_location_id",
                                "ix_schedule_service_id"], f"hours not read by the page's ids:\n{hours_plan}"
    else:
        conditions = [line for line in hours_plan.splitlines() if "Index Cond" in line]
        assert conditions and not any("IS NULL" in line for line in conditions), (
            f"hours read through a NULL column's index:\n{hours_plan}")
        assert "Seq Scan on schedule" not in hours_plan, hours_plan
