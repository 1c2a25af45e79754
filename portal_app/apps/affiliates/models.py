"""Affiliate Manager's tables: campaigns (the terms), affiliates (a person with the app and their code),
clicks on referral links, referrals (an account or customer an affiliate brought), sales and their
refunds, the commissions they earn, payouts, the webhook's secret and its log of calls.

Money is always an integer number of minor units (cents) with its ISO currency code, never a float.
A commission moves pending -> approved -> paid, or pending/approved -> rejected (with a reason), or
-> reversed (its sale was refunded); its amount never changes once written (refunding a sale whose
commission was paid writes a negative commission instead), so every total is a SUM over rows and
"earned = pending + approved + paid + reversed" holds by construction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime

MAX_NAME_LENGTH = 120
MAX_SLUG_LENGTH = 60
MAX_CODE_LENGTH = 32
MAX_REASON_LENGTH = 500
MAX_REFERENCE_LENGTH = 200
MAX_EXTERNAL_ID_LENGTH = 200
CURRENCY_LENGTH = 3
COMMISSION_KINDS = ("percent", "flat")
COMMISSION_STATUSES = ("pending", "approved", "paid", "rejected", "reversed")
PAYOUT_METHODS = ("paypal", "bank")
REFERRAL_SOURCES = ("signup", "sale")


def _fk(table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def _money() -> Column:
    return Column(BigInteger, nullable=False)


class Campaign(SQLModel, table=True):
    """The terms an affiliate earns under: a percent of each sale (basis points: 2000 = 20 %) or a flat
    amount per sale, for sales within `recurring_months` of the referral (None: for as long as the
    customer buys; 0: the first sale only); the referral cookie lasts `cookie_days`; a commission
    waits `approval_days` (the refund window) before it may be approved."""

    __table_args__ = (
        # At most one default campaign, also when two transactions make one at once.
        Index(
            "uq_campaign_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=MAX_SLUG_LENGTH, unique=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    kind: str = Field(default="percent", max_length=16)
    percent_bp: int = 0
    flat_amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    currency: str = Field(default="USD", max_length=CURRENCY_LENGTH)
    recurring_months: int | None = None
    cookie_days: int = 30
    approval_days: int = 30
    is_default: bool = False
    archived: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)


class Affiliate(SQLModel, table=True):
    """A person in the programme: their referral code and where their payouts go (kept as they wrote it,
    shown masked)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), unique=True))
    code: str = Field(max_length=MAX_CODE_LENGTH, unique=True)
    payout_method: str = Field(default="", max_length=16)
    payout_details: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(sa_type=UTCDateTime)


class Click(SQLModel, table=True):
    """A visit through a referral link: when, which affiliate and campaign, and the random visitor id of
    the cookie it set (to count distinct visitors). No IP address, no user agent."""

    __table_args__ = (
        Index("ix_click_affiliate_time", "affiliate_id", "created_at"),
        # The programme's clicks in the last 30 days (the admin overview).
        Index("ix_click_time", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    affiliate_id: int = Field(sa_column=_fk("affiliate"))
    campaign_id: int = Field(sa_column=_fk("campaign"))
    visitor: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Referral(SQLModel, table=True):
    """A customer an affiliate brought: an account that signed up through their link, or a customer email
    first seen on a sale carrying their code. One affiliate per account and per email."""

    __table_args__ = (
        UniqueConstraint("account_id", name="uq_referral_account"),
        UniqueConstraint("customer_email", name="uq_referral_email"),
        Index("ix_referral_affiliate_time", "affiliate_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    affiliate_id: int = Field(sa_column=_fk("affiliate"))
    campaign_id: int = Field(sa_column=_fk("campaign"))
    account_id: int | None = Field(default=None, sa_column=_fk("account", nullable=True, ondelete="SET NULL"))
    # Lower-cased; "" only while an account-less referral has none (never: a sale always names one).
    customer_email: str = Field(max_length=320)
    source: str = Field(default="signup", max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Sale(SQLModel, table=True):
    """A sale reported by the business's shop (the webhook), entered by staff, or imported; its refunds
    reduce `refunded_amount`. The same idempotency key (or the same external id) is one sale."""

    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_sale_idempotency"),
        UniqueConstraint("external_id", name="uq_sale_external"),
        Index("ix_sale_affiliate_time", "affiliate_id", "occurred_at"),
        # A referral's earlier sales (campaigns that pay on the first sale only).
        Index("ix_sale_referral", "referral_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=MAX_EXTERNAL_ID_LENGTH)
    external_id: str = Field(max_length=MAX_EXTERNAL_ID_LENGTH)
    referral_id: int | None = Field(default=None, sa_column=_fk("referral", nullable=True, ondelete="SET NULL"))
    affiliate_id: int | None = Field(default=None, sa_column=_fk("affiliate", nullable=True, ondelete="SET NULL"))
    customer_email: str = Field(default="", max_length=320)
    amount: int = Field(sa_column=_money())
    refunded_amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    currency: str = Field(max_length=CURRENCY_LENGTH)
    # "webhook", "manual" or "import".
    source: str = Field(default="webhook", max_length=16)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Commission(SQLModel, table=True):
    """What a sale earned its affiliate. A sale has one at first; a refund reverses the unpaid ones and
    writes what is still due as a new row, or, when the commission was already paid, a negative row
    (approved at once) that the next payout nets (ledger.py explains the rule)."""

    __table_args__ = (
        # The affiliate's page and statements: their commissions by state and time.
        Index("ix_commission_affiliate_status", "affiliate_id", "status", "created_at"),
        Index("ix_commission_affiliate_time", "affiliate_id", "created_at"),
        # The admin list: every commission in a state, newest first.
        Index("ix_commission_status_time", "status", "created_at", "id"),
        # The admin overview: how many pending commissions are past their refund window.
        Index("ix_commission_status_approvable", "status", "approvable_at"),
        # A sale's commissions (refunds), a payout's commissions (statements).
        Index("ix_commission_sale", "sale_id"),
        Index("ix_commission_payout", "payout_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    affiliate_id: int = Field(sa_column=_fk("affiliate"))
    sale_id: int = Field(sa_column=_fk("sale"))
    campaign_id: int = Field(sa_column=_fk("campaign"))
    amount: int = Field(sa_column=_money())
    currency: str = Field(max_length=CURRENCY_LENGTH)
    status: str = Field(default="pending", max_length=16)
    # Why it was rejected (shown to the affiliate) or reversed.
    reason: str = Field(default="", max_length=MAX_REASON_LENGTH)
    # The end of the refund window: it may be approved from then on.
    approvable_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    payout_id: int | None = Field(default=None, sa_column=_fk("payout", nullable=True, ondelete="SET NULL"))


class Refund(SQLModel, table=True):
    """A refund of some or all of a sale, as the shop reported it: the same idempotency key again is the same
    refund (a replay). It keeps which commission it reversed and which it wrote, so a replay answers the same."""

    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_refund_idempotency"),
        Index("ix_refund_sale", "sale_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=MAX_EXTERNAL_ID_LENGTH)
    sale_id: int = Field(sa_column=_fk("sale"))
    amount: int = Field(sa_column=_money())
    reversed_commission_id: int | None = Field(
        default=None, sa_column=_fk("commission", nullable=True, ondelete="SET NULL")
    )
    new_commission_id: int | None = Field(default=None, sa_column=_fk("commission", nullable=True, ondelete="SET NULL"))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Payout(SQLModel, table=True):
    __table_args__ = (Index("ix_payout_affiliate_date", "affiliate_id", "paid_on"),)

    id: int | None = Field(default=None, primary_key=True)
    affiliate_id: int = Field(sa_column=_fk("affiliate"))
    amount: int = Field(sa_column=_money())
    currency: str = Field(max_length=CURRENCY_LENGTH)
    method: str = Field(max_length=16)
    reference: str = Field(default="", max_length=MAX_REFERENCE_LENGTH)
    paid_on: date = Field(sa_column=Column(Date, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)


class ProgrammeFigure(SQLModel, table=True):
    """The whole programme's running figures, kept by the ledger in the transaction of every change it makes
    (figures.py): per kind and currency, how many rows and the SUM of their amounts. A kind is "sale",
    "refund" or a commission status. The admin overview reads these few rows instead of every commission;
    they equal the SUMs over `sale`, `refund` and `commission` at every commit (tested)."""

    __table_args__ = (UniqueConstraint("kind", "currency", name="uq_programmefigure_kind_currency"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    currency: str = Field(max_length=CURRENCY_LENGTH)
    count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class WebhookSecret(SQLModel, table=True):
    """The secret the shop signs sales with (HMAC-SHA256); rotating makes a new row, the newest counts."""

    id: int | None = Field(default=None, primary_key=True)
    secret: str = Field(max_length=128)
    created_at: datetime = Field(sa_type=UTCDateTime)


class WebhookCall(SQLModel, table=True):
    """The log of calls to the sales webhook (kept for the admin page: accepted or rejected, and why)."""

    __table_args__ = (Index("ix_webhookcall_time", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime)
    accepted: bool = False
    # What it was ("sale", "refund") and what happened ("recorded", "replayed", or why refused).
    kind: str = Field(default="", max_length=16)
    outcome: str = Field(default="", max_length=200)
    idempotency_key: str = Field(default="", max_length=MAX_EXTERNAL_ID_LENGTH)
    sale_id: int | None = Field(default=None, sa_column=_fk("sale", nullable=True, ondelete="SET NULL"))
