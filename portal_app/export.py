"""Everything the portal holds about one account, for the person's data download (`portal export-account`).

The core's part (account, profile, grants, timeline) and each app's part from its export hook.
Secrets never leave: no password hash, no code or token.
"""

from __future__ import annotations

import dataclasses

from sqlmodel import col, select

from portal_app.accounts.models import Account
from portal_app.apps import grants, hooks
from portal_app.kernel import db
from portal_app.profile import service as profile_service
from portal_app.timeline.models import Activity


def export_account(account_id: int) -> dict[str, object]:
    """A JSON-ready dict; LookupError when there is no such account."""
    with db.read_session() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise LookupError(f"there is no account {account_id}")
        roles = grants.granted_roles(session, account_id)
        timeline = list(
            session.exec(select(Activity).where(Activity.account_id == account_id).order_by(col(Activity.occurred_at)))
        )
    profile = profile_service.profile_for_apps(account_id)
    return {
        "account": {
            "id": account.id,
            "email": account.email,
            "full_name": account.full_name,
            "created_at": account.created_at.isoformat(),
            "email_verified_at": account.email_verified_at.isoformat() if account.email_verified_at else None,
            "has_password": account.password_hash is not None,
        },
        "profile": dataclasses.asdict(profile) if profile is not None else None,
        "apps": {key: {"role": role} for key, role in sorted(roles.items())},
        "timeline": [
            {"at": entry.occurred_at.isoformat(), "app": entry.app_key, "kind": entry.kind, "summary": entry.summary}
            for entry in timeline
        ],
        "app_data": hooks.export_account(account_id),
    }
