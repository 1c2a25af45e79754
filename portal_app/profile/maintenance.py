"""Purging what the email change leaves behind once it can no longer be used."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import delete

from portal_app.kernel import clock, db
from portal_app.profile.models import EmailChange, EmailChangeRevert

# An expired link still says "expired" (not "not valid") on its page for this long.
KEEP_EXPIRED_LINKS = timedelta(days=30)


def purge_expired() -> dict[str, int]:
    """Delete changes past their page's grace period and "This wasn't me" links a month after they expired."""
    now = clock.now()
    with db.write_session() as session:
        changes = session.exec(delete(EmailChange).where(EmailChange.expires_at <= now)).rowcount
        links = session.exec(
            delete(EmailChangeRevert).where(EmailChangeRevert.expires_at <= now - KEEP_EXPIRED_LINKS)
        ).rowcount
    return {"email_changes": changes, "revert_links": links}
