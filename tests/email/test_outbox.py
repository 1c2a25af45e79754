"""The outbox is written in the caller's transaction, with everything a code email must carry."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.email.outbox import enqueue
from portal_app.kernel.db import read_session, write_session

SIGNUP_CONTEXT = {"full_name": "Ada Lovelace", "code": "482913", "expires_minutes": 15}


def all_emails() -> list[OutboxEmail]:
    with read_session() as session:
        return list(session.exec(select(OutboxEmail)))


def test_email_is_not_kept_when_the_transaction_fails(database):
    with pytest.raises(RuntimeError), write_session() as session:
        enqueue(session, to="ada@example.com", template="signup_code", context=SIGNUP_CONTEXT)
        session.flush()
        raise RuntimeError("the code could not be stored")
    assert all_emails() == []


def test_committed_signup_email_is_pending_with_both_parts(database, frozen_clock):
    with write_session() as session:
        enqueue(session, to="ada@example.com", template="signup_code", context=SIGNUP_CONTEXT)

    [email] = all_emails()
    assert (email.status, email.attempts, email.to_email, email.template) == (
        "pending",
        0,
        "ada@example.com",
        "signup_code",
    )
    assert email.created_at == email.next_attempt_at == frozen_clock.current
    assert email.subject == "482913 is your Test Business verification code"
    for part in (email.text_body, email.html_body):
        assert "Test Business" in part
        assert "482913" in part
        assert "expires in 15 minutes" in part
        assert "If you did not sign up for Test Business, you can ignore this email" in part
    assert email.html_body.lstrip().startswith("<!doctype html>")
    assert "<html" not in email.text_body


@pytest.mark.parametrize(
    ("template", "context", "ignore_line"),
    [
        (
            "existing_account_code",
            {"code": "111222", "expires_minutes": 15},
            "If you did not try to sign up, you can ignore this email",
        ),
        ("test_email", {"sent_at": "2026-01-15 12:00 UTC"}, "If you did not ask for this email, you can ignore it"),
    ],
)
def test_every_template_names_the_business_and_tells_strangers_what_to_do(database, template, context, ignore_line):
    with write_session() as session:
        enqueue(session, to="ada@example.com", template=template, context=context)
    [email] = all_emails()
    assert "Test Business" in email.subject
    for part in (email.text_body, email.html_body):
        assert "Test Business" in part
        assert ignore_line in part
        if "code" in context:
            assert context["code"] in part


def test_business_name_is_escaped_in_the_html_part(database):
    with write_session() as session:
        session.get(Business, BUSINESS_ID).name = "Smith & <Sons>"
    with write_session() as session:
        enqueue(session, to="ada@example.com", template="signup_code", context=SIGNUP_CONTEXT)
    [email] = all_emails()
    assert "Smith &amp; &lt;Sons&gt;" in email.html_body
    assert "<Sons>" not in email.html_body
    assert "Smith & <Sons>" in email.text_body
