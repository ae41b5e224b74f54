"""Run Alembic migrations from code (CLI, app start-up in development, tests)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from .config import ROOT, get_settings
from .db import make_engine, refresh_statistics


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "service_directory" / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url or get_settings().database_url)
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Bring the database at `database_url` (default: DATABASE_URL) to `revision`,
    then refresh the planner's statistics (`db.refresh_statistics`): a deploy runs
    this, so a database whose rows came without ANALYZE gets statistics here."""
    url = database_url or get_settings().database_url
    command.upgrade(alembic_config(url), revision)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            refresh_statistics(connection)
    finally:
        engine.dispose()
