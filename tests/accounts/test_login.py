"""Password login: one failure message, database throttles per email and IP, rehash, shared emails."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import extract_parameters
from sqlmodel import col, select

from portal_app.accounts import locks, passwords, security_log, sessions, tickets
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.login import password_login
from portal_app.accounts.models import RateEvent, UserSession
from portal_app.admin import audit, contacts
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from tests.support.accounts import IP, PASSWORD, accounts_for, sign_up
from tests.support.browser import redeem_bound

EMAIL = "ada@example.com"
INCORRECT = "Email or password is incorrect."


def failure(**fields) -> LoginFailed:
    with pytest.raises(LoginFailed) as caught:
        password_login(**{"email": EMAIL, "password": PASSWORD, "ip": IP, **fields})
    return caught.value


def signed_in_account(ticket: str) -> int:
    grant = redeem_bound(ticket, user_agent="pytest", ip=IP)
    return sessions.account_for_token(grant.value)


def test_the_right_password_signs_in_with_a_fresh_session(database, frozen_clock):
    sign_up(EMAIL)
    frozen_clock.advance(hours=1)
    ticket = password_login(email=" ADA@example.com", password=PASSWORD, ip=IP, next_path="/apps/billing")
    grant = redeem_bound(ticket, user_agent="pytest", ip=IP)
    [account] = accounts_for(EMAIL)
    assert sessions.account_for_token(grant.value) == account.id and grant.next_path == "/apps/billing"
    assert account.last_login_at == frozen_clock.current
    with db.read_session() as session:
        assert session.exec(select(UserSession.auth_method)).all() == ["password"]


def test_next_path_cannot_leave_the_site(database, frozen_clock):
    sign_up(EMAIL)
    ticket = password_login(email=EMAIL, password=PASSWORD, ip=IP, next_path="//evil.example/")
    assert redeem_bound(ticket, user_agent="", ip="").next_path == "/"


@pytest.mark.parametrize(
    "fields",
    [
        {"password": "plum-velvet-orbit-43"},
        {"email": "nobody@example.com"},
        {"email": "not an email"},
        {"password": ""},
        {"email": None, "password": None},
        {"email": {"email": EMAIL}, "password": [PASSWORD]},
        {"email": 42, "password": 42},
        {"password": PASSWORD + "x" * 1_000_000},
        {"email": "a" * 1_000_000, "password": "\x00" * 10},
        {"password": "\ud800" * 12},
    ],
)
def test_every_failure_says_the_same(database, frozen_clock, fields):
    sign_up(EMAIL)
    error = failure(**fields)
    assert (error.message, error.retry_after) == (INCORRECT, None)


def test_unknown_and_known_emails_fail_alike(database, frozen_clock):
    sign_up(EMAIL)
    known = failure(password="wrong-password-1")
    unknown = failure(email="nobody@example.com", password="wrong-password-1")
    assert (known.message, known.retry_after) == (unknown.message, unknown.retry_after) == (INCORRECT, None)


def test_five_failures_lock_the_email_for_fifteen_minutes(database, frozen_clock):
    sign_up(EMAIL)
    for _ in range(5):
        assert failure(password="wrong-password-1").message == INCORRECT
        frozen_clock.advance(minutes=1)
    # Failures at 0, 1, 2, 3 and 4 minutes; now is 5: the first leaves the window in 10 minutes.
    locked = failure()  # even the right password waits
    assert locked.message == "Too many attempts. Try again in 10 minutes."
    assert locked.retry_after == timedelta(minutes=10)
    assert failure(email="other@example.com").message == INCORRECT  # other emails are not affected
    frozen_clock.advance(minutes=9, seconds=59)
    assert failure().message == "Too many attempts. Try again in 1 second."
    frozen_clock.advance(seconds=1)
    [account] = accounts_for(EMAIL)
    assert signed_in_account(password_login(email=EMAIL, password=PASSWORD, ip=IP)) == account.id


def test_unknown_emails_are_locked_the_same_way(database, frozen_clock):
    for _ in range(5):
        failure(email="nobody@example.com")
    assert failure(email="nobody@example.com").message == "Too many attempts. Try again in 15 minutes."


def test_twenty_attempts_a_minute_per_ip(database, frozen_clock):
    sign_up(EMAIL)
    for number in range(20):
        assert failure(email=f"person{number}@example.com").message == INCORRECT
    refused = failure(ip=IP)
    assert refused.message == "Too many attempts. Try again in 1 minute."
    assert refused.retry_after == timedelta(minutes=1)
    [account] = accounts_for(EMAIL)
    assert signed_in_account(password_login(email=EMAIL, password=PASSWORD, ip="198.51.100.9")) == account.id
    frozen_clock.advance(seconds=60)
    assert signed_in_account(password_login(email=EMAIL, password=PASSWORD, ip=IP)) == account.id


def test_the_hash_is_upgraded_when_parameters_change(database, frozen_clock, settings_env):
    sign_up(EMAIL)
    [before] = accounts_for(EMAIL)
    password_login(email=EMAIL, password=PASSWORD, ip=IP)
    assert accounts_for(EMAIL)[0].password_hash == before.password_hash
    settings_env(PORTAL_ARGON2_TIME_COST="2", PORTAL_ARGON2_MEMORY_KIB="2048")
    password_login(email=EMAIL, password=PASSWORD, ip=IP)
    [after] = accounts_for(EMAIL)
    assert after.password_hash != before.password_hash
    parameters = extract_parameters(after.password_hash)
    assert (parameters.time_cost, parameters.memory_cost) == (2, 2048)
    assert passwords.verify_password(after.password_hash, PASSWORD)
    assert not passwords.needs_rehash(after.password_hash)


def test_shared_emails_sign_into_the_account_whose_password_matches(database, frozen_clock):
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.allow_duplicate_contacts = True
        session.add(business)
    sign_up(EMAIL, full_name="Work", password="work-password-11")
    frozen_clock.advance(minutes=2)
    sign_up(EMAIL, full_name="Home", password="home-password-22")
    work, home = accounts_for(EMAIL)
    assert signed_in_account(password_login(email=EMAIL, password="home-password-22", ip=IP)) == home.id
    assert signed_in_account(password_login(email=EMAIL, password="work-password-11", ip=IP)) == work.id
    assert failure(password="nobody-password-33").message == INCORRECT


def test_successful_logins_do_not_count_as_failures(database, frozen_clock):
    sign_up(EMAIL)
    for _ in range(4):
        failure(password="wrong-password-1")
    for _ in range(3):
        password_login(email=EMAIL, password=PASSWORD, ip=IP)
    assert failure(password="wrong-password-1").message == INCORRECT
    assert failure().message == "Too many attempts. Try again in 15 minutes."


def test_parallel_guesses_cannot_outrun_the_failure_limit(database, frozen_clock):
    sign_up(EMAIL)
    barrier = threading.Barrier(10)

    def guess(number: int) -> str:
        barrier.wait()
        try:
            password_login(email=EMAIL, password=f"guess-number-{number}", ip=IP)
        except LoginFailed as refused:
            return refused.message
        return "signed in"

    with ThreadPoolExecutor(max_workers=10) as pool:
        messages = Counter(pool.map(guess, range(10)))
    assert messages == Counter({INCORRECT: 5, "Too many attempts. Try again in 15 minutes.": 5})


def test_wrong_passwords_from_one_network_do_not_hold_up_another(database, frozen_clock):
    sign_up(EMAIL)
    for _ in range(5):
        with pytest.raises(LoginFailed, match=INCORRECT):
            password_login(email=EMAIL, password="attacker-guess-1", ip="198.51.100.66")
    with pytest.raises(LoginFailed, match="Too many attempts. Try again in 15 minutes."):
        password_login(email=EMAIL, password=PASSWORD, ip="198.51.100.66")
    # The person, elsewhere, signs in; and IPv6 neighbours in one /64 share a count.
    grant = redeem_bound(password_login(email=EMAIL, password=PASSWORD, ip=IP), user_agent="", ip="")
    assert grant.name == tickets.SESSION_COOKIE
    for number in range(5):
        with pytest.raises(LoginFailed, match=INCORRECT):
            password_login(email=EMAIL, password="attacker-guess-2", ip=f"2001:db8:5:6::{number + 1}")
    with pytest.raises(LoginFailed, match="Too many attempts"):
        password_login(email=EMAIL, password=PASSWORD, ip="2001:db8:5:6:abcd::1")


def test_wrong_passwords_from_many_networks_reach_a_daily_ceiling(database, frozen_clock, settings_env):
    settings_env(PORTAL_LOGIN_FAILURES_PER_DAY_PER_EMAIL="12", PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE="100")
    sign_up(EMAIL)
    for number in range(12):
        with pytest.raises(LoginFailed, match=INCORRECT):
            password_login(email=EMAIL, password="spread-guess", ip=f"192.0.2.{number}")
    with pytest.raises(LoginFailed, match="Too many attempts. Try again in 24 hours."):
        password_login(email=EMAIL, password=PASSWORD, ip=IP)
    assert [lock.what for lock in locks.current(EMAIL)] == ["Password login everywhere"]
    contacts.lift_locks_on_email(audit.CLI, EMAIL)
    grant = redeem_bound(password_login(email=EMAIL, password=PASSWORD, ip=IP), user_agent="", ip="")
    assert grant.name == tickets.SESSION_COOKIE


def test_every_matching_account_gets_its_hash_upgraded(database, frozen_clock, settings_env):
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.allow_duplicate_contacts = True
        session.add(business)
    shared = "shared-password-77"
    for name, password in [("Work", shared), ("Home", shared), ("Club", "club-password-33")]:
        sign_up(EMAIL, full_name=name, password=password)
        frozen_clock.advance(minutes=2)
    before = accounts_for(EMAIL)
    settings_env(PORTAL_ARGON2_TIME_COST="2")
    grant = redeem_bound(password_login(email=EMAIL, password=shared, ip=IP), user_agent="", ip="")
    assert grant.name == tickets.CHOICE_COOKIE
    after = accounts_for(EMAIL)
    assert [a.password_hash != b.password_hash for a, b in zip(after, before)] == [True, True, False]
    assert all(passwords.verify_password(account.password_hash, shared) for account in after[:2])


def test_a_whole_password_login_on_every_database(shared_database):
    """The login's statements (built once, with bound parameters) on SQLite and PostgreSQL alike: wrong
    passwords count, a right one cancels what it counted in advance and marks the account used, its ticket
    binds to one browser only, and two accounts with the password go to the chooser."""
    sign_up(EMAIL)
    for _ in range(4):
        failure(password="wrong-password-1")
    for _ in range(3):
        ticket = password_login(email=EMAIL, password=PASSWORD, ip=IP)
    [account] = accounts_for(EMAIL)
    assert account.last_login_at is not None
    assert tickets.bind_to_browser(ticket, "b" * 43) is True
    assert tickets.bind_to_browser(ticket, "c" * 43) is False  # already bound: another browser cannot take it
    assert tickets.redeem_ticket(ticket, user_agent="pytest", ip=IP, browser_token="b" * 43).account_id == account.id
    # Bound as it is written (what the login page does): only that browser may redeem it.
    bound = password_login(email=EMAIL, password=PASSWORD, ip=IP, browser_token="d" * 43)
    assert tickets.bind_to_browser(bound, "c" * 43) is False
    assert tickets.redeem_ticket(bound, user_agent="pytest", ip=IP, browser_token="c" * 43) is None
    assert tickets.redeem_ticket(bound, user_agent="pytest", ip=IP, browser_token="d" * 43).account_id == account.id
    with db.read_session() as session:
        # Each right password cancelled both events it counted in advance (for the network and for the day).
        counted = session.exec(select(RateEvent.kind).where(col(RateEvent.kind).startswith("login_failure"))).all()
        assert sorted(counted) == ["login_failure_email_day"] * 4 + ["login_failure_pair"] * 4
        # The redeemed session was signed in from IP's network: the daily ceiling leaves that network alone.
        assert security_log.signed_in_lately_from(session, EMAIL, IP) is True
        assert security_log.signed_in_lately_from(session, EMAIL, "192.0.2.200") is False
    # The right passwords left the four wrong ones' count as it was: one more wrong one is the fifth.
    assert failure(password="wrong-password-1").message == INCORRECT
    assert failure().message == "Too many attempts. Try again in 15 minutes."

    with db.write_session() as session:
        session.get(Business, BUSINESS_ID).allow_duplicate_contacts = True
    sign_up("bo@example.com", full_name="Work")
    sign_up("bo@example.com", full_name="Home")
    chooser = password_login(email="bo@example.com", password=PASSWORD, ip="198.51.100.9", browser_token="b" * 43)
    assert tickets.bind_to_browser(chooser, "c" * 43) is False
    grant = tickets.redeem_ticket(chooser, user_agent="pytest", ip="198.51.100.9", browser_token="b" * 43)
    assert grant.name == tickets.CHOICE_COOKIE and grant.account_id is None
