"""`puente directory ...`: the service directory from the command line.

Subcommands register themselves in `SUBCOMMANDS` below (one small function each that
adds its parser); `load-sample` is here, `import-hsds`/`export-hsds` join the list.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable

from .. import migrate


def _load_sample(args: argparse.Namespace) -> int:
    from ..config import get_settings
    from ..db import make_engine, session_scope
    from ..sample_data import load_sample

    url = args.database_url or get_settings().database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            count = load_sample(session)
    finally:
        engine.dispose()
    print(f"sample directory loaded: {count} fictional services")
    return 0


def _add_load_sample(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "load-sample", help="migrate the database and load the fictional sample directory (idempotent)"
    )
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    parser.set_defaults(handler=_load_sample)


def _add_hsds(commands: argparse._SubParsersAction) -> None:
    """`import-hsds` and `export-hsds` (service_directory/hsds/cli.py)."""
    from ..hsds.cli import add_commands

    add_commands(commands)


#: Adders of `puente directory` subcommands; append yours (e.g. import-hsds).
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_load_sample, _add_hsds]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("directory", help="the service directory")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(commands)
