"""Search latency at 100,000 services: indexed nearest-10 vs a naive full scan.

Generates 100,000 services around the region's cities (population-weighted, ~15 km
spread) with what a result shows (address, phone, languages, weekday hours), loads
them into a SQLite file and a PostgreSQL database (from `scripts/services.sh
postgres`; skipped if unavailable), then measures `search.nearest_services(limit=10)`
— complete results with addresses, phones, hours — against `search.naive_nearest`
(reads every location) at the same points, and counts the SQL statements per search.
Target: p95 < 10 ms on SQLite. Run from the repo root: `python benchmarks/search.py`;
`BENCH_SERVICES=5000` (and `BENCH_QUERIES`, `BENCH_NAIVE_QUERIES`) for a small run.

Cases: no filter, a country filter (the query point's own country), safety flags,
both, and the richer shapes. The rows are loaded without ANALYZE, as an HSDS import
or a restore leaves them, so SQLite is measured first with no statistics (the state
that once sent country searches through `ix_location_country`, 12-17 ms), then after
`db.refresh_statistics` (what migrations, imports and the sample load now run). Each
table row says which; PostgreSQL's autovacuum may have analyzed by then, and its rows
say whether `pg_stats` knows the location table.

Building the databases is most of the run time, so each is built once and kept:
the SQLite file under `.cache/bench/`, the PostgreSQL database on the local test
server, both named by a key of the generator version, the size, the seed, the
schema revision and the city list. Change the generator → bump GENERATOR_VERSION.
`BENCH_REBUILD=1` rebuilds anyway.
"""
from __future__ import annotations

import hashlib
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from service_directory import gazetteer, migrate  # noqa: E402
from service_directory.db import make_engine, refresh_statistics, session_factory  # noqa: E402
from service_directory.models.directory import SERVICE_TYPES, ensure_taxonomies  # noqa: E402
from service_directory.search import SearchQuery, naive_nearest, nearest_services  # noqa: E402

GENERATOR_VERSION = 2
N_SERVICES = int(os.environ.get("BENCH_SERVICES", "100000"))
N_QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
N_NAIVE = int(os.environ.get("BENCH_NAIVE_QUERIES", "5"))
REBUILD = os.environ.get("BENCH_REBUILD") == "1"
SEED = 42
DEFAULT_SERVICES = 100000
# Another size (BENCH_SERVICES) keeps its cache apart, so a small trial run never
# throws away the 100,000-service databases (each build replaces its own kind only).
_SIZE_TAG = "" if N_SERVICES == DEFAULT_SERVICES else f"n{N_SERVICES}_"
CACHE = ROOT / ".cache" / "bench" / (f"n{N_SERVICES}" if _SIZE_TAG else "")
PG_PREFIX = f"puente_bench_cache_{_SIZE_TAG}"
# Monday 14:00 UTC: weekday hours are open in most of the region.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)


def _cities() -> list[gazetteer.Place]:
    gazetteer.warm_up()
    seen, cities = set(), []
    for places in gazetteer._index().grid.values():
        for place in places:
            if place.population >= 50000 and place.kind == "city" and id(place) not in seen:
                seen.add(id(place))
                cities.append(place)
    return sorted(cities, key=lambda p: (p.country, p.name, p.latitude))


def _schema_head() -> str:
    """The migrations' text, not only the head id: an edited migration changes the schema
    (its indexes above all) without changing the revision id."""
    versions = ROOT / "service_directory" / "migrations" / "versions"
    digest = hashlib.sha256()
    for path in sorted(versions.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(cities: list[gazetteer.Place]) -> str:
    """Same key, same rows: what the cached databases were built from."""
    digest = hashlib.sha256()
    digest.update(f"{GENERATOR_VERSION}|{N_SERVICES}|{SEED}|{_schema_head()}|".encode())
    for c in cities:
        digest.update(f"{c.country}|{c.name}|{c.latitude}|{c.longitude}|{c.population}|{c.timezone}\n".encode())
    return digest.hexdigest()[:12]


def generate(rng: random.Random, cities: list[gazetteer.Place], sqlite: bool):
    """Rows as tuples per table, in `_INSERTS` order (fast to bulk-load)."""
    weights = [c.population ** 0.5 for c in cities]
    now = datetime.now(timezone.utc)
    today = date.today()
    orgs = [(f"org-{i}", f"[SAMPLE] Bench Org {i}", now, now) for i in range(200)]
    services, locations, sals, attributes = [], [], [], []
    addresses, phones, languages, schedules = [], [], [], []
    term_ids = {code: f"puente-service-type:{code}" for code in SERVICE_TYPES}
    # SQLite stores TIME as text in SQLAlchemy's format; PostgreSQL takes time objects.
    hours = [(8, 17), (7, 13), (9, 18), (20, 2)]
    as_time = (lambda h: f"{h:02d}:00:00.000000") if sqlite else (lambda h: datetime(2000, 1, 1, h).time())
    for i, city in enumerate(rng.choices(cities, weights=weights, k=N_SERVICES)):
        sid, lid = f"svc-{i}", f"loc-{i}"
        lat = max(-89.9, min(89.9, city.latitude + rng.gauss(0, 0.14)))
        lon = city.longitude + rng.gauss(0, 0.14)
        services.append((
            sid, orgs[i % len(orgs)][0], f"[SAMPLE] Bench service {i}", "active",
            today - timedelta(days=rng.randint(0, 400)), rng.random() < 0.7, rng.random() < 0.75,
            180, 1, now, now,
        ))
        locations.append((lid, "physical", round(lat, 6), round(lon, 6), city.timezone, city.country, 1, now, now))
        sals.append((f"sal-{i}", sid, lid))
        attributes.append((f"att-{i}", sid, term_ids[SERVICE_TYPES[i % len(SERVICE_TYPES)]], "service"))
        addresses.append((f"adr-{i}", lid, f"{i} Sample Street", city.name, city.name, city.country.upper(),
                          "physical"))
        if rng.random() < 0.8:
            phones.append((f"ph-{i}", sid, f"+1202555{i % 10000:04d}"))
        for j, code in enumerate(rng.sample(["es", "en", "pt", "fr", "ht"], k=rng.randint(1, 3))):
            languages.append((f"lang-{i}-{j}", sid, code))
        if rng.random() < 0.7:
            opens, closes = rng.choice(hours)
            schedules.append((f"sch-{i}", sid, "WEEKLY", "MO,TU,WE,TH,FR", as_time(opens), as_time(closes)))
    return orgs, services, locations, sals, attributes, addresses, phones, languages, schedules


_INSERTS = {
    "organization": "INSERT INTO organization (id, name, created_at, updated_at) VALUES ({})",
    "service": "INSERT INTO service (id, organization_id, name, status, assured_date, serves_undocumented, "
               "free_of_charge, staleness_limit_days, version, created_at, updated_at) VALUES ({})",
    "location": "INSERT INTO location (id, location_type, latitude, longitude, timezone, country, version, "
                "created_at, updated_at) VALUES ({})",
    "service_at_location": "INSERT INTO service_at_location (id, service_id, location_id) VALUES ({})",
    "attribute": "INSERT INTO attribute (id, link_id, taxonomy_term_id, link_entity) VALUES ({})",
    "address": "INSERT INTO address (id, location_id, address_1, city, state_province, country, address_type) "
               "VALUES ({})",
    "phone": "INSERT INTO phone (id, service_id, number) VALUES ({})",
    "language": "INSERT INTO language (id, service_id, code) VALUES ({})",
    "schedule": "INSERT INTO schedule (id, service_id, freq, byday, opens_at, closes_at) VALUES ({})",
}


def bulk_load(engine, tables) -> None:
    with session_factory(engine)() as session:
        ensure_taxonomies(session)
        session.commit()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        postgres = engine.dialect.name == "postgresql"
        for name, rows in zip(_INSERTS, tables):
            if postgres:
                columns = _INSERTS[name].split("(", 1)[1].split(")", 1)[0]
                with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(rows[0]))
                cursor.executemany(_INSERTS[name].format(marks), rows)
        raw.commit()  # no ANALYZE: `set_statistics` decides the state measured
    finally:
        raw.close()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


class _StatementCounter:
    """Counts SQL statements sent on an engine (every cursor execute)."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


SAFETY = frozenset({"serves_undocumented", "free_of_charge"})
# "country" in a case's options means: the country of the query point's city.
CASES = {
    "indexed nearest-10": {},
    "country": {"country": True},
    "safety flags": {"require": SAFETY},
    "country + safety": {"country": True, "require": SAFETY},
    "indexed + filters": {"service_type": "prep", "require": frozenset({"serves_undocumented"})},
    "open now + speaks": {"open_now": True, "language": "en"},
}


def _query(lat: float, lon: float, country: str, options: dict) -> SearchQuery:
    options = dict(options)
    if options.pop("country", False):
        options["country"] = country
    return SearchQuery(lat, lon, limit=10, now=NOW, **options)


def set_statistics(engine, analyzed: bool) -> str:
    """Put the database in the statistics state to measure; returns how to name it.

    SQLite: no statistics at all (sqlite_stat1 dropped), or `db.refresh_statistics`.
    PostgreSQL: `refresh_statistics` when asked; otherwise whatever autovacuum did.
    Connections read statistics when they open: the caller disposes the engine after.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if analyzed:
            start = time.perf_counter()
            refresh_statistics(conn)
            return f"ANALYZE ran ({(time.perf_counter() - start) * 1000:.0f} ms)"
        if sqlite:
            conn.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
            return "no ANALYZE (no statistics)"
        known = conn.scalar(text("SELECT count(*) FROM pg_stats WHERE tablename = 'location'"))
        return "no ANALYZE by us; " + ("autovacuum has analyzed location" if known else "no statistics")


def location_access(engine, point) -> str:
    """How the country + safety search reads `location` (SQLite's EXPLAIN QUERY PLAN)."""
    if engine.dialect.name != "sqlite":
        return ""
    sent = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with session_factory(engine)() as session:
            nearest_services(session, _query(*point, CASES["country + safety"]))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = next(item for item in sent if "FROM location" in item[0])
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return next((row[3] for row in plan if " location " in f" {row[3]} "), "?")


def measure(engine, points, naive_points) -> dict[str, tuple]:
    """{case: (p50 ms, p95 ms, n, statements per search, CPU ms per search)} plus the
    full-scan check when `naive_points` are given. CPU time is this process's: all of
    SQLite's work, only the client's share of PostgreSQL's; it moves less than wall
    time on a loaded machine."""
    out: dict[str, tuple] = {}
    counter = _StatementCounter(engine)
    with session_factory(engine)() as session:
        for lat, lon, _country in points[:20]:  # warm caches (page cache, prepared plans)
            nearest_services(session, SearchQuery(lat, lon, limit=10, now=NOW))
        for case, options in CASES.items():
            timings, statements = [], []
            cpu_start = time.process_time()
            for lat, lon, country in points:
                before = counter.count
                start = time.perf_counter()
                nearest_services(session, _query(lat, lon, country, options))
                timings.append((time.perf_counter() - start) * 1000)
                statements.append(counter.count - before)
            cpu_ms = (time.process_time() - cpu_start) * 1000 / len(points)
            out[case] = (*_percentiles(timings), len(timings), statistics.mean(statements), cpu_ms)
        if not naive_points:
            return out
        timings, mismatches = [], 0
        for lat, lon, _country in naive_points:
            start = time.perf_counter()
            naive = naive_nearest(session, lat, lon, limit=10)
            timings.append((time.perf_counter() - start) * 1000)
            indexed = nearest_services(session, SearchQuery(lat, lon, limit=10, radii_km=(20000,), now=NOW))
            if [r.service_id for r in indexed.results] != [sid for sid, _ in naive]:
                mismatches += 1
        out["naive full scan"] = (*_percentiles(timings), len(timings), 1.0, float("nan"))
        out["_mismatches"] = (mismatches,)
    return out


def sqlite_database(key: str, build) -> tuple[str, str]:
    """URL of the cached SQLite file for `key`, built first when missing."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"search-{key}.db"
    if path.exists() and not REBUILD:
        return f"sqlite:///{path}", "cached"
    for old in CACHE.glob("search-*.db*"):
        old.unlink()
    partial = CACHE / f"building-{key}.sqlite"
    for leftover in CACHE.glob(f"{partial.name}*"):
        leftover.unlink()
    url = f"sqlite:///{partial}"
    migrate.upgrade(url)
    engine = make_engine(url)
    start = time.perf_counter()
    bulk_load(engine, build(sqlite=True))
    with engine.connect() as conn:  # fold the WAL into the file before renaming it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    partial.rename(path)
    return f"sqlite:///{path}", f"built in {time.perf_counter() - start:.0f} s"


def postgres_database(key: str, build) -> tuple[str, str] | None:
    """URL of the cached PostgreSQL database for `key` on the test server, built when missing."""
    try:
        server = subprocess.run([str(ROOT / "scripts" / "services.sh"), "postgres"], check=True,
                                capture_output=True, text=True, timeout=300).stdout.strip().splitlines()[-1]
    except Exception as error:  # noqa: BLE001 (report and carry on with SQLite)
        print(f"PostgreSQL unavailable, skipped: {error}")
        return None
    from sqlalchemy import create_engine, make_url

    name = f"{PG_PREFIX}{key}"
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            existing = set(conn.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                        {"p": f"{PG_PREFIX}%"}))
            if name in existing and not REBUILD and _pg_ready(url):
                return url, "cached"
            for old in existing:  # earlier generator versions, or an interrupted build
                conn.execute(text(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    start = time.perf_counter()
    bulk_load(engine, build(sqlite=False))
    with engine.begin() as conn:  # written last: a database without it is incomplete
        conn.execute(text("CREATE TABLE bench_ready (key text)"))
        conn.execute(text("INSERT INTO bench_ready VALUES (:k)"), {"k": key})
    engine.dispose()
    return url, f"built in {time.perf_counter() - start:.0f} s"


def _pg_ready(url: str) -> bool:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_tables WHERE tablename = 'bench_ready'")) == 1
    finally:
        engine.dispose()


def _load_average() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> int:
    started = time.perf_counter()
    cities = _cities()
    key = cache_key(cities)
    weights = [c.population ** 0.5 for c in cities]
    point_rng = random.Random(SEED + 1)
    points = [(c.latitude + point_rng.gauss(0, 0.05), c.longitude + point_rng.gauss(0, 0.05), c.country)
              for c in point_rng.choices(cities, weights=weights, k=N_QUERIES)]
    naive_points = points[:N_NAIVE]

    def build(sqlite: bool):
        return generate(random.Random(SEED), cities, sqlite)

    print(f"{N_SERVICES:,} generated services around {len(cities)} cities (key {key}); "
          f"{N_QUERIES} query points per case, {N_NAIVE} for the full scan; load average {_load_average()}")
    rows = []  # (backend, database, statistics state, plan of location, result)
    url, how = sqlite_database(key, build)
    # Not analyzed first (an import or a restore leaves it so), then as the app leaves
    # it after migrations, an import or the sample load.
    for analyzed in (False, True):
        engine = make_engine(url)
        state = set_statistics(engine, analyzed)
        engine.dispose()  # new connections: they load the statistics state just set
        engine = make_engine(url)
        result = measure(engine, points, naive_points if analyzed else [])
        rows.append(("sqlite", how, state, location_access(engine, points[0]), result))
        engine.dispose()
    pg = postgres_database(key, build)
    if pg:
        url, how = pg
        for analyzed in (False, True):  # as loaded, then as the app leaves it
            engine = make_engine(url)
            state = set_statistics(engine, analyzed)
            rows.append(("postgresql", how, state, "",
                         measure(engine, points, naive_points if analyzed else [])))
            engine.dispose()
    print()
    print(f"{'backend':<11} {'query':<20} {'p50 ms':>8} {'p95 ms':>8} {'n':>5} {'SQL/search':>10} {'CPU ms':>7}")
    print("-" * 75)
    ok = True
    for backend, how, state, access, result in rows:
        print(f"{backend:<11} statistics: {state}")
        if access:
            print(f"{'':<11} country + safety reads: {access}")
        mismatches = result.pop("_mismatches", (None,))[0]
        for name, (p50, p95, n, statements, cpu_ms) in result.items():
            print(f"{backend:<11} {name:<20} {p50:8.2f} {p95:8.2f} {n:5d} {statements:10.1f} {cpu_ms:7.2f}")
        if mismatches is not None:
            speedup = result["naive full scan"][0] / result["indexed nearest-10"][0]
            print(f"{backend:<11} database {how}; indexed is {speedup:.0f}x faster (p50); "
                  f"top-10 differs from the full scan at {mismatches} point(s)")
            ok = ok and mismatches == 0
        if backend == "sqlite":
            nearest = result["indexed nearest-10"][1]
            slowest = max((p95, name) for name, (_p50, p95, *_rest) in result.items()
                          if name != "naive full scan")
            print(f"{'':<11} target (nearest-10 p95 < 10 ms on SQLite): "
                  f"{'met' if nearest < 10 else 'NOT met'} ({nearest:.2f} ms); "
                  f"slowest case p95 {slowest[0]:.2f} ms ({slowest[1]})")
        print()
    print(f"\ntotal {time.perf_counter() - started:.0f} s; load average {_load_average()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
