"""What the business's admin pages of Affiliate Manager read, and the payouts they record.

Reads only, except `record_payout_for`, which finds the affiliate staff named (code or email) and hands
the payout to ledger.record_payout (audited there). Every list is keyset-paged (never OFFSET): a page
position is what the previous page returned, kept server-side by the page's state, and anything else
is refused with LookupError. Figures are SUMs computed in SQL over integer minor units, grouped once
per page, never a query per row. Money leaves here as ints beside their currency; the pages format it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.accounts.validation import normalize_email
from portal_app.apps.affiliates import figures, ledger, programme
from portal_app.apps.affiliates.models import (
    COMMISSION_STATUSES,
    Affiliate,
    Campaign,
    Click,
    Commission,
    Payout,
    Referral,
    Sale,
)
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.text import has_invisible_characters

Actor = ledger.Actor

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100
MAX_DUE = 200
CLICK_WINDOW_DAYS = 30
# The statuses whose sums the pages show, in the order they show them.
SHOWN_STATUSES = ("pending", "approved", "paid")
AFFILIATE_FIELD = "affiliate"
AFFILIATE_MISSING = "Enter the affiliate's referral code or email address."
NO_SUCH_AFFILIATE = "No affiliate has that referral code or email address."
SEVERAL_AFFILIATES = "Several affiliates use that email address: enter the referral code of the one to pay."


# --- shared pieces ---------------------------------------------------------------------------------------------

# An affiliate whose person deleted their account: the business keeps its commissions and payouts, no name.
DELETED_NAME = "Deleted account"


def _name():
    return func.coalesce(Account.full_name, DELETED_NAME)


def _email():
    return func.coalesce(Account.email, "")


@dataclass(frozen=True)
class Figures:
    """One currency's sums for an affiliate or the whole programme, in minor units."""

    currency: str
    pending: int = 0
    approved: int = 0
    paid: int = 0
    reversed: int = 0
    rejected: int = 0


def _figures(rows) -> dict[object, list[Figures]]:
    """{owner: [Figures per currency, by currency]} from (owner, currency, status, SUM) rows."""
    sums: dict[object, dict[str, dict[str, int]]] = {}
    for owner, currency, status, amount in rows:
        sums.setdefault(owner, {}).setdefault(currency, {})[status] = int(amount or 0)
    return {
        owner: [
            Figures(currency, **{status: by_status.get(status, 0) for status in COMMISSION_STATUSES})
            for currency, by_status in sorted(currencies.items())
        ]
        for owner, currencies in sums.items()
    }


def _like(text: str) -> str:
    """A LIKE pattern that matches `text` anywhere, its own % _ and \\ taken literally (escape "\\")."""
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def clean_query(query: object) -> str:
    """What staff typed in a search box: trimmed and cut to MAX_QUERY_LENGTH; "" for anything not text or
    with invisible control characters."""
    if not isinstance(query, str):
        return ""
    text = query.strip()[:MAX_QUERY_LENGTH]
    return "" if has_invisible_characters(text) else text


def _row_id_or_none(value: object) -> int | None:
    """A page position that is a row id; None for the first page; LookupError for anything else."""
    if value is None:
        return None
    if not db.is_row_id(value):
        raise LookupError("not a page position")
    return value


def today() -> date:
    """Today in the business's time zone (what a payout form offers as the date it was sent)."""
    with db.read_session() as session:
        business = session.get(Business, BUSINESS_ID)
        zone = business.time_zone if business is not None else "UTC"
    return clock.local_date(clock.now(), zone)


# --- the overview ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeOverview:
    totals: tuple[Figures, ...]
    affiliates: int
    clicks_30_days: int
    referrals: int
    sales: int
    pending_commissions: int
    # Pending commissions whose refund window has passed: ready to approve.
    approvable_commissions: int
    default_campaign: str
    default_terms: str
    live_campaigns: int


def programme_overview() -> ProgrammeOverview:
    """The whole programme: sums per currency and status, and the counts staff watch. The sums and the sales
    and pending counts are the ledger's running figures (figures.py: a few rows, not the whole ledger); the
    rest are counts over indexes (clicks by time, pending commissions by the end of their refund window)."""
    now = clock.now()
    since = now - timedelta(days=CLICK_WINDOW_DAYS)
    with db.write_session() as session:
        # The default campaign is made the first time anyone asks (as the affiliate's page does).
        default = programme.default_campaign(session)
        default_name, default_terms = default.name, programme.describe_terms(default)
    with db.read_session() as session:
        kept = figures.read(session)
        rows = [
            ("all", currency, kind, figure.amount)
            for (kind, currency), figure in kept.items()
            if kind in COMMISSION_STATUSES and figure != figures.Figure()
        ]
        totals = _figures(rows).get("all", [])

        def count(statement) -> int:
            return int(session.exec(statement).one())

        def kept_count(kind: str) -> int:
            return sum(figure.count for (each, _), figure in kept.items() if each == kind)

        overview = ProgrammeOverview(
            totals=tuple(totals),
            affiliates=count(select(func.count()).select_from(Affiliate)),
            clicks_30_days=count(select(func.count()).select_from(Click).where(Click.created_at >= since)),
            referrals=count(select(func.count()).select_from(Referral)),
            sales=kept_count("sale"),
            pending_commissions=kept_count("pending"),
            approvable_commissions=count(
                select(func.count())
                .select_from(Commission)
                .where(Commission.status == "pending", Commission.approvable_at <= now)
            ),
            default_campaign=default_name,
            default_terms=default_terms,
            live_campaigns=count(select(func.count()).select_from(Campaign).where(col(Campaign.archived).is_(False))),
        )
    return overview


# --- campaigns -------------------------------------------------------------------------------------------------


def campaign_referrals() -> dict[str, int]:
    """{campaign slug: how many referred customers joined under it} (one GROUP BY; campaigns with none left out)."""
    with db.read_session() as session:
        rows = session.exec(
            select(Campaign.slug, func.count(col(Referral.id)))
            .join(Referral, Referral.campaign_id == Campaign.id)
            .group_by(Campaign.slug)
        ).all()
    return {slug: int(count) for slug, count in rows}


# --- affiliates ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AffiliateItem:
    id: int
    account_id: int
    name: str
    email: str
    code: str
    joined_at: datetime
    referrals: int
    figures: tuple[Figures, ...]


@dataclass(frozen=True)
class AffiliatesPage:
    items: tuple[AffiliateItem, ...]
    # Where the next page starts (for `after`), None on the last page.
    next_after: int | None


def affiliates_page(*, query: object = "", after: object = None) -> AffiliatesPage:
    """Affiliates, newest first, PAGE_SIZE at a time (keyset on the affiliate's id), those whose name, email or
    code contains `query`; each with their referral count and their sums per currency (pending, approved,
    paid), all from two queries: the page (referrals counted in SQL) and one GROUP BY over its commissions."""
    position = _row_id_or_none(after)
    text = clean_query(query)
    referrals = (
        select(func.count()).select_from(Referral).where(Referral.affiliate_id == Affiliate.id).scalar_subquery()
    )
    statement = select(Affiliate, _name(), _email(), referrals).outerjoin(
        Account, Account.id == Affiliate.account_id
    )
    if text:
        pattern = _like(text)
        statement = statement.where(
            or_(
                func.lower(Account.full_name).like(pattern, escape="\\"),
                func.lower(Account.email).like(pattern, escape="\\"),
                col(Affiliate.code).like(pattern, escape="\\"),
            )
        )
    if position is not None:
        statement = statement.where(Affiliate.id < position)
    with db.read_session() as session:
        rows = session.exec(statement.order_by(col(Affiliate.id).desc()).limit(PAGE_SIZE + 1)).all()
        page = rows[:PAGE_SIZE]
        ids = [affiliate.id for affiliate, *_ in page]
        sums = (
            session.exec(
                select(Commission.affiliate_id, Commission.currency, Commission.status, func.sum(Commission.amount))
                .where(col(Commission.affiliate_id).in_(ids), col(Commission.status).in_(SHOWN_STATUSES))
                .group_by(Commission.affiliate_id, Commission.currency, Commission.status)
            ).all()
            if ids
            else []
        )
    figures = _figures(sums)
    items = tuple(
        AffiliateItem(
            id=affiliate.id,
            account_id=affiliate.account_id,
            name=name,
            email=email,
            code=affiliate.code,
            joined_at=affiliate.created_at,
            referrals=int(count),
            figures=tuple(figures.get(affiliate.id, ())),
        )
        for affiliate, name, email, count in page
    )
    return AffiliatesPage(items, page[-1][0].id if len(rows) > PAGE_SIZE else None)


# --- commissions -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionItem:
    id: int
    created_at: datetime
    affiliate_name: str
    affiliate_email: str
    affiliate_code: str
    amount: int
    currency: str
    status: str
    reason: str
    approvable_at: datetime
    decided_at: datetime | None
    sale_external_id: str
    sale_amount: int
    sale_currency: str
    campaign_name: str
    # Whether approve() would take it now, and whether reject() would (the services decide again).
    may_approve: bool
    may_reject: bool


@dataclass(frozen=True)
class CommissionsPage:
    status: str
    items: tuple[CommissionItem, ...]
    # Where the next page starts (for `before`): the last row's (created_at, id); None on the last page.
    next_before: tuple[datetime, int] | None


def _before(value: object) -> tuple[datetime, int] | None:
    if value is None:
        return None
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], datetime)
        and value[0].tzinfo is not None
        and db.is_row_id(value[1])
    ):
        return value
    raise LookupError("not a page position")


def commissions_page(*, status: object = "pending", before: object = None) -> CommissionsPage:
    """Commissions in one state, newest first, PAGE_SIZE at a time (keyset on (created_at, id), which the
    index on (status, created_at, id) serves), with their affiliate, sale and campaign. LookupError for a
    state that is not one or a bad position."""
    if status not in COMMISSION_STATUSES:
        raise LookupError("not a commission state")
    position = _before(before)
    now = clock.now()
    statement = (
        select(Commission, _name(), _email(), Affiliate.code, Sale, Campaign.name)
        .join(Affiliate, Affiliate.id == Commission.affiliate_id)
        .outerjoin(Account, Account.id == Affiliate.account_id)
        .join(Sale, Sale.id == Commission.sale_id)
        .join(Campaign, Campaign.id == Commission.campaign_id)
        .where(Commission.status == status)
    )
    if position is not None:
        statement = statement.where(tuple_(Commission.created_at, Commission.id) < tuple_(*position))
    with db.read_session() as session:
        rows = session.exec(
            statement.order_by(col(Commission.created_at).desc(), col(Commission.id).desc()).limit(PAGE_SIZE + 1)
        ).all()
    page = rows[:PAGE_SIZE]
    items = tuple(
        CommissionItem(
            id=row.id,
            created_at=row.created_at,
            affiliate_name=name,
            affiliate_email=email,
            affiliate_code=code,
            amount=row.amount,
            currency=row.currency,
            status=row.status,
            reason=row.reason,
            approvable_at=row.approvable_at,
            decided_at=row.decided_at,
            sale_external_id=sale.external_id,
            sale_amount=sale.amount,
            sale_currency=sale.currency,
            campaign_name=campaign_name,
            may_approve=row.status == "pending" and row.approvable_at <= now,
            may_reject=row.status in ledger.UNPAID and row.amount > 0,
        )
        for row, name, email, code, sale, campaign_name in page
    )
    last = page[-1][0] if page else None
    return CommissionsPage(
        status, items, (last.created_at, last.id) if len(rows) > PAGE_SIZE and last is not None else None
    )


# --- payouts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AffiliateMatch:
    id: int
    name: str
    email: str
    code: str


def find_affiliate(identifier: object, field: str = AFFILIATE_FIELD) -> AffiliateMatch:
    """The affiliate staff named by referral code or by their account's email; FieldError(field) for nobody,
    for anything that is neither, and for an email several affiliates' accounts share."""
    text = identifier.strip() if isinstance(identifier, str) else ""
    if not text:
        raise FieldError(field, AFFILIATE_MISSING)
    with db.read_session() as session:
        if "@" not in text:
            affiliate = programme.affiliate_by_code(session, text)
            if affiliate is None:
                raise FieldError(field, NO_SUCH_AFFILIATE)
            account = session.get(Account, affiliate.account_id)
            return AffiliateMatch(affiliate.id, account.full_name, account.email, affiliate.code)
        try:
            email = normalize_email(text)
        except FieldError:
            raise FieldError(field, NO_SUCH_AFFILIATE) from None
        found = session.exec(
            select(Affiliate, Account.full_name, Account.email)
            .join(Account, Account.id == Affiliate.account_id)
            .where(func.lower(Account.email) == email)
            .limit(2)
        ).all()
    if not found:
        raise FieldError(field, NO_SUCH_AFFILIATE)
    if len(found) > 1:
        raise FieldError(field, SEVERAL_AFFILIATES)
    affiliate, name, address = found[0]
    return AffiliateMatch(affiliate.id, name, address, affiliate.code)


@dataclass(frozen=True)
class PayoutItem:
    id: int
    paid_on: date
    created_at: datetime
    affiliate_name: str
    affiliate_email: str
    affiliate_code: str
    amount: int
    currency: str
    method: str
    reference: str
    commissions: int


def _payout_items(session: Session, payouts: list[Payout]) -> list[PayoutItem]:
    """The payouts with their affiliate and how many commissions each paid: two queries for any number."""
    if not payouts:
        return []
    affiliate_ids = {payout.affiliate_id for payout in payouts}
    people = {
        affiliate_id: (name, email, code)
        for affiliate_id, name, email, code in session.exec(
            select(Affiliate.id, _name(), _email(), Affiliate.code)
            .outerjoin(Account, Account.id == Affiliate.account_id)
            .where(col(Affiliate.id).in_(affiliate_ids))
        ).all()
    }
    paid = dict(
        session.exec(
            select(Commission.payout_id, func.count())
            .where(col(Commission.payout_id).in_([payout.id for payout in payouts]))
            .group_by(Commission.payout_id)
        ).all()
    )
    return [
        PayoutItem(
            id=payout.id,
            paid_on=payout.paid_on,
            created_at=payout.created_at,
            affiliate_name=people.get(payout.affiliate_id, ("", "", ""))[0],
            affiliate_email=people.get(payout.affiliate_id, ("", "", ""))[1],
            affiliate_code=people.get(payout.affiliate_id, ("", "", ""))[2],
            amount=payout.amount,
            currency=payout.currency,
            method=payout.method,
            reference=payout.reference,
            commissions=int(paid.get(payout.id, 0)),
        )
        for payout in payouts
    ]


def record_payout_for(
    actor: Actor, *, affiliate: object, method: object, reference: object, paid_on: object, currency: object
) -> PayoutItem:
    """Pay every approved commission in `currency` of the affiliate named by code or email (ledger.record_payout,
    which audits it). FormErrors naming the refused fields (affiliate first; then method, reference, paid_on,
    currency as the ledger checks them); nothing is stored then."""
    try:
        match = find_affiliate(affiliate)
    except FieldError as error:
        raise FormErrors({error.field: error.message}) from None
    try:
        payout = ledger.record_payout(
            actor, match.id, method=method, reference=reference, paid_on=paid_on, currency=currency
        )
    except LookupError:
        raise FormErrors({AFFILIATE_FIELD: NO_SUCH_AFFILIATE}) from None
    with db.read_session() as session:
        return _payout_items(session, [session.get(Payout, payout.id)])[0]


def record_payouts_from_csv(actor: Actor, text: object) -> list[PayoutItem]:
    """ledger.record_payouts_csv (all or nothing; FormErrors({"csv": "Line 3: ..."})), then the payouts made."""
    payouts = ledger.record_payouts_csv(actor, text)
    with db.read_session() as session:
        rows = session.exec(select(Payout).where(col(Payout.id).in_([payout.id for payout in payouts]))).all()
        return _payout_items(session, sorted(rows, key=lambda payout: payout.id))


@dataclass(frozen=True)
class PayoutsPage:
    items: tuple[PayoutItem, ...]
    next_before: int | None


def payouts_page(*, before: object = None) -> PayoutsPage:
    """Payouts, the most recently recorded first, PAGE_SIZE at a time (keyset on the payout's id)."""
    position = _row_id_or_none(before)
    statement = select(Payout)
    if position is not None:
        statement = statement.where(Payout.id < position)
    with db.read_session() as session:
        rows = list(session.exec(statement.order_by(col(Payout.id).desc()).limit(PAGE_SIZE + 1)).all())
        items = _payout_items(session, rows[:PAGE_SIZE])
    return PayoutsPage(tuple(items), items[-1].id if len(rows) > PAGE_SIZE else None)


@dataclass(frozen=True)
class DueItem:
    """What an affiliate may be paid now in one currency: the SUM of their approved commissions (above zero)."""

    affiliate_name: str
    affiliate_email: str
    affiliate_code: str
    currency: str
    amount: int
    commissions: int
    payout_method: str
    payout_details: str


def payouts_due(limit: int = MAX_DUE) -> list[DueItem]:
    """Affiliates with approved, unpaid commissions adding up to more than zero, per currency, largest first:
    one GROUP BY over the approved commissions."""
    approved = (
        select(
            Commission.affiliate_id.label("affiliate_id"),
            Commission.currency.label("currency"),
            func.sum(Commission.amount).label("amount"),
            func.count().label("commissions"),
        )
        .where(Commission.status == "approved")
        .group_by(Commission.affiliate_id, Commission.currency)
        .having(func.sum(Commission.amount) > 0)
        .subquery()
    )
    with db.read_session() as session:
        rows = session.exec(
            select(
                Account.full_name,
                Account.email,
                Affiliate.code,
                approved.c.currency,
                approved.c.amount,
                approved.c.commissions,
                Affiliate.payout_method,
                Affiliate.payout_details,
            )
            .join(Affiliate, Affiliate.id == approved.c.affiliate_id)
            .join(Account, Account.id == Affiliate.account_id)
            .order_by(approved.c.amount.desc(), Affiliate.id, approved.c.currency)
            .limit(max(1, min(int(limit), MAX_DUE)))
        ).all()
    return [
        DueItem(name, email, code, currency, int(amount), int(count), method, details)
        for name, email, code, currency, amount, count, method, details in rows
    ]
