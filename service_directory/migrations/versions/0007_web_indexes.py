"""Indexes for the curators' web at 100,000 services (benchmarks/web.py).

- `audit_log (entity_type, entity_id)`: a curator's log is the entries about her
  organizations' rows; without it `/ui/audit` and her home read the whole log
  (250-800 ms at 300,000 entries).
- `location (organization_id)` and `phone (organization_id)`, and the indexes on
  `location_id` of phones, languages and hours made partial (`IS NOT NULL`): those
  columns are empty on most rows (phones and hours belong to services), so SQLite's
  statistics counted every empty row as one value matching 80,000 rows and it read
  the whole table instead; a partial index counts only the rows that have one.
- `service (name, id)`: the services list is sorted by name; a page (an admin's last
  of 5,000 above all) walks this index instead of sorting every service.
- `service (assured_date, name)`: the home lists the services never checked, then the
  oldest checks, by walking it (an admin's home sorted all 100,000: 100 ms).

Revision ID: 0007_web_indexes
Revises: 0006_legal_partner
Create Date: 2026-12-05 13:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_web_indexes'
down_revision = '0006_legal_partner'
branch_labels = None
depends_on = None

# (index, table, column) made or remade partial: only the rows that have the column.
_PARTIAL = (('ix_location_organization_id', 'location', 'organization_id', False),
            ('ix_phone_organization_id', 'phone', 'organization_id', False),
            ('ix_phone_location_id', 'phone', 'location_id', True),
            ('ix_language_location_id', 'language', 'location_id', True),
            ('ix_schedule_location_id', 'schedule', 'location_id', True))


def _not_null(column: str) -> dict:
    where = sa.text(f'{column} IS NOT NULL')
    return {'sqlite_where': where, 'postgresql_where': where}


def upgrade() -> None:
    op.create_index('ix_audit_log_entity', 'audit_log', ['entity_type', 'entity_id'], unique=False)
    op.create_index('ix_service_name_id', 'service', ['name', 'id'], unique=False)
    op.create_index('ix_service_assured_date_name', 'service', ['assured_date', 'name'],
                    unique=False)
    for name, table, column, existed in _PARTIAL:
        if existed:
            op.drop_index(name, table_name=table)
        op.create_index(name, table, [column], unique=False, **_not_null(column))


def downgrade() -> None:
    for name, table, column, existed in reversed(_PARTIAL):
        op.drop_index(name, table_name=table)
        if existed:
            op.create_index(name, table, [column], unique=False)
    op.drop_index('ix_service_assured_date_name', table_name='service')
    op.drop_index('ix_service_name_id', table_name='service')
    op.drop_index('ix_audit_log_entity', table_name='audit_log')
