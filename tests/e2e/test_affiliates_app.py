"""Affiliate Manager in the browser (issue 10): a referral link brings a customer who signs up, the shop's
signed webhook reports their sale, the affiliate sees the pending commission, staff approve it and record the
payout, and the affiliate's totals, earnings table and CSV statement agree. Also: the webhook's refusals
(bad signature, stale timestamp, replayed key, a decimal amount) and its log, open-redirect attempts on
/r/<code>, self-referral, the payout details changed with an emailed code, and screenshots and axe of the
affiliate page and the admin commissions page.

Accounts, grants and profiles are made from the test process (tests/e2e/support.py); staff sign in with the
owner account and an emailed code. The test process reaches into the server's database only to travel in
time (a commission's refund window), to seed a programme for the screenshots and to count stored rows;
everything else checked is what a person sees.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import func
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps.affiliates import admin_views, ledger, programme, webhook
from portal_app.apps.affiliates.models import Affiliate, Commission, Referral, Sale
from portal_app.apps.app_settings import app_setting, update_app_settings
from portal_app.kernel import clock, db
from portal_app.shell.ui.formatting import short_date
from tests.e2e.support import (
    HOME,
    PASSWORD,
    VERIFY,
    accounts_with_email,
    admin_log_in,
    code_in,
    create_account,
    create_owner,
    enter_code,
    give_phone,
    log_in,
    new_email,
    open_account_menu,
    sign_up_and_verify,
    wait_for_email,
)
from tests.e2e.test_accessibility import AXE, assert_no_violations
from tests.e2e.test_communities_features import VIEWPORTS, _no_horizontal_overflow

APP = "/apps/affiliates"
ADMIN = "/admin/apps/affiliates"
SALE_URL = "/api/apps/affiliates/sale"
SIGNUP = re.compile(r"^https?://[^/]+/signup/?(\?.*)?$")
OWNER = Actor("owner@example.com")
CLIPBOARD = ["clipboard-read", "clipboard-write"]
TOTAL_LABELS = ("Earned", "Pending", "Approved, unpaid", "Paid")


# --- helpers ----------------------------------------------------------------------------------------------


@dataclass
class Person:
    page: Page
    id: int
    email: str
    name: str


def _context_page(browser: Browser, base_url: str) -> Page:
    """A new browser (context) that may use the clipboard, as the Copy buttons do."""
    return browser.new_context(base_url=base_url, permissions=CLIPBOARD).new_page()


def _affiliate(browser: Browser, base_url: str, name: str) -> Person:
    """An account with Affiliate Manager and a complete profile, signed in in its own browser context."""
    email = new_email(name.split()[0].lower())
    account_id = create_account(email, name, apps=("affiliates",))
    give_phone(account_id)
    page = _context_page(browser, base_url)
    log_in(page, email=email)
    page.wait_for_url(HOME)
    return Person(page, account_id, email, name)


def _section(page: Page, title: str):
    """One card of the affiliate's page, by its heading."""
    return page.locator("div.rt-Card").filter(has=page.get_by_role("heading", name=title, exact=True))


def _figure(page: Page, label: str):
    """A figure of the Totals card ("Pending" -> the amount under it)."""
    return _section(page, "Totals").get_by_text(label, exact=True).locator("xpath=following-sibling::*[1]")


def _chart_drawn(page: Page) -> None:
    """Wait until the earnings chart's bars are on the page."""
    expect(page.locator(".earnings-bar").first).to_be_attached()


def _open_programme(page: Page) -> str:
    """Open /apps/affiliates and read the referral link shown under "Your links"."""
    page.goto(APP)
    links = _section(page, "Your links")
    expect(links.get_by_text("Your referral link", exact=True)).to_be_visible()
    return links.locator("code").first.inner_text().strip()


def _code_of(url: str) -> str:
    match = re.search(r"/r/([a-z0-9]+)$", url)
    assert match, f"not a referral link: {url}"
    return match.group(1)


def _affiliate_id(account_id: int) -> int:
    with db.read_session() as session:
        return session.exec(select(Affiliate.id).where(Affiliate.account_id == account_id)).one()


def _signed_post(
    base_url: str, body: bytes, *, timestamp: int | None = None, signature: str | None = None
) -> tuple[int, dict]:
    """POST the body to the sales webhook, signed as the shop signs it (unless `signature` is given)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    if signature is None:
        secret = webhook.current_secret()
        digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        signature = f"sha256={digest}"
    request = urllib.request.Request(
        f"{base_url}{SALE_URL}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Portal-Timestamp": stamp, "X-Portal-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _sale_body(**fields) -> bytes:
    values = {"type": "sale", "currency": "USD", **fields}
    values.setdefault("idempotency_key", f"evt_{secrets.token_hex(6)}")
    values.setdefault("external_id", f"order-{secrets.token_hex(6)}")
    return json.dumps(values).encode()


def _post_sale(base_url: str, **fields) -> dict:
    status, answer = _signed_post(base_url, _sale_body(**fields))
    assert status == 200, answer
    return answer


def _end_refund_window(*commission_ids: int) -> None:
    """Time travel: the commissions' refund window ended a minute ago."""
    with db.write_session() as session:
        for commission_id in commission_ids:
            commission = session.get(Commission, commission_id)
            commission.approvable_at = clock.now() - timedelta(minutes=1)
            session.add(commission)


def _count(model, *where) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _referrals_of(affiliate_account_id: int) -> list[Referral]:
    with db.read_session() as session:
        affiliate_id = session.exec(select(Affiliate.id).where(Affiliate.account_id == affiliate_account_id)).first()
        return list(session.exec(select(Referral).where(Referral.affiliate_id == affiliate_id)))


def _labelled(page: Page, label: str):
    """A staff table by its name (its caption), as a screen reader finds it."""
    return page.get_by_role("table", name=label)


def _visible_alerts(page: Page):
    return page.get_by_role("alert").filter(has_text=re.compile(r"\S"))


@pytest.fixture(scope="module")
def staff(browser: Browser, base_url: str):
    """One owner account, signed in to the admin area once for the module."""
    email = new_email("affiliates-staff")
    create_owner(email, "Sam Staff")
    page = browser.new_context(base_url=base_url).new_page()
    admin_log_in(page, base_url, email)
    yield page
    page.context.close()


# --- 1. the whole flow --------------------------------------------------------------------------------------


def test_referral_signup_sale_approval_payout_and_statement_agree(browser: Browser, base_url: str, staff: Page):
    ann = _affiliate(browser, base_url, "Ann Affiliate")
    page = ann.page
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    link = _open_programme(page)
    assert link == f"{base_url}/r/{_code_of(link)}"
    code = _code_of(link)
    expect(_section(page, "Your links").get_by_text(f"Add ?ref={code} to any link", exact=False)).to_be_visible()
    page.get_by_role("button", name="Copy Your referral link").click()
    expect(page.get_by_role("status").filter(has_text="Copied your link.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    expect(_section(page, "Terms").get_by_text("20% of each sale", exact=False)).to_be_visible()
    expect(_section(page, "Referrals").get_by_text("No referrals yet.")).to_be_visible()
    expect(_section(page, "Totals").get_by_text("No commissions yet.", exact=False)).to_be_visible()

    # A new visitor follows the link, lands on the signup page with the referral cookie, and signs up.
    visitor = browser.new_context(base_url=base_url).new_page()
    visitor.goto(link)
    visitor.wait_for_url(SIGNUP)
    cookie = next(c for c in visitor.context.cookies() if c["name"] == "app_affiliates_ref")
    assert cookie["httpOnly"] and cookie["value"].startswith(f"1.{code}.")
    customer = new_email("customer")
    visitor.get_by_label("Full name").fill("Carl Customer")
    visitor.get_by_label("Email").fill(customer)
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign up").click()
    visitor.wait_for_url(VERIFY)
    enter_code(visitor, code_in(wait_for_email(base_url, customer)))
    visitor.wait_for_url(HOME)
    expect(visitor.get_by_role("heading", name="Welcome, Carl Customer")).to_be_visible()
    visitor.context.close()

    masked = "c***@example.com"
    page.reload()
    referrals = _section(page, "Referrals")
    expect(referrals.get_by_role("row").filter(has_text=masked)).to_contain_text("Signed up through your link")
    expect(referrals.get_by_text("1 customers referred in all", exact=False)).to_be_visible()
    expect(referrals.get_by_text(customer)).to_have_count(0)
    expect(_visible_alerts(page)).to_have_count(0)

    # The shop reports the customer's sale: a pending commission of 20 % of $123.45.
    answer = _post_sale(base_url, amount=12345, customer_email=customer)
    commission_id = answer["commission_id"]
    assert answer["replayed"] is False and commission_id, answer
    page.reload()
    commissions = _section(page, "Commissions")
    row = commissions.get_by_role("row").filter(has_text="$24.69")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("(the refund window)")
    expect(_figure(page, "Pending")).to_have_text("$24.69")
    expect(_figure(page, "Earned")).to_have_text("$24.69")
    expect(_figure(page, "Paid")).to_have_text("$0.00")

    # Staff cannot approve it inside the refund window; after it, they can.
    label = f"commission {commission_id} of $24.69"
    staff.goto(f"{ADMIN}/commissions")
    staff.get_by_role("button", name=f"Approve {label}", exact=True).click()
    expect(staff.get_by_role("status").filter(has_text="Nothing was approved.")).to_be_visible()
    expect(staff.get_by_text("Its refund window ends on", exact=False).first).to_be_visible()
    _end_refund_window(commission_id)
    staff.reload()
    staff.get_by_role("button", name=f"Approve {label}", exact=True).click()
    expect(staff.get_by_role("status").filter(has_text="Approved 1 commission.")).to_be_visible()
    expect(staff.get_by_role("button", name=f"Approve {label}", exact=True)).to_have_count(0)

    page.reload()
    expect(_section(page, "Commissions").get_by_role("row").filter(has_text="$24.69")).to_contain_text("Approved")
    expect(_figure(page, "Approved, unpaid")).to_have_text("$24.69")
    expect(_figure(page, "Pending")).to_have_text("$0.00")

    # Staff record the payout they sent.
    reference = f"PP-{secrets.token_hex(4).upper()}"
    staff.goto(f"{ADMIN}/payouts")
    staff.get_by_role("button", name=f"Prepare payout for {code} in USD").click()
    expect(staff.get_by_label("Affiliate (referral code or email)")).to_have_value(code)
    staff.get_by_label("Reference").fill(reference)
    staff.get_by_role("button", name="Record payout").click()
    expect(
        staff.get_by_role("status").filter(
            has_text="Recorded a payout of $24.69 to Ann Affiliate: 1 approved commission marked paid."
        )
    ).to_be_visible()
    expect(_labelled(staff, "Recorded payouts").get_by_role("row").filter(has_text=reference)).to_be_visible()

    page.reload()
    expect(_figure(page, "Paid")).to_have_text("$24.69")
    expect(_figure(page, "Approved, unpaid")).to_have_text("$0.00")
    expect(_figure(page, "Earned")).to_have_text("$24.69")
    payout_row = _section(page, "Payouts").get_by_role("row").filter(has_text=reference)
    expect(payout_row).to_contain_text("$24.69")
    expect(payout_row).to_contain_text("PayPal")
    commission_row = _section(page, "Commissions").get_by_role("row").filter(has_text="$24.69")
    expect(commission_row).to_contain_text("Paid")
    page.get_by_label("Show", exact=True).select_option("pending")
    expect(_section(page, "Commissions").get_by_text("No commissions here.")).to_be_visible()
    page.get_by_label("Show", exact=True).select_option("paid")
    expect(_section(page, "Commissions").get_by_role("row").filter(has_text="$24.69")).to_contain_text("Paid")

    # The earnings table (the chart's figures) shows $24.69 for this month (the business's time zone).
    this_month = f"{admin_views.today():%b %Y}"
    chart = _section(page, "Earnings by month (USD)")
    bars = chart.locator(".earnings-bar")
    expect(bars.last).to_be_visible()  # this month's bar (the tallest: the only earnings)
    assert bars.last.bounding_box()["height"] > 150
    chart.get_by_text("Earnings by month as a table").click()
    month_row = chart.get_by_role("row").filter(has_text=this_month)
    expect(month_row).to_be_visible()
    expect(month_row.get_by_role("cell").nth(1)).to_have_text("$24.69")

    # The CSV statement for the last days has the commission and the payout, as the page shows them.
    today = clock.now().date()
    page.get_by_label("From", exact=True).fill((today - timedelta(days=3)).isoformat())
    page.get_by_label("To", exact=True).fill((today + timedelta(days=3)).isoformat())
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download statement (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    commission_lines = [r for r in rows if r["type"] == "commission"]
    payout_lines = [r for r in rows if r["type"] == "payout"]
    assert len(commission_lines) == 1 and len(payout_lines) == 1, rows
    line = commission_lines[0]
    assert (line["amount"], line["currency"], line["minor_units"], line["status"], line["id"]) == (
        "$24.69",
        "USD",
        "2469",
        "paid",
        str(commission_id),
    )
    # The page's commission row: the same date, amount and state.
    cells = commission_row.get_by_role("cell")
    assert cells.nth(0).inner_text().strip() == short_date(date.fromisoformat(line["date"]))
    assert cells.nth(1).inner_text().strip() == line["amount"]
    paid = payout_lines[0]
    assert (paid["amount"], paid["minor_units"], paid["reference_or_reason"]) == (
        "$24.69",
        "2469",
        f"PayPal {reference}",
    )
    payout_cells = payout_row.get_by_role("cell")
    assert payout_cells.nth(0).inner_text().strip() == short_date(date.fromisoformat(paid["date"]))
    assert payout_cells.nth(1).inner_text().strip() == paid["amount"]
    assert sum(int(r["minor_units"]) for r in commission_lines) == int(paid["minor_units"])

    expect(_visible_alerts(page)).to_have_count(0)
    assert page_errors == []
    page.context.close()


# --- 2. the webhook's refusals --------------------------------------------------------------------------------


def test_webhook_refuses_bad_calls_replays_a_key_and_logs_why(browser: Browser, base_url: str, staff: Page):
    account_id = create_account(new_email("hook"), "Hugo Hook", apps=("affiliates",))
    with db.write_session() as session:
        code = programme.ensure_affiliate(session, account_id).code
    sales_before, commissions_before = _count(Sale), _count(Commission)

    # A signature made with another secret.
    bad_key = f"evt_bad_{secrets.token_hex(4)}"
    body = _sale_body(idempotency_key=bad_key, amount=5000, referral_code=code)
    stamp = int(time.time())
    forged = "sha256=" + hmac.new(b"not the secret", f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    status, answer = _signed_post(base_url, body, timestamp=stamp, signature=forged)
    assert (status, answer["error"]) == (401, "bad signature"), answer

    # A correctly signed call whose timestamp is 10 minutes old.
    stale_key = f"evt_stale_{secrets.token_hex(4)}"
    status, answer = _signed_post(
        base_url,
        _sale_body(idempotency_key=stale_key, amount=5000, referral_code=code),
        timestamp=int(time.time()) - 600,
    )
    assert (status, answer["error"]) == (401, "stale timestamp"), answer

    # The same idempotency key twice: one sale; the second call answers the first's result.
    replay_key = f"evt_replay_{secrets.token_hex(4)}"
    replay_body = _sale_body(idempotency_key=replay_key, amount=5000, referral_code=code)
    status, first = _signed_post(base_url, replay_body)
    assert status == 200 and first["replayed"] is False and first["commission_id"], first
    time.sleep(1)  # a new timestamp: a fresh, validly signed call carrying the same key
    status, second = _signed_post(base_url, replay_body)
    assert status == 200 and second["replayed"] is True, second
    assert {k: v for k, v in second.items() if k != "replayed"} == {k: v for k, v in first.items() if k != "replayed"}

    # A decimal amount (JSON number or string) is refused: minor units only.
    float_key = f"evt_float_{secrets.token_hex(4)}"
    status, answer = _signed_post(base_url, _sale_body(idempotency_key=float_key, amount=49.99, referral_code=code))
    assert (status, answer["error"]) == (400, "invalid: amount"), answer
    string_key = f"evt_decimal_{secrets.token_hex(4)}"
    status, answer = _signed_post(base_url, _sale_body(idempotency_key=string_key, amount="49.99", referral_code=code))
    assert (status, answer["error"]) == (400, "invalid: amount"), answer

    # Nothing stored twice, nothing stored for a refused call.
    assert _count(Sale) == sales_before + 1
    assert _count(Commission) == commissions_before + 1
    assert _count(Sale, Sale.idempotency_key == replay_key) == 1
    for refused in (bad_key, stale_key, float_key, string_key):
        assert _count(Sale, Sale.idempotency_key == refused) == 0

    # The admin page's log lists each call, the refused ones with why.
    staff.goto(f"{ADMIN}/sales")
    log = _labelled(staff, "Latest webhook calls")
    expect(log).to_be_visible()
    rows = log.get_by_role("row")
    for outcome in ("bad signature", "stale timestamp"):
        expect(rows.filter(has_text=outcome).first).to_contain_text("Rejected")
    for key in (float_key, string_key):
        expect(rows.filter(has_text=key)).to_contain_text("Rejected")
        expect(rows.filter(has_text=key)).to_contain_text("invalid: amount")
    replays = rows.filter(has_text=replay_key)
    expect(replays).to_have_count(2)
    expect(replays.filter(has_text="recorded")).to_contain_text("Accepted")
    expect(replays.filter(has_text="replayed")).to_contain_text("Accepted")


# --- 3. open redirects ---------------------------------------------------------------------------------------

HOSTILE_TARGETS = (
    "javascript:alert(1)",
    "//evil.example",
    "https://evil.example",
    "https://shop.example.com.evil.example",
    "/\\evil.example",
    "https://shop.example.com@evil.example",
    "HTTPS://evil.example",
    "https:evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "https://shop.example.com:8443@evil.example",
    " https://evil.example",
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _location(base_url: str, path: str) -> str:
    """Where the portal's answer to GET `path` sends the browser (its Location header)."""
    try:
        urllib.request.build_opener(_NoRedirect).open(f"{base_url}{path}", timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code in (302, 303, 307), answer.code
        return answer.headers["Location"]
    raise AssertionError(f"{path} did not redirect")


def test_referral_links_never_redirect_to_another_host(browser: Browser, base_url: str):
    account_id = create_account(new_email("redirect"), "Rita Redirect", apps=("affiliates",))
    with db.write_session() as session:
        code = programme.ensure_affiliate(session, account_id).code
        old_hosts = app_setting("affiliates", "redirect_hosts", session)
        update_app_settings(session, "affiliates", {"redirect_hosts": "shop.example.com"})
    origin = urllib.parse.urlsplit(base_url)
    elsewhere: list[str] = []
    context = browser.new_context(base_url=base_url)
    context.on("request", lambda request: None if request.url.startswith(base_url) else elsewhere.append(request.url))
    page = context.new_page()
    try:
        for target in HOSTILE_TARGETS:
            link = f"/r/{code}?to={urllib.parse.quote(target, safe='')}"
            try:
                page.goto(link)
            except PlaywrightError as error:
                pytest.fail(f"{target!r} did not end on the portal: {error.message.splitlines()[0]}")
            landed = urllib.parse.urlsplit(page.url)
            assert (landed.scheme, landed.netloc, landed.path.rstrip("/")) == (
                origin.scheme,
                origin.netloc,
                "/signup",
            ), f"{target!r} led to {page.url}"
            expect(page.get_by_role("button", name="Sign up")).to_be_visible()
            assert _location(base_url, link) == "/signup", target
        assert elsewhere == []

        # The controls: a path on the portal, and an https address on the listed host, are followed.
        page.goto(f"/r/{code}?to={urllib.parse.quote('/login', safe='')}")
        landed = urllib.parse.urlsplit(page.url)
        assert (landed.scheme, landed.netloc, landed.path.rstrip("/")) == (origin.scheme, origin.netloc, "/login")
        allowed = f"/r/{code}?to={urllib.parse.quote('https://shop.example.com/welcome', safe='')}"
        assert _location(base_url, allowed) == "https://shop.example.com/welcome"
    finally:
        context.close()
        with db.write_session() as session:
            update_app_settings(session, "affiliates", {"redirect_hosts": old_hosts})


# --- 4. self-referral -------------------------------------------------------------------------------------------


def test_an_affiliate_cannot_refer_themselves(browser: Browser, base_url: str, duplicates_allowed):
    ann = _affiliate(browser, base_url, "Sally Self")
    page = ann.page
    link = _open_programme(page)
    code = _code_of(link)

    # Signed in, Sally follows her own link and a ?ref= link: nothing is recorded for her.
    page.goto(link)
    page.wait_for_url(SIGNUP)
    page.goto(f"/?ref={code}")
    assert _referrals_of(ann.id) == []

    # In the same browser she signs up a second account with the same email (the business allows it).
    page.goto(link)
    page.wait_for_url(SIGNUP)
    assert any(c["name"] == "app_affiliates_ref" for c in page.context.cookies())
    sign_up_and_verify(page, base_url, name="Sally Second", email=ann.email)
    assert len(accounts_with_email(ann.email)) == 2
    assert _referrals_of(ann.id) == []

    # Her own purchase with her own code earns her nothing either.
    answer = _post_sale(base_url, amount=9900, customer_email=ann.email, referral_code=code)
    assert answer["commission_id"] is None and "themselves" in answer["why_no_commission"], answer

    open_account_menu(page)
    page.get_by_role("menuitem", name="Switch to Sally Self").click()
    page.wait_for_url(HOME)
    expect(page.get_by_role("heading", name="Welcome, Sally Self")).to_be_visible()
    page.goto(APP)
    referrals = _section(page, "Referrals")
    expect(referrals.get_by_text("No referrals yet.")).to_be_visible()
    expect(referrals.get_by_text("0 customers referred in all", exact=False)).to_be_visible()
    expect(_section(page, "Totals").get_by_text("No commissions yet.", exact=False)).to_be_visible()
    assert _referrals_of(ann.id) == []
    page.context.close()


# --- 5. payout details behind an emailed code -----------------------------------------------------------------


def test_payout_details_change_only_with_the_emailed_code(browser: Browser, base_url: str):
    ada = _affiliate(browser, base_url, "Ada Payee")
    page = ada.page
    page.goto(APP)
    where = _section(page, "Where your payouts go")
    expect(where.get_by_text("Not set yet: tell us where to send your payouts.")).to_be_visible()
    where.get_by_role("button", name="Change payout details").click()
    page.get_by_label("Payout method").select_option("paypal")
    page.get_by_label("PayPal email or bank details").fill("not an email")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.locator("#details-error")).to_have_text("Enter the email address of your PayPal account.")

    page.get_by_label("PayPal email or bank details").fill("ada.payouts@example.com")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_text("We emailed you a code. Enter it to confirm the change.")).to_be_visible()
    code = code_in(wait_for_email(base_url, ada.email))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.get_by_label("Code from the email").fill(wrong)
    page.get_by_role("button", name="Confirm change").click()
    expect(page.locator("#code-error")).to_contain_text("That code is not right.")
    expect(page.get_by_label("Code from the email")).to_have_attribute("aria-invalid", "true")
    expect(where.get_by_text("Not set yet: tell us where to send your payouts.")).to_be_visible()

    page.get_by_label("Code from the email").fill(code)
    page.get_by_role("button", name="Confirm change").click()
    expect(page.get_by_role("status").filter(has_text="Your payout details are changed.")).to_be_visible()
    expect(where.get_by_text("PayPal: a***@example.com")).to_be_visible()
    expect(page.get_by_text("ada.payouts@example.com")).to_have_count(0)
    page.reload()
    expect(_section(page, "Where your payouts go").get_by_text("PayPal: a***@example.com")).to_be_visible()
    page.context.close()


# --- 6. screenshots and axe -------------------------------------------------------------------------------------


def _seed_programme(base_url: str, account_id: int, code: str) -> list[int]:
    """A programme with history: paid commissions in earlier months, an approved one, one ready to approve,
    one in its refund window and a rejected one; PayPal details on file. Returns the commission ids."""
    amounts = (4900, 12000, 2500, 8000, 15000, 3000)
    ids = [
        _post_sale(base_url, amount=amount, customer_email=new_email(f"buyer{n}"), referral_code=code)["commission_id"]
        for n, amount in enumerate(amounts)
    ]
    now = clock.now()
    with db.write_session() as session:
        for commission_id, days_ago in zip(ids, (95, 64, 33, 2, 1, 1), strict=True):
            commission = session.get(Commission, commission_id)
            commission.created_at = now - timedelta(days=days_ago)
            commission.approvable_at = commission.created_at + timedelta(days=30)
            session.add(commission)
        affiliate = session.exec(select(Affiliate).where(Affiliate.account_id == account_id)).one()
        affiliate.payout_method, affiliate.payout_details = "paypal", "penny.pages@example.com"
        session.add(affiliate)
    _end_refund_window(ids[0], ids[1], ids[2])
    ledger.approve(OWNER, ids[:3])
    ledger.record_payout(
        OWNER,
        _affiliate_id(account_id),
        method="paypal",
        reference="PP-88213",
        paid_on=admin_views.today(),
        currency="USD",
    )
    _end_refund_window(ids[3])
    ledger.reject(OWNER, [ids[5]], "The order was cancelled before it shipped.")
    return ids


def _penny(browser: Browser, base_url: str) -> tuple[Person, list[int]]:
    """An affiliate with a seeded programme, signed in."""
    penny = _affiliate(browser, base_url, "Penny Pages")
    code = _code_of(_open_programme(penny.page))
    return penny, _seed_programme(base_url, penny.id, code)


def test_screenshots_of_the_affiliate_page_and_the_admin_commissions_page(
    browser: Browser, base_url: str, staff: Page, screenshots_dir
):
    penny, ids = _penny(browser, base_url)
    page = penny.page
    label = f"commission {ids[3]} of $16.00"
    staff.goto(f"{ADMIN}/commissions")
    staff.get_by_role("checkbox", name=f"Select {label}").click()
    expect(staff.get_by_text("1 ticked")).to_be_visible()
    staff.get_by_role("button", name="Approve selected").click()
    expect(staff.get_by_role("status").filter(has_text="Approved 1 commission.")).to_be_visible()
    expect(staff.get_by_role("checkbox", name=f"Select {label}")).to_have_count(0)

    overflowing = []
    try:
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.goto(APP)
            expect(_figure(page, "Paid")).to_have_text("$38.80")
            expect(_figure(page, "Approved, unpaid")).to_have_text("$16.00")
            expect(_figure(page, "Pending")).to_have_text("$30.00")
            rejected = _section(page, "Commissions").get_by_text("The order was cancelled before it shipped.")
            expect(rejected).to_be_visible()
            _chart_drawn(page)
            if not _no_horizontal_overflow(page):
                overflowing.append(f"affiliates-{size}")
            page.screenshot(path=screenshots_dir / f"affiliates-page-{size}.png", full_page=True)

            staff.set_viewport_size(viewport)
            staff.goto(f"{ADMIN}/commissions")
            if size == "phone":
                # A phone gets one card per commission, every part of it on the screen, the buttons too.
                card = staff.get_by_role("list", name="Commissions").get_by_role("listitem").filter(
                    has_text=f"#{ids[4]}"
                )
                expect(card).to_be_visible()
                approve = card.get_by_role("button", name=re.compile("^Approve commission"))
                box = approve.bounding_box() if approve.count() else card.bounding_box()
                assert box["x"] + box["width"] <= viewport["width"], box
                expect(_labelled(staff, "Commissions")).to_be_hidden()
            else:
                expect(_labelled(staff, "Commissions")).to_be_visible()
                expect(staff.get_by_role("row").filter(has_text=f"#{ids[4]}")).to_be_visible()
            if not _no_horizontal_overflow(staff):
                overflowing.append(f"admin-commissions-{size}")
            staff.screenshot(path=screenshots_dir / f"affiliates-admin-commissions-{size}.png", full_page=True)
    finally:
        staff.set_viewport_size(VIEWPORTS["desktop"])
    assert overflowing == [], f"wider than the screen: {overflowing}"
    page.context.close()


CHART_BOX = '[aria-hidden="true"]:has(> .recharts-responsive-container), [aria-hidden="true"]:has(.recharts-wrapper)'
APPROVE_BUTTONS = 'button[aria-label^="Approve commission "]'


def _violations(page: Page, *, exclude: str) -> list[str]:
    """axe's violations on the page, leaving out the elements `exclude` selects (a known bug, xfailed apart)."""
    results = AXE.run(page, context={"exclude": [[exclude]]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


def _affiliate_page_with_data(browser: Browser, base_url: str) -> Page:
    penny, _ = _penny(browser, base_url)
    page = penny.page
    page.goto(APP)
    expect(_figure(page, "Paid")).to_have_text("$38.80")
    _chart_drawn(page)
    return page


def test_the_affiliate_page_passes_axe_apart_from_the_chart(browser: Browser, base_url: str):
    page = _affiliate_page_with_data(browser, base_url)
    assert _violations(page, exclude=CHART_BOX) == []
    _section(page, "Earnings by month (USD)").get_by_text("Earnings by month as a table").click()
    expect(_section(page, "Earnings by month (USD)").get_by_role("table")).to_be_visible()
    _section(page, "Where your payouts go").get_by_role("button", name="Change payout details").click()
    expect(page.get_by_label("PayPal email or bank details")).to_be_visible()
    assert _violations(page, exclude=CHART_BOX) == []
    page.context.close()


def test_the_affiliate_page_passes_axe(browser: Browser, base_url: str):
    page = _affiliate_page_with_data(browser, base_url)
    try:
        assert_no_violations(page, "the affiliate page with data")
    finally:
        page.context.close()


def test_the_admin_commissions_page_passes_axe_apart_from_the_approve_buttons(
    browser: Browser, base_url: str, staff: Page
):
    _, ids = _penny(browser, base_url)
    staff.goto(f"{ADMIN}/commissions")
    expect(staff.get_by_role("button", name=f"Approve commission {ids[3]} of $16.00", exact=True)).to_be_visible()
    assert _violations(staff, exclude=APPROVE_BUTTONS) == []


def test_the_admin_commissions_page_passes_axe(browser: Browser, base_url: str, staff: Page):
    _, ids = _penny(browser, base_url)
    staff.goto(f"{ADMIN}/commissions")
    expect(staff.get_by_role("button", name=f"Approve commission {ids[3]} of $16.00", exact=True)).to_be_visible()
    assert_no_violations(staff, "the admin commissions page")


def test_the_admin_tables_are_named_for_screen_readers(staff: Page):
    for path, name in (
        ("commissions", "Commissions"),
        ("payouts", "Recorded payouts"),
        ("sales", "Latest webhook calls"),
    ):
        staff.goto(f"{ADMIN}/{path}")
        expect(_labelled(staff, name)).to_have_count(1)
        expect(_labelled(staff, name)).to_be_visible()


def test_a_campaigns_days_read_as_people_write_them(staff: Page):
    name = f"Flash {secrets.token_hex(3)}"
    staff.goto(f"{ADMIN}/campaigns")
    staff.get_by_label("Campaign name").fill(name)
    staff.get_by_label("Days a referral link counts").fill("1")
    staff.get_by_label("Days before approval").fill("0")
    staff.get_by_role("button", name="Create the campaign").click()
    row = staff.get_by_role("row").filter(has_text=name)
    expect(row.get_by_role("cell", name="1 day", exact=True)).to_be_visible()
    expect(row.get_by_role("cell", name="0 days", exact=True)).to_be_visible()


def test_the_totals_figures_are_spaced_apart_on_a_phone(browser: Browser, base_url: str):
    penny, _ = _penny(browser, base_url)
    page = penny.page
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(APP)
    expect(_figure(page, "Paid")).to_have_text("$38.80")
    totals = _section(page, "Totals")
    boxes = [totals.get_by_text(label, exact=True).bounding_box() for label in TOTAL_LABELS]
    page.context.close()
    side_by_side = [(a, b) for a, b in zip(boxes, boxes[1:]) if abs(a["y"] - b["y"]) < 2]
    assert side_by_side, boxes
    assert min(b["x"] - (a["x"] + a["width"]) for a, b in side_by_side) >= 12, boxes
