"""What the browser tests do again and again: sign up, read the mailbox, travel in time, find a tab's worker."""

from __future__ import annotations

import json
import pickle
import re
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
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


# The portal's public URL -> the backend's own URL, for a portal behind a proxy (conftest's scale-out
# topology): the dev mailbox answers only requests made on the machine without a proxy's headers.
MAILBOX_URLS: dict[str, str] = {}


def mailbox_base(base_url: str) -> str:
    """Where the dev mailbox of the portal at `base_url` answers."""
    return MAILBOX_URLS.get(base_url.rstrip("/"), base_url.rstrip("/"))


def mailbox(base_url: str, email: str) -> list[dict]:
    """The dev mailbox's messages to one address, newest first."""
    query = urllib.parse.urlencode({"to": email})
    with urllib.request.urlopen(f"{mailbox_base(base_url)}/dev/mailbox.json?{query}", timeout=10) as response:
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


# --- Several backend workers (Reflex's Redis state manager) ---------------------------------------------

# Reflex 0.10.1 (reflex/utils/token_manager.py, RedisTokenManager): one key per tab's client token,
# holding the pickled SocketRecord(instance_id, sid) of the worker process that holds its websocket.
SOCKET_RECORD_KEY = "token_manager_socket_record_{}"
# Reflex's frontend keeps the tab's client token in sessionStorage under this key (utils/state.js).
TOKEN_KEY = "token"
# New tabs until two websockets are on different workers (each new tab's socket lands on any worker).
MAX_TAB_ATTEMPTS = 30


def redis_client(redis_url: str):
    import redis

    return redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)


def tab_token(page: Page) -> str | None:
    """The tab's Reflex client token (it keys the tab's state and its socket record)."""
    return page.evaluate(f"() => window.sessionStorage.getItem({TOKEN_KEY!r})")


def worker_of(
    page: Page, redis_url: str, *, timeout: float = 10, other_than: str | None = None, missing_ok: bool = False
) -> str | None:
    """The instance id of the backend worker holding this tab's websocket, as Reflex recorded it in Redis.

    With `other_than`, wait until the record names another worker (the tab has reconnected elsewhere).
    With `missing_ok`, None instead of an AssertionError when the time is up.
    """
    client = redis_client(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            token = tab_token(page)
            record = client.get(SOCKET_RECORD_KEY.format(token)) if token else None
            if record is not None:
                instance_id = pickle.loads(record).instance_id
                if instance_id != other_than:
                    return instance_id
            if time.monotonic() >= deadline:
                if missing_ok:
                    return None
                wanted = f"naming a worker other than {other_than[:8]}" if other_than else ""
                raise AssertionError(f"no socket record {wanted} in Redis for the tab's token {token!r} within {timeout} s")
            time.sleep(0.2)
    finally:
        client.close()


def on_another_worker(
    fixed: Page, movable: Page, open_page: Callable[[Page], None], redis_url: str, *, hint: str = ""
) -> tuple[Page, str, str]:
    """Open `movable`'s page in new tabs of its context until its websocket is on another worker than `fixed`'s.

    Returns the tab in use and the two workers' instance ids.
    """
    fixed_worker = worker_of(fixed, redis_url)
    seen: list[str] = []
    for _ in range(MAX_TAB_ATTEMPTS):
        movable_worker = worker_of(movable, redis_url)
        seen.append(movable_worker[:8])
        if movable_worker != fixed_worker:
            return movable, fixed_worker, movable_worker
        context = movable.context
        movable.close()
        movable = context.new_page()
        open_page(movable)
    raise AssertionError(
        f"{MAX_TAB_ATTEMPTS} new tabs all landed on the first tab's worker {fixed_worker[:8]} ({seen}): "
        f"is the server running several backend workers? {hint}"
    )


def mark_document(page: Page) -> None:
    """A mark that a full page load would wipe: its survival shows the page changed without reloading."""
    page.evaluate("() => { window.__no_reload_mark = true; }")


def assert_not_reloaded(page: Page, why: str = "instead of updating live") -> None:
    assert page.evaluate("() => window.__no_reload_mark === true"), f"the page reloaded {why}"


def post_seen_live(author: Page, viewer: Page, *, title: str, body: str, timeout_ms: float) -> None:
    """`author` posts on the group feed both have open; `viewer`'s feed shows it without reloading."""
    mark_document(viewer)
    author.get_by_label("Title (optional)").fill(title)
    author.get_by_label("Your post").fill(body)
    author.get_by_role("button", name="Post", exact=True).click()
    expect(author.get_by_text("Posted.")).to_be_visible()
    expect(viewer.get_by_role("heading", name=title)).to_be_visible(timeout=timeout_ms)
    assert_not_reloaded(viewer)


def group_member_signed_in(browser, base_url: str, name: str, slug: str) -> Page:
    """A new member of the group `slug` with the Communities app, signed in in a browser context of their own."""
    from portal_app.apps.communities import groups

    email = new_email(name.split()[0].lower())
    account_id = create_account(email, name, apps=("communities",))
    give_phone(account_id)
    assert groups.join(account_id, slug) == "active"
    page = browser.new_context(base_url=base_url).new_page()
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return page
