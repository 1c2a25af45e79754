"""Races: two accounts confirming one new address at once, and two first saves completing one profile at once.

Runs on a SQLite file and on the PostgreSQL server at 127.0.0.1:5432 (skipped, saying so, when
that server is not reachable).
"""

from __future__ import annotations

import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlmodel import SQLModel, col, select

import portal_app.models.profile  # noqa: F401  (the profile tables)
from portal_app import db
from portal_app.accounts import codes
from portal_app.accounts.errors import FieldError
from portal_app.models import BUSINESS_ID, Account, Activity, Business, OutboxEmail
from portal_app.profile import email_change, service
from tests.profile.conftest import make_account, set_business, start_session

POSTGRES = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
CLAIMED = "claimed@example.com"
FORM = {"full_name": "Someone", "phone": "+44 20 7946 0958"}


def _postgres_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES, autocommit=True)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 was not reachable, so this case did not run: {error}")


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request, tmp_path, settings_env):
    """An empty portal database on SQLite or PostgreSQL, with sending limits out of the way."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'portal.db'}", None
    else:
        name = f"portal_test_{secrets.token_hex(8)}"
        with _postgres_admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    settings_env(
        REFLEX_DB_URL=url,
        PORTAL_CODE_RESEND_SECONDS="0",
        PORTAL_CODE_SENDS_PER_HOUR="1000",
        PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="1000",
    )
    engine = db.get_engine()
    try:
        SQLModel.metadata.create_all(engine)
        with db.write_session() as session:
            session.add(Business(id=BUSINESS_ID, name="Test Business"))
        yield request.param
    finally:
        engine.dispose()
        db.engine_for.cache_clear()
        if drop:
            with _postgres_admin() as admin:
                admin.execute(drop)


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


def confirm_together(monkeypatch) -> list:
    """Two accounts ask for CLAIMED; both codes pass their check, then both changes are made at the same moment.

    A newer code for an address voids the older one, so the first account's code is checked before
    the second asks; a barrier then holds both after their checks and releases them together.
    """
    first, second = make_account("first@example.com", "First"), make_account("second@example.com", "Second")
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
        service.save_profile(tokens[first], {**FORM, "email": CLAIMED})
        first_result = pool.submit(outcome, lambda: email_change.confirm(tokens[first], latest_code(CLAIMED)))
        assert checked.wait(20)
        service.save_profile(tokens[second], {**FORM, "email": CLAIMED})
        second_result = pool.submit(outcome, lambda: email_change.confirm(tokens[second], latest_code(CLAIMED)))
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
    monkeypatch.setattr(email_change, "_used_by_another_account", lambda *args, **kwargs: False)
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
        return service.save_profile(token, {**FORM, "email": "ada@example.com"})

    with ThreadPoolExecutor(8) as pool:
        results = [future.result(timeout=60) for future in [pool.submit(save) for _ in range(8)]]
    assert all(result.missing == [] for result in results)
    with db.read_session() as session:
        kinds = session.exec(select(Activity.kind).where(Activity.account_id == account_id)).all()
    assert kinds == ["profile_completed"]
