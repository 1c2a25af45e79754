"""The `portal` command: what an operator does without touching the database."""

from __future__ import annotations

import argparse
import sys

from portal_app import business, demo


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
