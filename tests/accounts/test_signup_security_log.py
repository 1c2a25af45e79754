"""An account made by signup starts its security log with "Account created", from the browser that
verified the code, in the same transaction as the account."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from portal_app.accounts import security_log, signup, tickets
from portal_app.accounts.models import Account, SecurityEvent
from portal_app.accounts.ui.signup_state import VerifyState
from portal_app.apps.hooks import AccountOrigin
from portal_app.kernel import db
from tests.support.accounts import accounts_for, begin_signup, latest_code, sign_up
from tests.support.pipeline import CLIENT_IP

EMAIL = "ada@example.com"


def logged(kind: str = "account_created") -> list[SecurityEvent]:
    with db.read_session() as session:
        return list(session.exec(select(SecurityEvent).where(SecurityEvent.kind == kind)))


async def test_verifying_the_code_in_the_browser_logs_the_account_created_from_it(pipeline):
    flow = begin_signup(EMAIL)
    client = await pipeline.connect("/verify", cookie=f"{tickets.SIGNUP_COOKIE}={flow}")
    await client.send(VerifyState.verify, {"form_data": {"code": latest_code(EMAIL)}})

    [account] = accounts_for(EMAIL)
    [line] = security_log.for_account(account.id)
    assert (line.kind, line.what, line.method) == ("account_created", "Account created", "signup")
    assert (line.ip, line.user_agent) == (CLIENT_IP, "pytest-states")


def test_signing_up_again_on_an_existing_email_creates_and_logs_no_account(database, frozen_clock):
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    flow = begin_signup(EMAIL, full_name="Someone Else")
    signup.verify_signup(flow, latest_code(EMAIL), origin=AccountOrigin(ip="192.0.2.7"), user_agent="Firefox")
    assert len(accounts_for(EMAIL)) == 1 and len(logged()) == 1


def test_no_log_line_no_account(database):
    flow = begin_signup(EMAIL)
    with db.write_session() as session:
        session.connection().exec_driver_sql(
            "CREATE TRIGGER refuse_log BEFORE INSERT ON securityevent BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    with pytest.raises(SQLAlchemyError):
        signup.verify_signup(flow, latest_code(EMAIL), origin=AccountOrigin(ip="192.0.2.7"), user_agent="Firefox")
    with db.read_session() as session:
        assert session.exec(select(Account)).all() == []


def test_a_user_agent_that_is_not_text_is_logged_as_none(database):
    flow = begin_signup(EMAIL)
    signup.verify_signup(flow, latest_code(EMAIL), user_agent={"not": "text"})
    [line] = logged()
    assert (line.ip, line.user_agent, line.method) == ("", "", "signup")
