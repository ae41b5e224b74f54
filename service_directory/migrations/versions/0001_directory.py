"""The service directory (HSDS 3.0 aligned) and anonymous usage events.

Creates organization, service, location, service_at_location, address, phone,
schedule, language, taxonomy, taxonomy_term, attribute and usage_events, with the
(latitude, longitude) composite index that backs the search prefilter.

Revision ID: 0001_directory
Revises: (none)
Create Date: 2026-11-23 16:54:54.708028
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_directory'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organization',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('alternate_name', sa.String(length=400), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('website', sa.String(length=2000), nullable=True),
    sa.Column('tax_status', sa.String(length=200), nullable=True),
    sa.Column('tax_id', sa.String(length=200), nullable=True),
    sa.Column('year_incorporated', sa.Integer(), nullable=True),
    sa.Column('legal_status', sa.String(length=200), nullable=True),
    sa.Column('logo', sa.String(length=2000), nullable=True),
    sa.Column('uri', sa.String(length=2000), nullable=True),
    sa.Column('parent_organization_id', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_organization_id'], ['organization.id'], name=op.f('fk_organization_parent_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization'))
    )
    op.create_table('taxonomy',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uri', sa.String(length=2000), nullable=True),
    sa.Column('version', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy')),
    sa.UniqueConstraint('name', name=op.f('uq_taxonomy_name'))
    )
    op.create_table('usage_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('area', sa.String(length=200), nullable=True),
    sa.Column('service_type', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('found_bucket', sa.String(length=8), nullable=False),
    sa.Column('radius_km', sa.Integer(), nullable=True),
    sa.Column('occurred_hour', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_events'))
    )
    op.create_index('ix_usage_events_kind_occurred_hour', 'usage_events', ['kind', 'occurred_hour'], unique=False)

    op.create_table('location',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('location_type', sa.String(length=40), server_default='physical', nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=400), nullable=True),
    sa.Column('alternate_name', sa.String(length=400), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('transportation', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('external_identifier', sa.String(length=200), nullable=True),
    sa.Column('external_identifier_type', sa.String(length=200), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_location_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location'))
    )
    op.create_index('ix_location_country', 'location', ['country'], unique=False)
    op.create_index('ix_location_latitude_longitude', 'location', ['latitude', 'longitude'], unique=False)

    op.create_table('service',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('alternate_name', sa.String(length=400), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('status', sa.String(length=40), server_default='active', nullable=False),
    sa.Column('interpretation_services', sa.Text(), nullable=True),
    sa.Column('application_process', sa.Text(), nullable=True),
    sa.Column('fees_description', sa.Text(), nullable=True),
    sa.Column('accreditations', sa.Text(), nullable=True),
    sa.Column('eligibility_description', sa.Text(), nullable=True),
    sa.Column('minimum_age', sa.Float(), nullable=True),
    sa.Column('maximum_age', sa.Float(), nullable=True),
    sa.Column('alert', sa.Text(), nullable=True),
    sa.Column('assured_date', sa.Date(), nullable=True),
    sa.Column('assurer_email', sa.String(length=320), nullable=True),
    sa.Column('last_modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('serves_undocumented', sa.Boolean(), nullable=True),
    sa.Column('free_of_charge', sa.Boolean(), nullable=True),
    sa.Column('confidential_no_immigration_reporting', sa.Boolean(), nullable=True),
    sa.Column('lgbtqi_friendly', sa.Boolean(), nullable=True),
    sa.Column('sex_worker_friendly', sa.Boolean(), nullable=True),
    sa.Column('youth_friendly', sa.Boolean(), nullable=True),
    sa.Column('staleness_limit_days', sa.Integer(), server_default='180', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_service_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service'))
    )
    op.create_index('ix_service_organization_id', 'service', ['organization_id'], unique=False)

    op.create_table('taxonomy_term',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('taxonomy', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('taxonomy_id', sa.String(length=64), nullable=True),
    sa.Column('term_uri', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['taxonomy_term.id'], name=op.f('fk_taxonomy_term_parent_id_taxonomy_term'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomy.id'], name=op.f('fk_taxonomy_term_taxonomy_id_taxonomy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_term'))
    )
    op.create_index('ix_taxonomy_term_taxonomy_id_code', 'taxonomy_term', ['taxonomy_id', 'code'], unique=True)

    op.create_table('address',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('attention', sa.String(length=400), nullable=True),
    sa.Column('address_1', sa.String(length=400), nullable=False),
    sa.Column('address_2', sa.String(length=400), nullable=True),
    sa.Column('city', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=True),
    sa.Column('state_province', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=40), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('address_type', sa.String(length=40), server_default='physical', nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_address_location_id_location'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address'))
    )
    op.create_index('ix_address_location_id', 'address', ['location_id'], unique=False)

    op.create_table('attribute',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.String(length=64), nullable=False),
    sa.Column('taxonomy_term_id', sa.String(length=64), nullable=False),
    sa.Column('link_type', sa.String(length=200), nullable=True),
    sa.Column('link_entity', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('label', sa.String(length=400), nullable=True),
    sa.ForeignKeyConstraint(['taxonomy_term_id'], ['taxonomy_term.id'], name=op.f('fk_attribute_taxonomy_term_id_taxonomy_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attribute'))
    )
    op.create_index('ix_attribute_link_id_link_entity', 'attribute', ['link_id', 'link_entity'], unique=False)
    op.create_index('ix_attribute_taxonomy_term_id', 'attribute', ['taxonomy_term_id'], unique=False)

    op.create_table('service_at_location',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_service_at_location_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_at_location_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_at_location'))
    )
    op.create_index('ix_service_at_location_location_id', 'service_at_location', ['location_id', 'service_id'], unique=False)
    op.create_index('ix_service_at_location_service_id', 'service_at_location', ['service_id'], unique=False)

    op.create_table('phone',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('contact_id', sa.String(length=64), nullable=True),
    sa.Column('service_at_location_id', sa.String(length=64), nullable=True),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('extension', sa.String(length=20), nullable=True),
    sa.Column('type', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_phone_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_phone_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['service_at_location.id'], name=op.f('fk_phone_service_at_location_id_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_phone_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone'))
    )
    op.create_index('ix_phone_location_id', 'phone', ['location_id'], unique=False)
    op.create_index('ix_phone_service_id', 'phone', ['service_id'], unique=False)

    op.create_table('schedule',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('service_at_location_id', sa.String(length=64), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('dtstart', sa.Date(), nullable=True),
    sa.Column('timezone', sa.Float(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('wkst', sa.String(length=2), nullable=True),
    sa.Column('freq', sa.String(length=10), nullable=True),
    sa.Column('interval', sa.Integer(), nullable=True),
    sa.Column('byday', sa.String(length=40), nullable=True),
    sa.Column('byweekno', sa.String(length=200), nullable=True),
    sa.Column('bymonthday', sa.String(length=200), nullable=True),
    sa.Column('byyearday', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('opens_at', sa.Time(), nullable=True),
    sa.Column('closes_at', sa.Time(), nullable=True),
    sa.Column('schedule_link', sa.String(length=2000), nullable=True),
    sa.Column('attending_type', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_schedule_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['service_at_location.id'], name=op.f('fk_schedule_service_at_location_id_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_schedule_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule'))
    )
    op.create_index('ix_schedule_location_id', 'schedule', ['location_id'], unique=False)
    op.create_index('ix_schedule_service_id', 'schedule', ['service_id'], unique=False)
    op.create_index('ix_schedule_service_at_location_id', 'schedule', ['service_at_location_id'], unique=False)

    op.create_table('language',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('phone_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('code', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_language_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phone_id'], ['phone.id'], name=op.f('fk_language_phone_id_phone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_language_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_language'))
    )
    op.create_index('ix_language_location_id', 'language', ['location_id'], unique=False)
    op.create_index('ix_language_service_id_code', 'language', ['service_id', 'code'], unique=False)



def downgrade() -> None:
    op.drop_index('ix_language_service_id_code', table_name='language')
    op.drop_index('ix_language_location_id', table_name='language')

    op.drop_table('language')
    op.drop_index('ix_schedule_service_at_location_id', table_name='schedule')
    op.drop_index('ix_schedule_service_id', table_name='schedule')
    op.drop_index('ix_schedule_location_id', table_name='schedule')

    op.drop_table('schedule')
    op.drop_index('ix_phone_service_id', table_name='phone')
    op.drop_index('ix_phone_location_id', table_name='phone')

    op.drop_table('phone')
    op.drop_index('ix_service_at_location_service_id', table_name='service_at_location')
    op.drop_index('ix_service_at_location_location_id', table_name='service_at_location')

    op.drop_table('service_at_location')
    op.drop_index('ix_attribute_taxonomy_term_id', table_name='attribute')
    op.drop_index('ix_attribute_link_id_link_entity', table_name='attribute')

    op.drop_table('attribute')
    op.drop_index('ix_address_location_id', table_name='address')

    op.drop_table('address')
    op.drop_index('ix_taxonomy_term_taxonomy_id_code', table_name='taxonomy_term')

    op.drop_table('taxonomy_term')
    op.drop_index('ix_service_organization_id', table_name='service')

    op.drop_table('service')
    op.drop_index('ix_location_latitude_longitude', table_name='location')
    op.drop_index('ix_location_country', table_name='location')

    op.drop_table('location')
    op.drop_index('ix_usage_events_kind_occurred_hour', table_name='usage_events')

    op.drop_table('usage_events')
    op.drop_table('taxonomy')
    op.drop_table('organization')
