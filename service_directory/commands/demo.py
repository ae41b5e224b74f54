"""`puente demo` (what `make demo` runs): sample data, the whole stack, then a chat.

Loads the sample directory and entitlements (fictional or to be reviewed), starts
the Procfile's processes with honcho in the background with TWILIO_API_BASE at the
chat's local fake Twilio (so slow replies sent through the REST API show too), waits
until the app and Rasa answer, runs `puente chat`, and stops everything on exit.
Nothing leaves the machine: no Twilio account is needed.
"""
from __future__ import annotations

import argparse
import os
import sys

from ..stack import ROOT, load_sample_data, procfile_stack
from . import chat


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="sample data, the whole stack, and a chat")
    chat.add_arguments(parser)
    parser.add_argument("--timeout", type=float, default=240,
                        help="seconds to wait for the stack to be ready")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("Loading the sample directory and entitlements...")
    load_sample_data()
    rasa_port = os.environ.get("RASA_PORT", "5005")
    app_port = os.environ.get("APP_PORT", "8000")
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    session = chat.ChatSession(rasa_url, args.channel, args.sender, args.auth_token, rasa_url)
    receiver = chat.start_receiver(session.address, args.channel, args.receiver_port)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TWILIO_API_BASE": receiver.base_url,
           "PUBLIC_BASE_URL": rasa_url, "TWILIO_AUTH_TOKEN": args.auth_token,
           "RASA_PORT": rasa_port, "APP_PORT": app_port,
           "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.setdefault("ACTION_PORT", "5055")
    env.setdefault("APP_URL", f"http://127.0.0.1:{app_port}")
    env.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{env['ACTION_PORT']}")
    log_path = ROOT / ".cache" / "demo-stack.log"
    log_path.parent.mkdir(exist_ok=True)
    print(f"Starting the stack (log: {log_path}); the first start takes a minute...")
    try:
        with procfile_stack(env, log_path, [f"{env['APP_URL']}/healthz", f"{rasa_url}/"],
                            args.timeout):
            print(f"Ready. You are {session.address} on {args.channel}; "
                  "try: hola, menu, STOP.")
            chat.chat_loop(session)
    except RuntimeError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 1
    finally:
        receiver.stop()
    return 0
