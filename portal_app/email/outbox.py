"""Putting emails in the outbox. The caller's transaction commits the email with its code."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import wakeup
from portal_app.email.models import OutboxEmail
from portal_app.email.render import render
from portal_app.kernel import clock, db
from portal_app.kernel.settings import get_settings


def enqueue(
    session: Session, *, to: str, template: str, context: dict, folder: Path | None = None, label: str | None = None
) -> OutboxEmail:
    """Render a template and add it to the outbox inside the caller's transaction.

    `folder` is a child app's template folder (the core's otherwise); `label` is what the outbox
    records as the template's name (e.g. "notes:note_copy").
    """
    business = session.get(Business, BUSINESS_ID)
    full_context = {
        "business_name": business.name if business else "Client Portal",
        "public_url": get_settings().public_url,
        **context,
    }
    rendered = render(template, full_context, folder=folder)
    now = clock.now()
    email = OutboxEmail(
        to_email=to,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        template=label or template,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(email)
    wakeup.wake_after_commit(session)
    return email


def delivery_state(email: str) -> str:
    """How the newest email to `email` is doing, for pages that just said "we sent you a code": "sent",
    "waiting" (not tried yet), "delayed" (tried and failed, trying again), "failed" (given up), or "" (none)."""
    with db.read_session() as session:
        row = session.exec(
            select(OutboxEmail).where(OutboxEmail.to_email == email).order_by(col(OutboxEmail.id).desc())
        ).first()
    if row is None:
        return ""
    if row.status == "pending":
        return "delayed" if row.attempts > 0 else "waiting"
    return row.status


DELAYED = "Our email service is slow right now: your code may take a few minutes to arrive, and it works when it does."
FAILED = "We could not deliver the email to this address. Check the address, or ask for a new code."


def delay_notice(email: str) -> str:
    """What a page says about the code email it sent to `email`: "" while all is well."""
    return {"delayed": DELAYED, "failed": FAILED}.get(delivery_state(email), "")
