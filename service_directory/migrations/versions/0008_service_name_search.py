"""The services list's text search on PostgreSQL: a trigram index on `lower(name)`.

`/ui/services?q=` filters with `lower(name) LIKE '%text%'`. PostgreSQL had no
statistics for that expression and guessed 0.5 % of the services match; when a text
matched 38,000 of 100,000 (benchmarks/web.py, all five filters at once) it probed the
type and place of each match one by one (330 ms p95; a search with a type alone 270 ms).
The index makes `ANALYZE` collect the expression's statistics, so the estimate is right
and the planner hashes the type and place instead, and it answers a selective search
(`q=service 12`) without reading every name (36 → 3 ms).

`pg_trgm` ships with PostgreSQL and is a trusted extension (13+): the database's owner
may create it. Where it cannot be created, extended statistics on the same expression
(14+) give the planner the estimate without the index. SQLite: nothing (its planner
does not guess this way; the bench measures it at 114 ms with all five filters).

Revision ID: 0008_service_name_search
Revises: 0007_web_indexes
Create Date: 2026-12-05 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_service_name_search'
down_revision = '0007_web_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except sa.exc.DBAPIError:  # not allowed or not installed here: the estimate at least
        bind.exec_driver_sql('CREATE STATISTICS IF NOT EXISTS st_service_lower_name '
                             'ON (lower(name)) FROM service')
    else:
        bind.exec_driver_sql('CREATE INDEX IF NOT EXISTS ix_service_name_trgm ON service '
                             'USING gin (lower(name) gin_trgm_ops)')
    bind.exec_driver_sql('ANALYZE service')  # the expression's statistics, now


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    bind.exec_driver_sql('DROP INDEX IF EXISTS ix_service_name_trgm')
    bind.exec_driver_sql('DROP STATISTICS IF EXISTS st_service_lower_name')
