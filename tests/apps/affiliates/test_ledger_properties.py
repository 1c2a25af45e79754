"""Property tests of the ledger: random sequences of sales, replays, refunds, approvals, rejections and payouts
over three affiliates and three currencies never let the figures drift.

After every step, per affiliate and currency: totals() (one SQL GROUP BY) equals the same SUMs made in
Python from the rows; earned == pending + approved + paid + reversed; paid == the SUM of the payouts;
each payout is the SUM of the commissions it paid, above zero; each sale's refunds add up to its
refunded amount, never more than the sale; each sale's live commissions add up to the share of its
first commission that the unrefunded part earns (less only when staff rejected one), never below zero;
and the months of monthly_earnings() add up to what the affiliate keeps.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlmodel import delete, select

from portal_app.admin.audit import Actor
from portal_app.admin.models import StaffAccount
from portal_app.apps.affiliates import figures, ledger, programme
from portal_app.apps.affiliates.models import Affiliate, Campaign, Commission, Payout, Referral, Refund, Sale
from portal_app.apps.affiliates.money import MAX_AMOUNT, format_money, parse_amount
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from tests.apps.support import add_account

OWNER = Actor("owner@example.com", 1)
CURRENCIES = ("USD", "EUR", "JPY")
# The last is an affiliate buying: self-referrals earn nothing and change no figure.
CUSTOMERS = ("carol@example.com", "dave@example.com", "erin@example.com", "", "ada@example.com")
STATUSES = ("pending", "approved", "paid", "reversed", "rejected")
FAST = settings(max_examples=40, stateful_step_count=25, deadline=None, database=None)


def round_half_up_by_fractions(numerator: int, denominator: int) -> int:
    return int(Fraction(numerator, denominator) + Fraction(1, 2))


@given(st.integers(0, 10**16), st.integers(1, 10**12))
@settings(max_examples=300, deadline=None, database=None)
def test_rounding_is_half_up_on_whole_numbers(numerator, denominator):
    assert ledger.round_half_up(numerator, denominator) == round_half_up_by_fractions(numerator, denominator)


@given(st.integers(1, MAX_AMOUNT), st.sampled_from(("USD", "EUR", "JPY", "BHD", "GBP")))
@settings(max_examples=300, deadline=None, database=None)
def test_every_amount_shown_reads_back_as_itself(minor, currency):
    shown = format_money(minor, currency)
    digits = "".join(char for char in shown if char.isdigit() or char in ".,")
    assert parse_amount(digits, "amount", currency) == minor


def everything(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model).order_by(model.id)))


# Each step draws one of these; the repeated ones come more often, so every run mixes them all.
OPERATIONS = (
    *["sell"] * 3,
    *["refund"] * 2,
    *["time_passes"] * 2,
    *["approve"] * 2,
    *["pay"] * 2,
    "replay_a_sale",
    "replay_a_refund",
    "reject",
    "pay_from_csv",
    "change_the_terms",
)


class LedgerMachine(RuleBasedStateMachine):
    """Three affiliates, customers who may or may not bring a code, three currencies, and staff at work."""

    def __init__(self, affiliates: list[Affiliate], frozen_clock) -> None:
        super().__init__()
        self.affiliates = affiliates
        self.clock = frozen_clock
        self.clock.current = frozen_clock.start
        self.number = 0
        self.sales: list[tuple[str, str]] = []
        self.refunds: list[tuple[str, str, int]] = []
        with db.write_session() as session:
            for model in (Refund, Commission, Payout, Sale, Referral):
                session.exec(delete(model))
            figures.recount(session)  # the rows went around the ledger
            standard = programme.default_campaign(session)
            standard.kind, standard.percent_bp, standard.recurring_months = "percent", 2000, None
            standard.approval_days = 3

    def _next(self) -> int:
        self.number += 1
        return self.number

    @initialize(data=st.data())
    def some_history(self, data):
        """Start from a few sales with codes, approved and partly paid, so refunds meet every state."""
        for _ in range(data.draw(st.integers(2, 6), label="first sales")):
            self.sell(data, with_code=True)
        self.clock.advance(days=4)
        self.approve(data, [row.id for row in everything(Commission)])
        self.pay(data)

    @rule(operation=st.sampled_from(OPERATIONS), data=st.data())
    def step(self, operation, data):
        getattr(self, operation)(data)

    # --- what happens ---------------------------------------------------------------------------------------------

    def sell(self, data, *, with_code: bool = False):
        affiliate = data.draw(st.sampled_from(self.affiliates), label="affiliate")
        code = affiliate.code if with_code or data.draw(st.integers(0, 3), label="with code") else ""
        customer = data.draw(st.sampled_from(CUSTOMERS), label="customer")
        currency = data.draw(st.sampled_from(CURRENCIES), label="currency")
        amount = data.draw(st.one_of(st.integers(1, 200), st.integers(1, 10**7)), label="amount")
        number = self._next()
        key, external = f"key-{number}", f"order-{number}"
        with db.write_session() as session:
            outcome = ledger.record_sale(
                session,
                idempotency_key=key,
                external_id=external,
                amount=amount,
                currency=currency,
                customer_email=customer,
                referral_code=code,
                occurred_at=clock.now(),
                source="webhook",
            )
        assert not outcome.replayed
        if outcome.commission_id is not None:
            with db.read_session() as session:
                earned = session.get(Commission, outcome.commission_id)
                campaign = session.get(Campaign, earned.campaign_id)
            if campaign.kind == "percent":
                assert earned.amount == ledger.round_half_up(amount * campaign.percent_bp, 10_000)
            else:
                assert (earned.amount, earned.currency) == (campaign.flat_amount, campaign.currency)
        self.sales.append((key, external))

    def replay_a_sale(self, data):
        if not self.sales:
            return
        key, external = data.draw(st.sampled_from(self.sales), label="sale")
        by_external = data.draw(st.booleans(), label="by external id")
        before = self._sizes()
        with db.write_session() as session:
            outcome = ledger.record_sale(
                session,
                idempotency_key=f"other-{self._next()}" if by_external else key,
                external_id=external if by_external else f"other-{self._next()}",
                amount=1,
                currency="USD",
                occurred_at=clock.now(),
                source="webhook",
            )
        assert outcome.replayed and self._sizes() == before

    def refund(self, data):
        if not self.sales:
            return
        _, external = data.draw(st.sampled_from(self.sales), label="sale")
        sale = self._sale(external)
        left = sale.amount - sale.refunded_amount
        asked = data.draw(st.integers(1, left) if left else st.just(1), label="refund")
        if data.draw(st.integers(0, 4), label="too much") == 0:
            asked = left + 1
        key = f"refund-{self._next()}"
        before = self._sizes()
        try:
            with db.write_session() as session:
                outcome = ledger.record_refund(
                    session, idempotency_key=key, external_id=external, amount=asked, occurred_at=clock.now()
                )
        except FieldError:
            assert asked > left and self._sizes() == before
            return
        assert asked <= left and not outcome.replayed
        assert self._sale(external).refunded_amount == sale.refunded_amount + asked
        self.refunds.append((key, external, asked))

    def replay_a_refund(self, data):
        if not self.refunds:
            return
        key, external, amount = data.draw(st.sampled_from(self.refunds), label="refund")
        before = self._sizes()
        with db.write_session() as session:
            outcome = ledger.record_refund(
                session, idempotency_key=key, external_id=external, amount=amount, occurred_at=clock.now()
            )
        assert outcome.replayed and self._sizes() == before

    def time_passes(self, data):
        self.clock.advance(days=data.draw(st.sampled_from((4, 1, 31, 0)), label="days"))

    def approve(self, data, chosen: list[int] | None = None):
        chosen = self._some_commissions(data) if chosen is None else chosen
        if not chosen:
            return
        rows = {row.id: row for row in everything(Commission)}
        now = clock.now()
        expected = {i for i in chosen if rows[i].status == "pending" and rows[i].approvable_at <= now}
        result = ledger.approve(OWNER, chosen)
        assert result.changed == len(expected)
        assert set(result.refused) == set(chosen) - expected

    def reject(self, data):
        chosen = self._some_commissions(data)
        if not chosen:
            return
        rows = {row.id: row for row in everything(Commission)}
        expected = {i for i in chosen if rows[i].status in ("pending", "approved") and rows[i].amount > 0}
        result = ledger.reject(OWNER, chosen, "Not a genuine order")
        assert result.changed == len(expected)

    def pay(self, data):
        target, currency = data.draw(self._payees(), label="affiliate and currency")
        owed = sum(
            row.amount
            for row in everything(Commission)
            if row.affiliate_id == target.id and row.status == "approved" and row.currency == currency
        )
        try:
            payout = ledger.record_payout(
                OWNER, target.id, method="bank", reference="", paid_on=clock.now().date(), currency=currency
            )
        except FormErrors:
            assert owed <= 0
            return
        assert payout.amount == owed > 0

    def pay_from_csv(self, data):
        pairs = data.draw(st.lists(self._payees(), min_size=1, max_size=3), label="payouts")
        pairs = list(dict.fromkeys((affiliate.code, currency) for affiliate, currency in pairs))
        lines = [f"{code},{currency},paypal,batch,{clock.now().date()}" for code, currency in pairs]
        before = self._sizes()
        try:
            payouts = ledger.record_payouts_csv(OWNER, "\n".join(lines))
        except FormErrors:
            assert self._sizes() == before
            return
        assert len(payouts) == len(pairs)

    def change_the_terms(self, data):
        flat = data.draw(st.booleans(), label="flat")
        months = data.draw(st.sampled_from((None, 0, 1, 6)), label="months")
        approval_days = data.draw(st.sampled_from((3, 0, 30)), label="approval days")
        with db.write_session() as session:
            campaign = programme.default_campaign(session)
            campaign.kind = "flat" if flat else "percent"
            campaign.percent_bp, campaign.flat_amount = (0, 500) if flat else (2000, 0)
            campaign.currency, campaign.recurring_months, campaign.approval_days = "USD", months, approval_days

    # --- what must always hold ------------------------------------------------------------------------------------------

    @invariant()
    def the_figures_never_drift(self):
        commissions, payouts = everything(Commission), everything(Payout)
        self._totals_agree(commissions, payouts)
        self._payouts_are_what_they_paid(commissions, payouts)
        sales, refunds = everything(Sale), everything(Refund)
        self._each_sale_keeps_its_share(commissions, sales, refunds)
        self._programme_figures_are_the_rows(commissions, sales, refunds)

    def teardown(self):
        """The months add up to what each affiliate keeps (checked once a run: it is the slowest read)."""
        for affiliate in self.affiliates:
            kept: dict[str, int] = defaultdict(int)
            for _, amounts in ledger.monthly_earnings(affiliate.id, months=36):
                for currency, amount in amounts.items():
                    kept[currency] += amount
            by_currency = ledger.totals(affiliate.id)
            assert {c: a for c, a in kept.items() if a} == {c: t.kept for c, t in by_currency.items() if t.kept}

    def _programme_figures_are_the_rows(
        self, commissions: list[Commission], sales: list[Sale], refunds: list[Refund]
    ) -> None:
        """The running figures the admin overview reads equal the rows, summed here in Python."""
        expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        currency_of = {sale.id: sale.currency for sale in sales}
        for kind, currency, amount in [
            *(("sale", sale.currency, sale.amount) for sale in sales),
            *(("refund", currency_of[refund.sale_id], refund.amount) for refund in refunds),
            *((row.status, row.currency, row.amount) for row in commissions),
        ]:
            expected[(kind, currency)][0] += 1
            expected[(kind, currency)][1] += amount
        with db.read_session() as session:
            kept = figures.nonzero(figures.read(session))
        assert kept == {key: figures.Figure(count, amount) for key, (count, amount) in expected.items()}

    def _totals_agree(self, commissions: list[Commission], payouts: list[Payout]) -> None:
        by_row: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
        for row in commissions:
            by_row[(row.affiliate_id, row.currency)][row.status] += row.amount
        paid_out: dict[tuple[int, str], int] = defaultdict(int)
        for payout in payouts:
            paid_out[(payout.affiliate_id, payout.currency)] += payout.amount
        for affiliate in self.affiliates:
            by_currency = ledger.totals(affiliate.id)
            assert set(by_currency) == {currency for (owner, currency) in by_row if owner == affiliate.id}
            for currency, totals in by_currency.items():
                sums = by_row[(affiliate.id, currency)]
                assert (totals.pending, totals.approved, totals.paid, totals.reversed, totals.rejected) == (
                    sums["pending"],
                    sums["approved"],
                    sums["paid"],
                    sums["reversed"],
                    sums["rejected"],
                )
                assert totals.earned == totals.pending + totals.approved + totals.paid + totals.reversed
                assert totals.earned == sum(sums.values()) - sums["rejected"]
                assert totals.paid == paid_out[(affiliate.id, currency)]

    def _payouts_are_what_they_paid(self, commissions: list[Commission], payouts: list[Payout]) -> None:
        paid_by: dict[int, int] = defaultdict(int)
        for row in commissions:
            assert (row.status == "paid") == (row.payout_id is not None)
            if row.payout_id is not None:
                paid_by[row.payout_id] += row.amount
        for payout in payouts:
            assert payout.amount == paid_by[payout.id] > 0

    def _each_sale_keeps_its_share(
        self, commissions: list[Commission], sales: list[Sale], refunds: list[Refund]
    ) -> None:
        of_sale: dict[int, list[Commission]] = defaultdict(list)
        for row in commissions:
            of_sale[row.sale_id].append(row)
        refunded: dict[int, int] = defaultdict(int)
        for refund in refunds:
            refunded[refund.sale_id] += refund.amount
        for sale in sales:
            assert 0 <= sale.refunded_amount == refunded[sale.id] <= sale.amount
            rows = of_sale[sale.id]
            if not rows:
                continue
            due = round_half_up_by_fractions(rows[0].amount * (sale.amount - sale.refunded_amount), sale.amount)
            live = sum(row.amount for row in rows if row.status in ("pending", "approved", "paid"))
            assert 0 <= live <= due
            if all(row.status != "rejected" for row in rows):
                assert live == due
            assert sum(1 for row in rows if row.status in ("pending", "approved") and row.amount > 0) <= 1

    # --- helpers ----------------------------------------------------------------------------------------------------

    def _sale(self, external: str) -> Sale:
        with db.read_session() as session:
            return session.exec(select(Sale).where(Sale.external_id == external)).one()

    def _sizes(self) -> tuple:
        """Every row that a refused or replayed call must leave as it was."""
        return (
            tuple((row.id, row.refunded_amount) for row in everything(Sale)),
            tuple((row.id, row.status) for row in everything(Commission)),
            len(everything(Refund)),
            len(everything(Payout)),
            len(everything(Referral)),
        )

    def _payees(self):
        """An affiliate and a currency: mostly ones with approved commissions, sometimes any."""
        anyone = st.tuples(st.sampled_from(self.affiliates), st.sampled_from(CURRENCIES))
        by_id = {affiliate.id: affiliate for affiliate in self.affiliates}
        owed = sorted({(row.affiliate_id, row.currency) for row in everything(Commission) if row.status == "approved"})
        if not owed:
            return anyone
        return st.one_of(st.sampled_from([(by_id[a], c) for a, c in owed]), anyone)

    def _some_commissions(self, data) -> list[int]:
        """A few commission ids, mostly pending ones (they are what staff decide on), sometimes any."""
        rows = everything(Commission)
        if not rows:
            return []
        pending = [row.id for row in rows if row.status == "pending"]
        anyone = st.sampled_from([row.id for row in rows])
        one = st.one_of(st.sampled_from(pending), anyone) if pending else anyone
        return data.draw(st.lists(one, min_size=1, max_size=4), label="commissions")


@pytest.fixture
def cast(database, frozen_clock) -> list[Affiliate]:
    with db.write_session() as session:
        session.add(StaffAccount(id=1, email=OWNER.label, name="Owner", password_hash="-", created_at=clock.now()))
    made = []
    for name in ("ada", "grace", "hedy"):
        account = add_account(f"{name}@example.com", name.title())
        with db.write_session() as session:
            made.append(programme.ensure_affiliate(session, account))
    frozen_clock.start = frozen_clock.current
    return made


def test_random_operations_never_let_the_figures_drift(cast, frozen_clock):
    run_state_machine_as_test(lambda: LedgerMachine(cast, frozen_clock), settings=FAST)
