"""Races: two accounts confirming one new address at once, and two first saves completing one profile at once.

Runs on a SQLite file and on the PostgreSQL server at 127.0.0.1:5432 (skipped, saying so, when
that server is not reachable).
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import col, select

from portal_app.accounts import codes, sessions
from portal_app.accounts.models import Account
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.profile import email_change, email_revert, service
from portal_app.timeline.models import Activity
from tests.profile.email_steps import PASSWORD, emails_to, give_password, undo_token_in
from tests.support.live_accounts import make_account, set_business, start_session

CLAIMED = "claimed@example.com"
FORM = {"full_name": "Someone", "phone": "+44 20 7946 0958"}


def latest_code(address: str) -> str:
    with db.read_session() as session:
        email = session.exec(
            select(OutboxEmail).where(OutboxEmail.to_email == address).order_by(col(OutboxEmail.id).desc())
        ).first()
    return re.match(r"(\d{6})\D", email.subject).group(1)


def outcome(call):
    try:
        return call()
    except FieldError as error:
        return error.message


def ask_for_claimed(token: str) -> None:
    """Ask to move to CLAIMED and prove it with the password: the code goes to CLAIMED."""
    service.save_profile(sessions.current_session(token), {**FORM, "email": CLAIMED})
    email_change.prove_identity(sessions.current_session(token), PASSWORD, ip="")


def confirm_together(monkeypatch) -> list:
    """Two accounts ask for CLAIMED; both codes pass their check, then both changes are made at the same moment.

    A newer code for an address voids the older one, so the first account's code is checked before
    the second asks; a barrier then holds both after their checks and releases them together.
    """
    first, second = make_account("first@example.com", "First"), make_account("second@example.com", "Second")
    for account_id in (first, second):
        give_password(account_id)
    tokens = {account_id: start_session(account_id) for account_id in (first, second)}
    real_check = codes.check_code
    checked = threading.Event()
    together = threading.Barrier(2, timeout=20)

    def check_then_wait(**kwargs):
        result = real_check(**kwargs)
        checked.set()
        together.wait()
        return result

    monkeypatch.setattr(codes, "check_code", check_then_wait)
    with ThreadPoolExecutor(2) as pool:
        ask_for_claimed(tokens[first])
        first_result = pool.submit(
            outcome, lambda: email_change.confirm(sessions.current_session(tokens[first]), latest_code(CLAIMED))
        )
        assert checked.wait(20)
        ask_for_claimed(tokens[second])
        second_result = pool.submit(
            outcome, lambda: email_change.confirm(sessions.current_session(tokens[second]), latest_code(CLAIMED))
        )
        return [first_result.result(timeout=30), second_result.result(timeout=30)]


def accounts_on(address: str) -> list[Account]:
    with db.read_session() as session:
        return list(session.exec(select(Account).where(Account.email == address)))


def test_two_accounts_claiming_one_address_at_once_one_wins(shared_database, monkeypatch):
    results = confirm_together(monkeypatch)
    assert sorted(results) == sorted([CLAIMED, email_change.CANNOT_CHANGE])
    [winner] = accounts_on(CLAIMED)
    assert winner.exclusive_email == CLAIMED


def test_the_unique_index_settles_it_when_both_pass_the_duplicate_check(shared_database, monkeypatch):
    # As two READ COMMITTED transactions on PostgreSQL can: neither sees the other's change yet.
    monkeypatch.setattr(email_change, "used_by_another_account", lambda *args, **kwargs: False)
    results = confirm_together(monkeypatch)
    assert sorted(results) == sorted([CLAIMED, email_change.CANNOT_CHANGE])
    assert len(accounts_on(CLAIMED)) == 1


def test_with_duplicates_on_both_accounts_move_to_the_address(shared_database, monkeypatch):
    set_business(allow_duplicate_contacts=True)
    assert confirm_together(monkeypatch) == [CLAIMED, CLAIMED]
    assert {account.exclusive_email for account in accounts_on(CLAIMED)} == {None}
    assert len(accounts_on(CLAIMED)) == 2


def test_parallel_saves_record_profile_completed_once(shared_database):
    account_id = make_account("ada@example.com", "Ada")
    token = start_session(account_id)
    barrier = threading.Barrier(8, timeout=20)

    def save():
        barrier.wait()
        return service.save_profile(sessions.current_session(token), {**FORM, "email": "ada@example.com"})

    with ThreadPoolExecutor(8) as pool:
        results = [future.result(timeout=60) for future in [pool.submit(save) for _ in range(8)]]
    assert all(result.missing == [] for result in results)
    with db.read_session() as session:
        kinds = session.exec(select(Activity.kind).where(Activity.account_id == account_id)).all()
    assert kinds == ["profile_completed"]


def test_two_clicks_on_one_undo_link_at_once_undo_once(shared_database):
    account_id = make_account("ada@example.com", "Ada")
    give_password(account_id)
    token = start_session(account_id)
    service.save_profile(sessions.current_session(token), {**FORM, "email": "moved@example.com"})
    email_change.prove_identity(sessions.current_session(token), PASSWORD, ip="")
    email_change.confirm(sessions.current_session(token), latest_code("moved@example.com"))
    link_token = undo_token_in(emails_to("ada@example.com")[-1])
    barrier = threading.Barrier(4, timeout=20)

    def click():
        barrier.wait()
        return outcome(lambda: email_revert.revert(link_token, ip=""))

    with ThreadPoolExecutor(4) as pool:
        results = [future.result(timeout=60) for future in [pool.submit(click) for _ in range(4)]]
    assert [result for result in results if isinstance(result, email_revert.Reverted)] == [
        email_revert.Reverted("ada@example.com", "moved@example.com")
    ]
    assert sorted(result for result in results if isinstance(result, str)) == [email_revert.LINK_USED] * 3
    assert [email.template for email in emails_to("ada@example.com")].count("email_change_reverted") == 1
