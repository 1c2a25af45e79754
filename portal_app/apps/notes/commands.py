"""`portal notes usage`: the same counts as the owner's Notes page, from a shell."""

from __future__ import annotations

import argparse

from portal_app.apps.notes import service


def _usage(_args: argparse.Namespace) -> int:
    usage = service.usage()
    print(f"{usage.notes} notes by {usage.writers} people; {usage.added_last_7_days} added in the last 7 days.")
    return 0


def add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="notes_command", required=True)
    commands.add_parser("usage", help="how many notes there are, by how many people").set_defaults(run=_usage)
