"""Accounts, audit log, entitlements knowledge and discrimination reports.

Creates user_account, user_organization (curators → organizations), api_key and
invite_token (hashes only), audit_log, entitlement, entitlement_contact and
discrimination_report.

Revision ID: 0002_accounts_entitlements
Revises: 0001_directory
Create Date: 2026-11-23 16:55:56.418864
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_accounts_entitlements'
down_revision = '0001_directory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entitlement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('service_type', sa.String(length=40), nullable=True),
    sa.Column('situation', sa.String(length=20), nullable=True),
    sa.Column('entitled', sa.String(length=20), nullable=True),
    sa.Column('cost', sa.String(length=10), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=True),
    sa.Column('guidance_key', sa.String(length=120), nullable=True),
    sa.Column('guidance', sa.JSON(), nullable=True),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('source_url', sa.String(length=1000), nullable=False),
    sa.Column('last_reviewed', sa.Date(), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('needs_local_review', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement'))
    )
    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entitlement_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_entitlement_service_type'), ['service_type'], unique=False)

    op.create_table('entitlement_contact',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('whatsapp', sa.String(length=40), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('sample', sa.Boolean(), nullable=False),
    sa.Column('source_url', sa.String(length=1000), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement_contact'))
    )
    with op.batch_alter_table('entitlement_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entitlement_contact_country'), ['country'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_email'), ['email'], unique=True)

    op.create_table('api_key',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_key_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.String(length=36), nullable=True),
    sa.Column('actor', sa.String(length=250), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name=op.f('fk_audit_log_actor_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('invite_token',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_invite_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invite_token_token_hash'))
    )
    with op.batch_alter_table('invite_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_token_user_id'), ['user_id'], unique=False)

    op.create_table('user_organization',
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_user_organization_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_organization_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'organization_id', name=op.f('pk_user_organization'))
    )
    with op.batch_alter_table('user_organization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_organization_organization_id'), ['organization_id'], unique=False)

    op.create_table('discrimination_report',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pseudonym', sa.String(length=128), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('service_name', sa.String(length=300), nullable=True),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=36), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_discrimination_report_organization_id_organization'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by'], ['user_account.id'], name=op.f('fk_discrimination_report_resolved_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_discrimination_report_service_id_service'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discrimination_report'))
    )
    with op.batch_alter_table('discrimination_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discrimination_report_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_discrimination_report_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discrimination_report_pseudonym'), ['pseudonym'], unique=False)
        batch_op.create_index(batch_op.f('ix_discrimination_report_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discrimination_report_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('discrimination_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discrimination_report_status'))
        batch_op.drop_index(batch_op.f('ix_discrimination_report_service_id'))
        batch_op.drop_index(batch_op.f('ix_discrimination_report_pseudonym'))
        batch_op.drop_index(batch_op.f('ix_discrimination_report_organization_id'))
        batch_op.drop_index(batch_op.f('ix_discrimination_report_created_at'))

    op.drop_table('discrimination_report')
    with op.batch_alter_table('user_organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_organization_organization_id'))

    op.drop_table('user_organization')
    with op.batch_alter_table('invite_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_token_user_id'))

    op.drop_table('invite_token')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_user_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_user_id'))

    op.drop_table('api_key')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_email'))

    op.drop_table('user_account')
    with op.batch_alter_table('entitlement_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entitlement_contact_country'))

    op.drop_table('entitlement_contact')
    with op.batch_alter_table('entitlement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entitlement_service_type'))
        batch_op.drop_index(batch_op.f('ix_entitlement_country'))

    op.drop_table('entitlement')
