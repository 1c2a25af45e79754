"""apps/confirm: an app confirms a sensitive change with a code to the account's email, under the portal's code rules."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.apps import confirm
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.apps.support import add_account
from tests.support.accounts import latest_code


@pytest.fixture
def ada(database, frozen_clock) -> int:
    return add_account("ada@example.com", "Ada Lovelace")


def test_the_code_goes_to_the_account_email_and_confirms_once(ada):
    confirm.send_code(ada, "affiliates", "change where your payouts go", ip="203.0.113.5")
    with db.read_session() as session:
        [email] = session.exec(select(OutboxEmail).where(OutboxEmail.template == confirm.TEMPLATE)).all()
    assert email.to_email == "ada@example.com" and "change where your payouts go" in email.subject
    code = latest_code("ada@example.com")
    confirm.check_code(ada, "affiliates", f" {code[:3]} {code[3:]} ")
    with pytest.raises(FieldError):
        confirm.check_code(ada, "affiliates", code)  # used up


def test_a_code_for_one_app_confirms_nothing_in_another_and_bad_input_is_refused(ada):
    confirm.send_code(ada, "affiliates", "change where your payouts go", ip="203.0.113.5")
    code = latest_code("ada@example.com")
    with pytest.raises(FieldError):
        confirm.check_code(ada, "courses", code)
    for bad in ("", "12345", "1234567", "abcdef", None, 123456, ["123456"]):
        with pytest.raises(FieldError, match="6-digit"):
            confirm.check_code(ada, "affiliates", bad)
    confirm.check_code(ada, "affiliates", code)
    with pytest.raises(ValueError):
        confirm.send_code(ada, "no_such_app", "x", ip="")


def test_wrong_codes_use_up_the_attempts_and_sending_is_limited(ada):
    confirm.send_code(ada, "affiliates", "change where your payouts go", ip="203.0.113.5")
    code = latest_code("ada@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(FieldError):
            confirm.check_code(ada, "affiliates", wrong)
    with pytest.raises(FieldError):
        confirm.check_code(ada, "affiliates", code)  # the attempts are gone
    with pytest.raises(FieldError, match="several codes"):
        for _ in range(10):
            confirm.send_code(ada, "affiliates", "change where your payouts go", ip="203.0.113.5")
