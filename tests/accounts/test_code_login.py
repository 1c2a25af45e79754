"""Login by emailed code: 10-minute single-use codes, voiding on resend, send limits, alike for every email."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from portal_app.accounts import code_login, codes, magic_links, passwords, sessions, tickets
from portal_app.accounts.models import Account, EmailCode, RateEvent
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db, tokens
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, PASSWORD, accounts_for, latest_code, latest_email, sign_up
from tests.support.browser import TEST_BROWSER, redeem_bound

EMAIL = "ada@example.com"
UNKNOWN = "nobody@example.com"
SENT = "You asked for several codes just now. Try again in {}."


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def refusal(**fields) -> FieldError:
    with pytest.raises(FieldError) as caught:
        code_login.login_with_code(**{"email": EMAIL, "device": TEST_BROWSER, **fields})
    return caught.value


def signed_in(ticket: str) -> sessions.SessionInfo:
    grant = redeem_bound(ticket, user_agent="pytest", ip=IP)
    assert grant.name == tickets.SESSION_COOKIE
    return sessions.current_session(grant.value)


def set_business(**fields) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        for name, value in fields.items():
            setattr(business, name, value)
        session.add(business)


def link_in(body: str) -> str | None:
    found = re.search(r"\S+/magic\?token=[\w-]+", body)
    return found.group(0) if found else None


def emails_to(address: str) -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.to_email == address)))


def events_for(key: str) -> list[str]:
    with db.read_session() as session:
        return sorted(session.exec(select(RateEvent.kind).where(RateEvent.key == key)))


@pytest.fixture
def ada(database, frozen_clock) -> Account:
    """A verified account; its signup's send limit has passed."""
    sign_up(EMAIL)
    frozen_clock.advance(minutes=2)
    [account] = accounts_for(EMAIL)
    return account


def test_a_code_request_emails_a_ten_minute_code_and_a_link(ada, settings_env):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example.com/")
    assert code_login.request_login_code(device=TEST_BROWSER, email=" Ada@Example.com ", ip=IP) == EMAIL
    email = latest_email(EMAIL)
    assert email.template == "login_code" and email.status == "pending"
    code = latest_code(EMAIL)
    assert email.subject == f"{code} is your Test Business login code"
    assert "The code expires in 10 minutes" in email.text_body
    assert "If you did not ask for this code, you can ignore this email" in email.text_body
    link = link_in(email.text_body)
    assert link.startswith("https://portal.example.com/magic?token=")
    assert f'href="{link}"' in email.html_body and code in email.html_body
    with db.read_session() as session:
        row = session.exec(select(EmailCode).where(EmailCode.purpose == "login")).one()
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert row.link_token_hash == tokens.hash_token(link.split("token=")[1])


def test_the_code_and_link_are_stored_only_as_hashes(ada):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    code, token = latest_code(EMAIL), link_in(latest_email(EMAIL).text_body).split("token=")[1]
    with db.read_session() as session:
        connection = session.connection()
        for table in inspect(connection).get_table_names():
            if table == "outboxemail":
                continue
            for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    assert token not in str(value), f"plain link token in {table}.{column}"
                    if column != "code_hmac":
                        assert code not in str(value), f"plain code in {table}.{column}"


def test_the_right_code_signs_in_by_code_and_lands_on_next(ada, frozen_clock):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    frozen_clock.advance(minutes=3)
    ticket = code_login.login_with_code(device=TEST_BROWSER, email="ADA@example.com", code=f" {latest_code(EMAIL)} ", next_path="/apps/x")
    grant = redeem_bound(ticket, user_agent="pytest", ip=IP)
    assert grant.next_path == "/apps/x"
    info = sessions.current_session(grant.value)
    assert (info.account_id, info.auth_method, info.peer_scope) == (ada.id, "code", "email")
    [account] = accounts_for(EMAIL)
    assert account.last_login_at == frozen_clock.current


def test_next_path_cannot_leave_the_site(ada):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    ticket = code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=latest_code(EMAIL), next_path="https://evil.example/")
    assert redeem_bound(ticket, user_agent="", ip="").next_path == "/"


def test_a_code_lives_ten_minutes(ada, frozen_clock):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    code = latest_code(EMAIL)
    frozen_clock.advance(minutes=9, seconds=59)
    assert refusal(code=wrong(code)).message == "That code is not right. You have 4 attempts left."
    frozen_clock.advance(seconds=1)
    assert refusal(code=code).message == "This code has expired. Request a new code."


def test_the_lifetime_comes_from_settings(ada, frozen_clock, settings_env):
    settings_env(PORTAL_LOGIN_CODE_MINUTES="3")
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    assert "The code expires in 3 minutes" in latest_email(EMAIL).text_body
    frozen_clock.advance(minutes=3)
    assert refusal(code=latest_code(EMAIL)).message == "This code has expired. Request a new code."


def test_a_code_works_once(ada):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    code = latest_code(EMAIL)
    signed_in(code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=code))
    assert refusal(code=code).field == "code"


def test_five_wrong_codes_kill_the_code(ada):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    code = latest_code(EMAIL)
    messages = [refusal(code=wrong(code)).message for _ in range(5)]
    assert messages == [
        "That code is not right. You have 4 attempts left.",
        "That code is not right. You have 3 attempts left.",
        "That code is not right. You have 2 attempts left.",
        "That code is not right. You have 1 attempt left.",
        "Too many wrong codes. Request a new code.",
    ]
    assert refusal(code=code).message == "Too many wrong codes. Request a new code."


def test_a_new_code_voids_the_old_code_and_its_link(ada, frozen_clock):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    first_code, first_link = latest_code(EMAIL), link_in(latest_email(EMAIL).text_body)
    frozen_clock.advance(seconds=60)
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    second_code, second_link = latest_code(EMAIL), link_in(latest_email(EMAIL).text_body)
    assert first_link != second_link
    if first_code != second_code:
        assert refusal(code=first_code).message.startswith("That code is not right.")
    assert magic_links.link_status(first_link.split("token=")[1]).status is magic_links.LinkState.EXPIRED
    assert signed_in(code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=second_code)).account_id == ada.id


def test_sixty_seconds_between_codes_and_five_an_hour(ada, frozen_clock):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    with pytest.raises(FieldError) as caught:
        code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    assert (caught.value.field, caught.value.message) == ("email", SENT.format("1 minute"))
    frozen_clock.advance(seconds=45)
    with pytest.raises(FieldError, match=re.escape(SENT.format("15 seconds"))):
        code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    # The signup two minutes ago was the first send of the hour; then four code requests.
    for _ in range(3):
        frozen_clock.advance(minutes=2)
        code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    frozen_clock.advance(minutes=2)
    with pytest.raises(FieldError) as caught:
        code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    assert caught.value.message == SENT.format("50 minutes")
    assert len(emails_to(EMAIL)) == 5


def test_twenty_code_requests_a_minute_per_ip(database, frozen_clock):
    for number in range(20):
        code_login.request_login_code(device=TEST_BROWSER, email=f"person{number}@example.com", ip="198.51.100.7")
    with pytest.raises(FieldError, match=re.escape(SENT.format("1 minute"))):
        code_login.request_login_code(device=TEST_BROWSER, email="person20@example.com", ip="198.51.100.7")
    code_login.request_login_code(device=TEST_BROWSER, email="person20@example.com", ip="198.51.100.8")


def test_known_and_unknown_emails_get_the_same_answers(ada, frozen_clock):
    def transcript(address: str, guess) -> list[str]:
        """Everything the pages would show for one email: requests, limits, wrong codes, dead and expired codes."""

        def attempt(call) -> str:
            try:
                return str(call())
            except FieldError as error:
                return f"{error.field}: {error.message}"

        def login():
            return code_login.login_with_code(device=TEST_BROWSER, email=address, code=guess())

        def request():
            return code_login.request_login_code(device=TEST_BROWSER, email=address, ip=IP)

        said = [attempt(request), attempt(request)] + [attempt(login) for _ in range(6)]
        frozen_clock.advance(seconds=60)
        said += [attempt(request)] + [attempt(login) for _ in range(2)]
        frozen_clock.advance(minutes=10)
        return said + [attempt(login)]

    before = events_for(EMAIL)
    known = transcript(EMAIL, lambda: wrong(latest_code(EMAIL)))
    known_events = events_for(EMAIL)
    for kind in before:
        known_events.remove(kind)
    unknown = transcript(UNKNOWN, lambda: "000000")
    assert [line.replace(EMAIL, UNKNOWN) for line in known] == unknown
    assert known == [
        EMAIL,
        "email: " + SENT.format("1 minute"),
        "code: That code is not right. You have 4 attempts left.",
        "code: That code is not right. You have 3 attempts left.",
        "code: That code is not right. You have 2 attempts left.",
        "code: That code is not right. You have 1 attempt left.",
        "code: Too many wrong codes. Request a new code.",
        "code: Too many wrong codes. Request a new code.",
        EMAIL,
        "code: That code is not right. You have 4 attempts left.",
        "code: That code is not right. You have 3 attempts left.",
        "code: This code has expired. Request a new code.",
    ]
    assert emails_to(UNKNOWN) == [] and len(emails_to(EMAIL)) == 3
    with db.read_session() as session:
        assert session.exec(select(EmailCode).where(EmailCode.email == UNKNOWN)).all() == []
    assert events_for(UNKNOWN) == known_events
    assert set(known_events) == {"code_send_email", "login_code_request", "code_failure:client:login"}


def test_an_email_with_no_code_requested_answers_like_any_other(ada):
    assert refusal(code="123456").message == refusal(email=UNKNOWN, code="123456").message


def test_bad_input_is_refused_next_to_the_field(ada):
    for raw in (None, "", "not an email", "a" * 1_000_000, {"email": EMAIL}, "ada\x00@example.com"):
        with pytest.raises(FieldError) as caught:
            code_login.request_login_code(device=TEST_BROWSER, email=raw, ip=IP)
        assert caught.value.field == "email"
        assert refusal(email=raw, code="123456").field == "email"
    for raw in (None, "", "12345", "1234567", "abcdef", "１２３４５６", ["123456"], "1" * 1_000_000):
        assert refusal(code=raw).message == "Enter the 6-digit code from the email."
    assert emails_to(EMAIL)[-1].template == "signup_code"


def test_no_link_when_magic_links_are_off(ada):
    set_business(magic_links_enabled=False)
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    email = latest_email(EMAIL)
    assert link_in(email.text_body) is None and "/magic" not in email.html_body
    with db.read_session() as session:
        assert session.exec(select(EmailCode.link_token_hash).where(EmailCode.purpose == "login")).one() is None
    signed_in(code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=latest_code(EMAIL)))


def test_several_accounts_on_the_email_go_to_the_chooser_and_all_become_verified(database, frozen_clock):
    set_business(allow_duplicate_contacts=True)
    sign_up(EMAIL, full_name="At work")
    frozen_clock.advance(minutes=2)
    sign_up(EMAIL, full_name="At home")
    with db.write_session() as session:
        for account in session.exec(select(Account)):
            account.email_verified_at = None
            session.add(account)
    frozen_clock.advance(minutes=2)
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    ticket = code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=latest_code(EMAIL))
    grant = redeem_bound(ticket, user_agent="", ip="")
    assert (grant.name, grant.next_path) == (tickets.CHOICE_COOKIE, "/accounts")
    assert all(account.email_verified_at == frozen_clock.current for account in accounts_for(EMAIL))


def test_a_code_login_leaves_the_password_alone(ada):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    signed_in(code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=latest_code(EMAIL)))
    [account] = accounts_for(EMAIL)
    assert passwords.verify_password(account.password_hash, PASSWORD)


def test_the_code_row_is_a_login_code_for_this_email_only(ada):
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    code = latest_code(EMAIL)
    assert codes.check_code(purpose="signup", email=EMAIL, code=code).status is codes.CodeStatus.NO_CODE
    assert refusal(email=UNKNOWN, code=code).field == "code"
    signed_in(code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=code))
