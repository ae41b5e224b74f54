"""`puente`, the command line of the app env.

Each command group lives in its own module under `service_directory/commands/` and
exposes `register(subparsers)`; add a group by adding it to `GROUPS`.
"""
from __future__ import annotations

import argparse
import importlib
import sys

GROUPS = ["db", "directory", "users", "entitlements", "worker", "chat", "demo", "stats"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="puente", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="group", required=True)
    for name in GROUPS:
        try:
            module = importlib.import_module(f"service_directory.commands.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"service_directory.commands.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
