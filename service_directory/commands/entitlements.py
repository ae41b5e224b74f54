"""`puente entitlements load-sample`: load the sample entitlements (SAMPLE, to be reviewed)."""
from __future__ import annotations

import argparse
import sys

from ..db import session_scope


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("entitlements", help="entitlements knowledge")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load-sample", help="load or refresh the sample content (idempotent)")
    load.set_defaults(handler=load_sample)


def load_sample(_args: argparse.Namespace) -> int:
    from ..entitlements_data.load import load_sample_entitlements

    with session_scope() as session:
        counts = load_sample_entitlements(session)
    print(f"sample entitlements loaded: {counts['entitlements']} entries, "
          f"{counts['contacts']} contacts, {counts['countries']} countries", file=sys.stderr)
    return 0
