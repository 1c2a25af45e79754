"""Lifecycle hooks: what an app does when the core changes an account it cares about.

An app declares `hooks={"granted": "package.module:function", ...}` (events in registry.HOOK_EVENTS);
each is called as fn(session, account_id) inside the transaction that made the change, so the
app's work commits or rolls back with it. An app hooks its own grants only; account events reach
every app. The export hook is separate: `export_account` gathers what every app holds on a person.
"""

from __future__ import annotations

from sqlmodel import Session

from portal_app.apps import registry
from portal_app.apps.registry import resolve


def fire(session: Session, event: str, account_id: int, *, app_key: str | None = None) -> None:
    """Run the `event` hook of one app (app_key) or of every app that declares it, in registry order."""
    if event not in registry.HOOK_EVENTS:
        raise ValueError(f"no hook event {event!r}")
    apps = [registry.get_app(app_key)] if app_key is not None else registry.all_apps()
    for app in apps:
        reference = app.hooks.get(event) if app is not None else None
        if reference:
            resolve(reference)(session, account_id)


def export_account(account_id: int) -> dict[str, object]:
    """app key -> what that app holds about the account, for every app with an export hook."""
    return {app.key: resolve(app.export)(account_id) for app in registry.all_apps() if app.export}
