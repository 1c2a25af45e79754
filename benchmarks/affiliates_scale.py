"""Affiliate Manager at scale: 10,000 affiliates, 1,000,000 sales and commissions, and the sales webhook's throughput.

Run: .venv/bin/python benchmarks/affiliates_scale.py [--rounds 50] [--sqlite-only]

The schema comes from the real migrations (portal_app.apps.migrations.migrate, what `portal db migrate`
runs). The seed is written with bulk inserts, never through the services (executemany of 10,000 rows on
the SQLite driver, COPY on PostgreSQL; foreign-key checks off while it loads, every reference being valid
by construction): 10,000 affiliate accounts each with an Affiliate row (codes, payout details), three
campaigns (20 %, 30 %, and an archived flat $25 one), 50,000 referrals (two in five are accounts that
signed up, the rest customer emails first seen on a sale; a heavy-tailed share per affiliate, so a few
hundred affiliates bring most customers and three in ten none), 1,000,000 sales over two years (a
customer buys again and again, mostly the same plan; 90 % USD, the rest EUR and GBP), one commission per
sale under its referral's campaign, in the state its age gives it (refund window of 30 days, then
approved within ten days, paid on the first of the next month; about 3 % refunded in the window and
reversed, with their Refund rows, and 2 % rejected), the monthly payouts those paid commissions make
(each payout's amount is the SUM of its commissions, checked after seeding), 300,000 clicks and a full
webhook log (1,000 calls). It goes into a temporary SQLite file (WAL), and into a temporary PostgreSQL
database on 127.0.0.1:5432 when one answers (trust auth, user postgres; dropped afterwards).

It then times the portal's own functions, a different affiliate each round where the call has one: the
affiliate's page (dashboard.overview, the commissions list's first page and a page 1,000 commissions down
reached by following the list's own cursors, payouts, the home card, a year's statement CSV), and the
admin pages (admin_views: the affiliates list's first page and two searches, pending commissions' first
page and a page 5,000 down, the programme overview, the payouts due). Medians and 95th percentiles are in
milliseconds. Each call is made once more with a before_cursor_execute listener that EXPLAINs every
statement just before it runs, on the call's own connection with its parameters (EXPLAIN QUERY PLAN on
SQLite, with the statement's work counted in VM instructions through sqlite3's progress handler; EXPLAIN
ANALYZE on PostgreSQL in a savepoint rolled back at once, with the rows each scan node read), and a
statement that scans commission, sale, click, referral or payout in full, or reads a tenth of one, is
reported.

Last, the sales webhook (webhook.handle, what POST /api/apps/affiliates/sale calls; signed with
webhook.current_secret() as a shop would): N sale calls with distinct idempotency keys, half of them from
customers already referred (found by their email) and half from new customers carrying an affiliate's
referral code, posted in a tight loop on one thread and then from 4 threads: sales accepted per second
and each call's p50 and p99; then the same calls again (the same keys: replays) on one thread.

The plans are seen through benchmarks/sql_plans.py (PlannedSql, explain, describe, the PostgreSQL scan
nodes), shared with courses_scale.py and communities_scale.py; the read-size check (flags) is adapted from
communities_scale.py's.
"""

from __future__ import annotations

import argparse
import array
import hashlib
import hmac
import itertools
import json
import math
import os
import platform
import random
import re
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

import portal_app.schema  # noqa: F401  (registers every table)
from portal_app.apps import migrations, registry
from portal_app.apps.affiliates import admin_views, dashboard, webhook
from portal_app.apps.affiliates import figures as programme_figures
from portal_app.apps.affiliates.ledger import round_half_up
from portal_app.apps.affiliates.programme import CODE_ALPHABET, CODE_LENGTH
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.settings import get_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sql_plans import PlannedSql, Seen, analyze, describe, full_scans, scan_nodes  # noqa: E402


@dataclass(frozen=True)
class Scale:
    """How much to seed and post (the flags; the real figures use the defaults)."""

    affiliates: int = 10_000
    sales: int = 1_000_000
    referrals: int = 50_000
    clicks: int = 300_000
    webhook_calls: int = 1_000
    replays: int = 500
    threads: int = 4


BATCH = 10_000
DAYS = 730
APPROVAL_DAYS = 30
# (id, slug, name, kind, percent_bp, flat_amount, is_default, archived, share of referrals)
CAMPAIGNS = (
    (1, "standard", "Standard", "percent", 2000, 0, True, False, 0.80),
    (2, "partners", "Partners", "percent", 3000, 0, False, False, 0.15),
    (3, "spring-launch", "Spring launch", "flat", 0, 2500, False, True, 0.05),
)
NO_REFERRALS_SHARE = 0.30  # affiliates who never brought anyone
SIGNUP_SHARE = 0.40  # referrals that are accounts made through the link (the rest: emails first seen on a sale)
NEVER_BOUGHT_SHARE = 0.40  # of the signups
LIFETIME_DAYS = 300  # how long a buying customer keeps buying, on average
CURRENCIES = (("USD", 90), ("EUR", 7), ("GBP", 3))
PRICES = ((1900, 30), (2900, 30), (4900, 20), (9900, 15), (19900, 5))
REFUND_SHARE = 0.03
REJECT_SHARE = 0.02
REJECT_REASONS = ("The order was cancelled.", "A duplicate of an earlier order.", "A test order.")
HEAVY = 20  # the biggest affiliates, timed apart
DEEP_PAGES = 40  # the affiliate's commissions: 40 pages of 25 down (1,000 commissions)
ADMIN_DEEP_PAGES = 100  # pending commissions: 100 pages of 50 down (5,000)
WEBHOOK_LOG = webhook.LOG_KEEP
FIRST_NAMES = """ann ben carla dev elena farid grace hugo ines jonas kai lena marco nadia omar priya quinn rosa
sam tara umar vera wen xavier yara zane aiko bruno chloe diego""".split()
SURNAMES = """garcia smith chen okafor novak muller rossi tanaka kowalski silva dubois jensen nguyen patel
ibrahim larsen moreau haddad fischer costa""".split()
COMMON_SURNAME = "garcia"
BIG_TABLES = ("commission", "sale", "click", "referral", "payout")
# Tables that grow with the people in the portal rather than with the sales: a statement reading a tenth of
# one is noted (apart from the big tables' check).
NOTED_TABLES = ("affiliate", "account")
# A statement that reads at least this share of a big table is reported.
READS_MUCH = 0.10
# SQLite's yardstick: the VM instructions of reading every row of a table through one of its indexes and
# looking at a column the index does not hold (what a statement's work is compared with).
FULL_READ_PROBES = {
    "commission": "commission INDEXED BY ix_commission_affiliate_time WHERE affiliate_id > 0 AND amount + 0 = -7",
    "sale": "sale INDEXED BY ix_sale_affiliate_time WHERE affiliate_id > 0 AND amount + 0 = -7",
    "click": "click INDEXED BY ix_click_affiliate_time WHERE affiliate_id > 0 AND campaign_id + 0 = -7",
    "referral": "referral INDEXED BY ix_referral_affiliate_time WHERE affiliate_id > 0 AND campaign_id + 0 = -7",
    "payout": "payout INDEXED BY ix_payout_affiliate_date WHERE affiliate_id > 0 AND amount + 0 = -7",
    "affiliate": "affiliate INDEXED BY sqlite_autoindex_affiliate_1 WHERE account_id > 0 AND length(code) + 0 = -7",
    "account": "account INDEXED BY ix_account_email WHERE email > '' AND length(full_name) + 0 = -7",
}
# The webhook's sales (their keys start "bench-"; "." follows "-" in ASCII), counted through the unique index.
BENCH_SALES = "SELECT count(*) FROM sale WHERE idempotency_key >= 'bench-' AND idempotency_key < 'bench.'"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

COLUMNS = {
    "account": ("id", "email", "full_name", "created_at"),
    "campaign": (
        *("id", "slug", "name", "kind", "percent_bp", "flat_amount", "currency", "recurring_months"),
        *("cookie_days", "approval_days", "is_default", "archived", "created_at"),
    ),
    "affiliate": ("id", "account_id", "code", "payout_method", "payout_details", "created_at"),
    "click": ("id", "affiliate_id", "campaign_id", "visitor", "created_at"),
    "referral": ("id", "affiliate_id", "campaign_id", "account_id", "customer_email", "source", "created_at"),
    "sale": (
        *("id", "idempotency_key", "external_id", "referral_id", "affiliate_id", "customer_email", "amount"),
        *("refunded_amount", "currency", "source", "occurred_at", "created_at"),
    ),
    "commission": (
        *("id", "affiliate_id", "sale_id", "campaign_id", "amount", "currency", "status", "reason"),
        *("approvable_at", "created_at", "decided_at", "payout_id"),
    ),
    "refund": (
        *("id", "idempotency_key", "sale_id", "amount", "reversed_commission_id", "new_commission_id"),
        *("occurred_at", "created_at"),
    ),
    "payout": ("id", "affiliate_id", "amount", "currency", "method", "reference", "paid_on", "created_at"),
    "webhookcall": ("id", "received_at", "accepted", "kind", "outcome", "idempotency_key", "sale_id"),
}


# --- seeding -----------------------------------------------------------------------------------------------


def batches(rows: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class Loader:
    """Rows (tuples in COLUMNS order) into a table: COPY on PostgreSQL, the driver's executemany on SQLite.
    Values are made in the form the driver takes, as SQLAlchemy would bind them (`moment` and `day`)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.counts: Counter[str] = Counter()

    def moment(self, value: datetime | None):
        """A UTC datetime as the column stores it (SQLite: naive UTC text with microseconds, as SQLAlchemy)."""
        if value is None or self.postgres:
            return value
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    def day(self, value: date):
        return value if self.postgres else value.isoformat()

    def load(self, table: str, rows: Iterable[tuple]) -> int:
        """One transaction per call (so SQLite's WAL is checkpointed as the seed goes, not once at 1 GB)."""
        columns = COLUMNS[table]
        with self.connection.begin():
            count = self._write(table, columns, rows)
        self.counts[table] += count
        return count

    def _write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        driver = self.connection.connection.driver_connection
        count = 0
        if self.postgres:
            with driver.cursor() as cursor, cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            statement = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
            cursor = driver.cursor()
            for batch in batches(rows):
                cursor.executemany(statement, batch)
                count += len(batch)
            cursor.close()
        return count


@dataclass
class Seeded:
    """What the timed calls need to know about the seed."""

    end: datetime
    typical: list[int]  # account ids of affiliates with commissions, in a random order
    heavy: list[int]  # account ids of the HEAVY affiliates with the most commissions
    heavy_commissions: tuple[int, int]  # the fewest and the most commissions among them
    codes: list[str]  # some affiliates' codes (a search that finds one)
    codes_by_index: list[str]  # every affiliate's code, by index (affiliate id - 1)
    weights: list[float]  # per affiliate index: how much they refer (the webhook's new customers follow it)
    referral_emails: list[str]  # customers already referred (the webhook's repeat customers)
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    median_commissions: int = 0
    deep_cursors: list[tuple[int, str]] = field(default_factory=list)  # (account id, cursor 1,000 down)
    deep_position: int = 0
    admin_deep: list[tuple[datetime, int]] = field(default_factory=list)
    admin_deep_position: int = 0


def account_id_of(affiliate_index: int, customers: int) -> int:
    """Affiliate i (0-based, id i + 1) has an account id that is never its affiliate id: customers come first."""
    return customers + 11 + affiliate_index


def seed(engine: Engine, scale: Scale) -> Seeded:
    """The business, accounts, affiliates, campaigns, referrals, sales, commissions, refunds, payouts, clicks
    and the webhook's log; then fresh statistics."""
    rng = random.Random(7)
    end = clock.now().replace(microsecond=0) - timedelta(hours=1)
    start = end - timedelta(days=DAYS)
    with Session(engine) as session:
        session.add(
            Business(
                id=BUSINESS_ID,
                name="Benchmark Studio",
                enabled_apps=registry.default_enabled_keys(),
                required_profile_fields=[],
            )
        )
        session.commit()
    secret = webhook.current_secret()  # made now, as the admin page would the first time
    assert secret
    postgres = engine.dialect.name == "postgresql"
    # Every reference is made valid by construction: the foreign-key checks are off on the seeding connection
    # (SQLite's pragma, outside any transaction; PostgreSQL's per-row triggers), and back on at the end.
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if postgres:
            with connection.begin():
                connection.execute(text("SET session_replication_role = replica"))
        else:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            loader = Loader(connection)
            seeded = write_rows(loader, scale, rng, start, end)
            if postgres:
                with connection.begin():
                    for table in COLUMNS:
                        connection.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f'(SELECT max(id) FROM "{table}"))'
                            )
                        )
        finally:
            if postgres:
                with connection.begin():
                    connection.execute(text("RESET session_replication_role"))
            else:
                driver.execute("PRAGMA foreign_keys=ON")
    # The rows went around the ledger: the programme's running figures are counted from them once.
    with Session(engine) as session:
        programme_figures.recount(session)
        session.commit()
    analyze(engine)
    seeded.counts = {table: loader.counts[table] for table in COLUMNS}
    return seeded


def write_rows(loader: Loader, scale: Scale, rng: random.Random, start: datetime, end: datetime) -> Seeded:
    m = loader.moment
    affiliates = scale.affiliates
    span = (end - start).total_seconds()
    joined = [start - timedelta(days=60) + timedelta(seconds=rng.random() * span * 0.8) for _ in range(affiliates)]
    weights = [0.0 if rng.random() < NO_REFERRALS_SHARE else min(rng.paretovariate(1.16), 150.0) for _ in joined]
    weights[0] = weights[0] or 1.0
    names = [(rng.choice(FIRST_NAMES), rng.choice(SURNAMES)) for _ in range(affiliates)]
    codes: set[str] = set()
    code_of = []
    while len(code_of) < affiliates:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in codes:
            codes.add(code)
            code_of.append(code)

    loader.load(
        "campaign",
        [
            (id_, slug, name, kind, bp, flat, "USD", None, 30, APPROVAL_DAYS, default, archived, m(start))
            for id_, slug, name, kind, bp, flat, default, archived, _ in CAMPAIGNS
        ],
    )
    flat_campaigns = {campaign[0] for campaign in CAMPAIGNS if campaign[3] == "flat"}
    terms = {id_: (kind, bp, flat) for id_, _, _, kind, bp, flat, *_ in CAMPAIGNS}

    # Referrals: who brought each customer, when, under which campaign; signups are accounts too.
    owners = rng.choices(range(affiliates), weights=weights, k=scale.referrals)
    campaign_ids = rng.choices([c[0] for c in CAMPAIGNS], weights=[c[-1] for c in CAMPAIGNS], k=scale.referrals)
    referrals = []  # (affiliate index, campaign id, account id or None, email, source, created_at, currency, price)
    customers = 0
    signups = []
    for number, (owner, campaign_id) in enumerate(zip(owners, campaign_ids, strict=True), start=1):
        since = max(start, joined[owner])
        created = since + timedelta(seconds=rng.random() * max(86_400.0, (end - since).total_seconds() - 2 * 86_400))
        currency = "USD" if campaign_id in flat_campaigns else rng.choices(*zip(*CURRENCIES, strict=True))[0]
        price = rng.choices(*zip(*PRICES, strict=True))[0]
        if rng.random() < SIGNUP_SHARE:
            customers += 1
            email = f"customer{customers}@example.org"
            signups.append((customers, email, created))
            referrals.append((owner, campaign_id, customers, email, "signup", created, currency, price))
        else:
            referrals.append((owner, campaign_id, None, f"buyer{number}@example.net", "sale", created, currency, price))
    first, last = zip(*names, strict=True) if names else ((), ())
    loader.load(
        "account",
        itertools.chain(
            ((id_, email, f"Customer {id_}", m(created)) for id_, email, created in signups),
            (
                (
                    account_id_of(index, customers),
                    f"{first[index]}.{last[index]}{index + 1}@example.com",
                    f"{first[index].title()} {last[index].title()}",
                    m(joined[index] - timedelta(days=1)),
                )
                for index in range(affiliates)
            ),
        ),
    )
    methods = [rng.choice(("paypal", "paypal", "bank")) for _ in range(affiliates)]
    loader.load(
        "affiliate",
        (
            (
                index + 1,
                account_id_of(index, customers),
                code_of[index],
                methods[index] if weights[index] else "",
                (
                    f"{first[index]}.pay{index + 1}@example.com"
                    if methods[index] == "paypal"
                    else "DE89 3704 0044 0532 0130 00"
                )
                if weights[index]
                else "",
                m(joined[index]),
            )
            for index in range(affiliates)
        ),
    )
    loader.load(
        "referral",
        (
            (number, owner + 1, campaign_id, account_id, email, source, m(created))
            for number, (owner, campaign_id, account_id, email, source, created, _, _) in enumerate(referrals, start=1)
        ),
    )

    # Sales: each buying customer stays a while (exponential, LIFETIME_DAYS on average) and buys at their own
    # rate (heavy-tailed); their sales are spread over that stay, so the programme's sales per day level off.
    windows = []  # (seconds from start to the customer's referral, seconds they stay) per referral
    buys = []  # how much of the sales each customer makes: stay x rate
    for _, _, _, _, source, created, _, _ in referrals:
        since = (created - start).total_seconds()
        stay = min(span - since - 60, 86_400 * (1 + rng.expovariate(1 / LIFETIME_DAYS)))
        windows.append((since, max(60.0, stay - 30)))
        never = source == "signup" and rng.random() < NEVER_BOUGHT_SHARE
        buys.append(0.0 if never else stay / 86_400 / 30 * min(rng.paretovariate(2.0), 10.0))
    total = sum(buys) or 1.0
    per_referral = [int(weight / total * scale.sales) for weight in buys]
    buying = [index for index, weight in enumerate(buys) if weight] or [0]
    for index in rng.choices(buying, weights=[buys[i] or 1.0 for i in buying], k=scale.sales - sum(per_referral)):
        per_referral[index] += 1
    offsets = array.array("d")
    owner_of = array.array("l")
    for index, count in enumerate(per_referral):
        since, stay = windows[index]
        for _ in range(count):
            offsets.append(since + 30 + rng.random() * stay)
            owner_of.append(index)
    order = sorted(range(len(offsets)), key=offsets.__getitem__)

    statuses: Counter[str] = Counter()
    per_affiliate: Counter[int] = Counter()
    payouts: dict[tuple[int, date, str], list] = {}  # (affiliate id, paid on, currency) -> [id, amount]
    refunds: list[tuple] = []
    today = end.date()

    def paid_on(decided: datetime) -> date:
        """The first day of the month after the approval: when the monthly payout goes out."""
        return date(decided.year + decided.month // 12, decided.month % 12 + 1, 1)

    def sales_and_commissions() -> Iterator[tuple[tuple, tuple]]:
        for sale_id, position in enumerate(order, start=1):
            referral_index = owner_of[position]
            owner, campaign_id, _, email, _, _, currency, price = referrals[referral_index]
            affiliate_id = owner + 1
            created = start + timedelta(seconds=offsets[position])
            amount = price if rng.random() < 0.8 else rng.choices(*zip(*PRICES, strict=True))[0]
            kind, bp, flat = terms[campaign_id]
            value = flat if kind == "flat" else round_half_up(amount * bp, 10_000)
            approvable = created + timedelta(days=APPROVAL_DAYS)
            status, reason, decided, payout_id, refunded = "pending", "", None, None, 0
            draw = rng.random()
            if draw < REFUND_SHARE:
                moment = created + timedelta(seconds=86_400 * (1 + 24 * rng.random()))
                if moment < end:
                    status, decided, refunded = "reversed", moment, amount
                    refunds.append((sale_id, amount, moment))
                    reason = f"Its sale was refunded (all {amount} of it)."
            else:
                moment = approvable + timedelta(seconds=86_400 * 10 * rng.random())
                if moment < end:
                    decided = moment
                    if draw < REFUND_SHARE + REJECT_SHARE:
                        status, reason = "rejected", rng.choice(REJECT_REASONS)
                    else:
                        status, day = "approved", paid_on(moment)
                        if day <= today:
                            key = (affiliate_id, day, currency)
                            payout = payouts.get(key)
                            if payout is None:
                                payout = payouts[key] = [len(payouts) + 1, 0]
                            payout[1] += value
                            status, payout_id = "paid", payout[0]
            statuses[status] += 1
            per_affiliate[affiliate_id] += 1
            source = "webhook" if draw > 0.1 else ("manual" if draw > 0.05 else "import")
            sale = (
                *(sale_id, f"seed-{sale_id}", f"order-{sale_id}", referral_index + 1, affiliate_id, email, amount),
                *(refunded, currency, source, m(created), m(created + timedelta(seconds=2))),
            )
            commission = (
                *(sale_id, affiliate_id, sale_id, campaign_id, value, currency, status, reason),
                *(m(approvable), m(created + timedelta(seconds=2)), m(decided), payout_id),
            )
            yield sale, commission

    for batch in batches(sales_and_commissions()):
        loader.load("sale", (sale for sale, _ in batch))
        loader.load("commission", (commission for _, commission in batch))
    loader.load(
        "refund",
        (
            (number, f"seed-refund-{sale_id}", sale_id, amount, sale_id, None, m(moment), m(moment))
            for number, (sale_id, amount, moment) in enumerate(refunds, start=1)
        ),
    )
    loader.load(
        "payout",
        (
            (
                *(payout_id, affiliate_id, amount, currency, methods[affiliate_id - 1] or "paypal"),
                *(f"PAY-{payout_id:07d}", loader.day(day), m(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))),
            )
            for (affiliate_id, day, currency), (payout_id, amount) in payouts.items()
        ),
    )
    clicks_per = [weight + 0.3 for weight in weights]
    loader.load(
        "click",
        (
            (number, owner + 1, rng.choices((1, 1, 1, 1, 1, 1, 1, 1, 2, 3))[0], f"{rng.getrandbits(128):032x}")
            + (m(max(start, joined[owner]) + (end - max(start, joined[owner])) * rng.random()),)
            for number, owner in enumerate(rng.choices(range(affiliates), weights=clicks_per, k=scale.clicks), start=1)
        ),
    )
    newest = range(max(1, len(order) - WEBHOOK_LOG + 1), len(order) + 1)
    loader.load(
        "webhookcall",
        (
            (number, m(end - timedelta(seconds=len(order) + 1 - sale_id)), True, "sale", "recorded")
            + (f"seed-{sale_id}", sale_id)
            for number, sale_id in enumerate(newest, start=1)
        ),
    )

    active = [affiliate_id for affiliate_id, _ in per_affiliate.most_common()]
    heavy = active[:HEAVY]
    typical = active[:]
    rng.shuffle(typical)
    counts = sorted(per_affiliate.values())
    return Seeded(
        end=end,
        typical=[account_id_of(affiliate_id - 1, customers) for affiliate_id in typical],
        heavy=[account_id_of(affiliate_id - 1, customers) for affiliate_id in heavy],
        heavy_commissions=(per_affiliate[heavy[-1]], per_affiliate[heavy[0]]),
        codes=[code_of[affiliate_id - 1] for affiliate_id in typical[:10]],
        codes_by_index=code_of,
        weights=weights,
        referral_emails=[email for _, _, _, email, _, _, _, _ in referrals if email],
        statuses=dict(statuses),
        median_commissions=counts[len(counts) // 2] if counts else 0,
    )


def check_seed(engine: Engine) -> list[str]:
    """The seed's money adds up: each payout is the SUM of its commissions, every paid commission is in one."""
    with engine.connect() as connection:
        wrong = connection.execute(
            text(
                "SELECT count(*) FROM payout p WHERE p.amount <> "
                "(SELECT coalesce(sum(c.amount), 0) FROM commission c WHERE c.payout_id = p.id)"
            )
        ).scalar()
        unpaid = connection.execute(
            text("SELECT count(*) FROM commission WHERE status = 'paid' AND payout_id IS NULL")
        ).scalar()
    problems = []
    if wrong:
        problems.append(f"{wrong} payouts differ from the SUM of their commissions")
    if unpaid:
        problems.append(f"{unpaid} paid commissions belong to no payout")
    return problems


def follow_cursors(seeded: Seeded) -> None:
    """The cursors the lists hand out, followed page by page with the services themselves: each heavy
    affiliate's commissions DEEP_PAGES pages down, and the admin's pending commissions ADMIN_DEEP_PAGES down."""
    fewest = seeded.heavy_commissions[0]
    pages = max(1, min(DEEP_PAGES, fewest // dashboard.PAGE_SIZE // 2))
    for account_id in seeded.heavy:
        cursor = None
        for _ in range(pages):
            page = dashboard.commissions(account_id, before=cursor)
            cursor = page.next_cursor
            if cursor is None:
                break
        if cursor is not None:
            seeded.deep_cursors.append((account_id, cursor))
    seeded.deep_position = pages * dashboard.PAGE_SIZE
    pending = seeded.statuses.get("pending", 0)
    pages = max(1, min(ADMIN_DEEP_PAGES, pending // admin_views.PAGE_SIZE // 2))
    before = None
    for number in range(pages):
        before = admin_views.commissions_page(status="pending", before=before).next_before
        if before is None:
            break
        if number >= pages - 10:
            seeded.admin_deep.append(before)
    seeded.admin_deep_position = pages * admin_views.PAGE_SIZE


# --- the timed calls ---------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the value at or below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(action: Callable[[], object], rounds: int, budget: float) -> tuple[float, float, int]:
    """(median ms, p95 ms, rounds run): `rounds` runs, fewer (never under 10) when they pass `budget` seconds."""
    action()  # warm-up
    timings: list[float] = []
    started = time.perf_counter()
    while len(timings) < rounds:
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
        if time.perf_counter() - started > budget and len(timings) >= min(rounds, 10):
            break
    return statistics.median(timings), percentile(timings, 0.95), len(timings)


def cases(seeded: Seeded) -> dict[str, Callable[[], object]]:
    """What is timed: the affiliate's page (a different affiliate each round) and the admin pages."""
    typical = itertools.cycle(seeded.typical)
    heavy = itertools.cycle(seeded.heavy)
    deep = itertools.cycle(seeded.deep_cursors)
    admin_deep = itertools.cycle(seeded.admin_deep)
    codes = itertools.cycle(seeded.codes)
    year_start = (seeded.end - timedelta(days=365)).date().isoformat()
    year_end = seeded.end.date().isoformat()
    fewest, most = seeded.heavy_commissions

    def deep_page() -> None:
        account_id, cursor = next(deep)
        assert dashboard.commissions(account_id, before=cursor).items, "the deep page is empty"

    def search_one() -> None:
        page = admin_views.affiliates_page(query=next(codes))
        assert len(page.items) == 1

    def admin_deep_page() -> None:
        assert admin_views.commissions_page(status="pending", before=next(admin_deep)).items, "the deep page is empty"

    def page_load() -> None:
        account_id = next(typical)
        dashboard.overview(account_id)
        dashboard.payouts(account_id)
        dashboard.commissions(account_id)

    calls = {
        "affiliate page: overview (dashboard.overview)": lambda: dashboard.overview(next(typical)),
        f"overview, one of the {HEAVY} biggest ({fewest:,}-{most:,} commissions)": lambda: dashboard.overview(
            next(heavy)
        ),
        "commissions, first page": lambda: dashboard.commissions(next(typical)),
        f"commissions, deep page ({seeded.deep_position:,} down, a big affiliate)": deep_page,
        "payouts (dashboard.payouts)": lambda: dashboard.payouts(next(typical)),
        "the whole page load (overview + payouts + commissions)": page_load,
        "home card (dashboard.summary)": lambda: dashboard.summary(next(typical)),
        "statement CSV, one year (statement_csv)": lambda: dashboard.statement_csv(next(typical), year_start, year_end),
        "admin: affiliates, page 1": lambda: admin_views.affiliates_page(),
        f"admin: affiliates, search a common surname ({COMMON_SURNAME})": lambda: admin_views.affiliates_page(
            query=COMMON_SURNAME
        ),
        "admin: affiliates, search one affiliate's code": search_one,
        "admin: commissions pending, page 1": lambda: admin_views.commissions_page(status="pending"),
        f"admin: commissions pending, deep page ({seeded.admin_deep_position:,} down)": admin_deep_page,
        "admin: payouts due (payouts_due)": lambda: admin_views.payouts_due(),
        "admin: overview, programme totals (programme_overview)": admin_views.programme_overview,
    }
    # A tiny seed may have no page that deep: those calls are left out rather than timed on nothing.
    return {
        name: call
        for name, call in calls.items()
        if not (name.startswith("commissions, deep") and not seeded.deep_cursors)
        and not (name.startswith("admin: commissions pending, deep") and not seeded.admin_deep)
    }


# --- the plans ---------------------------------------------------------------------------------------------


def outer_table(seen: Seen) -> str:
    """SQLite: the table a statement's work belongs to: the first table its plan reads at the top level (the
    outer loop), else the first big or noted table its SQL names (a subquery's, say)."""
    for line in seen.plan:
        if match := re.match(r"(?:SCAN|SEARCH) (\w+)", line):
            if match.group(1) in FULL_READ_PROBES or not match.group(1).startswith("anon"):
                return match.group(1)
            break
    named = re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', seen.statement, flags=re.IGNORECASE)
    return next((table for table in named if table in FULL_READ_PROBES), "")


def flags(seen: Seen, dialect: str, counts: dict[str, int], full_read_work: dict[str, int]) -> list[tuple[str, str]]:
    """Why a statement is reported, as ("big", why) for a big table and ("note", why) for a noted one (one line
    at most): it scans a big table in full, or reads at least READS_MUCH of one (PostgreSQL: the rows its plan's
    scans read; SQLite: its VM instructions against those of reading every row of its outer table)."""
    found: list[tuple[str, str]] = []
    if dialect == "postgresql":
        for line, table, read in scan_nodes(seen.plan, BIG_TABLES):
            if table in BIG_TABLES + NOTED_TABLES and counts.get(table) and read >= READS_MUCH * counts[table]:
                kind = "big" if table in BIG_TABLES else "note"
                found.append((kind, f"reads {read:,} of {counts[table]:,} {table} rows: {line[:120]}"))
    else:
        table = outer_table(seen)
        whole = full_read_work.get(table, 0)
        if whole and seen.work >= READS_MUCH * whole:
            kind = "big" if table in BIG_TABLES else "note"
            share = f"{seen.work / whole:.0%} of reading every {table} row through an index"
            found.append((kind, f"ran {seen.work:,} VM instructions, {share}"))
    found += [("big", f"full scan: {line}") for line in full_scans(seen.plan, BIG_TABLES)]
    return sorted(found, key=lambda item: item[0] != "big")[:1]


def full_read_cost(engine: Engine) -> dict[str, int]:
    """SQLite: the VM instructions of reading every row of each big and noted table through an index (the
    yardstick a statement's work is compared with)."""
    if engine.dialect.name != "sqlite":
        return {}
    costs = {}
    for table, probe in FULL_READ_PROBES.items():
        with engine.connect() as connection, PlannedSql(engine, BIG_TABLES) as planned:
            connection.execute(text(f"SELECT count(*) FROM {probe}")).all()
        costs[table] = planned.seen[-1].work
    return costs


@dataclass
class Checked:
    statements: int
    reports: list[str]  # reads of a big table
    notes: list[str] = field(default_factory=list)  # reads of a noted table
    database_ms: float = 0.0  # PostgreSQL: the sum of the statements' Execution Times


_EXECUTION = re.compile(r"Execution Time: ([0-9.]+) ms")


def print_plans(
    engine: Engine, calls: dict[str, Callable[[], object]], counts: dict[str, int], full: dict[str, int]
) -> dict[str, Checked]:
    """Each call's statements, their plans and how much they read; returns what each call's check found."""
    dialect = engine.dialect.name
    checked = {}
    for name, action in calls.items():
        with PlannedSql(engine, BIG_TABLES) as planned:
            action()
        print(f"\n-- {name}: {len(planned.seen)} statements")
        reports, notes = [], []
        executed = 0.0
        for seen in planned.seen:
            work = f"{seen.work:,} VM instructions" if dialect == "sqlite" else f"reads {seen.work:,} rows"
            print(f"   {describe(seen.statement)}   [{work}]")
            for line in seen.plan:
                print(f"      {line if len(line) <= 200 else line[:200] + ' ...'}")
                if found := _EXECUTION.search(line):
                    executed += float(found.group(1))
            for kind, found in flags(seen, dialect, counts, full):
                print(f"      {'!!' if kind == 'big' else 'note:'} {found}")
                (reports if kind == "big" else notes).append(f"{describe(seen.statement)}: {found}")
        checked[name] = Checked(len(planned.seen), reports, notes, executed)
    return checked


# --- the webhook -------------------------------------------------------------------------------------------


def signed(body: bytes, secret: str) -> dict[str, str]:
    """The headers a shop sends: the unix time and the HMAC-SHA256 of "{time}.{body}" under the secret."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Portal-Timestamp": timestamp, "X-Portal-Signature": f"sha256={digest}"}


def sale_bodies(seeded: Seeded, run: str, count: int, rng: random.Random) -> list[bytes]:
    """`count` sale calls with distinct keys: even ones from a customer already referred (found by email),
    odd ones from a new customer carrying the referral code of an affiliate (chosen as referrals are)."""
    bodies = []
    owners = rng.choices(range(len(seeded.weights)), weights=seeded.weights, k=count)
    for number in range(count):
        payload = {
            "type": "sale",
            "idempotency_key": f"bench-{run}-{number}",
            "external_id": f"bench-order-{run}-{number}",
            "amount": str(rng.choice((1900, 2900, 4900, 9900))),
            "currency": "USD",
        }
        if number % 2 == 0:
            payload["customer_email"] = rng.choice(seeded.referral_emails)
        else:
            payload["customer_email"] = f"new-{run}-{number}@example.net"
            payload["referral_code"] = seeded.codes_by_index[owners[number]]
        bodies.append(json.dumps(payload).encode())
    return bodies


@dataclass
class Posted:
    calls: int
    accepted: int  # answered 200, not a replay (or, for replays, answered 200 as one)
    earned: int  # sales that earned a commission
    errors: list[str]
    wall: float  # seconds from the first call to the last answer
    latencies: list[float]  # ms per call

    @property
    def per_second(self) -> float:
        return self.accepted / self.wall if self.wall else 0.0


def post_all(bodies: list[bytes], secret: str, threads: int, replay: bool) -> Posted:
    """Post every body through webhook.handle (signed just before), from `threads` threads at once."""
    calls = [(body, signed(body, secret)) for body in bodies]
    shares = [calls[number::threads] for number in range(threads)]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    answers: list[list[tuple[int, dict]]] = [[] for _ in range(threads)]
    errors: list[str] = []
    barrier = threading.Barrier(threads + 1)

    def worker(number: int) -> None:
        barrier.wait()
        for body, headers in shares[number]:
            started = time.perf_counter()
            try:
                answer = webhook.handle(body, headers, clock.now())
            except Exception as error:  # a call that fails outright is counted, not hidden
                errors.append(f"{type(error).__name__}: {str(error)[:200]}")
                continue
            latencies[number].append((time.perf_counter() - started) * 1000)
            answers[number].append(answer)

    workers = [threading.Thread(target=worker, args=(number,)) for number in range(threads)]
    for thread in workers:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    wall = time.perf_counter() - started
    flat = [answer for share in answers for answer in share]
    accepted = [body for status, body in flat if status == 200 and body.get("replayed") is replay]
    errors += [f"{status}: {body.get('error')}" for status, body in flat if status != 200]
    earned = sum(1 for body in accepted if body.get("commission_id") is not None)
    return Posted(len(calls), len(accepted), earned, errors, wall, [ms for share in latencies for ms in share])


def webhook_cases(seeded: Seeded) -> dict[str, Callable[[], object]]:
    """One sale call of each kind, and a replay, for the plan check (their statements, not their speed)."""
    secret = webhook.current_secret()
    rng = random.Random(29)
    repeat, new = sale_bodies(seeded, "plan", 2, rng)

    def call(body: bytes, replayed: bool) -> None:
        status, answer = webhook.handle(body, signed(body, secret), clock.now())
        assert status == 200 and answer["replayed"] is replayed, answer

    return {
        "webhook: a sale from a customer already referred": lambda: call(repeat, False),
        "webhook: a sale from a new customer with a code": lambda: call(new, False),
        "webhook: a replay of that call": lambda: call(new, True),
    }


def bench_webhook(engine: Engine, seeded: Seeded, scale: Scale) -> dict[str, Posted]:
    secret = webhook.current_secret()
    rng = random.Random(23)
    warm = sale_bodies(seeded, "warm", 20, rng)
    post_all(warm, secret, 1, replay=False)
    results = {}
    one = sale_bodies(seeded, "one", scale.webhook_calls, rng)
    results["sales, 1 thread"] = post_all(one, secret, 1, replay=False)
    many = sale_bodies(seeded, "many", scale.webhook_calls, rng)
    results[f"sales, {scale.threads} threads"] = post_all(many, secret, scale.threads, replay=False)
    with engine.connect() as connection:
        before = connection.execute(text(BENCH_SALES)).scalar()
    results["replays (same keys), 1 thread"] = post_all(one[: scale.replays], secret, 1, replay=True)
    with engine.connect() as connection:
        after = connection.execute(text(BENCH_SALES)).scalar()
        logged = connection.execute(text("SELECT count(*) FROM webhookcall")).scalar()
    expected = 2 + 20 + 2 * scale.webhook_calls  # the plan check's two sales, the warm-up and the two runs
    print(
        f"\nwebhook: {before:,} sales stored by the calls (expected {expected:,}); after the replays {after:,} "
        f"(replays store nothing); the call log holds {logged:,} (keeps {WEBHOOK_LOG:,})"
    )
    if before != expected or after != before:
        print("!! the webhook stored a different number of sales than it accepted")
    with Session(engine) as session:
        agree = programme_figures.nonzero(programme_figures.read(session)) == programme_figures.counted(session)
    print(
        f"the programme's running figures equal the SUMs over the rows after the webhook runs: {'ok' if agree else 'NO'}"
    )
    if not agree:
        print("!! the running figures drifted from the rows")
    return results


def print_webhook(results: dict[str, Posted]) -> dict[str, tuple[float, float, float]]:
    figures = {}
    print(f"\n{'webhook':<36} {'calls':>6} {'accepted':>9} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'wall s':>7}")
    for name, posted in results.items():
        p50 = statistics.median(posted.latencies) if posted.latencies else 0.0
        p99 = percentile(posted.latencies, 0.99) if posted.latencies else 0.0
        figures[name] = (posted.per_second, p50, p99)
        print(
            f"{name:<36} {posted.calls:>6,} {posted.accepted:>9,} {posted.per_second:>8.1f} {p50:>8.2f} "
            f"{p99:>8.2f} {posted.wall:>7.1f}"
        )
        if "replays" not in name:
            print(f"{'':<36} ({posted.earned:,} of them earned a commission)")
        for error in Counter(posted.errors).most_common(5):
            print(f"   !! {error[1]} x {error[0]}")
    return figures


# --- one database ------------------------------------------------------------------------------------------


@dataclass
class Measured:
    seed_seconds: float
    timings: dict[str, tuple[float, float, int]]
    checked: dict[str, Checked]
    webhook: dict[str, tuple[float, float, float]]


def run(label: str, url: str, scale: Scale, rounds: int, budget: float) -> Measured:
    os.environ["REFLEX_DB_URL"] = url
    get_settings.cache_clear()
    db.engine_for.cache_clear()
    engine = db.engine_for(url)
    started = time.perf_counter()
    print(f"\n== {label} ==")
    print("migrations: " + ", ".join(migrations.migrate()))
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    seeded = seed(engine, scale)
    seed_seconds = time.perf_counter() - started
    counts = ", ".join(f"{table} {count:,}" for table, count in seeded.counts.items())
    print(f"seeded in {seed_seconds:.1f} s, statistics included ({counts})")
    shares = ", ".join(
        f"{status} {seeded.statuses.get(status, 0) / max(1, scale.sales):.1%}"
        for status in ("pending", "approved", "paid", "rejected", "reversed")
    )
    print(f"commission states: {shares}")
    print(
        f"commissions per affiliate with any: median {seeded.median_commissions:,}; the {HEAVY} biggest "
        f"{seeded.heavy_commissions[0]:,}-{seeded.heavy_commissions[1]:,}; affiliates with none: "
        f"{scale.affiliates - len(seeded.typical):,}"
    )
    problems = check_seed(engine)
    print(
        "seed check (payout = SUM of its commissions; every paid commission in a payout): "
        + ("; ".join(problems) or "ok")
    )
    started = time.perf_counter()
    follow_cursors(seeded)
    print(
        f"cursors followed in {time.perf_counter() - started:.1f} s: {len(seeded.deep_cursors)} affiliates "
        f"{seeded.deep_position:,} commissions down, pending commissions {seeded.admin_deep_position:,} down"
    )
    timings = {}
    print(f"\n{'call':<64} {'median ms':>10} {'p95 ms':>8} {'rounds':>7}")
    for name, action in cases(seeded).items():
        timings[name] = timed(action, rounds, budget)
        median, p95, count = timings[name]
        print(f"{name:<64} {median:>10.2f} {p95:>8.2f} {count:>7}")
    full = full_read_cost(engine)
    if full:
        print(
            "\n(SQLite: reading every row through an index takes "
            + ", ".join(f"{work:,} VM instructions for {table}" for table, work in full.items())
            + "; a statement doing a tenth of that for its outer table is reported)"
        )
    checked = print_plans(engine, cases(seeded), seeded.counts, full)
    checked |= print_plans(engine, webhook_cases(seeded), seeded.counts, full)
    reports = [f"{name}: {report}" for name, check in checked.items() for report in check.reports]
    print(
        f"\nfull scans of a big table ({', '.join(BIG_TABLES)}), or reads of a tenth of one: {len(reports) or 'none'}"
    )
    for report in reports:
        print(f"   {report}")
    notes = [f"{name}: {note}" for name, check in checked.items() for note in check.notes]
    print(f"reads of a tenth of {' or '.join(NOTED_TABLES)} (not big tables; noted): {len(notes) or 'none'}")
    for note in notes:
        print(f"   {note}")
    if engine.dialect.name == "postgresql":
        print("\ndatabase time per call (the sum of its statements' EXPLAIN ANALYZE Execution Times):")
        for name, check in checked.items():
            print(f"   {name:<64} {check.database_ms:>9.2f} ms")
    started = time.perf_counter()
    posted = bench_webhook(engine, seeded, scale)
    figures = print_webhook(posted)
    print(f"(webhook took {time.perf_counter() - started:.0f} s)")
    engine.dispose()
    db.engine_for.cache_clear()
    return Measured(seed_seconds, timings, checked, figures)


def postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except (SQLAlchemyError, OSError) as error:
        print(f"\n(PostgreSQL on 127.0.0.1:5432 not measured: {type(error).__name__})")
        return False


def run_postgres(scale: Scale, rounds: int, budget: float) -> tuple[str, Measured]:
    name = f"portal_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar().split()[0]
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        label = f"PostgreSQL {version}"
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        return label, run(f"{label} (temporary database)", url, scale, rounds, budget)
    finally:
        db.engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def print_markdown(results: dict[str, Measured]) -> None:
    labels = list(results)
    first = next(iter(results.values()))
    print("\n| call | statements | " + " | ".join(f"{label} median | {label} p95" for label in labels) + " |")
    print("|---|---:" + "|---:" * (2 * len(labels)) + "|")
    for name in first.timings:
        statements = "/".join(dict.fromkeys(str(results[label].checked[name].statements) for label in labels))
        figures = [
            f"{results[label].timings[name][0]:.2f} ms | {results[label].timings[name][1]:.2f} ms" for label in labels
        ]
        print(f"| {name} | {statements} | " + " | ".join(figures) + " |")
    print("\n| webhook | " + " | ".join(f"{label} per s | p50 | p99" for label in labels) + " |")
    print("|---" + "|---:" * (3 * len(labels)) + "|")
    for name in first.webhook:
        figures = [
            "{:.0f} | {:.1f} ms | {:.1f} ms".format(*results[label].webhook[name])
            if name in results[label].webhook
            else "- | - | -"
            for label in labels
        ]
        print(f"| {name} | " + " | ".join(figures) + " |")
    print("\nseeding: " + ", ".join(f"{label} {measured.seed_seconds:.0f} s" for label, measured in results.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Scale()
    parser.add_argument("--rounds", type=int, default=50, help="timed runs per call (default 50)")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per call before fewer rounds (default 15)")
    parser.add_argument("--affiliates", type=int, default=defaults.affiliates, help="default 10,000")
    parser.add_argument("--sales", type=int, default=defaults.sales, help="sales, one commission each (1,000,000)")
    parser.add_argument("--referrals", type=int, default=defaults.referrals, help="default 50,000")
    parser.add_argument("--clicks", type=int, default=defaults.clicks, help="default 300,000")
    parser.add_argument("--webhook-calls", type=int, default=defaults.webhook_calls, help="sale calls per run (1,000)")
    parser.add_argument("--replays", type=int, default=defaults.replays, help="replayed calls (default 500)")
    parser.add_argument("--threads", type=int, default=defaults.threads, help="threads of the second run (4)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL even when it answers")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it goes, also when piped to a file
    # Stopped with SIGTERM, it still drops its PostgreSQL database and removes its SQLite file on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scale = Scale(
        args.affiliates, args.sales, args.referrals, args.clicks, args.webhook_calls, args.replays, args.threads
    )
    if scale.affiliates < HEAVY or scale.referrals < 1 or scale.sales < scale.referrals or scale.threads < 1:
        parser.error(f"need affiliates >= {HEAVY}, referrals >= 1, sales >= referrals and threads >= 1")
    if scale.replays > scale.webhook_calls:
        parser.error("need replays <= webhook-calls")
    started = time.perf_counter()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average {os.getloadavg()[0]:.1f}"
    )
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        label = f"SQLite {sqlite3.sqlite_version}"
        url = f"sqlite:///{Path(directory) / 'affiliates.db'}"
        results[label] = run(f"{label} (temporary file, WAL)", url, scale, args.rounds, args.budget)
    if not args.sqlite_only and postgres_reachable():
        label, results[label] = run_postgres(scale, args.rounds, args.budget)
    print_markdown(results)
    print(
        f"\nreflex imported: {'reflex' in sys.modules}; load average {os.getloadavg()[0]:.1f}; "
        f"whole run {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
