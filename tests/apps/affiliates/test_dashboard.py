"""The affiliate's own page: links, terms, totals, months, referrals (masked), commissions (their own only,
paged), statements (CSV without formulas), and payout details changed only with the emailed code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app.apps.affiliates import dashboard, ledger, programme
from portal_app.apps.affiliates.models import Affiliate, Referral
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from tests.apps.support import add_account
from tests.support.accounts import latest_code


def _refer(affiliate_account: int, email: str) -> None:
    with db.write_session() as session:
        affiliate = programme.ensure_affiliate(session, affiliate_account)
        campaign = programme.default_campaign(session)
        session.add(
            Referral(
                affiliate_id=affiliate.id,
                campaign_id=campaign.id,
                customer_email=email,
                source="signup",
                created_at=clock.now(),
            )
        )


def _sale(key: str, email: str, amount: int = 10_000, currency: str = "USD") -> ledger.SaleOutcome:
    with db.write_session() as session:
        return ledger.record_sale(
            session,
            idempotency_key=key,
            external_id=f"order-{key}",
            amount=amount,
            currency=currency,
            customer_email=email,
            occurred_at=clock.now(),
            source="manual",
        )


@pytest.fixture
def ann(database, frozen_clock) -> int:
    return add_account("ann@example.com", "Ann Affiliate")


def test_the_first_visit_makes_the_affiliate_with_links_and_the_default_terms(ann):
    view = dashboard.overview(ann)
    assert len(view.code) >= 6 and view.links[0].url.endswith(f"/r/{view.code}")
    assert view.terms == "20% of each sale, for as long as the customer buys"
    assert (view.cookie_days, view.approval_days, view.totals, view.referral_count) == (30, 30, (), 0)
    assert len(view.chart) == 12 and all(month.amount == 0 for month in view.chart)
    assert dashboard.overview(ann).code == view.code  # made once


def test_a_sale_shows_in_totals_chart_referrals_and_commissions(ann):
    _refer(ann, "buyer@example.com")
    outcome = _sale("s1", "buyer@example.com", 12_345)
    assert outcome.commission_id is not None
    view = dashboard.overview(ann)
    [line] = view.totals
    assert (line.currency, line.earned, line.pending, line.approved, line.paid) == (
        "USD",
        "$24.69",
        "$24.69",
        "$0.00",
        "$0.00",
    )
    assert view.chart[-1].amount == pytest.approx(24.69) and view.chart[-1].label == "$24.69"
    assert [(r.who, r.how) for r in view.referrals] == [("b***@example.com", "Signed up through your link")]
    page = dashboard.commissions(ann)
    [item] = page.items
    assert (item.amount, item.status, page.next_cursor) == ("$24.69", "pending", None)
    assert item.approvable_on == (clock.now() + timedelta(days=30)).date()


def test_commissions_are_only_mine_paged_and_filtered(ann, frozen_clock):
    bob = add_account("bob@example.com", "Bob Other")
    _refer(ann, "c1@example.com")
    _refer(bob, "c2@example.com")
    for n in range(30):
        _sale(f"a{n}", "c1@example.com", 1_000)
        frozen_clock.advance(minutes=1)
    _sale("b0", "c2@example.com", 1_000)
    first = dashboard.commissions(ann)
    assert len(first.items) == dashboard.PAGE_SIZE and first.next_cursor
    rest = dashboard.commissions(ann, before=first.next_cursor)
    assert len(rest.items) == 5 and rest.next_cursor is None
    assert not {i.id for i in first.items} & {i.id for i in rest.items}
    assert dashboard.commissions(bob).items[0].amount == "$2.00" and len(dashboard.commissions(bob).items) == 1
    assert dashboard.commissions(ann, status="paid").items == ()
    for bad in ({"status": "everything"}, {"status": None}, {"before": "x"}, {"before": "1.000000-" + "9" * 30}):
        with pytest.raises(LookupError):
            dashboard.commissions(ann, **bad)


def test_the_statement_is_csv_of_my_rows_with_no_formulas(ann):
    _refer(ann, "=cmd@example.com")
    outcome = _sale("s1", "=cmd@example.com", 5_000)
    with db.write_session() as session:
        from portal_app.apps.affiliates.models import Commission

        row = session.get(Commission, outcome.commission_id)
        row.reason = "=HYPERLINK(evil)"
        session.add(row)
    today = clock.now().date().isoformat()
    text = dashboard.statement_csv(ann, today, today)
    lines = text.strip().splitlines()
    assert lines[0].startswith("type,date,amount,currency,minor_units")
    assert "commission" in lines[1] and ",1000," in lines[1] and "'=HYPERLINK(evil)" in lines[1]
    for start, end in (("2026-13-01", today), (today, "yesterday"), ("2026-02-01", "2026-01-01"), (None, None)):
        with pytest.raises(FormErrors):
            dashboard.statement_csv(ann, start, end)
    with pytest.raises(FormErrors, match="three years"):
        dashboard.statement_csv(ann, "2020-01-01", "2026-01-01")


def test_payout_details_change_only_with_the_emailed_code(ann, frozen_clock):
    with pytest.raises(FormErrors):
        dashboard.ask_to_change_payout_details(ann, "paypal", "not an email", ip="203.0.113.1")
    with pytest.raises(FormErrors):
        dashboard.ask_to_change_payout_details(ann, "cash", "x", ip="203.0.113.1")
    method, details = dashboard.ask_to_change_payout_details(ann, "paypal", " Ann.Pay@Example.com ", ip="203.0.113.1")
    assert (method, details) == ("paypal", "ann.pay@example.com")
    with pytest.raises(FieldError):
        dashboard.change_payout_details(
            ann, method, details, "000000" if latest_code("ann@example.com") != "000000" else "111111"
        )
    dashboard.change_payout_details(ann, method, details, latest_code("ann@example.com"))
    view = dashboard.overview(ann)
    assert (view.payout_method, view.payout_details) == ("paypal", "a***@example.com")
    with db.read_session() as session:
        from sqlmodel import select

        assert session.exec(select(Affiliate.payout_details)).one() == "ann.pay@example.com"
    # Bank details are shown by their last four characters only.
    frozen_clock.advance(minutes=5)
    dashboard.ask_to_change_payout_details(ann, "bank", "IBAN DE89 3704 0044 0532 0130 00", ip="203.0.113.1")
    dashboard.change_payout_details(ann, "bank", "IBAN DE89 3704 0044 0532 0130 00", latest_code("ann@example.com"))
    assert dashboard.overview(ann).payout_details == "ending in 3000"
