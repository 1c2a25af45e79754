"""notify(): a child app emails one of its people, the way the person asked.

The email goes through the portal's outbox in the caller's transaction (so it is sent only if the
app's change commits), rendered from the app's own templates (portal_app/apps/<key>/emails/<name>.txt
and .html, which may extend the core's "_layout.html"). It is not sent when the person switched
this app's emails off on their profile, or when the account is disabled.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from portal_app.accounts.models import Account
from portal_app.apps import registry
from portal_app.email import outbox
from portal_app.profile.models import Profile

EMAILS_FOLDER = "emails"


@dataclass(frozen=True)
class Notified:
    sent: bool
    # Why not, when not sent: "opted_out", "disabled" or "no_account".
    reason: str | None = None


def wants_email(profile: Profile | None, app_key: str) -> bool:
    """The person's choice for this app's emails: on unless they switched it off."""
    return profile is None or bool((profile.email_notifications or {}).get(app_key, True))


def notify(session: Session, account_id: int, app_key: str, template: str, context: dict | None = None) -> Notified:
    """Queue the app's email `template` to the account, unless the person does not want it.

    The template's context has full_name and app_title, plus the outbox's business_name and public_url,
    plus `context`.
    """
    app = registry.get_app(app_key)
    if app is None:
        raise ValueError(f"unknown app {app_key!r}")
    account = session.get(Account, account_id)
    if account is None:
        return Notified(False, "no_account")
    if account.disabled_at is not None:
        return Notified(False, "disabled")
    if not wants_email(session.get(Profile, account_id), app.key):
        return Notified(False, "opted_out")
    outbox.enqueue(
        session,
        to=account.email,
        template=template,
        context={"full_name": account.full_name, "app_title": app.title, **(context or {})},
        folder=app.folder / EMAILS_FOLDER,
        label=f"{app.key}:{template}"[:64],
    )
    return Notified(True)
