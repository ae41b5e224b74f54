"""When PostgreSQL is asked for, its tests fail rather than skip without it.

`make test-app` exports PUENTE_REQUIRE_POSTGRES=1 and PUENTE_TEST_DATABASE_URL, so a
green run cannot hide that the PostgreSQL half never ran; a developer's plain `pytest`
without PostgreSQL still skips that half, saying why (conftest.py)."""
import os
import subprocess
import sys

import pytest

from tests.service_directory.conftest import (
    ROOT,
    locate_postgres,
    postgres_requested,
    postgres_unavailable,
)

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/puente_test"
ONE_POSTGRES_TEST = ("tests/service_directory/test_admin_directory.py::"
                     "test_delete_without_if_match_gets_428_and_keeps_the_row[postgres-phones]")


def test_postgres_is_asked_for_by_the_makefile_flag_or_a_configured_url():
    assert postgres_requested({"PUENTE_REQUIRE_POSTGRES": "1"})
    assert postgres_requested({"PUENTE_TEST_DATABASE_URL": UNREACHABLE})
    assert postgres_requested({"PUENTE_TEST_DATABASE_URL": ""})  # services.sh failed in $(...)
    assert not postgres_requested({})
    assert not postgres_requested({"PUENTE_REQUIRE_POSTGRES": "0"})


def test_an_unreachable_configured_server_is_a_failure_not_a_skip():
    environ = {"PUENTE_TEST_DATABASE_URL": UNREACHABLE}
    url, problem = locate_postgres(environ)
    assert url is None and "cannot connect to PostgreSQL at" in problem and ":1/" in problem
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL was asked for .* cannot connect"):
        postgres_unavailable(problem, environ)


def test_an_empty_configured_url_says_services_sh_failed():
    url, problem = locate_postgres({"PUENTE_TEST_DATABASE_URL": " "})
    assert url is None and "scripts/services.sh postgres` fail" in problem


def test_a_failing_services_script_is_reported_with_its_exit_status():
    url, problem = locate_postgres({"PATH": "/nonexistent"})  # its `env bash` cannot run
    assert url is None and "`scripts/services.sh postgres` failed (exit 127)" in problem


def test_without_postgres_asked_for_the_postgres_half_is_skipped_with_the_reason():
    with pytest.raises(pytest.skip.Exception, match="make test-app` requires it"):
        postgres_unavailable("no server here", {})


def _pytest(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           ONE_POSTGRES_TEST], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=300)


def _environ_without_postgres() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in ("PUENTE_TEST_DATABASE_URL", "PUENTE_REQUIRE_POSTGRES")}


def test_a_run_that_asks_for_an_unreachable_postgres_exits_with_an_error():
    run = _pytest(_environ_without_postgres() | {"PUENTE_REQUIRE_POSTGRES": "1",
                                                 "PUENTE_TEST_DATABASE_URL": UNREACHABLE})
    assert run.returncode != 0, run.stdout
    assert "1 error" in run.stdout and "skipped" not in run.stdout, run.stdout
    assert "PostgreSQL was asked for" in run.stdout, run.stdout


def test_a_plain_run_without_postgres_skips_its_half_and_passes():
    run = _pytest(_environ_without_postgres() | {"PATH": "/nonexistent"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout and "make test-app` requires it" in run.stdout, run.stdout
