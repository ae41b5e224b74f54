"""Organizations: `legal_partner`, marking the NGOs whose curators may keep the
entitlements (statements of rights) current from the web UI.

Revision ID: 0006_legal_partner
Revises: 0005_stats_events
Create Date: 2026-12-10 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_legal_partner'
down_revision = '0005_stats_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_partner', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('legal_partner')
