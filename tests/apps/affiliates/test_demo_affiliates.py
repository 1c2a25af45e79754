"""The demo affiliate: clicks, referrals, commissions in every state and a payout, consistent with the ledger."""

from __future__ import annotations

from portal_app.accounts.models import Account
from portal_app.apps.affiliates import dashboard, ledger
from portal_app.apps.affiliates.demo_affiliates import add_demo_affiliates
from portal_app.kernel import db
from tests.apps.support import add_account


def test_the_demo_affiliate_has_figures_in_every_state(database, frozen_clock):
    main, second = add_account("dana@demo.example", "Dana"), add_account("dana@demo.example", "Dana Two")
    with db.write_session() as session:
        add_demo_affiliates(session, [session.get(Account, main), session.get(Account, second)])
    view = dashboard.overview(second)
    [line] = view.totals
    assert (line.earned, line.pending, line.approved, line.paid) == ("$214.00", "$54.00", "$46.00", "$114.00")
    assert view.referral_count == 5 and view.clicks_30_days > 0 and view.payout_details == "d***@demo.example"
    assert sum(1 for month in view.chart if month.amount > 0) >= 6
    assert {c.status for c in dashboard.commissions(second).items} == {
        "pending",
        "approved",
        "paid",
        "rejected",
        "reversed",
    }
    [payout] = dashboard.payouts(second)
    assert payout.amount == "$114.00"
    totals = ledger.totals(dashboard._affiliate(second).id)["USD"]
    assert totals.earned == totals.pending + totals.approved + totals.paid + totals.reversed
