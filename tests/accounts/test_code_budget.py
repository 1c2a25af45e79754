"""The failure budgets of emailed codes: 20 refused codes for an email from one network lock code entry from
that network only; 100 from every network lock it for the email; staff codes count apart; a network may
check 30 codes a minute and the site take 1,000 wrong codes an hour; probes without a request count
nothing; staff see and lift locks."""

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app import cli
from portal_app.accounts import code_budget, code_login, codes, locks, login, security_log, sessions
from portal_app.accounts.codes import CodeStatus
from portal_app.accounts.models import EmailCode
from portal_app.admin.models import AuditEntry
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, PASSWORD, accounts_for, latest_code, latest_email, sign_up
from tests.support.browser import TEST_BROWSER, redeem_bound

EMAIL = "ada@example.com"
UNKNOWN = "nobody@example.com"
ELSEWHERE = "198.51.100.77"
OTHER_BROWSER = "another-browser-binding-token-0123456789abcdef"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def network_lock_text(until) -> str:
    return (
        f"Too many wrong codes for this email from your network. Code entry is locked here until {until:%H:%M} UTC. "
        "You can still log in with your password or the emailed link."
    )


def email_lock_text(until) -> str:
    return f"Code entry for this email is locked until {until:%H:%M} UTC. You can still log in with your password."


def templates_to(address: str) -> list[str]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail.template).where(OutboxEmail.to_email == address)))


def code_login_refusal(code: str, email: str = EMAIL, ip: str = IP, device: str = TEST_BROWSER) -> str:
    with pytest.raises(FieldError) as caught:
        code_login.login_with_code(device=device, email=email, code=code, ip=ip)
    assert caught.value.field == "code"
    return caught.value.message


def issue(purpose: str, email: str = EMAIL) -> str:
    with db.write_session() as session:
        return codes.issue_code(session, purpose=purpose, email=email, lifetime=timedelta(minutes=10))


def check(code: str, *, purpose: str = "login", email: str = EMAIL, ip: str = IP) -> CodeStatus:
    return codes.check_code(purpose=purpose, email=email, code=code, ip=ip).status


@pytest.fixture
def ada(database, frozen_clock):
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)


def test_an_attackers_wrong_codes_lock_their_network_not_the_person(ada, frozen_clock):
    # Ten refused codes of another purpose (an email change's)...
    for _ in range(10):
        assert check("000000", purpose="email_change") is CodeStatus.NO_CODE
    # ...and ten at code login, from the same network: the client purposes share the budget.
    frozen_clock.advance(minutes=1)
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    login_code = latest_code(EMAIL)
    messages = [code_login_refusal(wrong(login_code)) for _ in range(10)]
    until = frozen_clock.current + timedelta(hours=24)
    assert messages[-1] == network_lock_text(until) and network_lock_text(until) not in messages[:-1]
    # Locked from that network: even the right code is refused there, without being used up.
    assert code_login_refusal(login_code) == network_lock_text(until)
    # Password login still works from there.
    grant = redeem_bound(login.password_login(email=EMAIL, password=PASSWORD, ip=IP), user_agent="", ip="")
    assert sessions.current_session(grant.value).auth_method == "password"
    # The person, from another network, asks for a code and signs in with it.
    frozen_clock.advance(minutes=1)
    code_login.request_login_code(device=OTHER_BROWSER, email=EMAIL, ip=ELSEWHERE)
    ticket = code_login.login_with_code(device=OTHER_BROWSER, email=EMAIL, code=latest_code(EMAIL), ip=ELSEWHERE)
    assert sessions.current_session(redeem_bound(ticket, browser_token=OTHER_BROWSER).value).auth_method == "code"
    # One email about the lock, saying it is one network; the lock is in the security log.
    assert templates_to(EMAIL).count("code_entry_locked") == 1
    [notice] = [email for email in _emails(EMAIL) if email.template == "code_entry_locked"]
    assert "from one network, so codes for this address no longer work from that network until" in notice.text_body
    assert "16 January 2026 at 12:03 UTC" in notice.text_body
    [account] = accounts_for(EMAIL)
    kinds = [event.kind for event in security_log.for_account(account.id)]
    assert "locked" in kinds


def _emails(address: str) -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.to_email == address)))


def test_probes_without_a_request_count_nothing_and_answer_alike(ada, frozen_clock):
    """No request from this browser: one answer for every email (invited or not), nothing compared or counted."""
    from portal_app.accounts import invitations

    invitations.invite(email="ivy@example.com", full_name="Ivy Invited", app_keys=["notes"])
    answers = set()
    for email in (EMAIL, UNKNOWN, "ivy@example.com"):
        answers |= {code_login_refusal("123456", email=email) for _ in range(30)}
    assert answers == {codes.NOT_REQUESTED_MESSAGE}
    assert locks.current(EMAIL) == [] and locks.current("ivy@example.com") == []
    # The invitation's code was never tried: it still works through its link.
    with db.read_session() as session:
        assert session.exec(select(EmailCode.attempts).where(EmailCode.email == "ivy@example.com")).one() == 0


def test_known_and_unknown_emails_lock_alike(ada, frozen_clock):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    code_login.request_login_code(device=TEST_BROWSER, email=UNKNOWN, ip=IP)
    guess = wrong(latest_code(EMAIL))
    known = []
    unknown = []
    for round_ in range(21):
        known.append(code_login_refusal(guess))
        unknown.append(code_login_refusal(guess, email=UNKNOWN))
        if round_ % 10 == 9:
            frozen_clock.advance(minutes=1)  # under the network's 30 checks a minute
    assert known == unknown
    assert known[-1] == network_lock_text(frozen_clock.current + timedelta(hours=24) - timedelta(minutes=1))
    assert templates_to(EMAIL).count("code_entry_locked") == 1 and templates_to(UNKNOWN) == []


def test_many_networks_together_lock_the_email_everywhere_until_staff_lift_it(ada, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY_PER_EMAIL="60")
    code = issue("login")
    networks = [f"192.0.2.{number}" for number in range(1, 4)]
    statuses = [check(wrong(code), ip=ip) for ip in networks for _ in range(20)]
    assert statuses.count(CodeStatus.LOCKED) == 3  # the last of each network's twenty...
    until = frozen_clock.current + timedelta(hours=24)
    # ...and the sixtieth locked the email from everywhere, a network never seen included.
    with db.read_session() as session:
        assert code_budget.current_lock(session, EMAIL, "203.0.113.200") == code_budget.Lock(until, "email")
    assert codes.describe_problem(codes.check_code(purpose="login", email=EMAIL, code=code, ip="203.0.113.200")) == (
        email_lock_text(until)
    )
    [notice] = [email for email in _emails(EMAIL) if email.template == "code_entry_locked"][-1:]
    assert "from several networks, so codes sent to this address no longer work anywhere" in notice.text_body
    whats = [lock.what for lock in locks.current(EMAIL)]
    assert "Code entry everywhere" in whats and "Code entry from 192.0.2.1" in whats
    # The owner lifts it from the command line: codes work again, and the log and the audit say so.
    assert cli.main(["unlock", EMAIL]) == 0
    assert locks.current(EMAIL) == []
    fresh = issue("login")
    assert check(fresh, ip="192.0.2.1") is CodeStatus.OK
    [account] = accounts_for(EMAIL)
    assert [event.kind for event in security_log.for_account(account.id)][:1] == ["unlocked"]
    with db.read_session() as session:
        assert session.exec(select(AuditEntry.action)).all()[-1] == "sign_in_locks_lifted"


def test_staff_codes_have_their_own_budget(ada, frozen_clock):
    client_code = issue("login")
    for _ in range(20):
        check(wrong(client_code))
    assert check(client_code) is CodeStatus.LOCKED
    frozen_clock.advance(minutes=1)  # a new minute for the network's checks
    staff_code = issue("staff_login")
    assert check(staff_code, purpose="staff_login") is CodeStatus.OK
    # And the other way round.
    staff_code = issue("staff_login", email="owner@example.com")
    for _ in range(20):
        check(wrong(staff_code), purpose="staff_login", email="owner@example.com")
    assert check(staff_code, purpose="staff_login", email="owner@example.com") is CodeStatus.LOCKED
    frozen_clock.advance(minutes=1)
    assert check(issue("login", email="owner@example.com"), email="owner@example.com") is CodeStatus.OK


def test_clients_asking_for_codes_do_not_hold_up_staff_sign_in(database, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_RESEND_SECONDS="0")
    staff = "owner@example.com"
    with db.write_session() as session:
        for _ in range(5):
            codes.record_send(session, email=staff, ip=IP)
        assert codes.send_wait(session, email=staff, ip=IP) is not None
        assert codes.send_wait(session, email=staff, ip=IP, staff=True) is None


def test_asking_for_codes_from_one_network_leaves_the_person_theirs(ada, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_RESEND_SECONDS="0")
    for _ in range(4):  # the signup's code was the first from this network
        code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    with pytest.raises(FieldError):
        code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    code_login.request_login_code(device=OTHER_BROWSER, email=EMAIL, ip=ELSEWHERE)
    assert latest_email(EMAIL).template == "login_code"


def test_a_network_may_check_thirty_codes_a_minute(ada, frozen_clock):
    code = issue("login")
    emails = [f"user{number}@example.com" for number in range(31)]
    statuses = [check("000000", email=email) for email in emails]
    assert statuses[:30] == [CodeStatus.NO_CODE] * 30 and statuses[30] is CodeStatus.LOCKED
    refused = codes.check_code(purpose="login", email=EMAIL, code=code, ip=IP)
    assert codes.describe_problem(refused) == "Too many codes tried from your network just now. Try again in 1 minute."
    assert check(code, ip=ELSEWHERE) is CodeStatus.OK
    frozen_clock.advance(minutes=1)
    assert check("000000", email="late@example.com") is CodeStatus.NO_CODE


def test_the_site_takes_a_bounded_number_of_wrong_codes_an_hour(ada, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_FAILURES_PER_HOUR_SITE="10")
    for number in range(10):
        check("000000", email=f"user{number}@example.com", ip=f"192.0.2.{number}")
    code = issue("login")
    refused = codes.check_code(purpose="login", email=EMAIL, code=code, ip=ELSEWHERE)
    assert refused.status is CodeStatus.LOCKED and refused.lock_scope == "site"
    assert codes.describe_problem(refused) == (
        "Too many wrong codes on this site in the last hour. Try again in 60 minutes, "
        "or log in with your password or the emailed link."
    )
    frozen_clock.advance(hours=1)
    assert check(issue("login"), ip=ELSEWHERE) is CodeStatus.OK


def test_ipv6_clients_count_per_64(ada, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY="4")
    code = issue("login")
    statuses = [check(wrong(code), ip=f"2001:db8:1:2::{number}") for number in range(1, 5)]
    assert statuses[-1] is CodeStatus.LOCKED
    assert check(code, ip="2001:db8:1:2:ffff::9") is CodeStatus.LOCKED
    assert check(code, ip="2001:db8:1:3::1") is CodeStatus.OK


def test_the_lock_ends_after_a_day_with_a_fresh_budget(ada, frozen_clock):
    code = issue("login")
    for round_ in range(20):
        check(wrong(code))
    assert check(code) is CodeStatus.LOCKED
    frozen_clock.advance(hours=24)
    fresh = issue("login")
    for _ in range(19):
        assert check("000000", purpose="signup") is CodeStatus.NO_CODE
    assert check(fresh) is CodeStatus.OK


def test_every_refusal_counts_but_a_right_code_does_not(database, frozen_clock, settings_env):
    settings_env(PORTAL_CODE_FAILURES_PER_DAY="4")
    code = issue("login")
    assert check(code) is CodeStatus.OK
    issue("login")
    frozen_clock.advance(minutes=10)
    statuses = [
        check("000000"),  # expired
        check("000000", purpose="signup"),  # no code
        check("000000", purpose="email_change"),  # no code
        check("000000"),
    ]
    assert statuses == [CodeStatus.EXPIRED, CodeStatus.NO_CODE, CodeStatus.NO_CODE, CodeStatus.LOCKED]


def test_the_budget_is_per_email(ada, frozen_clock):
    for _ in range(20):
        check("000000")
    code = issue("login", email="bob@example.com")
    assert check(code, email="bob@example.com") is CodeStatus.OK


def test_while_locked_from_a_network_a_request_from_it_sends_nothing_and_answers_the_same(ada, frozen_clock):
    for _ in range(20):
        check("000000")
    frozen_clock.advance(minutes=5)
    assert code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP) == EMAIL
    assert templates_to(EMAIL) == ["signup_code", "code_entry_locked"]
    with db.read_session() as session:
        assert session.exec(select(EmailCode).where(EmailCode.purpose == "login")).all() == []
