"""`puente directory import-hsds PATH` and `puente directory export-hsds PATH`.

`add_commands(commands)` adds both to the `directory` group's subparsers
(`service_directory/commands/directory.py`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import migrate
from ..config import get_settings
from ..db import make_engine, session_scope
from . import export_folder, export_zip, import_package
from .reader import PackageError


def add_commands(commands: argparse._SubParsersAction) -> None:
    importer = commands.add_parser(
        "import-hsds", help="import an HSDS 3.0 package (folder or zip with datapackage.json)",
        description="Import an HSDS 3.0 tabular package in one transaction. Strict by "
                    "default: if any row is invalid, nothing is imported and every bad row "
                    "is listed by file and line. With --skip-invalid, every valid row is "
                    "imported and the invalid ones are listed and skipped. Rows are matched "
                    "by id: importing again updates, never duplicates.")
    importer.add_argument("path", help="folder or .zip holding datapackage.json")
    importer.add_argument("--skip-invalid", action="store_true",
                          help="import every valid row and skip the invalid ones")
    importer.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    importer.set_defaults(handler=_import)
    exporter = commands.add_parser(
        "export-hsds", help="export the directory as an HSDS 3.0 package",
        description="Write the directory as an HSDS 3.0 tabular package: a folder of CSV "
                    "files and datapackage.json, or a zip when PATH ends in .zip. The "
                    "output is deterministic (same data, same bytes).")
    exporter.add_argument("path", help="folder to write (created if needed) or a .zip file")
    exporter.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    exporter.set_defaults(handler=_export)


def _engine(args: argparse.Namespace):
    url = args.database_url or get_settings().database_url
    migrate.upgrade(url)
    return make_engine(url)


def _import(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        with session_scope(engine) as session:
            report = import_package(session, Path(args.path), skip_invalid=args.skip_invalid)
            if not report.imported:
                session.rollback()
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(report.summary(), file=sys.stdout if report.imported else sys.stderr)
    return 0 if report.imported and not report.errors else 1


def _export(args: argparse.Namespace) -> int:
    target = Path(args.path)
    engine = _engine(args)
    with session_scope(engine) as session:
        if target.suffix.lower() == ".zip":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(export_zip(session))
            written = [target]
        else:
            written = export_folder(session, target)
        session.rollback()  # an export writes nothing to the database
    engine.dispose()
    print(f"wrote {len(written)} file(s) to {target}")
    return 0
