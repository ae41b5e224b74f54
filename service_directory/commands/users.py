"""`puente users create --name NAME --role admin|curator|analyst [--org ID] [--email EMAIL]`.

Prints the new API key on stdout (first line, alone, so scripts can capture it) and,
with --email, a one-time link `{APP_URL}/ui/invite/<token>` to set a web UI password
(second line). Everything else goes to stderr.
"""
from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import OperationalError, ProgrammingError

from .. import accounts, audit
from ..config import get_settings
from ..db import session_scope
from ..models.accounts import ROLES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="users and API keys")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a user and print their API key")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--org", action="append", default=[], metavar="ID",
                        help="an organization the curator curates (repeat for several)")
    create.add_argument("--email", help="also print a one-time link to set a web UI password")
    create.set_defaults(handler=create_user)


def create_user(args: argparse.Namespace) -> int:
    try:
        with session_scope() as session:
            user = accounts.create_user(session, name=args.name, role=args.role,
                                        email=args.email, organization_ids=args.org)
            issued = accounts.issue_api_key(session, user, label="puente users create")
            invite = accounts.create_invite(session, user) if user.email else None
            audit.record(session, "cli", "create", "user", user.id, None,
                         {**(audit.snapshot(user) or {}), "organization_ids": user.organization_ids})
            user_id, role = user.id, user.role
    except accounts.AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OperationalError, ProgrammingError) as error:
        print(f"error: the database is not ready ({error.orig}); run `puente db upgrade` first",
              file=sys.stderr)
        return 1
    print(issued.token)
    if invite:
        print(accounts.invite_url(get_settings().app_url, invite))
    print(f"created {role} {args.name} (id {user_id}); send the key as "
          f"'Authorization: Bearer KEY'", file=sys.stderr)
    return 0
