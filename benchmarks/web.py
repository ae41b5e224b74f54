"""Curators' web (`/ui/`) at 100,000 services: every page a curator and an admin open,
p50 and p95, on SQLite and PostgreSQL. Target: p95 < 150 ms for every page.

The directory is `benchmarks/search.py`'s generator (100,000 services around the
region's cities, 200 organizations of 500 services each, with places, phones,
languages and hours), bulk-loaded (COPY on PostgreSQL, executemany on SQLite), plus
what the web pages read besides: one curator per organization and the measured
people (an admin, and a curator of three organizations, one a legal partner), two
audit entries per service (300,000 with the people's own), 5,000 discrimination
reports and 5,000 reminder follow-up requests spread over the organizations, and the
sample statements of rights. Then `db.refresh_statistics`, as the importer leaves a
database. Built once and kept (`.cache/bench/web-<key>.db`, PostgreSQL database
`puente_bench_web_<key>` on the server of `scripts/services.sh postgres`; the key is
the generator version, the size and the migrations' text); `BENCH_REBUILD=1` rebuilds.

Each page is requested `BENCH_WEB_REQUESTS` times (after two unmeasured requests)
through FastAPI's test client in this process, with a real signed session cookie:
the time includes routing, the session check, every query and the template, not the
network. The table also gives the SQL statements per request (an N+1 shows there).
Exits 1 when a page does not answer 200; a page over the target is flagged, as the
other benches flag theirs (timings move with the machine's load, printed with them).
`BENCH_WEB_SERVICES=5000` for a small run. The statistics dashboard is measured on
an empty event table (its views at a million events: benchmarks/stats.py).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from service_directory import migrate  # noqa: E402
from service_directory.db import make_engine, refresh_statistics, session_factory  # noqa: E402

GENERATOR_VERSION = 2
N_SERVICES = int(os.environ.get("BENCH_WEB_SERVICES", "100000"))
N_REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "30"))
REBUILD = os.environ.get("BENCH_REBUILD") == "1"
TARGET_MS = 150.0
CACHE = ROOT / ".cache" / "bench"
N_REPORTS = N_FOLLOWUPS = 5000
CURATOR_ORGS = ("org-0", "org-1", "org-2")

# The directory's generator and bulk loader are benchmarks/search.py's.
_spec = importlib.util.spec_from_file_location("bench_search", ROOT / "benchmarks" / "search.py")
search_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search_bench)
search_bench.N_SERVICES = N_SERVICES


def _key() -> str:
    digest = hashlib.sha256(f"{GENERATOR_VERSION}|{search_bench.GENERATOR_VERSION}|{N_SERVICES}|"
                            f"{search_bench.SEED}|".encode())
    for path in sorted((ROOT / "service_directory" / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _stamp(moment: datetime, sqlite: bool):
    # SQLite: the text SQLAlchemy writes for a DateTime (naive UTC); PostgreSQL: the value.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else moment


_PEOPLE_INSERTS = {
    "user_account": ("id", "name", "email", "role", "active", "created_at"),
    "user_organization": ("user_id", "organization_id"),
    "audit_log": ("at", "actor_user_id", "actor", "action", "entity_type", "entity_id",
                  "before", "after"),
    "discrimination_report": ("id", "created_at", "pseudonym", "service_id", "service_name",
                              "organization_id", "country", "language", "description", "status"),
    "followup_request": ("id", "created_at", "organization_id", "pseudonym", "country",
                         "service_type", "reason", "status", "updated_at"),
}


def _people(rng: random.Random, n_orgs: int, sqlite: bool) -> dict[str, list[tuple]]:
    """The web's own rows: people, audit entries, reports, follow-up requests."""
    now = datetime.now(timezone.utc)
    users = [("u-admin", "Bench Admin", "admin@bench.example", "admin", True, _stamp(now, sqlite)),
             ("u-curator", "Bench Curator", "curator@bench.example", "curator", True,
              _stamp(now, sqlite))]
    links = [("u-curator", org) for org in CURATOR_ORGS]
    for o in range(n_orgs):
        users.append((f"u-{o}", f"Curator {o}", f"curator{o}@bench.example", "curator", True,
                      _stamp(now, sqlite)))
        links.append((f"u-{o}", f"org-{o}"))
    audit, reports, followups = [], [], []
    for i in range(N_SERVICES):
        org = i % n_orgs
        for k, (entity, entity_id, field) in enumerate((("service", f"svc-{i}", "name"),
                                                        ("phone", f"ph-{i}", "number"))):
            at = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            audit.append((_stamp(at, sqlite), f"u-{org}", f"Curator {org}", "update", entity,
                          entity_id, json.dumps({field: f"old {i}"}), json.dumps({field: f"new {i}"})))
    for i in range(N_REPORTS):
        s = rng.randrange(N_SERVICES)
        at = now - timedelta(hours=rng.randint(0, 24 * 365))
        reports.append((f"rep-{i}", _stamp(at, sqlite), f"pseudo-{i}", f"svc-{s}",
                        f"[SAMPLE] Bench service {s}", f"org-{s % n_orgs}", "co", "es",
                        "Me pidieron papeles en la entrada y no me atendieron.",
                        "open" if rng.random() < 0.3 else "resolved"))
    for i in range(N_FOLLOWUPS):
        at = now - timedelta(hours=rng.randint(0, 24 * 365))
        followups.append((f"fu-{i}", _stamp(at, sqlite), f"org-{rng.randrange(n_orgs)}",
                          f"pseudo-f{i}", "pe", "prep", rng.choice(["side_effects", "moved", None]),
                          rng.choice(["new", "in_review", "resolved", "resolved"]),
                          _stamp(at, sqlite)))
    return {"user_account": users, "user_organization": links, "audit_log": audit,
            "discrimination_report": reports, "followup_request": followups}


def _bulk(engine, tables: dict[str, list[tuple]], columns: dict[str, tuple[str, ...]]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, rows in tables.items():
            names = ", ".join(columns[name])
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns[name]))
                cursor.executemany(f"INSERT INTO {name} ({names}) VALUES ({marks})", rows)
        raw.commit()
    finally:
        raw.close()


def build(url: str) -> None:
    """Migrate, then load the directory and the web's rows; analyzed as after an import."""
    from service_directory.entitlements_data.load import load_sample_entitlements

    migrate.upgrade(url)
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    cities = search_bench._cities()
    tables = search_bench.generate(random.Random(search_bench.SEED), cities, sqlite)
    search_bench.bulk_load(engine, tables)
    _bulk(engine, _people(random.Random(7), len(tables[0]), sqlite), _PEOPLE_INSERTS)
    with engine.begin() as connection:  # each place belongs to its service's organization
        connection.execute(sa.text(
            "UPDATE location SET organization_id = (SELECT s.organization_id FROM "
            "service_at_location sal JOIN service s ON s.id = sal.service_id "
            "WHERE sal.location_id = location.id)"))
    with session_factory(engine)() as session:
        load_sample_entitlements(session)
        session.execute(sa.text("UPDATE organization SET legal_partner = :t WHERE id = 'org-0'"),
                        {"t": True})
        session.commit()
    with engine.begin() as connection:
        refresh_statistics(connection)
    engine.dispose()


def sqlite_url(key: str) -> tuple[str, str]:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"web-{N_SERVICES}-{key}.db"
    if path.exists() and not REBUILD:
        return f"sqlite:///{path}", "cached"
    for old in CACHE.glob(f"web-{N_SERVICES}-*.db*"):
        old.unlink()
    partial = CACHE / f"web-building-{key}.sqlite"
    for leftover in CACHE.glob(f"{partial.name}*"):
        leftover.unlink()
    started = time.perf_counter()
    build(f"sqlite:///{partial}")
    engine = make_engine(f"sqlite:///{partial}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    partial.rename(path)
    return f"sqlite:///{path}", f"built in {time.perf_counter() - started:.0f} s"


def postgres_url(key: str) -> tuple[str, str] | None:
    server = search_bench.subprocess.run(
        [str(ROOT / "scripts" / "services.sh"), "postgres"], capture_output=True, text=True,
        timeout=300).stdout.strip().splitlines()
    if not server:
        print("PostgreSQL unavailable: its half skipped")
        return None
    prefix = f"puente_bench_web_{N_SERVICES}_"
    name = f"{prefix}{key}"
    url = sa.make_url(server[-1]).set(database=name).render_as_string(hide_password=False)
    admin = sa.create_engine(server[-1], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            existing = set(connection.scalars(sa.text(
                "SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{prefix}%"}))
            if name in existing and not REBUILD and _ready(url):
                return url, "cached"
            for old in existing:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    started = time.perf_counter()
    build(url)
    engine = make_engine(url)
    with engine.begin() as connection:  # written last: without it the build is incomplete
        connection.execute(sa.text("CREATE TABLE bench_ready (key text)"))
    engine.dispose()
    return url, f"built in {time.perf_counter() - started:.0f} s"


def _ready(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(sa.text(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'bench_ready'")))
    finally:
        engine.dispose()


def pages(n_services: int) -> list[tuple[str, str, str]]:
    """(who, what, path): what each opens, filters and deep pages included."""
    last = max(1, -(-n_services // 20))
    common = [
        ("home", "/ui/"),
        ("services", "/ui/services"),
        ("services: search", "/ui/services?q=service+12"),
        ("services: type", "/ui/services?type=prep"),
        ("services: country", "/ui/services?country=co"),
        ("services: to check", "/ui/services?stale=1"),
        ("services: flag", "/ui/services?flag=free_of_charge"),
        ("services: all filters", "/ui/services?q=bench&type=prep&country=co&stale=1"
                                  "&flag=serves_undocumented"),
        ("service edit", "/ui/services/svc-0"),
        ("queue", "/ui/queue"),
        ("audit", "/ui/audit"),
        ("audit: service", "/ui/audit?service=service+30"),
        ("audit: person, dates", f"/ui/audit?who=curator+17&since={date.today() - timedelta(days=30)}"),
        ("audit: page 5", "/ui/audit?page=5"),
        ("entitlements", "/ui/entitlements"),
        ("entitlements: review", "/ui/entitlements/review"),
        ("import", "/ui/import"),
    ]
    out = [("curator", what, path) for what, path in common]
    out += [("curator", "services: last page", f"/ui/services?page={-(-3 * n_services // 200 // 20)}")]
    out += [("admin", what, path) for what, path in common]
    out += [("admin", "services: last page", f"/ui/services?page={last}"),
            ("admin", "users", "/ui/users"),
            ("admin", "stats dashboard", "/ui/stats")]
    return out


def measure(url: str) -> list[tuple[str, str, float, float, float, int]]:
    """[(who, page, p50 ms, p95 ms, SQL statements per request, status)]."""
    from sqlalchemy import event

    from service_directory.deps import get_session
    from service_directory.main import create_app
    from service_directory.models.accounts import User
    from service_directory.web import auth

    engine = make_engine(url)
    factory = session_factory(engine)
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *_a: statements.__setitem__(0, statements[0] + 1))

    def _session():
        session = factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    app = create_app()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    app.dependency_overrides[get_session] = _session
    rows = []
    with TestClient(app) as client, factory() as session:
        cookies = {who: auth.issue(session.get(User, f"u-{who}")) for who in ("admin", "curator")}
        for who, what, path in pages(N_SERVICES):
            client.cookies.set(auth.COOKIE, cookies[who], path="/ui")
            for _ in range(2):
                answer = client.get(path, follow_redirects=False)
            timings, before = [], statements[0]
            for _ in range(N_REQUESTS):
                started = time.perf_counter()
                answer = client.get(path, follow_redirects=False)
                timings.append((time.perf_counter() - started) * 1000)
            ordered = sorted(timings)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            rows.append((who, what, statistics.median(ordered), p95,
                         (statements[0] - before) / N_REQUESTS, answer.status_code))
    engine.dispose()
    return rows


def main() -> int:
    started = time.perf_counter()
    key = _key()
    print(f"{N_SERVICES:,} services, {N_REQUESTS} requests per page; load average "
          f"{search_bench._load_average()}")
    ok, answered = True, True
    for backend in ("sqlite", "postgresql"):
        found = sqlite_url(key) if backend == "sqlite" else postgres_url(key)
        if found is None:
            continue
        url, how = found
        rows = measure(url)
        print(f"\n{backend} (database {how})")
        print(f"{'who':<8} {'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5} {'HTTP':>5}")
        print("-" * 63)
        for who, what, p50, p95, sql, code in rows:
            flag = "" if p95 < TARGET_MS and code == 200 else "  <-- over target" if code == 200 else "  <-- failed"
            ok = ok and p95 < TARGET_MS and code == 200
            answered = answered and code == 200
            print(f"{who:<8} {what:<24} {p50:8.1f} {p95:8.1f} {sql:5.0f} {code:5d}{flag}")
        slowest = max(rows, key=lambda r: r[3])
        print(f"slowest p95: {slowest[3]:.1f} ms ({slowest[0]}, {slowest[1]}); load average "
              f"{search_bench._load_average()}", flush=True)
    print(f"\ntarget: every page p95 < {TARGET_MS:.0f} ms: {'met' if ok else 'NOT met'}; "
          f"total {time.perf_counter() - started:.0f} s")
    return 0 if answered else 1  # a page that fails is an error; a slow one is reported


if __name__ == "__main__":
    sys.exit(main())
