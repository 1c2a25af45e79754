"""The duplicate rule under fire: 20 verifications at once for one email make exactly one account.

Runs on a SQLite file and on the PostgreSQL server at 127.0.0.1:5432 (skipped, saying so, when
that server is not reachable).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from portal_app.accounts import signup
from portal_app.accounts.models import LoginTicket, PendingSignup
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import accounts_for, begin_signup, latest_code

EMAIL = "ada@example.com"
THREADS = 20


def allow_duplicates() -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.allow_duplicate_contacts = True
        session.add(business)


def all_at_once(calls: list) -> list:
    """Run the calls in parallel threads released together; returns each result or exception."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as error:  # noqa: BLE001 (collected and asserted on below)
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def twenty_pending_signups() -> list:
    """20 pending signups for one email, each with its own code; returns the verify calls."""
    calls = []
    for number in range(THREADS):
        flow = begin_signup(EMAIL, full_name=f"Person {number}")
        code = latest_code(EMAIL)
        calls.append(lambda flow=flow, code=code: signup.verify_signup(flow, code))
    return calls


def ticket_methods() -> Counter:
    with db.read_session() as session:
        return Counter(session.exec(select(LoginTicket.auth_method).where(LoginTicket.kind == "session")))


def test_twenty_signups_of_one_email_verified_at_once_make_one_account(shared_database):
    results = all_at_once(twenty_pending_signups())
    assert [result for result in results if not isinstance(result, str)] == []
    [account] = accounts_for(EMAIL)
    assert account.exclusive_email == EMAIL
    with db.read_session() as session:
        assert set(session.exec(select(LoginTicket.account_id).where(LoginTicket.kind == "session"))) == {account.id}
        assert session.exec(select(PendingSignup)).all() == []
    assert ticket_methods() == Counter({"signup": 1, "code": THREADS - 1})


def test_one_code_submitted_twenty_times_at_once_makes_one_account(shared_database):
    flow = begin_signup(EMAIL)
    code = latest_code(EMAIL)
    results = all_at_once([lambda: signup.verify_signup(flow, code)] * THREADS)
    tickets = [result for result in results if isinstance(result, str)]
    refusals = [result for result in results if isinstance(result, FieldError)]
    assert len(tickets) == 1 and len(refusals) == THREADS - 1, results
    assert len(accounts_for(EMAIL)) == 1
    assert ticket_methods() == Counter({"signup": 1})


def test_with_duplicates_on_twenty_signups_make_twenty_accounts(shared_database):
    allow_duplicates()
    results = all_at_once(twenty_pending_signups())
    assert all(isinstance(result, str) for result in results), results
    accounts = accounts_for(EMAIL)
    assert len(accounts) == THREADS and all(account.exclusive_email is None for account in accounts)
    assert sorted(account.full_name for account in accounts) == sorted(f"Person {n}" for n in range(THREADS))
