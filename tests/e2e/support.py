"""What the browser tests do again and again: sign up, read the mailbox, travel in time."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.accounts.models import Account, EmailCode, RateEvent
from portal_app.apps import grants
from portal_app.kernel import db

PASSWORD = "plum orchard lantern 7"
HOME = re.compile(r"^https?://[^/]+/$")
VERIFY = re.compile(r".*/verify/?$")
LOGIN = re.compile(r".*/login/?(\?.*)?$")


def new_email(label: str = "person") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def mailbox(base_url: str, email: str) -> list[dict]:
    """The dev mailbox's messages to one address, newest first."""
    query = urllib.parse.urlencode({"to": email})
    with urllib.request.urlopen(f"{base_url}/dev/mailbox.json?{query}", timeout=10) as response:
        return json.load(response)


def wait_for_email(base_url: str, email: str, *, count: int = 1, timeout: float = 20) -> dict:
    """The newest message once `count` messages have reached `email`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = mailbox(base_url, email)
        if len(messages) >= count:
            return messages[0]
        time.sleep(0.3)
    raise AssertionError(f"no email #{count} for {email} within {timeout} s")


def code_in(message: dict) -> str:
    match = re.search(r"^\s+(\d{6})\s*$", message["text_body"], re.MULTILINE)
    assert match, f"no code in: {message['text_body']}"
    return match.group(1)


def fill_signup(page: Page, *, name: str, email: str, password: str = PASSWORD) -> None:
    page.goto("/signup")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()


def sign_up(page: Page, *, name: str, email: str, password: str = PASSWORD) -> None:
    """Submit the signup form and wait for the verify page."""
    fill_signup(page, name=name, email=email, password=password)
    page.wait_for_url(VERIFY)
    expect(page.get_by_text("We sent a 6-digit code to")).to_be_visible()


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Verify").click()


def sign_up_and_verify(page: Page, base_url: str, *, name: str, email: str, password: str = PASSWORD) -> None:
    sign_up(page, name=name, email=email, password=password)
    enter_code(page, code_in(wait_for_email(base_url, email)))
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()


def log_in(page: Page, *, email: str, password: str = PASSWORD, path: str = "/login") -> None:
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def accounts_with_email(email: str) -> list[Account]:
    with db.read_session() as session:
        return list(session.exec(select(Account).where(Account.email == email).order_by(Account.id)))


def age_rate_events(*, kinds_matching: str = "ip", by: timedelta) -> None:
    """Move counted events into the past, as if time had passed (keeps per-IP limits out of the way)."""
    with db.write_session() as session:
        for event in session.exec(select(RateEvent)):
            if kinds_matching in event.kind:
                event.at -= by
                session.add(event)


def age_sends_to(email: str, *, by: timedelta) -> None:
    with db.write_session() as session:
        for event in session.exec(select(RateEvent).where(RateEvent.key == email)):
            event.at -= by
            session.add(event)


def expire_codes_for(email: str) -> None:
    with db.write_session() as session:
        for code in session.exec(select(EmailCode).where(EmailCode.email == email)):
            code.expires_at -= timedelta(hours=2)
            code.created_at -= timedelta(hours=2)
            session.add(code)


def link_in(message: dict) -> str | None:
    match = re.search(r"(https?://\S+/magic\?token=[\w-]+)", message["text_body"])
    return match.group(1) if match else None


def create_account(email: str, name: str, *, password: str | None = PASSWORD, apps: tuple[str, ...] = ()) -> int:
    """An account as if it had signed up earlier (or been invited, without a password)."""
    from portal_app.accounts.passwords import hash_password
    from portal_app.kernel import clock

    now = clock.now()
    with db.write_session() as session:
        account = Account(
            email=email,
            full_name=name,
            password_hash=hash_password(password) if password else None,
            email_verified_at=now,
            created_at=now,
        )
        session.add(account)
        session.flush()
        for app_key in apps:
            grants.grant_app(session, account_id=account.id, app_key=app_key)
        return account.id


def request_code(page: Page, email: str, *, path: str = "/login") -> None:
    page.goto(path)
    page.get_by_role("link", name="Email me a code").click()
    # The code form replaces the password form once the server answered; type into the new field.
    expect(page.get_by_role("button", name="Send code")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_text(f"If an account exists for {email}, we sent a code")).to_be_visible()


def log_in_with_code(page: Page, base_url: str, email: str, *, count: int = 1) -> None:
    request_code(page, email)
    page.get_by_label("Code").fill(code_in(wait_for_email(base_url, email, count=count)))
    page.get_by_role("button", name="Log in").click()


def sessions_of(account_id: int) -> list:
    from portal_app.accounts.models import UserSession

    with db.read_session() as session:
        return list(session.exec(select(UserSession).where(UserSession.account_id == account_id)))


def open_account_menu(page: Page) -> None:
    page.locator("#account-menu-button").click()
    expect(page.get_by_role("menu")).to_be_visible()


def log_out(page: Page) -> None:
    open_account_menu(page)
    page.get_by_role("menuitem", name="Log out").click()
    page.wait_for_url(LOGIN)


def give_phone(account_id: int, phone: str = "+14155550123") -> None:
    """Fill the one required detail the demo business asks for beyond name and email."""
    from portal_app.kernel import clock
    from portal_app.profile.models import Profile

    with db.write_session() as session:
        profile = session.get(Profile, account_id) or Profile(account_id=account_id, updated_at=clock.now())
        profile.phone = phone
        profile.updated_at = clock.now()
        session.add(profile)


def set_business(**values) -> dict:
    """Change business settings for a test; returns the old values to restore."""
    from portal_app.business.models import BUSINESS_ID, Business

    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        old = {name: getattr(business, name) for name in values}
        for name, value in values.items():
            setattr(business, name, value)
        session.add(business)
    return old


def open_switcher(page: Page) -> None:
    page.locator("#app-switcher-button").click()
    expect(page.get_by_role("menu")).to_be_visible()


def switcher_titles(page: Page) -> list[str]:
    open_switcher(page)
    items = page.get_by_role("menuitem")
    expect(items.first).to_be_visible()
    titles = [text.replace("(current)", "").strip() for text in items.all_inner_texts()]
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    return titles


OWNER_PASSWORD = "owner passphrase for tests"


def create_owner(email: str, name: str = "Olive Owner") -> None:
    import os
    import subprocess

    from portal_app.kernel.settings import PROJECT_DIR

    result = subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "portal"),
            "create-owner",
            "--email",
            email,
            "--name",
            name,
            "--password-stdin",
        ],
        input=OWNER_PASSWORD + "\n",
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def admin_log_in(page: Page, base_url: str, email: str, *, count: int = 1) -> None:
    page.goto("/admin/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Code")).to_be_visible()
    page.get_by_label("Code").fill(code_in(wait_for_email(base_url, email, count=count)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/admin/?$"))
