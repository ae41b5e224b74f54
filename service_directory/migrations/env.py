"""Alembic environment: migrates the database named by DATABASE_URL (or the caller's)."""
from alembic import context

from service_directory import models  # noqa: F401  (registers every table)
from service_directory.config import get_settings
from service_directory.db import Base, make_engine

config = context.config
# Indexes a migration creates only where the database can have them (PostgreSQL's
# trigram index on service names, 0008): the models do not declare them, so comparing
# models and database must not take them for indexes to remove.
DATABASE_ONLY_INDEXES = {"ix_service_name_trgm"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and reflected and compare_to is None
                and name in DATABASE_ONLY_INDEXES)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
