"""`puente stats roll` (retention) and `puente stats demo --days 30` (synthetic events)."""
from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("stats", help="usage statistics")
    commands = parser.add_subparsers(dest="command", required=True)
    roll = commands.add_parser("roll", help="roll raw events older than STATS_RAW_DAYS "
                                            "into weekly counts and delete them")
    roll.add_argument("--raw-days", type=int, default=None,
                      help="keep raw events this many days (default STATS_RAW_DAYS)")
    roll.set_defaults(handler=run_roll)
    demo = commands.add_parser("demo", help="replace the demo (synthetic) events with "
                                            "a fresh set; real events are untouched")
    demo.add_argument("--days", type=int, default=30, help="days of events (default 30)")
    demo.add_argument("--per-day", type=int, default=150, help="conversations a day (default 150)")
    demo.set_defaults(handler=run_demo)


def run_roll(args: argparse.Namespace) -> int:
    from ..db import session_scope
    from ..stats.retention import roll_exclusively

    with session_scope() as session:
        result = roll_exclusively(session, raw_days=args.raw_days)
    if result is None:
        print("another roll is running (a worker's daily roll): nothing done")
        return 0
    print(f"rolled {result.events} events older than {result.cutoff:%Y-%m-%d %H:%M} UTC "
          f"into {result.rows} weekly rows")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from .. import migrate
    from ..db import session_scope
    from ..stats.demo import replace_demo_events

    migrate.upgrade()
    with session_scope() as session:
        written = replace_demo_events(session, args.days, per_day=args.per_day)
    print(f"wrote {written} synthetic events over {args.days} days "
          "(see them with ?synthetic=true)", file=sys.stderr)
    return 0
