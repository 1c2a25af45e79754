"""The programme's running figures (what the admin overview shows): kept by the ledger in each transaction,
equal to the SUMs over the rows after every commit, forgotten on rollback, safe under concurrent writers on
SQLite and PostgreSQL, rebuilt from the rows for demo data, and counted once for a database that had a ledger
before they existed."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from portal_app.admin.models import StaffAccount
from portal_app.apps.affiliates import admin_views, figures, ledger
from portal_app.apps.affiliates.figures import Figure
from portal_app.apps.affiliates.models import Commission, ProgrammeFigure
from portal_app.kernel import clock, db
from portal_app.kernel.settings import PROJECT_DIR
from tests.apps.affiliates.test_ledger import (  # noqa: F401  (owner is a fixture)
    OWNER,
    concurrent_affiliate,
    external_of,
    make_affiliate,
    owner,
    pay,
    refund,
    run_together,
    sale,
)


@pytest.fixture
def ada(owner):  # noqa: F811  (the fixture imported above)
    return make_affiliate("ada@example.com", "Ada Lovelace")


def kept() -> dict:
    with db.read_session() as session:
        return figures.nonzero(figures.read(session))


def counted() -> dict:
    with db.read_session() as session:
        return figures.counted(session)


def test_every_ledger_step_moves_the_figures_and_they_match_the_rows(ada, frozen_clock):
    first = sale(10_000, referral_code=ada.code)  # 20.00 pending
    sale(5_000, referral_code=ada.code, currency="EUR")  # 10.00 EUR pending
    sale(3_000)  # nobody referred it: a sale without a commission
    assert kept() == {
        ("sale", "USD"): Figure(2, 13_000),
        ("sale", "EUR"): Figure(1, 5_000),
        ("pending", "USD"): Figure(1, 2_000),
        ("pending", "EUR"): Figure(1, 1_000),
    }
    frozen_clock.advance(days=31)
    ledger.approve(OWNER, [first.commission_id])
    pay(ada)
    refund(external_of(first), 4_000)  # takes back 8.00 of the paid 20.00: a negative approved row
    assert kept()[("paid", "USD")] == Figure(1, 2_000)
    assert kept()[("approved", "USD")] == Figure(1, -800)
    assert kept()[("refund", "USD")] == Figure(1, 4_000)
    assert ("pending", "USD") not in kept()  # back to nothing
    assert kept() == counted()
    view = admin_views.programme_overview()
    assert [(f.currency, f.pending, f.approved, f.paid) for f in view.totals] == [
        ("EUR", 1_000, 0, 0),
        ("USD", 0, -800, 2_000),
    ]
    assert (view.sales, view.pending_commissions) == (3, 1)


def test_a_transaction_that_rolls_back_leaves_the_figures_alone(ada):
    with pytest.raises(RuntimeError), db.write_session() as session:
        ledger.record_sale(
            session,
            idempotency_key="k-1",
            external_id="o-1",
            amount=10_000,
            currency="USD",
            referral_code=ada.code,
            occurred_at=clock.now(),
            source="webhook",
        )
        raise RuntimeError("the caller failed after the sale")
    assert kept() == {} == counted()
    sale(1_000, referral_code=ada.code)
    assert kept() == {("sale", "USD"): Figure(1, 1_000), ("pending", "USD"): Figure(1, 200)} == counted()


def test_a_replay_and_a_refused_step_change_nothing(ada, frozen_clock):
    first = sale(10_000, referral_code=ada.code, key="same")
    before = kept()
    sale(10_000, referral_code=ada.code, key="same")
    ledger.approve(OWNER, [first.commission_id])  # refused: still in its refund window
    with pytest.raises(Exception):
        refund(external_of(first), 20_000)  # more than the sale
    assert kept() == before == counted()


def test_demo_style_rows_written_around_the_ledger_are_recounted(ada):
    sale(10_000, referral_code=ada.code)
    with db.write_session() as session:
        row = session.exec(select(Commission)).one()
        session.add(Commission(**{**row.model_dump(exclude={"id"}), "status": "paid", "amount": 700}))
    assert kept() != counted()
    with db.write_session() as session:
        figures.recount(session)
    assert kept() == counted()


def test_concurrent_sales_approvals_and_payouts_keep_the_figures_exact(shared_database):
    """Sales from four threads while staff approve and pay: no transaction waits forever on another's
    figures (PostgreSQL would report a deadlock), and the figures equal the rows at the end."""
    with db.write_session() as session:
        session.add(StaffAccount(id=1, email=OWNER.label, name="Owner", password_hash="-", created_at=clock.now()))
    first = concurrent_affiliate()
    bob = make_affiliate("bob@example.com", "Bob Babbage")
    ready = [sale(10_000, referral_code=first.code).commission_id for _ in range(6)]
    with db.write_session() as session:
        for row in session.exec(select(Commission)).all():
            row.approvable_at = clock.now()
            session.add(row)

    def sell(worker: int):
        for number in range(8):
            code = (first, bob)[number % 2].code
            sale(1_000 + number, referral_code=code, key=f"w{worker}-{number}", external=f"o{worker}-{number}")
        return "sold"

    def staff():
        for commission_id in ready:
            ledger.approve(OWNER, [commission_id])
        pay(first)
        return "paid"

    results = run_together([lambda: sell(1), lambda: sell(2), lambda: sell(3), staff])
    assert results == ["sold", "sold", "sold", "paid"], results
    assert kept() == counted()
    assert kept()[("sale", "USD")].count == 6 + 24
    assert kept()[("paid", "USD")] == Figure(6, 12_000)


def test_a_ledger_from_before_the_figures_is_counted_by_the_migration(tmp_path):
    """The revision that adds the figures counts the rows already there: a database one revision back,
    with a sale, a refund and commissions, migrated to head."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    env = {**os.environ, "REFLEX_DB_URL": url}
    migrate = [str(PROJECT_DIR / ".venv" / "bin" / "portal"), "db", "migrate"]
    first = subprocess.run(migrate, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    engine = create_engine(url)
    with engine.begin() as connection:
        # One revision back: no figures table, no approvable index.
        connection.execute(text("DROP TABLE programmefigure"))
        connection.execute(text("DROP INDEX ix_commission_status_approvable"))
        connection.execute(text("UPDATE alembic_version_affiliates SET version_num = 'b605f5a52864'"))
        now = "2026-01-01 00:00:00.000000"
        connection.execute(
            text("INSERT INTO account (id, email, full_name, created_at) VALUES (1, 'a@example.com', 'A', :now)"),
            {"now": now},
        )
        statements = [
            "INSERT INTO campaign (id, slug, name, kind, percent_bp, flat_amount, currency, cookie_days,"
            " approval_days, is_default, archived, created_at) VALUES (1, 'std', 'Standard', 'percent', 2000, 0,"
            " 'USD', 30, 30, 1, 0, :now)",
            "INSERT INTO affiliate (id, account_id, code, payout_method, payout_details, created_at)"
            " VALUES (1, 1, 'ADA1', '', '', :now)",
            "INSERT INTO sale (id, idempotency_key, external_id, customer_email, amount, refunded_amount, currency,"
            " source, occurred_at, created_at, affiliate_id) VALUES (1, 'k1', 'o1', '', 10000, 4000, 'USD',"
            " 'webhook', :now, :now, 1)",
            "INSERT INTO refund (id, idempotency_key, sale_id, amount, occurred_at, created_at)"
            " VALUES (1, 'r1', 1, 4000, :now, :now)",
            "INSERT INTO commission (affiliate_id, sale_id, campaign_id, amount, currency, status, reason,"
            " approvable_at, created_at) VALUES (1, 1, 1, 2000, 'USD', 'reversed', '', :now, :now),"
            " (1, 1, 1, 1200, 'USD', 'pending', '', :now, :now)",
        ]
        for statement in statements:
            connection.execute(text(statement), {"now": now})
    again = subprocess.run(migrate, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    with engine.connect() as connection:
        rows = connection.execute(
            select(ProgrammeFigure.kind, ProgrammeFigure.currency, ProgrammeFigure.count, ProgrammeFigure.amount)
        ).all()
    engine.dispose()
    assert sorted(map(tuple, rows)) == [
        ("pending", "USD", 1, 1_200),
        ("refund", "USD", 1, 4_000),
        ("reversed", "USD", 1, 2_000),
        ("sale", "USD", 1, 10_000),
    ]
