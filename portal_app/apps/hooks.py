"""Lifecycle hooks: what an app does when the core changes an account it cares about.

An app declares `hooks={"granted": "package.module:function", ...}` (events in registry.HOOK_EVENTS);
each is called as fn(session, account_id) inside the transaction that made the change, so the
app's work commits or rolls back with it. An app hooks its own grants only; account events reach
every app. "account_created" (a person signed up) is called as fn(session, account_id, origin), with
the AccountOrigin of the browser that signed up: its IP and the app's own cookies only (names
starting with the app's cookie_prefix), so an app can attribute the signup (a referral link the
browser followed) without seeing any other cookie. The export hook is separate: `export_account` gathers what every app holds on a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from portal_app.apps import registry
from portal_app.apps.registry import resolve


@dataclass(frozen=True)
class AccountOrigin:
    """Where a new account came from: the signing-up browser's IP and cookies (each app sees its own)."""

    ip: str = ""
    cookies: Mapping[str, str] = field(default_factory=dict)

    def for_app(self, prefix: str) -> "AccountOrigin":
        return AccountOrigin(self.ip, {name: value for name, value in self.cookies.items() if name.startswith(prefix)})


def fire(
    session: Session,
    event: str,
    account_id: int,
    *,
    app_key: str | None = None,
    origin: AccountOrigin | None = None,
) -> None:
    """Run the `event` hook of one app (app_key) or of every app that declares it, in registry order."""
    if event not in registry.HOOK_EVENTS:
        raise ValueError(f"no hook event {event!r}")
    apps = [registry.get_app(app_key)] if app_key is not None else registry.all_apps()
    for app in apps:
        reference = app.hooks.get(event) if app is not None else None
        if not reference:
            continue
        if event == "account_created":
            resolve(reference)(session, account_id, (origin or AccountOrigin()).for_app(app.cookie_prefix))
        else:
            resolve(reference)(session, account_id)


def export_account(account_id: int) -> dict[str, object]:
    """app key -> what that app holds about the account, for every app with an export hook."""
    return {app.key: resolve(app.export)(account_id) for app in registry.all_apps() if app.export}
