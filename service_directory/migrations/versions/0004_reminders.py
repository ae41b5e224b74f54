"""Reminders: plans, occurrences (leases, idempotency keys) and follow-up requests.

Revision ID: 0004_reminders
Revises: 0003_entitlement_cite_confidence
Create Date: 2026-12-05 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_reminders'
down_revision = '0003_entitlement_cite_confidence'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminder_plan',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('pseudonym', sa.String(length=128), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('place', sa.String(length=120), nullable=True),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('local_time', sa.String(length=5), nullable=False),
        sa.Column('days', sa.String(length=7), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('codeword', sa.String(length=60), nullable=True),
        sa.Column('treatment', sa.String(length=40), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_plan')),
        sa.UniqueConstraint('pseudonym', name=op.f('uq_reminder_plan_pseudonym')),
    )
    op.create_index('ix_reminder_plan_status_next_due_at', 'reminder_plan',
                    ['status', 'next_due_at'])
    op.create_table(
        'reminder_occurrence',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('plan_id', sa.String(length=36), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('lease_token', sa.String(length=36), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answer', sa.String(length=10), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['reminder_plan.id'], ondelete='CASCADE',
                                name=op.f('fk_reminder_occurrence_plan_id_reminder_plan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_occurrence')),
        sa.UniqueConstraint('key', name=op.f('uq_reminder_occurrence_key')),
    )
    op.create_index('ix_reminder_occurrence_status_due_at', 'reminder_occurrence',
                    ['status', 'due_at'])
    op.create_index(op.f('ix_reminder_occurrence_plan_id'), 'reminder_occurrence', ['plan_id'])
    op.create_index(op.f('ix_reminder_occurrence_lease_token'), 'reminder_occurrence',
                    ['lease_token'])
    op.create_table(
        'followup_request',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('organization_id', sa.String(length=64), nullable=True),
        sa.Column('pseudonym', sa.String(length=128), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('service_type', sa.String(length=40), nullable=True),
        sa.Column('reason', sa.String(length=20), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('resolution_note', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='SET NULL',
                                name=op.f('fk_followup_request_organization_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_request')),
    )
    for column in ('created_at', 'organization_id', 'pseudonym'):
        op.create_index(op.f(f'ix_followup_request_{column}'), 'followup_request', [column])


def downgrade() -> None:
    op.drop_table('followup_request')
    op.drop_table('reminder_occurrence')
    op.drop_table('reminder_plan')
