"""Putting emails in the outbox. The caller's transaction commits the email with its code."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.email.render import render
from portal_app.kernel import clock
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
    return email
