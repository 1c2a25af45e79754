"""What an affiliate sees of their own programme: links, terms, totals, earnings by month, referrals,
commissions, payouts, statements, and where their payouts go (changed only after a code).

Every function takes the signed-in person's account id and reads only their own affiliate row's
data: an id from a page (a commission, a cursor) is looked up within it, so another affiliate's is
refused like a missing one. Money stays in integer minor units until it is formatted for people.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, tuple_
from sqlmodel import col, select

from portal_app.apps import app_settings, confirm
from portal_app.apps.affiliates import ledger, programme
from portal_app.apps.affiliates.models import (
    COMMISSION_STATUSES,
    PAYOUT_METHODS,
    Affiliate,
    Campaign,
    Click,
    Commission,
    Payout,
    Referral,
)
from portal_app.apps.affiliates.money import decimals, format_money
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.registry import SummaryCard, SummaryLink
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.settings import get_settings

PAGE_SIZE = 25
RECENT_REFERRALS = 10
MAX_PAYOUT_DETAILS = 500
MAX_STATEMENT_DAYS = 3 * 366
_CURSOR = re.compile(r"([0-9]{10,12})\.([0-9]{6})-([0-9]{1,19})")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")


def _affiliate(account_id: int) -> Affiliate:
    """The person's affiliate row, made the first time they open the app."""
    with db.write_session() as session:
        affiliate = programme.ensure_affiliate(session, account_id)
        session.expunge(affiliate)
        return affiliate


def mask_email(email: str) -> str:
    """ "ann.smith@example.com" -> "a***@example.com"."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


# --- the overview ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class TotalsLine:
    currency: str
    earned: str
    pending: str
    approved: str
    paid: str


@dataclass(frozen=True)
class MonthFigure:
    month: str
    # Major units as a number, for the chart only (never added up or stored).
    amount: float
    label: str


@dataclass(frozen=True)
class ReferralLine:
    who: str
    when: datetime
    how: str


@dataclass(frozen=True)
class Overview:
    code: str
    links: tuple[Link, ...]
    terms: str
    cookie_days: int
    approval_days: int
    totals: tuple[TotalsLine, ...]
    # One currency's months (the one with most earned); the chart shows it.
    chart_currency: str
    chart: tuple[MonthFigure, ...]
    clicks_30_days: int
    referral_count: int
    referrals: tuple[ReferralLine, ...]
    payout_method: str
    payout_details: str


def _masked_details(method: str, details: str) -> str:
    if not details:
        return ""
    if method == "paypal":
        return mask_email(details)
    tail = re.sub(r"\s", "", details)[-4:]
    return f"ending in {tail}" if tail else "on file"


def overview(account_id: int) -> Overview:
    """The affiliate's page: their links, the default terms, totals, 12 months of earnings, recent referrals."""
    base = get_settings().public_url
    mask = bool(app_settings.app_setting(APP_KEY, "mask_emails"))
    since = clock.now() - timedelta(days=30)
    with db.write_session() as session:
        # Made the first time: the person's affiliate row and code, and the default campaign.
        affiliate = programme.ensure_affiliate(session, account_id)
        default = programme.default_campaign(session)
        session.expunge_all()
    with db.read_session() as session:
        campaigns = session.exec(
            select(Campaign).where(col(Campaign.archived).is_(False)).order_by(Campaign.created_at, Campaign.id)
        ).all()
        clicks = session.exec(
            select(func.count()).where(Click.affiliate_id == affiliate.id, Click.created_at >= since)
        ).one()
        referral_count = session.exec(select(func.count()).where(Referral.affiliate_id == affiliate.id)).one()
        recent = session.exec(
            select(Referral)
            .where(Referral.affiliate_id == affiliate.id)
            .order_by(col(Referral.created_at).desc(), col(Referral.id).desc())
            .limit(RECENT_REFERRALS)
        ).all()
    links = [Link("Your referral link", f"{base}/r/{affiliate.code}")]
    links += [
        Link(f"{campaign.name} campaign", f"{base}/r/{affiliate.code}/{campaign.slug}")
        for campaign in campaigns
        if campaign.id != default.id
    ]
    totals = ledger.totals(affiliate.id)
    lines = tuple(
        TotalsLine(
            currency,
            # What they keep (pending + approved + paid): a refunded sale's reversed commission is not earned.
            format_money(t.kept, currency),
            format_money(t.pending, currency),
            format_money(t.approved, currency),
            format_money(t.paid, currency),
        )
        for currency, t in sorted(totals.items(), key=lambda item: -item[1].kept)
    )
    chart_currency = lines[0].currency if lines else default.currency
    months = ledger.monthly_earnings(affiliate.id, 12)
    chart = tuple(
        MonthFigure(
            start.strftime("%b %Y"),
            _major(figures.get(chart_currency, 0), chart_currency),
            format_money(figures.get(chart_currency, 0), chart_currency),
        )
        for start, figures in months
    )
    return Overview(
        code=affiliate.code,
        links=tuple(links),
        terms=programme.describe_terms(default),
        cookie_days=default.cookie_days,
        approval_days=default.approval_days,
        totals=lines,
        chart_currency=chart_currency,
        chart=chart,
        clicks_30_days=clicks,
        referral_count=referral_count,
        referrals=tuple(
            ReferralLine(
                mask_email(r.customer_email) if mask else r.customer_email,
                r.created_at,
                "Signed up through your link" if r.source == "signup" else "Bought with your code",
            )
            for r in recent
        ),
        payout_method=affiliate.payout_method,
        payout_details=_masked_details(affiliate.payout_method, affiliate.payout_details),
    )


def _major(amount: int, currency: str) -> float:
    return amount / (10 ** decimals(currency))


# --- commissions and payouts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionLine:
    id: int
    when: datetime
    amount: str
    status: str
    reason: str
    # When a pending one may be approved (the end of the refund window).
    approvable_on: date | None


@dataclass(frozen=True)
class CommissionsPage:
    items: tuple[CommissionLine, ...]
    next_cursor: str | None


def _cursor(moment: datetime, row_id: int) -> str:
    return f"{int(moment.timestamp()):d}.{moment.microsecond:06d}-{row_id}"


def _parse_cursor(value: object) -> tuple[datetime, int] | None:
    if value is None or value == "":
        return None
    match = _CURSOR.fullmatch(value) if isinstance(value, str) else None
    if match is None or not db.is_row_id(int(match.group(3))):
        raise LookupError("not a list position")
    try:
        moment = datetime.fromtimestamp(int(match.group(1)), tz=timezone.utc).replace(microsecond=int(match.group(2)))
    except (ValueError, OverflowError, OSError):
        raise LookupError("not a list position") from None
    return moment, int(match.group(3))


def commissions(account_id: int, *, status: object = "", before: object = None) -> CommissionsPage:
    """The affiliate's commissions, newest first, PAGE_SIZE at a time (keyset on (created_at, id));
    `status` one of COMMISSION_STATUSES or "" for all. LookupError for a bad status or position."""
    if status not in ("", *COMMISSION_STATUSES):
        raise LookupError("not a commission state")
    position = _parse_cursor(before)
    affiliate = _affiliate(account_id)
    with db.read_session() as session:
        statement = select(Commission).where(Commission.affiliate_id == affiliate.id)
        if status:
            statement = statement.where(Commission.status == status)
        if position is not None:
            statement = statement.where(tuple_(Commission.created_at, Commission.id) < tuple_(*position))
        rows = session.exec(
            statement.order_by(col(Commission.created_at).desc(), col(Commission.id).desc()).limit(PAGE_SIZE + 1)
        ).all()
    page = rows[:PAGE_SIZE]
    return CommissionsPage(
        tuple(
            CommissionLine(
                c.id,
                c.created_at,
                format_money(c.amount, c.currency),
                c.status,
                c.reason,
                c.approvable_at.date() if c.status == "pending" else None,
            )
            for c in page
        ),
        _cursor(page[-1].created_at, page[-1].id) if len(rows) > PAGE_SIZE else None,
    )


@dataclass(frozen=True)
class PayoutLine:
    paid_on: date
    amount: str
    method: str
    reference: str


def payouts(account_id: int, limit: int = 50) -> tuple[PayoutLine, ...]:
    affiliate = _affiliate(account_id)
    with db.read_session() as session:
        rows = session.exec(
            select(Payout)
            .where(Payout.affiliate_id == affiliate.id)
            .order_by(col(Payout.paid_on).desc(), col(Payout.id).desc())
            .limit(limit)
        ).all()
    return tuple(
        PayoutLine(p.paid_on, format_money(p.amount, p.currency), _METHOD_NAMES.get(p.method, p.method), p.reference)
        for p in rows
    )


_METHOD_NAMES = {"paypal": "PayPal", "bank": "Bank transfer"}


# --- statements --------------------------------------------------------------------------------------------


def _csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a ' first (no formulas)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _clean_day(value: object, field: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad_day(field)
    except ValueError:
        return _bad_day(field)


def _bad_day(field: str):
    raise FieldError(field, "Enter a date like 2026-01-31.")


def statement_csv(account_id: int, start: object, end: object) -> str:
    """The affiliate's commissions and payouts from `start` to `end` (dates, inclusive, UTC) as CSV.
    FormErrors for dates that are not dates, in the wrong order, or more than three years apart."""
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for field, value in (("start", start), ("end", end)):
        try:
            days[field] = _clean_day(value, field)
        except FieldError as error:
            errors[field] = error.message
    if not errors and days["end"] < days["start"]:
        errors["end"] = "The end comes before the start."
    if not errors and (days["end"] - days["start"]).days > MAX_STATEMENT_DAYS:
        errors["end"] = "A statement covers at most three years."
    if errors:
        raise FormErrors(errors)
    affiliate = _affiliate(account_id)
    since = datetime.combine(days["start"], datetime.min.time(), tzinfo=timezone.utc)
    until = datetime.combine(days["end"] + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    with db.read_session() as session:
        rows = session.exec(
            select(Commission)
            .where(
                Commission.affiliate_id == affiliate.id, Commission.created_at >= since, Commission.created_at < until
            )
            .order_by(Commission.created_at, Commission.id)
        ).all()
        paid = session.exec(
            select(Payout)
            .where(Payout.affiliate_id == affiliate.id, Payout.paid_on >= days["start"], Payout.paid_on <= days["end"])
            .order_by(Payout.paid_on, Payout.id)
        ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["type", "date", "amount", "currency", "minor_units", "status", "reference_or_reason", "id"])
    for c in rows:
        writer.writerow(
            [
                "commission",
                c.created_at.date().isoformat(),
                format_money(c.amount, c.currency),
                c.currency,
                c.amount,
                c.status,
                _csv_cell(c.reason),
                c.id,
            ]
        )
    for p in paid:
        writer.writerow(
            [
                "payout",
                p.paid_on.isoformat(),
                format_money(p.amount, p.currency),
                p.currency,
                p.amount,
                "paid",
                _csv_cell(f"{_METHOD_NAMES.get(p.method, p.method)} {p.reference}".strip()),
                p.id,
            ]
        )
    return out.getvalue()


# --- where payouts go --------------------------------------------------------------------------------------

CHANGE_ACTION = "change where your payouts go"


def clean_payout_details(method: object, details: object) -> tuple[str, str]:
    """(method, details) as stored: a PayPal email, or bank details as text. FormErrors per field."""
    if method not in PAYOUT_METHODS:
        raise FormErrors({"method": "Choose PayPal or bank transfer."})
    text = " ".join(details.split()) if isinstance(details, str) else ""
    if not text:
        raise FormErrors({"details": "Enter where to send your payouts."})
    if len(text) > MAX_PAYOUT_DETAILS:
        raise FormErrors({"details": f"Keep it to {MAX_PAYOUT_DETAILS} characters."})
    if method == "paypal":
        text = text.lower()
        if not _EMAIL.fullmatch(text):
            raise FormErrors({"details": "Enter the email address of your PayPal account."})
    return method, text


def ask_to_change_payout_details(account_id: int, method: object, details: object, *, ip: object) -> tuple[str, str]:
    """Check the new details, then email the account a code to confirm them; the cleaned details, which the
    page keeps (server-side) until the code comes back. FormErrors for the details, FieldError("code") for a
    sending limit."""
    cleaned = clean_payout_details(method, details)
    _affiliate(account_id)
    confirm.send_code(account_id, APP_KEY, CHANGE_ACTION, ip=ip)
    return cleaned


def change_payout_details(account_id: int, method: object, details: object, code: object) -> None:
    """Store the new payout details once the emailed code is right. FieldError("code") otherwise."""
    cleaned_method, cleaned_details = clean_payout_details(method, details)
    confirm.check_code(account_id, APP_KEY, code)
    affiliate = _affiliate(account_id)
    with db.write_session() as session:
        row = session.get(Affiliate, affiliate.id)
        row.payout_method, row.payout_details = cleaned_method, cleaned_details
        session.add(row)


# --- the home card -------------------------------------------------------------------------------------------


def summary(account_id: int) -> SummaryCard:
    """Home's card: the balance (approved, not yet paid) and this month's earnings, in the main currency.
    Reads only (someone who never opened the app has no affiliate row yet)."""
    with db.read_session() as session:
        affiliate_id = session.exec(select(Affiliate.id).where(Affiliate.account_id == account_id)).first()
    if affiliate_id is None:
        return SummaryCard(
            headline="No referrals yet",
            details=("Open Affiliate Manager for your referral link.",),
            links=(SummaryLink("Get your referral link", "/apps/affiliates"),),
        )
    totals = ledger.totals(affiliate_id)
    if not totals:
        return SummaryCard(headline="No commissions yet", details=("Share your referral link to earn.",))
    currency, figures = max(totals.items(), key=lambda item: item[1].kept)
    [(_, this_month)] = ledger.monthly_earnings(affiliate_id, 1)
    return SummaryCard(
        headline=f"Balance {format_money(figures.approved, currency)}",
        details=(
            f"This month: {format_money(this_month.get(currency, 0), currency)} earned",
            f"Pending: {format_money(figures.pending, currency)}; paid so far: {format_money(figures.paid, currency)}",
        ),
    )
