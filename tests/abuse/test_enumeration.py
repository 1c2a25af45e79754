"""Enumeration: every sign-in flow answers a known and an unknown email alike (the same words, the same rate
events; an email only where the owner of a real address should hear of it), so nobody learns from the
portal's answers whether an address has an account, an invitation or a staff login.

How long each answer takes is measured apart, in benchmarks/enumeration_timing.py (timed assertions flake
on shared machines): docs/security.md has its figures and the tolerance.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from portal_app.accounts import code_login, invitations, login, signup
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.models import RateEvent
from portal_app.admin import staff_login
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, PASSWORD, sign_up
from tests.support.admin import BROWSER, STAFF_EMAIL, STAFF_PASSWORD, create_staff
from tests.support.browser import TEST_BROWSER

KNOWN = "ada@example.com"
INVITED = "ivy@example.com"
UNKNOWN = "nobody@example.com"


def answer(call) -> str:
    try:
        result = call()
    except (FieldError, LoginFailed) as refused:
        return f"{type(refused).__name__}: {getattr(refused, 'field', '')}: {refused.message}"
    return type(result).__name__


def events(key: str) -> Counter:
    """The rate events an email leaves, under its own key and its pair keys (the email's part replaced)."""
    with db.read_session() as session:
        rows = session.exec(select(RateEvent.kind, RateEvent.key)).all()
    return Counter(kind for kind, row_key in rows if row_key == key or row_key.startswith(f"{key}|"))


def emails_to(address: str) -> list[str]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail.template).where(OutboxEmail.to_email == address)))


@pytest.fixture
def people(database, frozen_clock):
    sign_up(KNOWN)
    invitations.invite(email=INVITED, full_name="Ivy Invited", app_keys=["notes"])
    create_staff()
    frozen_clock.advance(minutes=5)


def test_password_login_answers_alike(people):
    before = {email: events(email) for email in (KNOWN, INVITED, UNKNOWN)}
    said = {
        email: [
            answer(lambda: login.password_login(email=email, password="wrong-password-99", ip=IP)) for _ in range(7)
        ]
        for email in (KNOWN, INVITED, UNKNOWN)
    }
    assert said[KNOWN] == said[INVITED] == said[UNKNOWN]
    assert said[KNOWN][0] == f"LoginFailed: : {login.INCORRECT}" and said[KNOWN][-1].startswith(
        "LoginFailed: : Too many"
    )
    left = {email: events(email) - before[email] for email in (KNOWN, INVITED, UNKNOWN)}
    assert left[KNOWN] == left[INVITED] == left[UNKNOWN]


def test_asking_for_a_login_code_answers_alike_and_only_real_addresses_get_mail(people, frozen_clock):
    before = {email: len(emails_to(email)) for email in (KNOWN, INVITED, UNKNOWN)}
    said = {}
    for email in (KNOWN, INVITED, UNKNOWN):
        said[email] = [answer(lambda: code_login.request_login_code(email=email, ip=IP, device=TEST_BROWSER))]
        said[email] += [
            answer(lambda: code_login.login_with_code(email=email, code="000000", ip=IP, device=TEST_BROWSER))
            for _ in range(6)
        ]
    assert said[KNOWN] == said[INVITED] == said[UNKNOWN]
    after = {email: len(emails_to(email)) - before[email] for email in (KNOWN, INVITED, UNKNOWN)}
    assert after == {KNOWN: 1, INVITED: 1, UNKNOWN: 0}


def test_entering_a_code_without_asking_answers_alike(people):
    before = {email: events(email) for email in (KNOWN, INVITED, UNKNOWN)}
    said = {
        email: [
            answer(lambda: code_login.login_with_code(email=email, code="123456", ip=IP, device=TEST_BROWSER))
            for _ in range(6)
        ]
        for email in (KNOWN, INVITED, UNKNOWN)
    }
    assert said[KNOWN] == said[INVITED] == said[UNKNOWN]
    assert all(events(email) == before[email] for email in (KNOWN, INVITED, UNKNOWN))  # nothing counted


def test_signing_up_answers_alike(people):
    said = {
        email: answer(
            lambda: signup.start_signup(full_name="Some One", email=email, password=PASSWORD, ip="198.51.100.4")
        )
        for email in (KNOWN, UNKNOWN)
    }
    assert said[KNOWN] == said[UNKNOWN] == "str"  # a ticket to the "enter your code" page, either way
    # Both addresses get one email: a signup code, or (already an account) a login code that says so.
    assert emails_to(UNKNOWN)[-1] == "signup_code" and emails_to(KNOWN)[-1] == "existing_account_code"


def test_staff_sign_in_answers_alike(people):
    said = {
        email: [
            answer(
                lambda: staff_login.start_login(email=email, password="wrong-password-99", ip=IP, browser_token=BROWSER)
            )
            for _ in range(6)
        ]
        for email in (STAFF_EMAIL, KNOWN, UNKNOWN)
    }
    assert said[STAFF_EMAIL] == said[KNOWN] == said[UNKNOWN]
    assert (
        answer(
            lambda: staff_login.start_login(
                email=STAFF_EMAIL, password=STAFF_PASSWORD, ip="198.51.100.7", browser_token=BROWSER
            )
        )
        == "CodeSent"
    )
