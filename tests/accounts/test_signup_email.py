"""The first email to an unproven address says nothing the signup form's typist chose: no name, no password,
nothing but the code, for a new address and for one that already has an account, sent or sent again.

Anyone can type a stranger's address into the signup form; whatever else they typed must not reach that
inbox in the business's name (a phishing line in the "name" field, say).
"""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from portal_app.accounts import signup
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from tests.support.accounts import PASSWORD, begin_signup, latest_code, sign_up

VICTIM = "victim@example.com"
BAIT_NAME = "Your account is suspended. Call +1 555 0100 or visit evil.example/login"
BAIT_PASSWORD = "visit-evil.example-now-77"


def emails_to(address: str) -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(
            session.exec(select(OutboxEmail).where(OutboxEmail.to_email == address).order_by(col(OutboxEmail.id)))
        )


def parts(email: OutboxEmail) -> str:
    return "\n".join([email.subject, email.text_body, email.html_body])


def without_code(email: OutboxEmail, code: str) -> tuple[str, str, str]:
    return tuple(part.replace(code, "<code>") for part in (email.subject, email.text_body, email.html_body))


def assert_says_nothing_typed(email: OutboxEmail) -> None:
    for typed in (BAIT_NAME, "evil.example", "555 0100", BAIT_PASSWORD):
        assert typed not in parts(email), f"{typed!r} reached the inbox"


@pytest.fixture
def resend_at_once(database, settings_env):
    settings_env(PORTAL_CODE_RESEND_SECONDS="0")


def test_the_signup_code_email_does_not_repeat_the_typed_name_or_anything_else_typed(resend_at_once):
    flow = begin_signup(VICTIM, full_name=BAIT_NAME, password=BAIT_PASSWORD)
    signup.resend_signup_code(flow, ip="203.0.113.5")
    first, again = emails_to(VICTIM)
    for email in (first, again):
        assert email.template == "signup_code"
        assert_says_nothing_typed(email)
        assert email.text_body.startswith("Hello,\n")


def test_the_signup_code_email_is_the_same_whatever_was_typed(resend_at_once):
    begin_signup("one@example.com", full_name=BAIT_NAME, password=BAIT_PASSWORD)
    begin_signup("two@example.com", full_name="Ada Lovelace", password=PASSWORD)
    [one], [two] = emails_to("one@example.com"), emails_to("two@example.com")
    assert without_code(one, latest_code("one@example.com")) == without_code(two, latest_code("two@example.com"))


def test_the_existing_account_email_does_not_repeat_what_the_new_signup_typed(resend_at_once):
    sign_up(VICTIM, full_name="Real Owner")
    flow = begin_signup(VICTIM, full_name=BAIT_NAME, password=BAIT_PASSWORD)
    signup.resend_signup_code(flow, ip="203.0.113.5")
    *_, first, again = emails_to(VICTIM)
    for email in (first, again):
        assert email.template == "existing_account_code"
        assert_says_nothing_typed(email)
        assert "Real Owner" not in parts(email)
