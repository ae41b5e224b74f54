"""Statistics: one table of anonymous events (stats_event), their weekly rollup
(stats_weekly) and a token saying when ended periods changed (stats_state); the search
events of usage_events move into stats_event, their area made coarse (the admin-1
area instead of a city), and usage_events goes.

Revision ID: 0005_stats_events
Revises: 0004_reminders
Create Date: 2026-12-09 09:00:00
"""
import uuid
from datetime import date, timedelta, timezone

from alembic import op
import sqlalchemy as sa


revision = '0005_stats_events'
down_revision = '0004_reminders'
branch_labels = None
depends_on = None



def _dimensions() -> list[sa.Column]:
    """The descriptive columns both tables share (fresh objects for each table)."""
    return [sa.Column(name, sa.String(length=length), nullable=True) for name, length in (
        ('channel', 10), ('language', 2), ('country', 2), ('area', 80), ('intent', 32),
        ('service_type', 24), ('outcome', 10), ('distance_band', 10))]


def upgrade() -> None:
    op.create_table(
        'stats_event',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('occurred_hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        *_dimensions(),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('synthetic', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_event')),
    )
    op.create_index('ix_stats_event_cube', 'stats_event',
                    ['synthetic', 'kind', 'period', 'country', 'language', 'channel', 'intent',
                     'outcome', 'service_type', 'area', 'distance_band', 'value'])
    op.create_index('ix_stats_event_occurred_hour', 'stats_event', ['occurred_hour'])
    op.create_table(
        'stats_weekly',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        *_dimensions(),
        sa.Column('synthetic', sa.Boolean(), nullable=False),
        sa.Column('events', sa.Integer(), nullable=False),
        sa.Column('value_sum', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_weekly')),
    )
    op.create_index('ix_stats_weekly_kind_period', 'stats_weekly', ['synthetic', 'kind', 'period'])
    op.create_table(
        'stats_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_state')),
    )
    _move_usage_events()
    op.drop_index('ix_usage_events_kind_occurred_hour', table_name='usage_events')
    op.drop_table('usage_events')


def _move_usage_events() -> None:
    connection = op.get_bind()
    old = sa.table('usage_events', sa.column('country'), sa.column('area'),
                   sa.column('service_type'), sa.column('language'),
                   sa.column('found_bucket'), sa.column('occurred_hour', sa.DateTime(timezone=True)))
    rows = connection.execute(sa.select(old)).mappings().all()
    if not rows:
        return
    from service_directory import gazetteer

    new = sa.table('stats_event', *[sa.column(name) for name in (
        'kind', 'occurred_hour', 'period', 'country', 'area', 'service_type', 'language',
        'outcome', 'synthetic')])
    moved = []
    for row in rows:
        hour = row['occurred_hour']
        hour = (hour if hour.tzinfo else hour.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        day = hour.date()
        country = (row['country'] or '').lower() or None
        country = country if country in gazetteer.REGION_COUNTRIES else None
        moved.append({
            'kind': 'search', 'occurred_hour': hour, 'period': _period(day),
            'country': country, 'area': _coarse(gazetteer, country, row['area']),
            'service_type': row['service_type'],
            'language': row['language'] if row['language'] in ('en', 'es', 'fr', 'ht', 'pt') else None,
            'outcome': row['found_bucket'] if row['found_bucket'] in ('0', '1-2', '3-5', '6+') else None,
            'synthetic': False})
    connection.execute(new.insert(), moved)
    state = sa.table('stats_state', sa.column('id'), sa.column('generation'))
    connection.execute(state.insert().values(id=1, generation=str(uuid.uuid4())))


def _period(day: date) -> date:
    return max(day - timedelta(days=day.weekday()), day.replace(day=1))


def _coarse(gazetteer, country: str | None, area: str | None) -> str | None:
    """usage_events kept a city name or an admin-1 code: keep only the admin-1 area."""
    named = gazetteer.admin1_area_named(country, area)
    if named or not area or not country:
        return named
    place = gazetteer.resolve(area, country).place
    if place is None or place.country != country:
        return None
    return gazetteer.coarse_area(place.latitude, place.longitude)


def downgrade() -> None:
    op.create_table(
        'usage_events',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('area', sa.String(length=200), nullable=True),
        sa.Column('service_type', sa.String(length=40), nullable=True),
        sa.Column('language', sa.String(length=5), nullable=True),
        sa.Column('found_bucket', sa.String(length=8), nullable=False),
        sa.Column('radius_km', sa.Integer(), nullable=True),
        sa.Column('occurred_hour', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_events')),
    )
    op.create_index('ix_usage_events_kind_occurred_hour', 'usage_events', ['kind', 'occurred_hour'])
    op.drop_table('stats_state')
    op.drop_index('ix_stats_weekly_kind_period', table_name='stats_weekly')
    op.drop_table('stats_weekly')
    op.drop_index('ix_stats_event_occurred_hour', table_name='stats_event')
    op.drop_index('ix_stats_event_cube', table_name='stats_event')
    op.drop_table('stats_event')
