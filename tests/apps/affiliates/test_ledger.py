"""The money core: sales and who earns on them, refunds and the commissions they take back, approvals,
payouts (one, or many from CSV), and the totals and monthly figures computed in SQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry, StaffAccount
from portal_app.apps.affiliates import ledger, programme
from portal_app.apps.affiliates.ledger import Totals
from portal_app.apps.affiliates.models import Affiliate, Commission, Payout, Referral, Refund, Sale
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.profile.models import Profile
from portal_app.timeline import service as activity
from tests.apps.support import add_account

OWNER = Actor("owner@example.com", 1)
DAY = timedelta(days=1)


@pytest.fixture
def owner(database, frozen_clock) -> Actor:
    with db.write_session() as session:
        session.add(StaffAccount(id=1, email=OWNER.label, name="Owner", password_hash="-", created_at=clock.now()))
    return OWNER


@pytest.fixture
def ada(owner) -> Affiliate:
    """An affiliate under the Standard campaign (20 %, 30 days before approval)."""
    return make_affiliate("ada@example.com", "Ada Lovelace")


def make_affiliate(email: str, name: str = "An Affiliate") -> Affiliate:
    account = add_account(email, name)
    with db.write_session() as session:
        programme.default_campaign(session)
        return programme.ensure_affiliate(session, account)


def set_terms(**terms) -> None:
    with db.write_session() as session:
        campaign = programme.default_campaign(session)
        for name, value in terms.items():
            setattr(campaign, name, value)
        session.add(campaign)


_counter = iter(range(1, 10**9))


def sale(amount: int = 10_000, *, key: str | None = None, external: str | None = None, **fields) -> ledger.SaleOutcome:
    number = next(_counter)
    values = {
        "idempotency_key": key or f"key-{number}",
        "external_id": external or f"order-{number}",
        "amount": amount,
        "currency": "USD",
        "occurred_at": clock.now(),
        "source": "webhook",
        **fields,
    }
    with db.write_session() as session:
        return ledger.record_sale(session, **values)


def refund(external: str, amount: int, *, key: str | None = None, **fields) -> ledger.RefundOutcome:
    values = {"occurred_at": clock.now(), **fields}
    with db.write_session() as session:
        return ledger.record_refund(
            session, idempotency_key=key or f"refund-{next(_counter)}", external_id=external, amount=amount, **values
        )


def external_of(outcome: ledger.SaleOutcome) -> str:
    with db.read_session() as session:
        return session.get(Sale, outcome.sale_id).external_id


def rows(model, *where) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model).where(*where).order_by(model.id)))


def commission(commission_id: int) -> Commission:
    with db.read_session() as session:
        return session.get(Commission, commission_id)


def states(sale_id: int) -> list[tuple[int, str]]:
    return [(c.amount, c.status) for c in rows(Commission, Commission.sale_id == sale_id)]


def counts() -> dict[str, int]:
    with db.read_session() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Sale, Commission, Referral, Refund, Payout, OutboxEmail, AuditEntry)
        }


def timeline_kinds(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="affiliates", limit=100).items]


def audit_actions() -> list[str]:
    return [entry.action for entry in rows(AuditEntry)]


def approvable(*commission_ids: int) -> ledger.Decided:
    """Approve after the refund window."""
    clock.now.advance(days=31)
    return ledger.approve(OWNER, list(commission_ids))


def pay(affiliate: Affiliate, currency: str = "USD", **fields) -> Payout:
    values = {"method": "paypal", "reference": "PP-1", "paid_on": clock.now().date(), "currency": currency, **fields}
    return ledger.record_payout(OWNER, affiliate.id, **values)


def form_errors(call) -> dict[str, str]:
    with pytest.raises(FormErrors) as refused:
        call()
    return refused.value.errors


# --- sales ---------------------------------------------------------------------------------------------------------


def test_a_sale_with_a_referral_code_earns_a_pending_commission_and_refers_the_customer(ada, frozen_clock):
    outcome = sale(12_345, referral_code=ada.code.upper(), customer_email="Carol@Example.com")
    assert outcome.replayed is False and outcome.why_no_commission == ""
    earned = commission(outcome.commission_id)
    assert (earned.affiliate_id, earned.sale_id, earned.amount, earned.currency, earned.status) == (
        ada.id,
        outcome.sale_id,
        2469,  # 20 % of 123.45 is 24.69
        "USD",
        "pending",
    )
    assert earned.approvable_at == frozen_clock.current + 30 * DAY
    [referral] = rows(Referral)
    assert (referral.affiliate_id, referral.customer_email, referral.source, referral.account_id) == (
        ada.id,
        "carol@example.com",
        "sale",
        None,
    )
    [recorded] = rows(Sale)
    assert (recorded.affiliate_id, recorded.referral_id, recorded.customer_email) == (
        ada.id,
        referral.id,
        "carol@example.com",
    )
    assert timeline_kinds(ada.account_id) == ["commission_earned", "referral_made", "affiliate_joined"]
    [email] = rows(OutboxEmail)
    assert email.to_email == "ada@example.com" and email.template == "affiliates:commission_earned"
    assert "$24.69" in email.subject and "$123.45" in email.text_body and "14 February 2026" in email.text_body


def test_the_customers_later_sales_are_attributed_without_the_code(ada):
    sale(5_000, referral_code=ada.code, customer_email="carol@example.com")
    later = sale(2_500, customer_email="CAROL@example.com")
    assert commission(later.commission_id).amount == 500
    assert len(rows(Referral)) == 1


def test_a_referred_customer_stays_with_their_first_affiliate(ada):
    grace = make_affiliate("grace@example.com")
    sale(5_000, referral_code=ada.code, customer_email="carol@example.com")
    other = sale(5_000, referral_code=grace.code, customer_email="carol@example.com")
    assert commission(other.commission_id).affiliate_id == ada.id


def test_a_signup_referral_attributes_the_customers_sales(ada, frozen_clock):
    carol = add_account("carol@example.com", "Carol")
    with db.write_session() as session:
        campaign = programme.default_campaign(session)
        session.add(
            Referral(
                affiliate_id=ada.id,
                campaign_id=campaign.id,
                account_id=carol,
                customer_email="carol@example.com",
                source="signup",
                created_at=clock.now(),
            )
        )
    outcome = sale(1_000, customer_email="carol@example.com")
    assert commission(outcome.commission_id).amount == 200


def test_a_sale_nobody_referred_is_stored_without_a_commission(ada):
    plain = sale(1_000, customer_email="dave@example.com")
    unknown = sale(1_000, customer_email="erin@example.com", referral_code="zzzzzzzz")
    malformed = sale(1_000, referral_code="not a code!")
    assert (plain.commission_id, plain.why_no_commission) == (None, ledger.NO_AFFILIATE)
    assert (unknown.commission_id, unknown.why_no_commission) == (None, ledger.UNKNOWN_CODE)
    assert malformed.why_no_commission == ledger.UNKNOWN_CODE
    assert len(rows(Sale)) == 3 and rows(Commission) == [] and rows(Referral) == []
    assert all(s.affiliate_id is None for s in rows(Sale))


def test_a_sale_with_a_code_and_no_email_earns_without_a_referral(ada):
    outcome = sale(1_000, referral_code=ada.code)
    assert commission(outcome.commission_id).amount == 200
    assert rows(Referral) == []


def test_an_affiliate_buying_with_their_own_code_earns_nothing(ada):
    outcome = sale(1_000, referral_code=ada.code, customer_email="ADA@example.com")
    assert outcome.commission_id is None and "themselves" in outcome.why_no_commission
    assert rows(Referral) == [] and rows(Sale)[0].affiliate_id is None
    assert rows(OutboxEmail) == []


def test_an_affiliate_referred_to_themselves_earns_nothing(ada):
    with db.write_session() as session:
        campaign = programme.default_campaign(session)
        session.add(
            Referral(
                affiliate_id=ada.id,
                campaign_id=campaign.id,
                account_id=ada.account_id,
                customer_email="ada.other@example.com",
                source="signup",
                created_at=clock.now(),
            )
        )
    outcome = sale(1_000, customer_email="ada.other@example.com")
    assert outcome.why_no_commission == ledger.SELF_REFERRAL


@pytest.mark.parametrize(
    ("amount", "percent_bp", "earned"),
    [
        (1234, 2000, 247),
        (4, 1250, 1),
        (12, 1250, 2),
        (3, 5000, 2),
        (10_000, 10_000, 10_000),
        (10**12, 2000, 2 * 10**11),
    ],
)
def test_percent_commissions_round_half_up_to_a_whole_minor_unit(ada, amount, percent_bp, earned):
    set_terms(percent_bp=percent_bp)
    outcome = sale(amount, referral_code=ada.code)
    assert commission(outcome.commission_id).amount == earned


def test_a_commission_that_rounds_to_nothing_is_not_written(ada):
    outcome = sale(2, referral_code=ada.code)
    assert outcome.commission_id is None and "rounds to nothing" in outcome.why_no_commission


def test_a_flat_campaign_pays_its_amount_in_its_currency_only(ada):
    set_terms(kind="flat", flat_amount=750, currency="EUR", percent_bp=0)
    euros = sale(1_000, currency="EUR", referral_code=ada.code)
    dollars = sale(1_000, currency="USD", referral_code=ada.code)
    assert commission(euros.commission_id).amount == 750
    assert dollars.commission_id is None
    assert dollars.why_no_commission == "The campaign pays €7.50 per sale, and this sale is in USD, not EUR."


def test_a_first_sale_only_campaign_pays_once_per_customer(ada):
    set_terms(recurring_months=0)
    first = sale(1_000, referral_code=ada.code, customer_email="carol@example.com")
    second = sale(1_000, customer_email="carol@example.com")
    assert first.commission_id is not None
    assert second.commission_id is None and "first sale only" in second.why_no_commission


def test_a_recurring_campaign_pays_within_its_months_of_the_referral(ada, frozen_clock):
    set_terms(recurring_months=3)
    sale(1_000, referral_code=ada.code, customer_email="carol@example.com")  # referred on 15 January, 12:00
    frozen_clock.current = datetime(2026, 4, 20, tzinfo=UTC)
    inside = sale(1_000, customer_email="carol@example.com", occurred_at=datetime(2026, 4, 15, 11, 59, tzinfo=UTC))
    after = sale(1_000, customer_email="carol@example.com", occurred_at=datetime(2026, 4, 15, 12, 0, tzinfo=UTC))
    assert inside.commission_id is not None
    assert after.commission_id is None and "within 3 months" in after.why_no_commission


def test_without_a_limit_every_sale_of_the_customer_pays(ada, frozen_clock):
    sale(1_000, referral_code=ada.code, customer_email="carol@example.com")
    frozen_clock.advance(days=3000)
    assert sale(1_000, customer_email="carol@example.com").commission_id is not None


def test_add_months_stays_in_shorter_months():
    moment = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert ledger.add_months(moment, 1) == datetime(2026, 2, 28, 9, 30, tzinfo=UTC)
    assert ledger.add_months(moment, 13) == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    assert ledger.add_months(moment, 11) == datetime(2026, 12, 31, 9, 30, tzinfo=UTC)


def test_the_same_idempotency_key_or_external_id_again_is_a_replay(ada):
    first = sale(1_000, key="k-1", external="order-1", referral_code=ada.code, customer_email="carol@example.com")
    before = counts()
    by_key = sale(9_999, key="k-1", external="order-other", referral_code=ada.code)
    by_external = sale(1_000, key="k-other", external="order-1")
    for again in (by_key, by_external):
        assert (again.sale_id, again.commission_id, again.replayed) == (first.sale_id, first.commission_id, True)
    assert counts() == before
    assert timeline_kinds(ada.account_id).count("commission_earned") == 1


def test_a_replayed_sale_without_a_commission_says_so(ada):
    sale(1_000, key="k-1")
    assert sale(1_000, key="k-1").why_no_commission == ledger.ALREADY_RECORDED


def test_no_email_is_sent_to_an_affiliate_who_switched_them_off(ada):
    with db.write_session() as session:
        session.add(
            Profile(account_id=ada.account_id, email_notifications={"affiliates": False}, updated_at=clock.now())
        )
    outcome = sale(1_000, referral_code=ada.code)
    assert outcome.commission_id is not None and rows(OutboxEmail) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "x" * 201}, "idempotency_key"),
        ({"idempotency_key": " padded"}, "idempotency_key"),
        ({"idempotency_key": "tab\there"}, "idempotency_key"),
        ({"idempotency_key": "ünïcode"}, "idempotency_key"),
        ({"idempotency_key": 12}, "idempotency_key"),
        ({"external_id": None}, "external_id"),
        ({"amount": 0}, "amount"),
        ({"amount": -100}, "amount"),
        ({"amount": 10**12 + 1}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "1000"}, "amount"),
        ({"amount": True}, "amount"),
        ({"currency": "usd dollars"}, "currency"),
        ({"currency": "XAU"}, "currency"),
        ({"customer_email": "not an email"}, "customer_email"),
        ({"customer_email": "a@b.c\u202e"}, "customer_email"),
        ({"customer_email": None}, "customer_email"),
        ({"referral_code": "x" * 33}, "referral_code"),
        ({"referral_code": "abc\x00"}, "referral_code"),
        ({"referral_code": None}, "referral_code"),
        ({"occurred_at": datetime(2026, 1, 15, 12, 0)}, "occurred_at"),
        ({"occurred_at": "2026-01-15T12:00:00Z"}, "occurred_at"),
        ({"occurred_at": datetime(1999, 12, 31, tzinfo=UTC)}, "occurred_at"),
        ({"occurred_at": datetime(2026, 1, 17, tzinfo=UTC)}, "occurred_at"),
        ({"source": "shop"}, "source"),
    ],
)
def test_a_malformed_sale_is_refused_on_its_field_and_nothing_is_stored(ada, fields, field):
    values = {
        "idempotency_key": "key-1",
        "external_id": "order-1",
        "amount": 1_000,
        "currency": "USD",
        "referral_code": ada.code,
        "occurred_at": clock.now(),
        "source": "webhook",
    }
    before = counts()
    with pytest.raises(FieldError) as refused, db.write_session() as session:
        ledger.record_sale(session, **{**values, **fields})
    assert refused.value.field == field and refused.value.message
    assert counts() == before


# --- refunds --------------------------------------------------------------------------------------------------------


def test_a_full_refund_reverses_the_pending_commission(ada):
    outcome = sale(10_000, referral_code=ada.code)
    result = refund(external_of(outcome), 10_000)
    assert (result.sale_id, result.reversed_commission_id, result.new_commission_id, result.replayed) == (
        outcome.sale_id,
        outcome.commission_id,
        None,
        False,
    )
    reversed_ = commission(outcome.commission_id)
    assert reversed_.status == "reversed" and "refunded ($100.00 of $100.00 so far)" in reversed_.reason
    assert rows(Sale)[0].refunded_amount == 10_000
    assert ledger.totals(ada.id) == {"USD": Totals(earned=2000, reversed=2000)}


def test_a_partial_refund_writes_a_new_pending_commission_for_the_part_not_refunded(ada, frozen_clock):
    outcome = sale(10_000, referral_code=ada.code)
    frozen_clock.advance(days=5)
    result = refund(external_of(outcome), 2_500)
    assert states(outcome.sale_id) == [(2000, "reversed"), (1500, "pending")]
    replacement = commission(result.new_commission_id)
    assert replacement.approvable_at == commission(outcome.commission_id).approvable_at
    refund(external_of(outcome), 2_500)
    assert states(outcome.sale_id) == [(2000, "reversed"), (1500, "reversed"), (1000, "pending")]
    assert ledger.totals(ada.id)["USD"] == Totals(earned=4500, pending=1000, reversed=3500)


def test_an_approved_commission_is_reversed_like_a_pending_one(ada):
    outcome = sale(10_000, referral_code=ada.code)
    approvable(outcome.commission_id)
    refund(external_of(outcome), 5_000)
    assert states(outcome.sale_id) == [(2000, "reversed"), (1000, "pending")]


def test_refunding_a_paid_commission_leaves_it_paid_and_nets_the_difference_in_the_next_payout(ada):
    outcome = sale(10_000, referral_code=ada.code)
    approvable(outcome.commission_id)
    first_payout = pay(ada)
    result = refund(external_of(outcome), 5_000)
    assert result.reversed_commission_id is None
    assert states(outcome.sale_id) == [(2000, "paid"), (-1000, "approved")]
    assert "Takes back $10.00 of a paid commission" in commission(result.new_commission_id).reason
    assert ledger.totals(ada.id)["USD"] == Totals(earned=1000, approved=-1000, paid=2000)
    # Nothing to pay while only the debt is approved.
    assert "currency" in form_errors(lambda: pay(ada))
    second = sale(10_000, referral_code=ada.code)
    approvable(second.commission_id)
    netted = pay(ada)
    assert (first_payout.amount, netted.amount) == (2000, 1000)
    assert states(outcome.sale_id) == [(2000, "paid"), (-1000, "paid")]
    assert ledger.totals(ada.id)["USD"] == Totals(earned=3000, paid=3000)


def test_refunding_the_rest_of_a_paid_sale_takes_back_the_rest(ada):
    outcome = sale(10_000, referral_code=ada.code)
    approvable(outcome.commission_id)
    pay(ada)
    refund(external_of(outcome), 5_000)
    refund(external_of(outcome), 5_000)
    assert states(outcome.sale_id) == [(2000, "paid"), (-1000, "approved"), (-1000, "approved")]
    assert ledger.totals(ada.id)["USD"].kept == 0


def test_a_refund_of_a_sale_without_a_commission_only_counts_the_refund(ada):
    outcome = sale(10_000, customer_email="dave@example.com")
    result = refund(external_of(outcome), 4_000)
    assert (result.reversed_commission_id, result.new_commission_id) == (None, None)
    assert rows(Sale)[0].refunded_amount == 4_000 and rows(Commission) == []


def test_a_rejected_commission_stays_rejected_through_refunds(ada):
    outcome = sale(10_000, referral_code=ada.code)
    ledger.reject(OWNER, [outcome.commission_id], "Fraudulent order")
    refund(external_of(outcome), 5_000)
    assert states(outcome.sale_id) == [(2000, "rejected")]


def test_the_same_refund_again_is_a_replay(ada):
    outcome = sale(10_000, referral_code=ada.code)
    first = refund(external_of(outcome), 3_000, key="r-1")
    before = counts()
    again = refund(external_of(outcome), 3_000, key="r-1")
    assert again == ledger.RefundOutcome(first.sale_id, first.reversed_commission_id, first.new_commission_id, True)
    assert counts() == before and rows(Sale)[0].refunded_amount == 3_000


def test_refunding_more_than_is_left_is_refused_and_changes_nothing(ada):
    outcome = sale(10_000, referral_code=ada.code)
    refund(external_of(outcome), 6_000)
    before = (counts(), states(outcome.sale_id))
    with pytest.raises(FieldError) as refused:
        refund(external_of(outcome), 4_001)
    assert refused.value.field == "amount" and "Only $40.00 of this sale is left" in refused.value.message
    assert (counts(), states(outcome.sale_id)) == before
    refund(external_of(outcome), 4_000)
    with pytest.raises(FieldError) as refused:
        refund(external_of(outcome), 1)
    assert "refunded in full already" in refused.value.message
    assert rows(Sale)[0].refunded_amount == 10_000


def test_a_refund_for_an_unknown_sale_is_a_lookup_error(ada):
    with pytest.raises(LookupError):
        refund("no-such-order", 100)
    assert rows(Refund) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"external_id": "x" * 201}, "external_id"),
        ({"occurred_at": datetime(2026, 1, 1)}, "occurred_at"),
    ],
)
def test_a_malformed_refund_is_refused_on_its_field(ada, fields, field):
    outcome = sale(10_000, referral_code=ada.code)
    values = {"idempotency_key": "r-1", "external_id": external_of(outcome), "amount": 100, "occurred_at": clock.now()}
    before = counts()
    with pytest.raises(FieldError) as refused, db.write_session() as session:
        ledger.record_refund(session, **{**values, **fields})
    assert refused.value.field == field and counts() == before


# --- approving and rejecting ----------------------------------------------------------------------------------------


def test_approval_waits_for_the_refund_window(ada, frozen_clock):
    outcome = sale(10_000, referral_code=ada.code)
    early = ledger.approve(OWNER, [outcome.commission_id])
    assert early.changed == 0 and "refund window ends on 14 February 2026" in early.refused[outcome.commission_id]
    assert commission(outcome.commission_id).status == "pending"
    frozen_clock.advance(days=30)
    assert ledger.approve(OWNER, outcome.commission_id) == ledger.Decided(1, {})
    approved = commission(outcome.commission_id)
    assert approved.status == "approved" and approved.decided_at == frozen_clock.current
    assert timeline_kinds(ada.account_id)[0] == "commission_approved"
    [entry] = rows(AuditEntry)
    assert (entry.action, entry.staff_id) == ("affiliates.commissions_approved", 1)
    assert json.loads(entry.detail) == {"ids": [outcome.commission_id], "refused": 0}


def test_approving_many_says_which_were_refused_and_why(ada):
    ids = [sale(1_000, referral_code=ada.code).commission_id for _ in range(3)]
    ledger.reject(OWNER, [ids[2]], "Test order")
    result = approvable(ids[0], ids[1], ids[2], ids[0], 999_999)
    assert result.changed == 2
    assert result.refused == {ids[2]: "It was rejected.", 999_999: "There is no such commission."}
    assert ledger.approve(OWNER, [ids[0]]).refused == {ids[0]: "It is approved already."}


@pytest.mark.parametrize("ids", [[], [0], [-1], ["1"], [1.0], [True], [2**63], "1", None, {1: 1}, list(range(1, 1002))])
def test_malformed_commission_ids_are_refused(ada, ids):
    with pytest.raises(FormErrors) as refused:
        ledger.approve(OWNER, ids)
    assert "commission_ids" in refused.value.errors
    with pytest.raises(FormErrors):
        ledger.reject(OWNER, ids, "Because")


def test_rejecting_needs_a_reason_and_shows_it_to_the_affiliate(ada):
    pending = sale(1_000, referral_code=ada.code).commission_id
    approved = sale(1_000, referral_code=ada.code).commission_id
    approvable(approved)
    assert "reason" in form_errors(lambda: ledger.reject(OWNER, [pending], "  "))
    assert "reason" in form_errors(lambda: ledger.reject(OWNER, [pending], "x" * 501))
    assert ledger.reject(OWNER, [pending, approved], " Duplicate order ") == ledger.Decided(2, {})
    assert {commission(i).reason for i in (pending, approved)} == {"Duplicate order"}
    assert ledger.totals(ada.id)["USD"] == Totals(rejected=400)
    entry = rows(AuditEntry)[-1]
    assert entry.action == "affiliates.commissions_rejected"
    assert json.loads(entry.detail) == {"ids": [pending, approved], "reason": "Duplicate order", "refused": 0}


def test_paid_reversed_and_take_back_commissions_cannot_be_rejected(ada):
    paid = sale(10_000, referral_code=ada.code)
    approvable(paid.commission_id)
    pay(ada)
    take_back = refund(external_of(paid), 5_000).new_commission_id
    refunded = sale(1_000, referral_code=ada.code)
    refund(external_of(refunded), 1_000)
    result = ledger.reject(OWNER, [paid.commission_id, take_back, refunded.commission_id], "No")
    assert result.changed == 0
    assert result.refused[paid.commission_id] == "It was paid already."
    assert "cannot be rejected" in result.refused[take_back]
    assert "its sale was refunded" in result.refused[refunded.commission_id]


# --- payouts ----------------------------------------------------------------------------------------------------------


def test_a_payout_pays_every_approved_commission_in_its_currency(ada, frozen_clock):
    usd = [sale(amount, referral_code=ada.code).commission_id for amount in (1_000, 2_500)]
    eur = sale(5_000, currency="EUR", referral_code=ada.code).commission_id
    approvable(*usd, eur)
    still_pending = sale(4_000, referral_code=ada.code).commission_id
    payout = pay(ada, reference="PAYPAL-123", paid_on="2026-02-15")
    assert (payout.amount, payout.currency, payout.method, payout.reference, payout.paid_on) == (
        700,
        "USD",
        "paypal",
        "PAYPAL-123",
        date(2026, 2, 15),
    )
    assert [(commission(i).status, commission(i).payout_id) for i in usd] == [("paid", payout.id)] * 2
    assert commission(eur).status == "approved" and commission(still_pending).status == "pending"
    assert ledger.totals(ada.id) == {
        "EUR": Totals(earned=1000, approved=1000),
        "USD": Totals(earned=1500, pending=800, paid=700),
    }
    assert timeline_kinds(ada.account_id)[0] == "payout_received"
    email = rows(OutboxEmail)[-1]
    assert email.template == "affiliates:payout_sent" and "$7.00" in email.subject
    assert "PayPal" in email.text_body and "PAYPAL-123" in email.text_body and "15 February 2026" in email.text_body
    entry = rows(AuditEntry)[-1]
    assert (entry.action, entry.target) == ("affiliates.payout_recorded", ada.code)
    assert json.loads(entry.detail) == {
        "amount": 700,
        "currency": "USD",
        "method": "paypal",
        "reference": "PAYPAL-123",
        "commissions": 2,
    }


def test_nothing_approved_is_nothing_to_pay(ada):
    sale(1_000, referral_code=ada.code)
    before = counts()
    assert "no approved commissions in USD" in form_errors(lambda: pay(ada))["currency"]
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"method": "cash"}, "method"),
        ({"method": None}, "method"),
        ({"reference": "x" * 201}, "reference"),
        ({"reference": "line\nbreak"}, "reference"),
        ({"paid_on": "15/02/2026"}, "paid_on"),
        ({"paid_on": "2026-02-30"}, "paid_on"),
        ({"paid_on": "2099-01-01"}, "paid_on"),
        ({"paid_on": datetime(2026, 2, 1, tzinfo=UTC)}, "paid_on"),
        ({"currency": "dollars"}, "currency"),
    ],
)
def test_a_payout_form_is_checked_field_by_field(ada, fields, field):
    approvable(sale(1_000, referral_code=ada.code).commission_id)
    assert field in form_errors(lambda: pay(ada, **fields))
    assert rows(Payout) == []


@pytest.mark.parametrize("affiliate_id", [0, -1, "1", None, 2**63, 424242])
def test_a_payout_for_no_such_affiliate_is_a_lookup_error(owner, affiliate_id):
    with pytest.raises(LookupError):
        ledger.record_payout(OWNER, affiliate_id, method="bank", reference="", paid_on="2026-01-15", currency="USD")


def test_payouts_from_csv_are_recorded_together(ada):
    grace = make_affiliate("grace@example.com")
    for affiliate, currency in ((ada, "USD"), (ada, "EUR"), (grace, "USD")):
        sale(10_000, currency=currency, referral_code=affiliate.code)
    approvable(*(c.id for c in rows(Commission)))
    text = (
        "\ufeffAffiliate code,Currency,Method,Reference,Paid on\r\n"
        f"{ada.code},usd,paypal,PP-1,2026-02-14\n"
        "\n"
        f'{ada.code.upper()},EUR,bank,"IBAN ..12, March",2026-02-14\n'
        f"{grace.code},USD,Bank,,2026-02-13\n"
    )
    payouts = ledger.record_payouts_csv(OWNER, text)
    assert [(p.affiliate_id, p.amount, p.currency, p.method, p.reference) for p in payouts] == [
        (ada.id, 2000, "USD", "paypal", "PP-1"),
        (ada.id, 2000, "EUR", "bank", "IBAN ..12, March"),
        (grace.id, 2000, "USD", "bank", ""),
    ]
    assert {c.status for c in rows(Commission)} == {"paid"}
    assert audit_actions().count("affiliates.payout_recorded") == 3


def test_a_csv_with_any_bad_line_records_nothing_and_names_each_line(ada):
    grace = make_affiliate("grace@example.com")
    sale(10_000, referral_code=ada.code)
    approvable(*(c.id for c in rows(Commission)))
    text = "\n".join(
        [
            f"{ada.code},USD,paypal,PP-1,2026-02-14",
            f"{grace.code},USD,paypal,PP-2,2026-02-14",
            "zzzzzzzz,USD,paypal,PP-3,2026-02-14",
            f"{ada.code},USD,paypal,PP-4,2026-02-14",
            f"{ada.code},USD,paypal",
            f"{ada.code},ZZZ,cash,PP-6,tomorrow",
        ]
    )
    before = counts()
    message = form_errors(lambda: ledger.record_payouts_csv(OWNER, text))["csv"]
    assert message.splitlines() == [
        "Line 4: line 1 already pays this affiliate in USD.",
        "Line 5: expected 5 columns (affiliate code, currency, method, reference, paid on), found 3.",
        "Line 6: Choose how it was paid: paypal or bank. Enter the date the payout was sent, like 2026-01-31. "
        "Enter a currency as its three-letter code, like USD, EUR or GBP.",
    ]
    assert counts() == before
    text = "\n".join(text.splitlines()[:3])
    message = form_errors(lambda: ledger.record_payouts_csv(OWNER, text))["csv"]
    assert message.splitlines() == [
        "Line 2: This affiliate has no approved commissions in USD to pay.",
        "Line 3: no affiliate has this code.",
    ]
    assert counts() == before and rows(Commission)[0].status == "approved"


@pytest.mark.parametrize("text", ["", "   ", None, 42, "x" * 1_000_001, "a\x00b"])
def test_a_csv_that_is_not_text_is_refused(owner, text):
    assert "csv" in form_errors(lambda: ledger.record_payouts_csv(OWNER, text))


def test_a_csv_of_too_many_lines_is_refused(owner):
    text = "\n".join(f"k7m2xq9p,USD,paypal,{n},2026-01-15" for n in range(1001))
    assert "at most 1000" in form_errors(lambda: ledger.record_payouts_csv(OWNER, text))["csv"]


# --- totals and months ----------------------------------------------------------------------------------------------


def test_totals_are_one_grouped_query(ada, database):
    for amount in (1_000, 2_000):
        sale(amount, referral_code=ada.code)
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        figures = ledger.totals(ada.id)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert figures == {"USD": Totals(earned=600, pending=600)}
    [query] = [s for s in statements if "commission" in s]
    assert "GROUP BY" in query and "sum(" in query.lower()


def test_an_affiliate_with_nothing_has_no_totals(ada):
    assert ledger.totals(ada.id) == {} and ledger.totals(424242) == {}
    with pytest.raises(LookupError):
        ledger.totals("1")


def test_monthly_earnings_count_what_is_kept_in_each_month(ada, frozen_clock):
    frozen_clock.current = datetime(2025, 11, 30, 23, 30, tzinfo=UTC)
    november = sale(10_000, referral_code=ada.code)
    frozen_clock.current = datetime(2026, 1, 2, tzinfo=UTC)
    sale(5_000, currency="EUR", referral_code=ada.code)
    refunded = sale(1_000, referral_code=ada.code)
    refund(external_of(refunded), 1_000)
    frozen_clock.current = datetime(2026, 1, 3, tzinfo=UTC)
    ledger.approve(OWNER, [november.commission_id])
    pay(ada)
    frozen_clock.current = datetime(2026, 2, 10, tzinfo=UTC)
    refund(external_of(november), 10_000)
    months = ledger.monthly_earnings(ada.id, months=4)
    assert months == [
        (date(2025, 11, 1), {"USD": 2000}),
        (date(2025, 12, 1), {}),
        (date(2026, 1, 1), {"EUR": 1000}),
        (date(2026, 2, 1), {"USD": -2000}),
    ]
    kept = {currency: t.kept for currency, t in ledger.totals(ada.id).items()}
    assert kept == {"EUR": 1000, "USD": 0}


def test_months_follow_the_business_time_zone(ada, frozen_clock):
    with db.write_session() as session:
        session.get(Business, BUSINESS_ID).time_zone = "America/New_York"
    frozen_clock.current = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)  # still 31 January in New York
    sale(1_000, referral_code=ada.code)
    assert ledger.monthly_earnings(ada.id, months=2) == [(date(2025, 12, 1), {}), (date(2026, 1, 1), {"USD": 200})]
    assert ledger.monthly_earnings(ada.id, months=1, today=date(2026, 2, 1)) == [(date(2026, 2, 1), {})]


@pytest.mark.parametrize(("months", "today"), [(0, None), (37, None), ("12", None), (True, None), (12, "2026-01-01")])
def test_monthly_earnings_refuse_odd_arguments(ada, months, today):
    with pytest.raises(ValueError):
        ledger.monthly_earnings(ada.id, months=months, today=today)


# --- two writers at once ----------------------------------------------------------------------------------------------


def run_together(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # reported by the caller's assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def concurrent_affiliate() -> Affiliate:
    return make_affiliate("ada@example.com", "Ada Lovelace")


def test_one_sale_replayed_by_two_racing_transactions_is_stored_once(shared_database):
    ada = concurrent_affiliate()

    def record():
        with db.write_session() as session:
            return ledger.record_sale(
                session,
                idempotency_key="same-key",
                external_id="order-1",
                amount=10_000,
                currency="USD",
                customer_email="carol@example.com",
                referral_code=ada.code,
                occurred_at=clock.now(),
                source="webhook",
            )

    outcomes = run_together([record, record])
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sorted(o.replayed for o in outcomes) == [False, True]
    assert len({(o.sale_id, o.commission_id) for o in outcomes}) == 1
    assert (len(rows(Sale)), len(rows(Commission)), len(rows(Referral)), len(rows(OutboxEmail))) == (1, 1, 1, 1)


def test_two_first_sales_of_one_new_customer_refer_them_once(shared_database):
    ada = concurrent_affiliate()
    set_terms(recurring_months=0)

    def record(number):
        with db.write_session() as session:
            return ledger.record_sale(
                session,
                idempotency_key=f"key-{number}",
                external_id=f"order-{number}",
                amount=10_000,
                currency="USD",
                customer_email="carol@example.com",
                referral_code=ada.code,
                occurred_at=clock.now(),
                source="webhook",
            )

    outcomes = run_together([lambda: record(1), lambda: record(2)])
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert len(rows(Referral)) == 1 and len(rows(Commission)) == 1


def test_one_refund_replayed_by_two_racing_transactions_counts_once(shared_database):
    ada = concurrent_affiliate()
    outcome = sale(10_000, referral_code=ada.code)
    results = run_together([lambda: refund(external_of(outcome), 4_000, key="refund-1")] * 2)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.replayed for r in results) == [False, True]
    assert rows(Sale)[0].refunded_amount == 4_000 and len(rows(Refund)) == 1
    assert states(outcome.sale_id) == [(2000, "reversed"), (1200, "pending")]


def test_two_payouts_recorded_at_once_pay_each_commission_once(shared_database):
    with db.write_session() as session:
        session.add(StaffAccount(id=1, email=OWNER.label, name="Owner", password_hash="-", created_at=clock.now()))
    ada = concurrent_affiliate()
    outcome = sale(10_000, referral_code=ada.code)
    with db.write_session() as session:
        session.get(Commission, outcome.commission_id).approvable_at = clock.now()
    ledger.approve(OWNER, [outcome.commission_id])
    results = run_together([lambda: pay(ada)] * 2)
    assert sum(isinstance(r, Payout) for r in results) == 1
    assert [type(r) for r in results if not isinstance(r, Payout)] == [FormErrors]
    assert [p.amount for p in rows(Payout)] == [2000]
