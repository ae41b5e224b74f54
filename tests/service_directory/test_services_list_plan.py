"""The services list's text search on PostgreSQL (migration 0008): `lower(name)` has a
trigram index, so ANALYZE knows how many names a text matches. Before it, the planner
guessed 0.5 % for any `LIKE '%text%'`: a text in 38 % of the names, with the type and
country filters, became nested loops probing each match (330 ms p95 at 100,000
services, benchmarks/web.py). Here: a few thousand services, most named "... bench
...", and the estimate of the list's own query must be of the right size."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from service_directory.models.accounts import User
from service_directory.models.directory import Organization, Service
from service_directory.web import services as web_services

N_SERVICES = 3000


def _statements(session, run) -> list[tuple[str, dict]]:
    seen: list[tuple[str, dict]] = []
    engine = session.get_bind()

    def listen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_the_search_text_is_estimated_from_statistics_not_guessed(accounts_sessions):
    with accounts_sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite has no such estimate to get wrong")
        indexes = set(session.scalars(sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'service'")))
        assert "ix_service_name_trgm" in indexes
        session.add(Organization(id="org-a", name="NGO A"))
        session.flush()
        session.execute(sa.insert(Service), [
            {"id": f"svc-{n}", "organization_id": "org-a", "status": "active",
             "name": f"Clinic bench {n}" if n % 5 else f"Health post {n}"}
            for n in range(N_SERVICES)])
        session.commit()
        session.execute(sa.text("ANALYZE service"))
        admin = User(id="u-admin", name="Ada", role="admin")
        sent = _statements(session, lambda: web_services.find_services(session, admin, q="bench"))
        count_sql, params = next((s, p) for s, p in sent if s.lstrip().startswith("SELECT count"))
        plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(
            "EXPLAIN " + count_sql, params))
        estimated = max(int(n) for n in re.findall(r"on service\b.*?rows=(\d+)", plan))
        assert estimated > N_SERVICES * 0.4, plan  # 80 % match; the old guess was 0.5 %
