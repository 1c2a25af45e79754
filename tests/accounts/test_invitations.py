"""Invitations: a passwordless account with its apps, an emailed code (and link) that works at once."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from portal_app.accounts import code_login, codes, invitations, magic_links, passwords, sessions
from portal_app.accounts.errors import LoginFailed
from portal_app.accounts.login import password_login
from portal_app.accounts.models import Account, EmailCode
from portal_app.apps import grants
from portal_app.apps.models import AppGrant
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from tests.support.accounts import IP, PASSWORD, accounts_for, latest_email, open_invitation_entry, sign_up
from tests.support.browser import TEST_BROWSER, redeem_bound

EMAIL = "grace@example.com"


def invite(**fields) -> invitations.InviteResult:
    return invitations.invite(
        **{"email": " Grace@Example.com ", "full_name": "  Grace Hopper ", "app_keys": ["courses"], **fields}
    )


def refusal(**fields) -> FieldError:
    with pytest.raises(FieldError) as caught:
        invite(**fields)
    return caught.value


def invitation_code(to: str = EMAIL) -> str:
    return re.search(r"^    (\d{6})$", latest_email(to).text_body, re.MULTILINE).group(1)


def open_entry_link(to: str = EMAIL, device: str = TEST_BROWSER) -> bool:
    return open_invitation_entry(to, device)


def invitation_link(to: str = EMAIL) -> str | None:
    found = re.search(r"\S+/magic\?token=[\w-]+", latest_email(to).text_body)
    return found.group(0) if found else None


def set_business(**fields) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        for name, value in fields.items():
            setattr(business, name, value)
        session.add(business)


def count(model) -> int:
    with db.read_session() as session:
        return len(session.exec(select(model)).all())


def test_an_invitation_creates_a_passwordless_unverified_account_with_its_apps(database, frozen_clock):
    result = invite(app_keys=["communities", "courses", "courses"])
    [account] = accounts_for(EMAIL)
    assert result == invitations.InviteResult(
        account_id=account.id,
        email=EMAIL,
        full_name="Grace Hopper",
        app_titles=("Membership Courses", "Communities"),
        code_expires_at=frozen_clock.current + timedelta(hours=72),
        with_link=True,
    )
    assert (account.full_name, account.password_hash, account.email_verified_at) == ("Grace Hopper", None, None)
    assert account.invited_at == account.created_at == frozen_clock.current
    assert account.exclusive_email == EMAIL and account.last_login_at is None
    with db.read_session() as session:
        assert grants.app_titles(session, account.id) == ["Membership Courses", "Communities"]


def test_the_invitation_email(database, frozen_clock, settings_env):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example.com")
    invite(app_keys=["courses", "affiliates"])
    email = latest_email(EMAIL)
    assert email.template == "invitation" and email.subject == "Test Business created your account"
    body = email.text_body
    assert body.startswith("Hi Grace Hopper,\n")
    assert "  - Membership Courses\n  - Affiliate Manager\n" in body
    assert "The code and the link work once, for 3 days." in body
    assert '"Email me a code" on https://portal.example.com/login' in body
    assert "If you did not expect this email, you can ignore it" in body
    code, link = invitation_code(), invitation_link()
    assert link.startswith("https://portal.example.com/magic?token=")
    assert code in email.html_body and f'href="{link}"' in email.html_body
    assert "This code expires in 3 days." in email.html_body and "Affiliate Manager" in email.html_body
    with db.read_session() as session:
        row = session.exec(select(EmailCode)).one()
    assert (row.purpose, row.email, row.expires_at) == ("login", EMAIL, frozen_clock.current + timedelta(hours=72))


def test_the_code_lifetime_comes_from_settings(database, frozen_clock, settings_env):
    settings_env(PORTAL_INVITE_CODE_HOURS="36")
    assert invite().code_expires_at == frozen_clock.current + timedelta(hours=36)
    assert "The code and the link work once, for 36 hours." in latest_email(EMAIL).text_body


def test_the_invitation_code_signs_in_and_verifies_the_email(database, frozen_clock):
    result = invite()
    frozen_clock.advance(hours=71)
    assert open_entry_link()
    ticket = code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=invitation_code())
    grant = redeem_bound(ticket, user_agent="", ip="")
    info = sessions.current_session(grant.value)
    assert (info.account_id, info.auth_method) == (result.account_id, "code")
    [account] = accounts_for(EMAIL)
    assert account.email_verified_at == account.last_login_at == frozen_clock.current


def test_the_invitation_code_expires(database, frozen_clock):
    invite()
    frozen_clock.advance(hours=72)
    assert open_entry_link()
    with pytest.raises(FieldError, match="This code has expired. Request a new code."):
        code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=invitation_code())


def test_the_invitation_link_signs_in(database, frozen_clock):
    result = invite()
    token = invitation_link().split("token=")[1]
    assert magic_links.link_status(token).status is magic_links.LinkState.VALID
    grant = redeem_bound(magic_links.use_magic_link(token), user_agent="", ip="")
    assert sessions.account_for_token(grant.value) == result.account_id
    assert accounts_for(EMAIL)[0].email_verified_at == frozen_clock.current


def test_an_invited_person_can_ask_for_a_code_at_once(database, frozen_clock):
    result = invite()
    code_login.request_login_code(device=TEST_BROWSER, email=EMAIL, ip=IP)
    assert latest_email(EMAIL).template == "login_code"
    code = re.match(r"(\d{6}) ", latest_email(EMAIL).subject).group(1)
    grant = redeem_bound(code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=code), user_agent="", ip="")
    assert sessions.account_for_token(grant.value) == result.account_id


def test_no_link_when_magic_links_are_off(database, frozen_clock):
    set_business(magic_links_enabled=False)
    assert invite().with_link is False
    email = latest_email(EMAIL)
    assert invitation_link() is None and "/magic" not in email.html_body
    assert "The code works once, for 3 days." in email.text_body


def test_a_passwordless_account_never_matches_a_password_login(database, frozen_clock):
    invite()
    for password in ("", PASSWORD, "None", None):
        with pytest.raises(LoginFailed, match="Email or password is incorrect."):
            password_login(email=EMAIL, password=password, ip=IP)


def test_one_account_per_email_while_duplicates_are_off(database, frozen_clock):
    sign_up(EMAIL)
    assert (refusal().field, refusal().message) == ("email", f"an account already exists for {EMAIL}")
    invitations_sent = count(OutboxEmail)
    assert len(accounts_for(EMAIL)) == 1 and count(AppGrant) == 0 and count(OutboxEmail) == invitations_sent


def test_an_invited_email_cannot_be_invited_twice(database, frozen_clock):
    invite()
    assert refusal(full_name="Someone Else").message == f"an account already exists for {EMAIL}"


def test_with_duplicates_on_an_invitation_adds_another_account(database, frozen_clock):
    set_business(allow_duplicate_contacts=True)
    sign_up(EMAIL, full_name="Grace at home")
    result = invite(full_name="Grace at work")
    home, work = accounts_for(EMAIL)
    assert work.id == result.account_id and work.exclusive_email is None
    assert passwords.verify_password(home.password_hash, PASSWORD) and work.password_hash is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"email": None}, "email"),
        ({"email": "a" * 1_000_000}, "email"),
        ({"full_name": " "}, "full_name"),
        ({"full_name": "x" * 101}, "full_name"),
        ({"full_name": "Grace\u202eHopper"}, "full_name"),
        ({"app_keys": []}, "apps"),
        ({"app_keys": "courses"}, "apps"),
        ({"app_keys": ["courses", "billing"]}, "apps"),
        ({"app_keys": [None]}, "apps"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(database, frozen_clock, fields, field):
    assert refusal(**fields).field == field
    assert count(Account) == count(AppGrant) == count(OutboxEmail) == count(EmailCode) == 0


def test_an_unknown_app_names_the_valid_ones(database, frozen_clock):
    assert refusal(app_keys=["billing"]).message == (
        "unknown app 'billing'; choose from: courses, communities, affiliates, notes"
    )


def test_ten_invitations_of_one_email_at_once_make_one_account(database, frozen_clock):
    barrier = threading.Barrier(10)

    def one(number: int):
        barrier.wait()
        try:
            return invite(full_name=f"Person {number}")
        except FieldError as error:
            return error

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(one, range(10)))
    assert sum(isinstance(result, invitations.InviteResult) for result in results) == 1
    assert len(accounts_for(EMAIL)) == 1 and count(OutboxEmail) == 1


def test_the_code_works_only_in_a_browser_that_opened_the_invitations_link(database, frozen_clock):
    """Probing an invited email without the link tells nothing and uses up nothing; a forged or stale
    entry token opens nothing; the link's browser then signs in with the untouched code."""
    invite()
    code = invitation_code()
    for _ in range(10):
        with pytest.raises(FieldError) as caught:
            code_login.login_with_code(device="probing-browser-token-0123456789abcdef", email=EMAIL, code=code)
        assert caught.value.message == codes.NOT_REQUESTED_MESSAGE
    assert not code_login.open_entry_link(email=EMAIL, token="0" * 64, device="probing-browser-token-0123456789abcdef")
    assert open_entry_link()
    ticket = code_login.login_with_code(device=TEST_BROWSER, email=EMAIL, code=code)
    assert sessions.current_session(redeem_bound(ticket).value).auth_method == "code"


def test_a_later_request_makes_the_invitations_link_stale(database, frozen_clock):
    invite()
    url = re.search(r"\S+/login\?\S+", latest_email(EMAIL).text_body).group(0)
    token = parse_qs(urlsplit(url).query)["entry"][0]
    frozen_clock.advance(minutes=2)
    code_login.request_login_code(device="someone-else-browser-0123456789abcdef", email=EMAIL, ip="198.51.100.9")
    assert not code_login.open_entry_link(email=EMAIL, token=token, device=TEST_BROWSER)
