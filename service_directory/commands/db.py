"""`puente db upgrade`: apply Alembic migrations to DATABASE_URL."""
from __future__ import annotations

import argparse

from .. import migrate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database schema")
    commands = parser.add_subparsers(dest="command", required=True)
    upgrade = commands.add_parser("upgrade", help="apply migrations up to head")
    upgrade.add_argument("--revision", default="head")
    upgrade.set_defaults(handler=lambda args: migrate.upgrade(revision=args.revision))
