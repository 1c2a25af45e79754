"""The signup budget under fire: a signup takes its place in the code-sending limits before any argon2 work,
in one write, so 60 signups at once from one network hash at most as many passwords as the limit lets through.

Real threads against a SQLite file and the PostgreSQL server at 127.0.0.1:5432 (skipped, saying so, when
that server is not reachable); argon2 is counted around the real hasher, never replaced.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import HashingError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from portal_app.accounts import signup
from portal_app.accounts.errors import ResendTooSoon
from portal_app.accounts.models import PendingSignup, RateEvent
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.accounts.test_passwords import ArgonCalls
from tests.support.accounts import PASSWORD, begin_signup, latest_code

BURST = 60
BUDGET = 20
NETWORK = "203.0.113.9"
TOO_MANY = "You asked for several codes just now."


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


def start(email: str, ip: str = NETWORK):
    return lambda: signup.start_signup(full_name="Burst Person", email=email, password=PASSWORD, ip=ip)


def refused_for_sending(result) -> bool:
    return isinstance(result, FormErrors) and TOO_MANY in result.errors.get("email", "")


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model)))


def rate_kinds() -> list[str]:
    with db.read_session() as session:
        return sorted(session.exec(select(RateEvent.kind)))


@pytest.fixture
def limits(shared_database, settings_env):
    """The shipped per-network limit (20 a minute); per-email limits as each test sets them."""

    def apply(**values: str) -> None:
        settings_env(PORTAL_CODE_SENDS_PER_IP_PER_MINUTE=str(BUDGET), PORTAL_PASSWORD_HASHING_THREADS="2", **values)

    return apply


def test_sixty_signups_at_once_from_one_network_hash_only_what_the_budget_accepts(limits, monkeypatch):
    limits()
    calls = ArgonCalls(monkeypatch)
    results = all_at_once([start(f"person{n}@example.com") for n in range(BURST)])

    accepted = [result for result in results if isinstance(result, str)]
    refused = [result for result in results if refused_for_sending(result)]
    assert (len(accepted), len(refused)) == (BUDGET, BURST - BUDGET), results
    assert calls.hashes <= BUDGET
    assert len(rows(PendingSignup)) == len(rows(OutboxEmail)) == BUDGET
    assert calls.most_at_once <= 2


def test_sixty_signups_at_once_for_one_email_from_sixty_networks_send_one_code(limits, monkeypatch):
    limits(PORTAL_CODE_RESEND_SECONDS="60")
    calls = ArgonCalls(monkeypatch)
    results = all_at_once([start("target@example.com", ip=f"198.51.100.{n}") for n in range(BURST)])

    accepted = [result for result in results if isinstance(result, str)]
    assert len(accepted) == 1 and all(refused_for_sending(result) for result in results if result not in accepted)
    assert calls.hashes <= 1
    assert [email.to_email for email in rows(OutboxEmail)] == ["target@example.com"]


def test_twenty_resends_at_once_send_one_code(limits):
    limits(PORTAL_CODE_RESEND_SECONDS="60")
    flow = begin_signup("again@example.com")
    with db.write_session() as session:
        # The first send was over a minute ago.
        for event in session.exec(select(RateEvent)):
            event.at = event.at.replace(year=event.at.year - 1)
            session.add(event)
    results = all_at_once([lambda: signup.resend_signup_code(flow, ip=NETWORK)] * 20)

    assert len([result for result in results if not isinstance(result, Exception)]) == 1
    assert all(isinstance(result, ResendTooSoon) for result in results if isinstance(result, Exception))
    assert len(rows(OutboxEmail)) == 2


def test_a_refused_signup_takes_nothing_from_any_limit(limits):
    limits()
    for n in range(BUDGET):
        signup.start_signup(full_name="Person", email=f"p{n}@example.com", password=PASSWORD, ip=NETWORK)
    before = rate_kinds()
    with pytest.raises(FormErrors, match=TOO_MANY):
        signup.start_signup(full_name="Person", email="late@example.com", password=PASSWORD, ip=NETWORK)
    with pytest.raises(FormErrors):
        signup.start_signup(full_name="Person", email="bad@example.com", password="short", ip="192.0.2.1")
    assert rate_kinds() == before
    # Another network still signs that address up at once.
    assert signup.start_signup(full_name="Person", email="late@example.com", password=PASSWORD, ip="192.0.2.1")


def refuse_pending_signups(refuse: bool) -> None:
    """A database that refuses to store pending signups (a full disk, say), with a trigger; or no longer."""
    with db.write_session() as session:
        run = session.connection().exec_driver_sql
        sqlite = session.get_bind().dialect.name == "sqlite"
        if not refuse:
            run("DROP TRIGGER refuse_signups" if sqlite else "DROP TRIGGER refuse_signups ON pendingsignup")
        elif sqlite:
            run("CREATE TRIGGER refuse_signups BEFORE INSERT ON pendingsignup BEGIN SELECT RAISE(ABORT, 'full'); END")
        else:
            run("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'full'; END $$ LANGUAGE plpgsql")
            run("CREATE TRIGGER refuse_signups BEFORE INSERT ON pendingsignup FOR EACH ROW EXECUTE FUNCTION refuse()")


def test_a_signup_the_database_failed_to_store_lets_the_person_try_again_at_once(limits, monkeypatch):
    limits(PORTAL_CODE_RESEND_SECONDS="60")
    refuse_pending_signups(True)
    calls = ArgonCalls(monkeypatch)
    with pytest.raises(SQLAlchemyError, match="full"):
        start("unlucky@example.com")()
    # The password was hashed, so the network's send stays counted; no email went out, so the email's is
    # given back and the person is not told to wait a minute for an email that never came.
    assert calls.hashes == 1 and rows(OutboxEmail) == []
    assert rate_kinds() == ["code_send_ip"]
    refuse_pending_signups(False)
    assert isinstance(start("unlucky@example.com")(), str)
    assert latest_code("unlucky@example.com")


def test_a_signup_whose_password_could_not_be_hashed_gives_its_whole_reservation_back(limits):
    # argon2 cannot allocate 4 TiB: a real hashing failure, nothing replaced.
    limits(PORTAL_ARGON2_MEMORY_KIB=str(2**32 - 1))
    with pytest.raises(HashingError):
        start("unhashed@example.com")()
    assert rate_kinds() == [] and rows(PendingSignup) == []


def test_the_sends_are_committed_before_argon2_starts(limits, monkeypatch):
    limits()
    seen_by_others: list[list[str]] = []
    real_hash = PasswordHasher.hash

    def hash_and_look(hasher, *args, **kwargs):
        with db.read_session() as session:
            seen_by_others.append(list(session.exec(select(RateEvent.kind).order_by(col(RateEvent.id)))))
        return real_hash(hasher, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", hash_and_look)
    start("ordered@example.com")()
    [seen] = seen_by_others
    assert "code_send_ip" in seen and "code_send_email" in seen
