"""The services behind Affiliate Manager's admin pages, on a real SQLite file: the overview's sums, the affiliates
list (figures grouped once per page, search with LIKE taken literally, keyset pages), the commissions list,
payouts (found by code or email), sales and refunds entered by hand, sales imported from CSV, and what the
webhook panel shows (its examples sign calls the webhook accepts)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, func, select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry, StaffAccount
from portal_app.apps.affiliates import admin_sales, admin_views, ledger, programme, webhook
from portal_app.apps.affiliates.models import (
    Affiliate,
    Click,
    Commission,
    Payout,
    Referral,
    Refund,
    Sale,
    WebhookCall,
)
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from tests.apps.support import add_account
from tests.support.database import QueryCounter

OWNER = Actor("owner@example.com", 1)
DAY = timedelta(days=1)
HOSTILE = (None, 0, 1.5, True, [], ["x"], {"$ne": ""}, "x" * 100_000, "\x00", "a\u202eb")


@pytest.fixture
def owner(database, frozen_clock) -> Actor:
    with db.write_session() as session:
        session.add(StaffAccount(id=1, email=OWNER.label, name="Owner", password_hash="-", created_at=clock.now()))
    return OWNER


def affiliate(email: str, name: str = "An Affiliate") -> Affiliate:
    account = add_account(email, name)
    with db.write_session() as session:
        programme.default_campaign(session)
        found = programme.ensure_affiliate(session, account)
        session.expunge(found)
        return found


_numbers = iter(range(1, 10**9))


def sell(code: str, amount: int = 10_000, currency: str = "USD", *, email: str = "", **fields) -> ledger.SaleOutcome:
    number = next(_numbers)
    with db.write_session() as session:
        return ledger.record_sale(
            session,
            idempotency_key=f"key-{number}",
            external_id=fields.pop("external_id", f"order-{number}"),
            amount=amount,
            currency=currency,
            customer_email=email or f"customer{number}@example.com",
            referral_code=code,
            occurred_at=clock.now(),
            source="webhook",
            **fields,
        )


def set_default_terms(**terms) -> None:
    with db.write_session() as session:
        campaign = programme.default_campaign(session)
        for name, value in terms.items():
            setattr(campaign, name, value)
        session.add(campaign)


def counts() -> dict[str, int]:
    with db.read_session() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Sale, Commission, Referral, Refund, Payout, AuditEntry, WebhookCall)
        }


def audit_actions() -> list[str]:
    with db.read_session() as session:
        return [entry.action for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]


# --- the overview -----------------------------------------------------------------------------------------------


def test_an_empty_programme_has_no_sums_and_its_default_campaign(owner):
    view = admin_views.programme_overview()
    assert view.totals == ()
    assert (view.affiliates, view.clicks_30_days, view.referrals, view.sales) == (0, 0, 0, 0)
    assert (view.pending_commissions, view.approvable_commissions, view.live_campaigns) == (0, 0, 1)
    assert (view.default_campaign, view.default_terms) == (
        "Standard",
        "20% of each sale, for as long as the customer buys",
    )


def test_the_overview_sums_each_currency_and_state_and_counts_what_staff_watch(owner, frozen_clock):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    bob = affiliate("bob@example.com", "Bob Babbage")
    first = sell(ada.code, 10_000)  # 20.00 commission
    sell(bob.code, 5_000)  # 10.00
    sell(ada.code, 2_000, "EUR")  # 4.00 EUR
    frozen_clock.advance(days=31)
    sell(bob.code, 1_000)  # 2.00, still in its window
    ledger.approve(OWNER, [first.commission_id])
    ledger.record_payout(OWNER, ada.id, method="paypal", reference="", paid_on="2026-02-15", currency="USD")
    with db.write_session() as session:
        campaign = programme.default_campaign(session).id
        for days_ago in (1, 29, 31, 400):
            session.add(
                Click(
                    affiliate_id=ada.id,
                    campaign_id=campaign,
                    visitor="0123456789abcdef",
                    created_at=clock.now() - timedelta(days=days_ago),
                )
            )
    view = admin_views.programme_overview()
    assert [(f.currency, f.pending, f.approved, f.paid) for f in view.totals] == [
        ("EUR", 400, 0, 0),
        ("USD", 1_200, 0, 2_000),
    ]
    assert (view.affiliates, view.clicks_30_days, view.referrals, view.sales) == (2, 2, 4, 4)
    # Three pending; the EUR one and Bob's first are past their window, the newest is not.
    assert (view.pending_commissions, view.approvable_commissions) == (3, 2)


# --- the affiliates list -------------------------------------------------------------------------------------------


def test_each_affiliate_has_their_referrals_and_sums_per_currency_and_state(owner, frozen_clock):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    bob = affiliate("bob@example.com", "Bob Babbage")
    affiliate("cy@example.com", "Cy Nobody")
    paid = sell(ada.code, 10_000)
    approved = sell(ada.code, 5_000)
    sell(ada.code, 1_000)
    sell(ada.code, 3_000, "EUR")
    rejected = sell(bob.code, 2_000)
    frozen_clock.advance(days=31)
    ledger.approve(OWNER, [paid.commission_id])
    ledger.record_payout(OWNER, ada.id, method="bank", reference="", paid_on="2026-02-15", currency="USD")
    ledger.approve(OWNER, [approved.commission_id])
    ledger.reject(OWNER, [rejected.commission_id], "Fraud")
    page = admin_views.affiliates_page()
    assert [(item.name, item.email, item.code, item.referrals) for item in page.items] == [
        ("Cy Nobody", "cy@example.com", page.items[0].code, 0),
        ("Bob Babbage", "bob@example.com", bob.code, 1),
        ("Ada Lovelace", "ada@example.com", ada.code, 4),
    ]
    figures = {item.name: [(f.currency, f.pending, f.approved, f.paid) for f in item.figures] for item in page.items}
    assert figures == {
        "Cy Nobody": [],
        # A rejected commission is nobody's money: it is not shown.
        "Bob Babbage": [],
        "Ada Lovelace": [("EUR", 600, 0, 0), ("USD", 200, 1_000, 2_000)],
    }
    assert page.next_after is None


def test_the_list_takes_the_same_number_of_queries_for_any_number_of_affiliates(owner):
    for number in range(3):
        sell(affiliate(f"a{number}@example.com").code)
    with QueryCounter() as few:
        admin_views.affiliates_page()
    for number in range(3, 30):
        sell(affiliate(f"a{number}@example.com").code)
    with QueryCounter() as many:
        page = admin_views.affiliates_page()
    assert len(page.items) == 30
    assert many.count == few.count <= 2


def test_search_finds_name_email_or_code_and_takes_like_characters_literally(owner):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    affiliate("percent@example.com", "Per 100% Cent")
    affiliate("under_score@example.com", "Under Score")
    affiliate("back@example.com", "Back\\slash")

    def names(query) -> list[str]:
        return [item.name for item in admin_views.affiliates_page(query=query).items]

    assert names("LOVELACE") == ["Ada Lovelace"]
    assert names("ada@EXAMPLE") == ["Ada Lovelace"]
    assert names(ada.code.upper()) == ["Ada Lovelace"]
    assert names("%") == ["Per 100% Cent"]
    assert names("_") == ["Under Score"]
    assert names("\\") == ["Back\\slash"]
    assert names("  ") == names("") == names(None) == names(["ada"]) == names({"$ne": ""})
    assert len(names("")) == 4
    assert names("nobody") == []
    assert names("ada" + "x" * 10_000) == []


def test_pages_of_affiliates_follow_each_other_without_overlap(owner, monkeypatch):
    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)
    made = [affiliate(f"p{number}@example.com", f"Person {number}").id for number in range(5)]
    seen, after = [], None
    while True:
        page = admin_views.affiliates_page(after=after)
        seen += [item.id for item in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == sorted(made, reverse=True)
    for bad in ("3", -1, 0, True, 2**63, 1.5, (1, 2), [1]):
        with pytest.raises(LookupError):
            admin_views.affiliates_page(after=bad)


# --- the commissions list ------------------------------------------------------------------------------------------


def test_commissions_are_listed_by_state_newest_first_with_their_sale_and_affiliate(owner, frozen_clock):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    old = sell(ada.code, 10_000, external_id="order-old")
    frozen_clock.advance(days=31)
    new = sell(ada.code, 5_000, external_id="order-new")
    page = admin_views.commissions_page()
    assert page.status == "pending"
    assert [(item.id, item.amount, item.sale_external_id, item.may_approve) for item in page.items] == [
        (new.commission_id, 1_000, "order-new", False),
        (old.commission_id, 2_000, "order-old", True),
    ]
    item = page.items[0]
    assert (item.affiliate_name, item.affiliate_email, item.affiliate_code, item.campaign_name) == (
        "Ada Lovelace",
        "ada@example.com",
        ada.code,
        "Standard",
    )
    assert (item.sale_amount, item.sale_currency, item.may_reject) == (5_000, "USD", True)
    ledger.approve(OWNER, [old.commission_id])
    assert [item.id for item in admin_views.commissions_page(status="approved").items] == [old.commission_id]
    assert admin_views.commissions_page(status="paid").items == ()
    for bad in ("all", "", None, ["pending"], "PENDING", "pending; drop table commission"):
        with pytest.raises(LookupError):
            admin_views.commissions_page(status=bad)


def test_commission_pages_follow_each_other_and_refuse_made_up_positions(owner, frozen_clock, monkeypatch):
    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)
    ada = affiliate("ada@example.com")
    made = []
    for _ in range(5):
        made.append(sell(ada.code).commission_id)
        frozen_clock.advance(minutes=1)
    made.append(sell(ada.code).commission_id)  # the same moment as another: the id breaks the tie
    seen, before = [], None
    while True:
        page = admin_views.commissions_page(before=before)
        seen += [item.id for item in page.items]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == sorted(made, reverse=True)
    naive = datetime(2026, 1, 1)
    for bad in ("x", 5, (naive, 1), (clock.now(), "1"), (clock.now(), 0), (clock.now(),), [clock.now(), 1]):
        with pytest.raises(LookupError):
            admin_views.commissions_page(before=bad)


# --- payouts -------------------------------------------------------------------------------------------------------


def test_an_affiliate_is_found_by_code_or_email(owner):
    ada = affiliate("Ada@Example.com", "Ada Lovelace")
    assert admin_views.find_affiliate(ada.code).id == ada.id
    assert admin_views.find_affiliate(f"  {ada.code.upper()} ").id == ada.id
    assert admin_views.find_affiliate("ada@example.COM").id == ada.id
    for missing in ("", "   ", None, 5, ["x"]):
        with pytest.raises(FieldError) as refused:
            admin_views.find_affiliate(missing)
        assert refused.value.message == admin_views.AFFILIATE_MISSING
    for unknown in ("zzzzzzzz", "nobody@example.com", "not an email@", "%", "x" * 10_000, "a\x00b@example.com"):
        with pytest.raises(FieldError) as refused:
            admin_views.find_affiliate(unknown)
        assert refused.value.message == admin_views.NO_SUCH_AFFILIATE
    affiliate("ada@example.com", "Ada's second account")
    with pytest.raises(FieldError) as refused:
        admin_views.find_affiliate("ada@example.com")
    assert refused.value.message == admin_views.SEVERAL_AFFILIATES


def test_a_payout_pays_the_approved_commissions_in_its_currency_and_is_audited(owner, frozen_clock):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    usd = sell(ada.code, 10_000)
    eur = sell(ada.code, 5_000, "EUR")
    frozen_clock.advance(days=31)
    ledger.approve(OWNER, [usd.commission_id, eur.commission_id])
    due = admin_views.payouts_due()
    assert [(d.affiliate_code, d.currency, d.amount, d.commissions) for d in due] == [
        (ada.code, "USD", 2_000, 1),
        (ada.code, "EUR", 1_000, 1),
    ]
    item = admin_views.record_payout_for(
        OWNER, affiliate="ada@example.com", method="paypal", reference="PP-1", paid_on="2026-02-14", currency="usd"
    )
    assert (item.amount, item.currency, item.affiliate_name, item.commissions, item.paid_on) == (
        2_000,
        "USD",
        "Ada Lovelace",
        1,
        date(2026, 2, 14),
    )
    assert audit_actions()[-1] == "affiliates.payout_recorded"
    assert [(d.currency, d.amount) for d in admin_views.payouts_due()] == [("EUR", 1_000)]
    assert [p.id for p in admin_views.payouts_page().items] == [item.id]


def test_a_refused_payout_names_its_field_and_stores_nothing(owner, frozen_clock):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    sell(ada.code, 10_000)
    before = counts()
    good = {"affiliate": ada.code, "method": "paypal", "reference": "", "paid_on": "2026-01-15", "currency": "USD"}
    cases = {
        "affiliate": ({"affiliate": "nobody@example.com"}, admin_views.NO_SUCH_AFFILIATE),
        "method": ({"method": "cash"}, "Choose how it was paid: paypal or bank."),
        "paid_on": (
            {"paid_on": "2030-01-01"},
            "Enter the date the payout was sent: not in the future, not before 2000.",
        ),
        "currency": ({}, "This affiliate has no approved commissions in USD to pay."),
    }
    for field, (change, message) in cases.items():
        with pytest.raises(FormErrors) as refused:
            admin_views.record_payout_for(OWNER, **{**good, **change})
        assert refused.value.errors == {field: message}
    for value in HOSTILE:
        with pytest.raises(FormErrors):
            admin_views.record_payout_for(OWNER, **{**good, "affiliate": value, "currency": value})
    assert counts() == before


def test_payouts_from_csv_come_back_with_their_affiliates(owner, frozen_clock):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    bob = affiliate("bob@example.com", "Bob Babbage")
    ids = [sell(ada.code).commission_id, sell(bob.code, 5_000).commission_id]
    frozen_clock.advance(days=31)
    ledger.approve(OWNER, ids)
    text = f"affiliate code,currency,method,reference,paid on\n{ada.code},USD,paypal,A-1,2026-02-01\n{bob.code},USD,bank,B-1,2026-02-01\n"
    items = admin_views.record_payouts_from_csv(OWNER, text)
    assert [(i.affiliate_name, i.amount, i.reference) for i in items] == [
        ("Ada Lovelace", 2_000, "A-1"),
        ("Bob Babbage", 1_000, "B-1"),
    ]
    assert admin_views.payouts_due() == []


def test_payouts_are_paged_newest_first(owner, frozen_clock, monkeypatch):
    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)
    made = []
    for number in range(5):
        person = affiliate(f"p{number}@example.com")
        commission = sell(person.code).commission_id
        frozen_clock.advance(days=31)
        ledger.approve(OWNER, [commission])
        made.append(
            ledger.record_payout(OWNER, person.id, method="bank", reference="", paid_on="2026-01-20", currency="USD").id
        )
    seen, before = [], None
    while True:
        page = admin_views.payouts_page(before=before)
        seen += [item.id for item in page.items]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == sorted(made, reverse=True)
    with pytest.raises(LookupError):
        admin_views.payouts_page(before="2")


def test_campaign_referrals_are_counted_per_campaign(owner):
    ada = affiliate("ada@example.com")
    sell(ada.code)
    sell(ada.code)
    slug = programme.create_campaign(OWNER, name="Summer", kind="flat", flat_amount="5", currency="USD")
    assert admin_views.campaign_referrals() == {"standard": 2}
    assert slug == "summer"


# --- a sale and a refund by hand -----------------------------------------------------------------------------------


def manual(**fields) -> admin_sales.SaleResult:
    values = {
        "form_key": admin_sales.new_form_key("sale"),
        "external_id": "",
        "amount": "49.00",
        "currency": "usd",
        "customer_email": "",
        "referral_code": "",
        "sold_on": "",
        **fields,
    }
    return admin_sales.record_manual_sale(OWNER, **values)


def test_a_sale_entered_by_hand_earns_its_commission_once_and_is_audited(owner):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    key = admin_sales.new_form_key("sale")
    result = manual(form_key=key, referral_code=ada.code.upper(), customer_email="Buyer@Example.com")
    assert (result.amount, result.currency, result.replayed) == (4_900, "USD", False)
    assert (result.commission_amount, result.commission_currency, result.affiliate_name) == (980, "USD", "Ada Lovelace")
    assert result.external_id == key
    again = manual(form_key=key, referral_code=ada.code, customer_email="buyer@example.com", amount="1.00")
    assert (again.replayed, again.amount) == (True, 4_900)
    assert counts()["Sale"] == 1 and counts()["Commission"] == 1
    assert audit_actions() == ["affiliates.sale_recorded"]
    with db.read_session() as session:
        sale = session.exec(select(Sale)).one()
    assert (sale.source, sale.customer_email, sale.occurred_at) == ("manual", "buyer@example.com", clock.now())
    # The customer is Ada's now: a later sale with their email alone pays her.
    later = manual(customer_email="buyer@example.com", external_id="order-2")
    assert later.commission_amount == 980


def test_a_sale_dated_earlier_happened_at_the_start_of_that_day_in_the_business_time_zone(owner):
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        business.time_zone = "America/New_York"
        session.add(business)
    ada = affiliate("ada@example.com")
    manual(referral_code=ada.code, sold_on="2026-01-10", external_id="order-dated")
    with db.read_session() as session:
        sale = session.exec(select(Sale)).one()
    assert sale.occurred_at == datetime(2026, 1, 10, 5, 0, tzinfo=UTC)


def test_a_sale_without_a_commission_says_why(owner):
    result = manual(customer_email="stranger@example.com")
    assert (result.commission_amount, result.why_no_commission) == (None, ledger.NO_AFFILIATE)


def test_a_refused_sale_names_each_field_and_stores_nothing(owner):
    affiliate("ada@example.com")
    before = counts()
    with pytest.raises(FormErrors) as refused:
        manual(
            form_key="sale-manual-nope",
            external_id=" order with spaces é ",
            amount="-5",
            currency="usd",
            customer_email="not an email",
            referral_code="K7M2-XQ9P",
            sold_on="2026-02-30",
        )
    assert refused.value.errors == {
        "form": admin_sales.FORM_OUT_OF_DATE,
        "external_id": "Use 1-200 letters, digits and punctuation (ASCII), like order-1001.",
        "amount": "Enter an amount above zero; negative amounts are not accepted.",
        "customer_email": "Enter the customer's email address, like name@example.com.",
        "referral_code": "A referral code is 8 letters and digits, like k7m2xq9p.",
        "sold_on": "Enter the date like 2026-01-31.",
    }
    cases = {
        "customer_email": ({}, admin_sales.CUSTOMER_MISSING),
        "referral_code": ({"referral_code": "zzzzzzzz"}, admin_sales.UNKNOWN_CODE),
        "sold_on": (
            {"referral_code": "", "customer_email": "a@example.com", "sold_on": "2026-01-16"},
            "That date is in the future.",
        ),
        "currency": (
            {"customer_email": "a@example.com", "currency": "XYZ"},
            "Enter a currency as its three-letter code, like USD, EUR or GBP.",
        ),
        "amount": (
            {"customer_email": "a@example.com", "amount": "4.999"},
            "USD has 2 decimal places: enter at most 2 after the point.",
        ),
    }
    for field, (change, message) in cases.items():
        with pytest.raises(FormErrors) as refused:
            manual(**change)
        assert refused.value.errors == {field: message}, field
    for value in HOSTILE:
        with pytest.raises(FormErrors):
            manual(
                form_key=value,
                external_id=value,
                amount=value,
                currency=value,
                customer_email=value,
                referral_code=value,
                sold_on=value,
            )
    with pytest.raises(FormErrors) as refused:
        manual(form_key=admin_sales.new_form_key("refund"), customer_email="a@example.com")
    assert refused.value.errors == {"form": admin_sales.FORM_OUT_OF_DATE}
    assert counts() == before


def test_a_refund_by_hand_reduces_the_commission_once_and_is_audited(owner):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    manual(referral_code=ada.code, customer_email="buyer@example.com", external_id="order-9", amount="100")
    key = admin_sales.new_form_key("refund")
    result = admin_sales.record_manual_refund(OWNER, form_key=key, external_id=" order-9 ", amount="25.00")
    assert (result.amount, result.left_to_refund, result.commission_now, result.had_commission) == (
        2_500,
        7_500,
        1_500,
        True,
    )
    again = admin_sales.record_manual_refund(OWNER, form_key=key, external_id="order-9", amount="25.00")
    assert again.replayed is True
    assert counts()["Refund"] == 1
    assert audit_actions() == ["affiliates.sale_recorded", "affiliates.refund_recorded"]
    before = counts()
    cases = {
        "refund_amount": ({"amount": "80"}, "Only $75.00 of this sale is left to refund."),
        "refund_external_id": ({"external_id": "order-404"}, admin_sales.NO_SUCH_SALE),
    }
    for field, (change, message) in cases.items():
        values = {"form_key": admin_sales.new_form_key("refund"), "external_id": "order-9", "amount": "1", **change}
        with pytest.raises(FormErrors) as refused:
            admin_sales.record_manual_refund(OWNER, **values)
        assert refused.value.errors == {field: message}
    for value in HOSTILE:
        with pytest.raises(FormErrors):
            admin_sales.record_manual_refund(OWNER, form_key=value, external_id=value, amount=value)
        with pytest.raises(FormErrors):
            admin_sales.record_manual_refund(
                OWNER, form_key=admin_sales.new_form_key("refund"), external_id="order-9", amount=value
            )
    assert counts() == before


# --- sales from CSV -------------------------------------------------------------------------------------------------


def test_a_sales_csv_is_recorded_whole_in_any_column_order_and_again_is_nothing_new(owner):
    ada = affiliate("ada@example.com", "Ada Lovelace")
    text = (
        "\ufeffcurrency,external_id,amount,customer_email,referral_code,occurred_at\r\n"
        f"USD,order-1,49.00,one@example.com,{ada.code},2026-01-10\r\n"
        'EUR,order-2,"1,000.50",two@example.com,,2026-01-14T23:00:00+01:00\r\n'
        f"USD,order-3,10,,{ada.code.upper()},\r\n"
        "\r\n"
    )
    result = admin_sales.import_sales_csv(OWNER, text)
    assert (result.recorded, result.replayed, result.commissions) == (3, 0, 2)
    assert result.commission_totals == {"USD": 980 + 200}
    with db.read_session() as session:
        sales = session.exec(select(Sale).order_by(col(Sale.id))).all()
    assert [(s.external_id, s.amount, s.currency, s.source, s.occurred_at) for s in sales] == [
        ("order-1", 4_900, "USD", "import", datetime(2026, 1, 10, tzinfo=UTC)),
        ("order-2", 100_050, "EUR", "import", datetime(2026, 1, 14, 22, tzinfo=UTC)),
        ("order-3", 1_000, "USD", "import", clock.now()),
    ]
    assert audit_actions() == ["affiliates.sales_imported"]
    again = admin_sales.import_sales_csv(OWNER, text)
    assert (again.recorded, again.replayed, again.commissions) == (0, 3, 0)
    assert counts()["Sale"] == 3
    assert audit_actions() == ["affiliates.sales_imported"]


def test_a_sales_csv_with_bad_lines_is_refused_whole_with_each_line_numbered(owner):
    ada = affiliate("ada@example.com")
    before = counts()
    text = "\n".join(
        [
            f"order-1,49.00,USD,one@example.com,{ada.code},",
            "order-2,abc,USD,two@example.com,,",
            "order-3,5,XYZ,,,",
            "order-1,5,USD,three@example.com,,",
            "order-4,5,USD",
            "order-5,5,USD,,zzzzzzzz,",
            "order-6,5,USD,six@example.com,,2030-01-01",
            "order-7,5,USD,seven@example.com,,2026-01-10T10:00:00",
        ]
    )
    with pytest.raises(FormErrors) as refused:
        admin_sales.import_sales_csv(OWNER, text)
    assert refused.value.errors["csv"].split("\n") == [
        "Line 2: amount: Enter an amount in USD with digits only, like 12.34.",
        (
            "Line 3: currency: Enter a currency as its three-letter code, like USD, EUR or GBP. "
            "customer_email: Give customer_email, referral_code or both."
        ),
        "Line 4: line 1 has the same external_id.",
        "Line 5: expected 6 columns (external_id, amount, currency, customer_email, referral_code, occurred_at), found 3.",
    ]
    # Lines that look right are checked against the database next; each is named, and nothing is kept.
    good = "\n".join(line for number, line in enumerate(text.split("\n"), 1) if number in (1, 6, 7, 8))
    with pytest.raises(FormErrors) as refused:
        admin_sales.import_sales_csv(OWNER, good)
    assert refused.value.errors["csv"].split("\n") == [
        "Line 2: referral_code: No affiliate has that referral code.",
        "Line 3: occurred_at: That date is in the future.",
        "Line 4: occurred_at: Write the date like 2026-01-31, or the time with its offset, like 2026-01-31T14:00:00Z.",
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste or upload the sales"),
        (None, "Paste or upload the sales"),
        (["order-1,5,USD,a@example.com,,"], "Paste or upload the sales"),
        ("x" * 1_000_001, "That is too much"),
        ("order-1\x00,5,USD,a@example.com,,", "That is too much"),
        ("external_id,amount\norder-1,5", "Line 1: a header names each column once"),
        ("\n".join(f"order-{n},5,USD,a{n}@example.com,," for n in range(1001)), "Send at most 1,000 sales at once."),
        ("external_id,amount,currency,customer_email,referral_code,occurred_at\n\n", "There are no sales in it"),
        ('order-1,"5,USD,a@example.com,,', "Line 1: expected 6 columns"),
    ],
)
def test_a_sales_csv_that_is_not_one_is_refused(owner, text, message):
    before = counts()
    with pytest.raises(FormErrors) as refused:
        admin_sales.import_sales_csv(OWNER, text)
    assert refused.value.errors["csv"].startswith(message), refused.value.errors
    assert counts() == before


# --- the webhook panel ------------------------------------------------------------------------------------------------


def test_the_panel_shows_the_address_the_secrets_end_and_the_calls(owner, settings_env):
    settings_env(PORTAL_PUBLIC_URL="https://portal.example.com")
    panel = admin_sales.webhook_panel()
    secret = admin_sales.reveal_secret()
    assert panel.endpoint == "https://portal.example.com/api/apps/affiliates/sale"
    assert panel.secret_ending == secret[-4:] and len(secret) >= 32
    assert secret not in repr(panel)
    webhook.handle(b"{}", {}, clock.now())
    assert [(call.accepted, call.outcome) for call in admin_sales.webhook_panel().calls] == [(False, "bad signature")]
    new = admin_sales.rotate_secret(OWNER)
    assert new != secret and admin_sales.reveal_secret() == new
    assert audit_actions()[-1] == "affiliates.webhook_secret_rotated"


def test_the_python_example_signs_calls_the_webhook_accepts(owner, monkeypatch, frozen_clock):
    secret = admin_sales.reveal_secret()
    answers = []

    class Answer:
        def __init__(self, body: dict) -> None:
            self.body = json.dumps(body).encode()

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def read(self, *args) -> bytes:
            return self.body

    def urlopen(request):
        status, body = webhook.handle(request.data, dict(request.header_items()), clock.now())
        answers.append((status, body))
        return Answer(body)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(time, "time", lambda: frozen_clock().timestamp())
    code = admin_sales.python_example("https://portal.example.com/api/apps/affiliates/sale")
    exec(code.replace("paste the secret here", secret), {})  # noqa: S102 (the page's own example, run as staff would)
    assert [(status, body["type"], body["replayed"]) for status, body in answers] == [
        (200, "sale", False),
        (200, "refund", False),
    ]
    assert counts()["Sale"] == 1


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed here")
def test_the_curl_example_signs_the_same_way(owner):
    secret = admin_sales.reveal_secret()
    script = admin_sales.curl_example("https://portal.example.com/api/apps/affiliates/sale")
    script = script.replace("paste the secret here", secret).replace("TS=$(date +%s)", "TS=1768478400")
    signing = script.split("\ncurl ")[0] + '\nprintf "%s\\n%s" "$SIG" "$BODY"'
    signature, body = subprocess.run(["bash", "-c", signing], capture_output=True, text=True, check=True).stdout.split(
        "\n", 1
    )
    headers = {"X-Portal-Timestamp": "1768478400", "X-Portal-Signature": "sha256=" + signature}
    status, answer = webhook.handle(body.encode(), headers, datetime.fromtimestamp(1768478400, UTC))
    assert (status, answer["ok"]) == (200, True)
