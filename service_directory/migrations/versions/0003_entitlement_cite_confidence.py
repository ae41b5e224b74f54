"""Entitlements: a short citation for SMS and how sure each statement is.

Revision ID: 0003_entitlement_cite_confidence
Revises: 0002_accounts_entitlements
Create Date: 2026-12-05 05:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_entitlement_cite_confidence'
down_revision = '0002_accounts_entitlements'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cite', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('confidence', sa.String(length=10), nullable=False,
                                      server_default='high'))


def downgrade() -> None:
    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.drop_column('confidence')
        batch_op.drop_column('cite')
