"""Fixtures for the app's tests."""
import pytest
from fastapi.testclient import TestClient

from service_directory.main import create_app


@pytest.fixture
def client() -> TestClient:
    with TestClient(create_app()) as test_client:
        yield test_client


# ---------------------------------------------------------------------------
# Accounts / audit / entitlements / reports fixtures (owned by the accounts work).
# A real database per backend, migrated by Alembic once per test session, emptied
# after each test; PostgreSQL gets its own throw-away database so parallel suites
# sharing the server never see each other's rows.
# ---------------------------------------------------------------------------
import subprocess  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


# PostgreSQL is "asked for" when PUENTE_REQUIRE_POSTGRES=1 (exported by `make test-app`)
# or when PUENTE_TEST_DATABASE_URL is set at all (even empty: a failed
# `$(scripts/services.sh postgres)` leaves it empty). Then an unavailable server is an
# error, so a green run always means PostgreSQL was tested. Otherwise (a developer's
# plain `pytest` without PostgreSQL) the PostgreSQL half is skipped, saying why.
import functools  # noqa: E402
import os  # noqa: E402
from collections.abc import Mapping  # noqa: E402
from typing import NoReturn  # noqa: E402

REQUIRE_POSTGRES = "PUENTE_REQUIRE_POSTGRES"
POSTGRES_URL = "PUENTE_TEST_DATABASE_URL"


def postgres_requested(environ: Mapping[str, str]) -> bool:
    """Whether this run must test PostgreSQL rather than skip it."""
    required = environ.get(REQUIRE_POSTGRES, "").strip().lower() in ("1", "true", "yes")
    return required or POSTGRES_URL in environ


def locate_postgres(environ: Mapping[str, str]) -> tuple[str | None, str]:
    """(URL of a reachable server, "") or (None, why there is none): the URL named by
    PUENTE_TEST_DATABASE_URL, else the server `scripts/services.sh postgres` starts."""
    import psycopg

    configured = environ.get(POSTGRES_URL)
    if configured is not None and not configured.strip():
        return None, (f"{POSTGRES_URL} is set but empty (did `scripts/services.sh postgres` "
                      "fail when it was computed?)")
    if configured:
        url = configured.strip()
    else:
        try:
            result = subprocess.run([str(ROOT / "scripts" / "services.sh"), "postgres"],
                                    capture_output=True, text=True, timeout=300,
                                    env=dict(environ))
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"`scripts/services.sh postgres` could not run: {exc}"
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            return None, (f"`scripts/services.sh postgres` failed (exit {result.returncode}): "
                          f"{result.stderr.strip()[-300:] or 'no message'}")
        url = lines[-1]
    try:
        server = sa.make_url(url)
        dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
        shown = server.render_as_string(hide_password=True)
    except Exception as exc:  # noqa: BLE001 - any parse error is reported as such
        return None, f"{url!r} is not a database URL: {exc}"
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return None, f"cannot connect to PostgreSQL at {shown}: {str(exc).strip()}"
    return url, ""


def postgres_unavailable(problem: str, environ: Mapping[str, str]) -> NoReturn:
    """Fail when PostgreSQL was asked for; skip, with the reason, when it was not."""
    if postgres_requested(environ):
        pytest.fail(f"PostgreSQL was asked for ({REQUIRE_POSTGRES}=1 or {POSTGRES_URL} set) "
                    f"but is unavailable: {problem}. Start it with `scripts/services.sh "
                    f"postgres` or point {POSTGRES_URL} at a running server.", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable, its half of the tests skipped: {problem}. "
                f"`make test-app` requires it ({REQUIRE_POSTGRES}=1).")


@functools.cache
def _located_postgres() -> tuple[str | None, str]:
    return locate_postgres(os.environ)  # once per run: both database fixtures share it


def _postgres_server_url() -> str:
    url, problem = _located_postgres()
    if url is None:
        postgres_unavailable(problem, os.environ)
    return url


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def accounts_db_url(request, tmp_path_factory) -> Iterator[str]:
    """URL of a database migrated to head by Alembic (SQLite file or fresh PostgreSQL db)."""
    from service_directory import migrate
    from service_directory.db import engine_for

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'puente.db'}"
        migrate.upgrade(url)
        yield url
        engine_for(url).dispose()
        return
    server_url = _postgres_server_url()
    name = f"puente_accounts_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def accounts_sessions(accounts_db_url) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated database; every table is emptied afterwards."""
    from service_directory.db import Base, engine_for

    engine = engine_for(accounts_db_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    yield factory
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@dataclass
class AccountsApp:
    """The app wired to the test database, with helpers to make users and keys."""

    client: TestClient
    sessions: sessionmaker
    db_url: str

    def user(self, role: str, name: str | None = None, orgs: tuple[str, ...] = (),
             email: str | None = None) -> tuple[str, str]:
        """Create a user; returns (user id, API key)."""
        from service_directory import accounts

        with self.sessions.begin() as session:
            user = accounts.create_user(session, name=name or f"{role} user", role=role,
                                        email=email, organization_ids=orgs)
            issued = accounts.issue_api_key(session, user)
            return user.id, issued.token

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def accounts_app(accounts_sessions, accounts_db_url) -> Iterator[AccountsApp]:
    from service_directory.deps import get_session
    from service_directory.main import create_app

    app = create_app()

    def _session() -> Iterator[Session]:
        session = accounts_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as test_client:
        yield AccountsApp(test_client, accounts_sessions, accounts_db_url)


# --- Database fixtures (service directory): every query test runs on SQLite and on
# PostgreSQL. Each backend gets a fresh database per test session, migrated with
# Alembic; every table is emptied after each test.
from datetime import date, datetime, time, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from sqlalchemy import delete  # noqa: E402

from service_directory import migrate  # noqa: E402
from service_directory.db import Base, make_engine, session_factory  # noqa: E402

# `_postgres_server_url` (scripts/services.sh postgres) is defined above and shared.


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path_factory):
    """URL of a fresh, migrated database of each backend for this test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'directory.db'}"
        migrate.upgrade(url)
        yield url
        return
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(_postgres_server_url())
    name = f"puente_t_{uuid.uuid4().hex[:10]}"
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def db_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine):
    """A session on the migrated test database; every table is emptied afterwards."""
    session = session_factory(db_engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        with db_engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(table))


@pytest.fixture
def make_service(db_session):
    """Add one service at one location: make_service("Name", lat, lon, country="co", ...)."""
    from service_directory.models import directory as d

    terms = d.ensure_taxonomies(db_session)
    default_org = d.Organization(id=str(uuid.uuid4()), name="Test Org")
    db_session.add(default_org)

    def _make(
        name: str, latitude: float, longitude: float, *, country: str = "co", city: str = "Testville",
        types: tuple[str, ...] = ("hiv_testing",), languages: tuple[str, ...] = ("es",),
        verified_days_ago: int | None = 10, staleness_limit_days: int = 180,
        schedules: tuple[tuple[str, time, time], ...] = (), timezone_name: str | None = None,
        status: str = "active", organization: str | None = None, phone: str | None = None, **flags,
    ) -> d.Service:
        org = default_org
        if organization:
            org = d.Organization(id=str(uuid.uuid4()), name=organization)
            db_session.add(org)
        service = d.Service(
            id=str(uuid.uuid4()), organization_id=org.id, name=name, status=status,
            assured_date=None if verified_days_ago is None else date.today() - timedelta(days=verified_days_ago),
            assurer_email="tester@example.org", staleness_limit_days=staleness_limit_days, **flags,
        )
        location = d.Location(
            id=str(uuid.uuid4()), name=name, latitude=latitude, longitude=longitude,
            country=country, timezone=timezone_name,
        )
        db_session.add_all([service, location])
        db_session.flush()
        if verified_days_ago is not None:
            # "Days ago" as search counts them: on the location's own calendar (its
            # timezone is filled in on insert), not the test machine's.
            local_today = datetime.now(ZoneInfo(location.timezone or "UTC")).date()
            service.assured_date = local_today - timedelta(days=verified_days_ago)
        db_session.add_all([
            d.ServiceAtLocation(id=str(uuid.uuid4()), service_id=service.id, location_id=location.id),
            d.Address(id=str(uuid.uuid4()), location_id=location.id, address_1="1 Sample Street",
                      city=city, state_province="Test", country=country.upper()),
            *[d.Language(id=str(uuid.uuid4()), service_id=service.id, code=code) for code in languages],
            *[d.Attribute(id=str(uuid.uuid4()), link_id=service.id, link_entity="service",
                          taxonomy_term_id=terms[code].id) for code in types],
            *[d.Schedule(id=str(uuid.uuid4()), service_id=service.id, freq="WEEKLY", byday=byday,
                         opens_at=opens, closes_at=closes) for byday, opens, closes in schedules],
        ])
        if phone:
            db_session.add(d.Phone(id=str(uuid.uuid4()), service_id=service.id, number=phone))
        db_session.flush()
        return service

    return _make
