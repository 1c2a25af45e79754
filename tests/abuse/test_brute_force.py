"""Brute force against the sign-in, through the real services and a real database: 10,000 code guesses and
10,000 password guesses spread over 20 accounts and 50 networks, on a simulated clock (one attempt a second,
so the run covers hours of limits). Nothing gets in, the limits hold at the figures docs/security.md
states, and the people, from their own networks, still sign in. The figures are printed (-s shows them).

The attacker here always guesses wrong (a real code plus one): what is measured is how many guesses the
limits let it *make*, which bounds its chance; 10,000 honest random guesses would also succeed with a
probability of about 1 in 100 and make the test flaky.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from portal_app.accounts import code_budget, code_login, codes, login, sessions
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.models import EmailCode, RateEvent
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import PASSWORD, latest_code, sign_up
from tests.support.browser import redeem_bound

TARGETS = [f"person{number}@example.com" for number in range(20)]
NETWORKS = [f"198.51.{number // 250}.{number % 250 + 1}" for number in range(50)]
GUESSES = 10_000
HOME = "203.0.113.250"  # where the people themselves come from


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def kind(message: str) -> str:
    for start, name in (
        ("That code is not right", "compared: wrong"),
        ("Too many wrong codes. Request", "code dead after 5"),
        ("This code has expired", "expired"),
        ("This code is no longer valid", "no code"),
        ("Ask for a code first", "not asked from this browser"),
        ("Too many wrong codes for this email from your network", "locked: this network"),
        ("Code entry for this email is locked", "locked: the email everywhere"),
        ("Too many codes tried from your network", "limit: network checks a minute"),
        ("Too many wrong codes on this site", "limit: the site an hour"),
        ("You asked for several codes", "request refused: send limits"),
    ):
        if message.startswith(start):
            return name
    return message


@pytest.fixture
def people(database, frozen_clock, settings_env):
    settings_env(PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE="20")
    for email in TARGETS:
        sign_up(email)
        # Each person signs in from home once: the network the limits then know as theirs.
        redeem_bound(login.password_login(email=email, password=PASSWORD, ip=HOME), ip=HOME)
    frozen_clock.advance(minutes=5)
    return TARGETS


def newest_login_code(email: str) -> str:
    """The newest login code emailed to the address ("000000" before any): what the attacker's guess is
    one off from."""
    with db.read_session() as session:
        subject = session.exec(
            select(OutboxEmail.subject)
            .where(OutboxEmail.to_email == email, OutboxEmail.template == "login_code")
            .order_by(col(OutboxEmail.id).desc())
        ).first()
    return subject[:6] if subject else "000000"


def compared_guesses() -> int:
    with db.read_session() as session:
        return int(session.exec(select(func.coalesce(func.sum(EmailCode.attempts), 0))).one())


def test_ten_thousand_code_guesses_get_nobody_in(people, frozen_clock, capsys):
    outcomes: Counter[str] = Counter()
    successes = guesses = 0
    round_ = 0
    while guesses < GUESSES:
        # Each round: one network asks for a code to one email, then tries five guesses at it.
        email = TARGETS[round_ % len(TARGETS)]
        network = NETWORKS[(round_ // len(TARGETS)) % len(NETWORKS)]
        browser = f"attacker-browser-{network}-0123456789abcdef"
        round_ += 1
        frozen_clock.advance(seconds=1)
        try:
            code_login.request_login_code(email=email, ip=network, device=browser)
            outcomes["request sent (or answered as sent)"] += 1
        except FieldError as refused:
            outcomes[kind(refused.message)] += 1
        for _ in range(5):
            frozen_clock.advance(seconds=1)
            guesses += 1
            try:
                code_login.login_with_code(
                    email=email, code=wrong(newest_login_code(email)), ip=network, device=browser
                )
                successes += 1
            except FieldError as refused:
                outcomes[kind(refused.message)] += 1
    compared = compared_guesses()
    with db.read_session() as session:
        locks = session.exec(
            select(RateEvent.kind, func.count()).where(RateEvent.kind.startswith("code_lock")).group_by(RateEvent.kind)  # type: ignore[attr-defined]
        ).all()
    with capsys.disabled():
        seconds = round_ + guesses
        print(
            f"\n{guesses:,} code guesses ({round_:,} requests) against {len(TARGETS)} emails from "
            f"{len(NETWORKS)} networks, {seconds // 3600} h {seconds % 3600 // 60} min of clock:"
        )
        for name, count in outcomes.most_common():
            print(f"  {count:>6,}  {name}")
        print(f"  codes compared with a stored code: {compared:,}; locks: {dict(locks)}; successes: {successes}")
    assert successes == 0
    # At most 100 refused codes per email a day, every network together (the email-wide ceiling).
    assert compared <= len(TARGETS) * 100
    # The people, from home, still get in: by code where only networks are locked, by password always.
    frozen_clock.advance(minutes=1)
    for email in TARGETS[:3]:
        code_login.request_login_code(email=email, ip=HOME, device="home-browser-0123456789abcdef0123")
        with db.read_session() as session:
            everywhere = code_budget.current_lock(session, email) is not None
        if not everywhere:
            ticket = code_login.login_with_code(
                email=email, code=latest_code(email), ip=HOME, device="home-browser-0123456789abcdef0123"
            )
            assert redeem_bound(ticket, browser_token="home-browser-0123456789abcdef0123").value
        grant = redeem_bound(login.password_login(email=email, password=PASSWORD, ip=HOME))
        assert sessions.current_session(grant.value).auth_method == "password"


def test_ten_thousand_password_guesses_get_nobody_in(people, frozen_clock, capsys):
    outcomes: Counter[str] = Counter()
    successes = 0
    for attempt in range(GUESSES):
        frozen_clock.advance(seconds=1)
        email = TARGETS[attempt % len(TARGETS)]
        network = NETWORKS[(attempt // len(TARGETS)) % len(NETWORKS)]
        try:
            login.password_login(email=email, password=f"guess-{attempt}-aardvark", ip=network)
            successes += 1
        except LoginFailed as refused:
            outcomes["checked: wrong" if refused.message == login.INCORRECT else "refused before checking"] += 1
    checked = outcomes["checked: wrong"]
    with capsys.disabled():
        print(f"\n{GUESSES:,} password guesses against {len(TARGETS)} emails from {len(NETWORKS)} networks:")
        for name, count in outcomes.most_common():
            print(f"  {count:>6,}  {name}")
    assert successes == 0
    # Each email: at most 100 wrong passwords a day from every network together.
    days = GUESSES / 86_400 + 1
    assert checked <= len(TARGETS) * 100 * days
    # The people, from home, are held up only once the email-wide ceiling is reached.
    for email in TARGETS[:3]:
        try:
            grant = redeem_bound(login.password_login(email=email, password=PASSWORD, ip=HOME))
            assert sessions.current_session(grant.value).auth_method == "password"
        except LoginFailed as refused:
            assert refused.message.startswith("Too many attempts")
            # ...and then a code still works from home.
            code_login.request_login_code(email=email, ip=HOME, device="home-browser-0123456789abcdef0123")
            ticket = code_login.login_with_code(
                email=email, code=latest_code(email), ip=HOME, device="home-browser-0123456789abcdef0123"
            )
            assert redeem_bound(ticket, browser_token="home-browser-0123456789abcdef0123").value
    assert codes.CodeStatus  # the module is the one the code path above uses
