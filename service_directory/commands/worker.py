"""`puente worker [--once]`: the reminder worker (started by `make serve`)."""
from __future__ import annotations

import argparse
import logging
import sys
import threading


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="send due reminders and check-ins")
    parser.add_argument("--once", action="store_true",
                        help="send what is due now and exit")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between passes (default 5)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..db import session_factory
    from ..reminders.sender import ConnectorSender
    from ..reminders.worker import WorkerConfig, run_forever, run_once
    from ..stats.retention import roll_every

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sender = ConnectorSender()
    config = WorkerConfig.from_env()
    try:
        if args.once:
            tally = run_once(session_factory(), sender, config)
            print(" ".join(f"{k}={v}" for k, v in sorted(tally.counts.items())) or "nothing due",
                  file=sys.stderr)
            return 0
        # statistics retention rides along: rolled at start, then daily (README "Statistics")
        threading.Thread(target=roll_every, args=(session_factory(),), daemon=True,
                         name="stats-roll").start()
        run_forever(session_factory(), sender, config, args.interval)
    except KeyboardInterrupt:
        return 0
    finally:
        sender.close()
    return 0
