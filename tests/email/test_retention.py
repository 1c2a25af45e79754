"""Codes in emails do not stay readable: redacted once really delivered, deleted after a few days."""

from __future__ import annotations

from sqlmodel import select

from portal_app.email import outbox
from portal_app.email.delivery import REDACTED, deliver_due, purge_finished_emails
from portal_app.email.models import OutboxEmail
from portal_app.email.senders import DevMailboxSender, SendResult
from portal_app.kernel import db


class AcceptingProvider:
    """A real backend as far as delivery is concerned: it accepts every message."""

    name = "sendgrid"

    def send(self, email: OutboxEmail) -> SendResult:
        return SendResult.delivered("msg-1")


def _enqueue_code_email() -> None:
    with db.write_session() as session:
        outbox.enqueue(
            session,
            to="ada@example.com",
            template="signup_code",
            context={"code": "493817", "expires_minutes": 15, "full_name": "Ada"},
        )


def _only_email() -> OutboxEmail:
    with db.read_session() as session:
        return session.exec(select(OutboxEmail)).one()


def test_a_really_delivered_email_keeps_no_code(database, frozen_clock):
    _enqueue_code_email()
    deliver_due(AcceptingProvider(), worker_id="w1")
    email = _only_email()
    assert email.status == "sent"
    assert "493817" not in email.subject + email.text_body + email.html_body
    assert email.text_body == REDACTED


def test_the_dev_mailbox_keeps_the_email_readable(database, frozen_clock):
    _enqueue_code_email()
    deliver_due(DevMailboxSender(), worker_id="w1")
    assert "493817" in _only_email().text_body


def test_finished_emails_are_deleted_after_three_days(database, frozen_clock):
    _enqueue_code_email()
    deliver_due(DevMailboxSender(), worker_id="w1")
    frozen_clock.advance(days=2)
    assert purge_finished_emails() == 0
    frozen_clock.advance(days=1, seconds=1)
    assert purge_finished_emails() == 1
    with db.read_session() as session:
        assert session.exec(select(OutboxEmail)).all() == []


def test_pending_emails_are_never_purged(database, frozen_clock):
    _enqueue_code_email()
    frozen_clock.advance(days=10)
    assert purge_finished_emails() == 0
