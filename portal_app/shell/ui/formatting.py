"""Turning service views into the plain strings the pages show."""

from __future__ import annotations

from datetime import datetime


def short_date(moment: datetime | None) -> str:
    return moment.strftime("%-d %b %Y") if moment else "never"


def date_time(moment: datetime | None, *, missing: str = "never") -> str:
    """ "4 Dec 2026, 18:24 UTC" (a stored UTC moment), or `missing`."""
    return moment.strftime("%-d %b %Y, %H:%M UTC") if moment else missing


def account_rows(accounts) -> list[dict[str, str]]:
    """Rows for account lists (chooser, switcher): only what the person may see of each account."""
    return [
        {
            "id": str(account.id),
            "name": account.full_name,
            "created": short_date(account.created_at),
            "apps": ", ".join(account.app_titles) or "No apps yet",
            "last_used": short_date(account.last_used_at),
        }
        for account in accounts
    ]
