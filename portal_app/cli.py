"""The `portal` command: what an operator does without touching the database."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import OperationalError

from portal_app import access, business, demo
from portal_app.accounts import invitations
from portal_app.accounts.errors import FieldError
from portal_app.settings import get_settings

# How the invite command names each field in its error messages.
INVITE_OPTIONS = {"email": "email", "full_name": "--name", "apps": "--app"}


def _seed_demo(args: argparse.Namespace) -> int:
    if args.if_empty and not demo.database_is_empty():
        return 0
    seed = demo.seed_demo()
    if seed.created:
        print(f"Created the demo business '{demo.DEMO_BUSINESS_NAME}'.")
        print(f"Demo login: {seed.email} / {seed.password}")
    else:
        print("The database already has a business; nothing was seeded.")
    return 0


def _set_duplicates(args: argparse.Namespace) -> int:
    try:
        business.set_allow_duplicate_contacts(args.value == "on")
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"allow_duplicate_contacts is now {args.value}")
    return 0


def _invite(args: argparse.Namespace) -> int:
    try:
        result = invitations.invite(email=args.email, full_name=args.name, app_keys=args.apps)
    except FieldError as error:
        print(f"error: {INVITE_OPTIONS.get(error.field, error.field)}: {error.message}", file=sys.stderr)
        return 1
    except OperationalError as error:
        print(f"error: the database is not ready (run the migrations first): {error.orig}", file=sys.stderr)
        return 1
    settings = get_settings()
    carrying = "a login code and a sign-in link" if result.with_link else "a login code"
    apps = ", ".join(result.app_titles)
    print(f"Invited {result.full_name} <{result.email}> (account {result.account_id}) to {apps}.")
    print(
        f"The invitation email with {carrying} (valid until {result.code_expires_at:%Y-%m-%d %H:%M} UTC)"
        " is in the outbox."
    )
    if settings.email_backend == "dev-mailbox":
        print(f"No email provider is configured: read it at {settings.public_url}/dev/mailbox")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Operate the Client Portal.")
    commands = parser.add_subparsers(dest="command", required=True)

    seed = commands.add_parser("seed-demo", help="create a demo business and a demo client account")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no business and no account")
    seed.set_defaults(run=_seed_demo)

    duplicates = commands.add_parser(
        "allow-duplicate-contacts", help="let several accounts share one email (on) or not (off, the default)"
    )
    duplicates.add_argument("value", choices=["on", "off"])
    duplicates.set_defaults(run=_set_duplicates)

    invite = commands.add_parser(
        "invite",
        help="create an account for someone who already has an app, and email them a login code",
        description=(
            "Create a passwordless account and email an invitation with a login code (and a sign-in link when"
            " magic links are on). The person logs in with it at once, and later with \"Email me a code\"."
        ),
    )
    invite.add_argument("email", help="the person's email address")
    invite.add_argument("--name", required=True, help='the person\'s full name, e.g. "Grace Hopper"')
    invite.add_argument(
        "--app",
        dest="apps",
        action="append",
        required=True,
        metavar="APP",
        help=f"an app to give access to; repeat for several ({', '.join(access.PRODUCT_APPS)})",
    )
    invite.set_defaults(run=_invite)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
