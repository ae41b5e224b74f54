"""Schemathesis against the app's own OpenAPI, in process: no 5xx and no response that
breaks its schema, for the public routes, the internal routes (with the bot's secret)
and the admin and statistics routes with a key of each role.

Each operation gets `EXAMPLES` generated requests, valid and invalid (schemathesis'
positive and negative modes), some aimed at real rows (path ids of a seeded
organization) so they get past "not found". Seeded: the same cases every run, so a
failure is reproducible (change `SEED` to explore further). PostgreSQL only:
production's engine, where NUL bytes and out-of-range integers surface.

Schemathesis' pytest plugin (`from_fixture`) breaks on pytest 9's nodes, so the
operations are driven here with `operation.as_strategy()` and Hypothesis' `@given`.
"""
from __future__ import annotations

import re
import traceback
from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from service_directory.config import get_settings

EXAMPLES = 15
SEED = 19
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck), print_blob=False)
ROLES = ("admin", "curator", "analyst")
INTERNAL = re.compile(r"^/v1/(reports|people|reminders|events)")
KEYED = re.compile(r"^/(admin|stats)(/|$)")  # an API key of some role opens these
# Real rows for path parameters, by name (see `fuzz_keys`).
REAL_IDS = {"entity_id": "svc-fuzz", "service_id": "svc-fuzz", "report_id": "rep-fuzz",
            "request_id": "fu-fuzz", "followup_id": "fu-fuzz", "person": "p" * 64,
            "pseudonym": "p" * 64}

pytestmark = [pytest.mark.postgres,
              pytest.mark.parametrize("accounts_db_url", ["postgres"], indirect=True)]


@pytest.fixture
def fuzz_keys(accounts_app) -> dict[str, str]:
    """One organization with a service, a location, a report and a follow-up; an API key
    per role (the curator curates it)."""
    from service_directory.models import directory as d
    from service_directory.models.reports import DiscriminationReport
    from service_directory.reminders.models import FollowUpRequest

    with accounts_app.sessions.begin() as session:
        d.ensure_taxonomies(session)
        session.add(d.Organization(id="org-fuzz", name="Fuzz NGO"))
        session.flush()
        session.add_all([
            d.Service(id="svc-fuzz", organization_id="org-fuzz", name="Clinic", status="active",
                      assured_date=date(2026, 11, 1), assurer_email="v@ngo.example"),
            d.Location(id="loc-fuzz", organization_id="org-fuzz", name="Site", latitude=4.6,
                       longitude=-74.08, country="co"),
            DiscriminationReport(id="rep-fuzz", organization_id="org-fuzz", country="co",
                                 description="turned away"),
            FollowUpRequest(id="fu-fuzz", organization_id="org-fuzz", country="co",
                            reason="no_medicine", pseudonym="p" * 64),
        ])
    # The public search and places routes open their own session: the test database too.
    from service_directory.deps import get_session
    from service_directory.routers import services

    overrides = accounts_app.client.app.dependency_overrides
    overrides[services.get_session] = overrides[get_session]
    return {role: accounts_app.user(role, email=f"{role}@ngo.example",
                                    orgs=("org-fuzz",) if role == "curator" else ())[1]
            for role in ROLES}


def _strategy(operation) -> st.SearchStrategy:
    """Valid and invalid requests, and valid ones aimed at the seeded rows."""
    names = {p.name for p in operation.path_parameters}
    choices = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
               operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)]
    if names and names <= set(REAL_IDS):
        choices.append(operation.as_strategy(
            generation_mode=GenerationMode.POSITIVE,
            path_parameters={name: REAL_IDS[name] for name in names}))
    return st.one_of(choices)


def fuzz(app, wanted, headers: dict[str, str]) -> tuple[int, list[str]]:
    """Run every operation whose path `wanted` accepts; (operations run, failures)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not wanted(operation.path):
            continue
        ran += 1

        @seed(SEED)
        @FUZZ
        @given(case=_strategy(operation))
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure, reported
            failures.append(f"{operation.method.upper()} {operation.path}: {_summary(error)}")
    return ran, failures


def _summary(error: BaseException) -> str:
    """What failed, in a few lines: schemathesis' own text without the schema dumps."""
    text = str(error) if isinstance(error, BaseExceptionGroup) else "".join(
        traceback.format_exception_only(type(error), error))
    keep = [line for line in text.splitlines()
            if line.strip() and not line.startswith(("        ", "    Schema at"))]
    return "\n".join(keep)[:1200]


def test_public_routes(accounts_app, fuzz_keys):
    ran, failures = fuzz(accounts_app.client.app,
                         lambda path: not KEYED.match(path) and not INTERNAL.match(path),
                         {})
    assert ran >= 5
    assert not failures, "\n\n".join(failures)


def test_internal_routes_with_the_bots_secret(accounts_app, fuzz_keys):
    ran, failures = fuzz(accounts_app.client.app, lambda path: bool(INTERNAL.match(path)),
                         {"X-Puente-Internal": get_settings().app_secret})
    assert ran >= 5
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_admin_and_stats_routes_with_a_key_of_each_role(accounts_app, fuzz_keys, role):
    ran, failures = fuzz(accounts_app.client.app, lambda path: bool(KEYED.match(path)),
                         {"Authorization": f"Bearer {fuzz_keys[role]}"})
    assert ran >= 50
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/admin/entitlement-contacts", {"kind": "gbv", "name": "Line", "phone": "0",
                                             "position": 2**31}),
    ("POST", "/admin/organizations", {"name": "NGO\u0000"}),
    ("POST", "/admin/organizations", {"name": "NGO", "year_incorporated": 10**12}),
    ("GET", "/admin/audit?offset=" + "9" * 30, None),
])
def test_a_value_postgres_cannot_hold_is_a_422_not_a_500(accounts_app, fuzz_keys, method, path,
                                                         body):
    """Found by the fuzzing above (and its neighbours): PostgreSQL refused the value
    (integer out of range, NUL byte in text) and the app answered 500."""
    response = accounts_app.client.request(
        method, path, json=body, headers={"Authorization": f"Bearer {fuzz_keys['admin']}"})
    assert response.status_code == 422, response.text
    assert "out of range" in response.json()["detail"]
