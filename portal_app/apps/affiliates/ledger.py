"""The money of Affiliate Manager: sales and refunds, the commissions they earn, approvals, payouts, totals.

Every amount is an int of minor units beside its currency; a commission's amount never changes once
written, and every total is a SUM over rows computed in SQL.

**Sales** (record_sale, in the caller's transaction): the same idempotency key, or the same external id,
again is a replay that returns the first sale and stores nothing. The affiliate is found through the
Referral of the customer's email, else through the referral code (which then records a Referral, source
"sale", so the customer's later sales count too). A sale earns a "pending" commission under the
referral's campaign when it is within the campaign's months, and may be approved after its
approval_days (the refund window).

**Refunds** (record_refund). A refund takes back the same share of the sale's commission as it takes of
the sale: after refunds leave R of a sale of A whose first commission was C, the sale's live commissions
(pending, approved, paid) add up to round_half_up(C * R / A), and never to more than they did before
(a commission staff rejected stays rejected). To get there without changing any amount:

- every unpaid positive commission of the sale (pending or approved) becomes "reversed", with a reason;
- a paid commission is never touched: it stays paid, in its payout;
- what is then still due, if more than zero, is a new "pending" commission (the part not refunded; it
  keeps the refund window of the one it replaces); if less than zero (the commission was already paid),
  it is a negative commission, "approved" at once, that the affiliate's next payout nets: a debt, not a
  claim to review, so it can be neither approved again nor rejected.

**The totals** per affiliate and currency: earned is the SUM of every commission not rejected, each row
counted once with its sign, so earned == pending + approved + paid + reversed always holds. A reversed
row and its replacement are both counted in earned (the reversed one in reversed too); a negative row
counts where its status puts it (approved until a payout nets it, then paid). What the affiliate keeps
is earned - reversed == pending + approved + paid, and paid == the SUM of their payouts, because a
payout's amount is the SUM of the commissions it pays, written in the same transaction.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.accounts.validation import normalize_email
from portal_app.apps import audit, fields
from portal_app.apps.affiliates import figures, programme
from portal_app.apps.affiliates.models import (
    MAX_CODE_LENGTH,
    MAX_EXTERNAL_ID_LENGTH,
    MAX_REASON_LENGTH,
    MAX_REFERENCE_LENGTH,
    PAYOUT_METHODS,
    Affiliate,
    Campaign,
    Commission,
    Payout,
    Referral,
    Refund,
    Sale,
)
from portal_app.apps.affiliates.money import MAX_AMOUNT, check_currency, format_money
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.notify import notify
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.text import has_invisible_characters
from portal_app.timeline import service as activity

Actor = audit.Actor

SALE_SOURCES = ("webhook", "manual", "import")
UNPAID = ("pending", "approved")
LIVE = ("pending", "approved", "paid")
PAYOUT_METHOD_LABELS = {"paypal": "PayPal", "bank": "bank transfer"}
MAX_IDS = 1000
MAX_CSV_CHARACTERS = 1_000_000
MAX_CSV_ROWS = 1000
MAX_MONTHS = 36
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# A shop's clock may run ahead of ours; a sale dated further ahead than this is refused.
FUTURE_SLACK = timedelta(days=1)
CSV_COLUMNS = ("affiliate code", "currency", "method", "reference", "paid on")
_KEY = re.compile(r"[!-~](?:[ -~]{0,%d}[!-~])?" % (MAX_EXTERNAL_ID_LENGTH - 2))
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# --- checking what callers hand in ----------------------------------------------------------------------------


def _clean_key(value: object, field: str) -> str:
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise FieldError(
            field, f"Send 1-{MAX_EXTERNAL_ID_LENGTH} printable ASCII characters, without spaces at the ends."
        )
    return value


def _clean_amount(value: object, field: str = "amount") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError(field, "Send the amount as a whole number of minor units (cents), like 1234 for 12.34.")
    if not 0 < value <= MAX_AMOUNT:
        raise FieldError(field, f"The amount must be above zero and at most {MAX_AMOUNT} minor units.")
    return value


def _clean_moment(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise FieldError(field, "Send the time with its time zone (ISO 8601, like 2026-01-15T12:00:00Z).")
    if not EARLIEST <= value <= clock.now() + FUTURE_SLACK:
        raise FieldError(field, "That time is not plausible: it is before 2000 or in the future.")
    return value.astimezone(UTC)


def _clean_customer_email(value: object) -> str:
    if isinstance(value, str) and not value.strip():
        return ""
    try:
        return normalize_email(value)
    except FieldError as error:
        raise FieldError("customer_email", error.message) from None


def _clean_referral_code(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_CODE_LENGTH or has_invisible_characters(value):
        raise FieldError("referral_code", f"A referral code has at most {MAX_CODE_LENGTH} visible characters.")
    return value.strip()


def _clean_ids(values: object) -> list[int]:
    """One id or a list of them, each a row id, at most MAX_IDS; duplicates dropped, order kept. FormErrors
    otherwise."""
    items = [values] if isinstance(values, int) else values
    if not isinstance(items, (list, tuple)) or not 0 < len(items) <= MAX_IDS:
        raise FormErrors({"commission_ids": f"Choose from 1 to {MAX_IDS} commissions."})
    if not all(db.is_row_id(item) for item in items):
        raise FormErrors({"commission_ids": "Those are not commission ids."})
    return list(dict.fromkeys(items))


def _clean_paid_on(value: object, field: str = "paid_on") -> date:
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            pass
    if not isinstance(value, date) or isinstance(value, datetime):
        raise FieldError(field, "Enter the date the payout was sent, like 2026-01-31.")
    if not EARLIEST.date() <= value <= (clock.now() + FUTURE_SLACK).date():
        raise FieldError(field, "Enter the date the payout was sent: not in the future, not before 2000.")
    return value


def _clean_method(value: object, field: str = "method") -> str:
    method = value.strip().lower() if isinstance(value, str) else ""
    if method not in PAYOUT_METHODS:
        raise FieldError(field, "Choose how it was paid: paypal or bank.")
    return method


def _clean_reference(value: object, field: str = "reference") -> str:
    if isinstance(value, str) and not value.strip():
        return ""
    return fields.one_line(value, field, max_length=MAX_REFERENCE_LENGTH, missing="", what="reference")


# --- sales -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleOutcome:
    sale_id: int
    commission_id: int | None
    replayed: bool
    # Why the sale earned nothing, in a sentence for the business ("" when it earned a commission).
    why_no_commission: str = ""


NO_AFFILIATE = "No affiliate referred this customer."
UNKNOWN_CODE = "No affiliate has that referral code."
AFFILIATE_LEFT = "The affiliate who referred this customer deleted their account."
SELF_REFERRAL = "The customer is the affiliate themselves, and affiliates earn nothing on their own purchases."
ALREADY_RECORDED = "This sale was recorded before, without a commission."
REASON_MISSING = "Say why, for the affiliate to read."


def record_sale(
    session: Session,
    *,
    idempotency_key: str,
    external_id: str,
    amount: int,
    currency: str,
    customer_email: str = "",
    referral_code: str = "",
    occurred_at: datetime,
    source: str,
) -> SaleOutcome:
    """Record a sale and the commission it earns, in the caller's transaction (see the module's docstring).

    FieldError (nothing stored) for a malformed argument: keys and external ids of 1-200 printable ASCII
    characters, an int amount of 1..MAX_AMOUNT minor units, a known currency, an email or "", a code of at
    most 32 characters or "", an aware time from 2000 to tomorrow, a source of SALE_SOURCES.
    """
    key = _clean_key(idempotency_key, "idempotency_key")
    external = _clean_key(external_id, "external_id")
    values = {
        "amount": _clean_amount(amount),
        "currency": check_currency(currency),
        "customer_email": _clean_customer_email(customer_email),
        "occurred_at": _clean_moment(occurred_at, "occurred_at"),
    }
    code = _clean_referral_code(referral_code)
    if source not in SALE_SOURCES:
        raise FieldError("source", f"The source of a sale is one of {', '.join(SALE_SOURCES)}.")
    earlier = _sale_for(session, key, external)
    if earlier is not None:
        return _replayed(session, earlier)
    now = clock.now()
    sale_id = programme.insert_unless_taken(
        session,
        Sale,
        {"idempotency_key": key, "external_id": external, "source": source, "created_at": now, **values},
    )
    if sale_id is None:  # a concurrent transaction recorded it first
        return _replayed(session, _sale_for(session, key, external))
    sale = session.get(Sale, sale_id)
    figures.changes(session).add("sale", sale.currency, sale.amount)
    commission, why = _earn(session, sale, code, now)
    return SaleOutcome(sale.id, commission.id if commission is not None else None, False, why)


def _sale_for(session: Session, key: str, external: str) -> Sale | None:
    by_key = session.exec(select(Sale).where(Sale.idempotency_key == key)).first()
    return by_key or session.exec(select(Sale).where(Sale.external_id == external)).first()


def _replayed(session: Session, sale: Sale) -> SaleOutcome:
    first = session.exec(
        select(Commission.id).where(Commission.sale_id == sale.id).order_by(col(Commission.id)).limit(1)
    ).first()
    return SaleOutcome(sale.id, first, True, "" if first is not None else ALREADY_RECORDED)


def _earn(session: Session, sale: Sale, code: str, now: datetime) -> tuple[Commission | None, str]:
    """Attribute the sale and write its commission; (None, why) when it earns none."""
    email = sale.customer_email
    referral = _referral_of(session, email)
    if referral is None:
        affiliate = programme.affiliate_by_code(session, code) if code else None
        if affiliate is None:
            return None, UNKNOWN_CODE if code else NO_AFFILIATE
        if _is_self_referral(session, affiliate, email, None):
            return None, SELF_REFERRAL
        if email:
            referral = _refer(session, affiliate, email, sale, now)
    if referral is not None:
        affiliate = session.get(Affiliate, referral.affiliate_id)
        if affiliate.account_id is None:
            return None, AFFILIATE_LEFT
        if _is_self_referral(session, affiliate, email, referral):
            return None, SELF_REFERRAL
        sale.referral_id = referral.id
    sale.affiliate_id = affiliate.id
    session.add(sale)
    session.flush()
    campaign = session.get(Campaign, referral.campaign_id) if referral else programme.default_campaign(session)
    value, why = _commission_value(session, campaign, sale, referral)
    if why:
        return None, why
    commission = Commission(
        affiliate_id=affiliate.id,
        sale_id=sale.id,
        campaign_id=campaign.id,
        amount=value,
        currency=sale.currency,
        status="pending",
        approvable_at=now + timedelta(days=campaign.approval_days),
        created_at=now,
    )
    session.add(commission)
    session.flush()
    figures.changes(session).add(commission.status, commission.currency, commission.amount)
    _tell_commission_earned(session, affiliate, commission, sale)
    return commission, ""


def _referral_of(session: Session, email: str) -> Referral | None:
    """The customer's referral, locked for this transaction (two first sales of one customer take turns)."""
    if not email:
        return None
    statement = select(Referral).where(Referral.customer_email == email).with_for_update()
    return session.exec(statement.execution_options(populate_existing=True)).first()


def _refer(session: Session, affiliate: Affiliate, email: str, sale: Sale, now: datetime) -> Referral:
    """A referral (source "sale") of the customer's email to the affiliate whose code the sale carried; the
    referral on file instead when a concurrent sale referred the same email first."""
    campaign = programme.default_campaign(session)
    referred_at = min(sale.occurred_at, now)
    values = {
        "affiliate_id": affiliate.id,
        "campaign_id": campaign.id,
        "customer_email": email,
        "source": "sale",
        "created_at": referred_at,
    }
    if programme.insert_unless_taken(session, Referral, values) is not None:
        activity.record(
            session,
            account_id=affiliate.account_id,
            app_key=APP_KEY,
            kind="referral_made",
            summary="A new customer bought with your referral code",
            at=now,
        )
    return _referral_of(session, email)


def _is_self_referral(session: Session, affiliate: Affiliate, email: str, referral: Referral | None) -> bool:
    if referral is not None and referral.account_id == affiliate.account_id:
        return True
    account = session.get(Account, affiliate.account_id)
    return bool(email) and account is not None and account.email.strip().lower() == email


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter: 31 Jan + 1 = 28 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _commission_value(session: Session, campaign: Campaign, sale: Sale, referral: Referral | None) -> tuple[int, str]:
    """(amount, "") under the campaign's terms, or (0, why) when the sale earns nothing."""
    months = campaign.recurring_months
    if months == 0 and referral is not None:
        before = select(Sale.id).where(Sale.referral_id == referral.id, Sale.id != sale.id).limit(1)
        if session.exec(before).first() is not None:
            return 0, "The campaign pays on a customer's first sale only, and this customer bought before."
    if months and referral is not None and sale.occurred_at >= add_months(referral.created_at, months):
        return 0, f"The campaign pays on sales within {months} months of the referral, and this sale came later."
    if campaign.kind == "flat":
        if campaign.currency != sale.currency:
            flat = format_money(campaign.flat_amount, campaign.currency)
            return (
                0,
                f"The campaign pays {flat} per sale, and this sale is in {sale.currency}, not {campaign.currency}.",
            )
        value = campaign.flat_amount
    else:
        value = round_half_up(sale.amount * campaign.percent_bp, 10_000)
    if value <= 0:
        return 0, "The commission on this sale rounds to nothing."
    return value, ""


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves up (both >= 0; whole numbers only)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _tell_commission_earned(session: Session, affiliate: Affiliate, commission: Commission, sale: Sale) -> None:
    earned = format_money(commission.amount, commission.currency)
    sold = format_money(sale.amount, sale.currency)
    activity.record(
        session,
        account_id=affiliate.account_id,
        app_key=APP_KEY,
        kind="commission_earned",
        summary=f"Commission earned: {earned} on a sale of {sold}",
        at=commission.created_at,
    )
    notify(
        session,
        affiliate.account_id,
        APP_KEY,
        "commission_earned",
        {
            "amount": earned,
            "sale_amount": sold,
            "approvable_on": f"{commission.approvable_at:%-d %B %Y}",
            "app_path": "/apps/affiliates",
        },
    )


# --- refunds ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundOutcome:
    sale_id: int
    reversed_commission_id: int | None
    new_commission_id: int | None
    replayed: bool


def record_refund(
    session: Session, *, idempotency_key: str, external_id: str, amount: int, occurred_at: datetime
) -> RefundOutcome:
    """Refund `amount` of the sale with this external id, in the caller's transaction (the rule is in the
    module's docstring). The same idempotency key again is a replay. LookupError for an unknown external
    id; FieldError for malformed arguments or more than is left to refund (nothing stored)."""
    key = _clean_key(idempotency_key, "idempotency_key")
    external = _clean_key(external_id, "external_id")
    value = _clean_amount(amount)
    moment = _clean_moment(occurred_at, "occurred_at")
    earlier = session.exec(select(Refund).where(Refund.idempotency_key == key)).first()
    if earlier is not None:
        return _refund_replayed(earlier)
    statement = select(Sale).where(Sale.external_id == external).with_for_update()
    sale = session.exec(statement.execution_options(populate_existing=True)).first()
    if sale is None:
        raise LookupError("no sale has that external id")
    # Holding the sale's lock: a concurrent refund with this key has committed by now, if there was one.
    earlier = session.exec(select(Refund).where(Refund.idempotency_key == key)).first()
    if earlier is not None:
        return _refund_replayed(earlier)
    left = sale.amount - sale.refunded_amount
    if value > left:
        if left == 0:
            raise FieldError("amount", "This sale was refunded in full already.")
        raise FieldError("amount", f"Only {format_money(left, sale.currency)} of this sale is left to refund.")
    now = clock.now()
    refund_values = {"idempotency_key": key, "sale_id": sale.id, "amount": value, "occurred_at": moment}
    refund_id = programme.insert_unless_taken(session, Refund, {**refund_values, "created_at": now})
    if refund_id is None:
        return _refund_replayed(session.exec(select(Refund).where(Refund.idempotency_key == key)).one())
    sale.refunded_amount += value
    session.add(sale)
    figures.changes(session).add("refund", sale.currency, value)
    reversed_id, new_id = _settle_commissions(session, sale, now)
    refund = session.get(Refund, refund_id)
    refund.reversed_commission_id, refund.new_commission_id = reversed_id, new_id
    session.add(refund)
    session.flush()
    return RefundOutcome(sale.id, reversed_id, new_id, False)


def _refund_replayed(refund: Refund) -> RefundOutcome:
    return RefundOutcome(refund.sale_id, refund.reversed_commission_id, refund.new_commission_id, True)


def _settle_commissions(session: Session, sale: Sale, now: datetime) -> tuple[int | None, int | None]:
    """Bring the sale's live commissions down to what its unrefunded part earns: (reversed id, new id)."""
    statement = select(Commission).where(Commission.sale_id == sale.id).order_by(col(Commission.id))
    rows = session.exec(statement.with_for_update().execution_options(populate_existing=True)).all()
    if not rows:
        return None, None
    first = rows[0]
    due = round_half_up(first.amount * (sale.amount - sale.refunded_amount), sale.amount)
    live = [row for row in rows if row.status in LIVE]
    target = min(sum(row.amount for row in live), due)
    refunded = f"{format_money(sale.refunded_amount, sale.currency)} of {format_money(sale.amount, sale.currency)}"
    undone = [row for row in live if row.status in UNPAID and row.amount > 0]
    for row in undone:
        was = row.status
        row.status, row.decided_at = "reversed", now
        row.reason = f"Its sale was refunded ({refunded} so far)."
        session.add(row)
        figures.changes(session).moved(row, was)
    undone_ids = {row.id for row in undone}
    difference = target - sum(row.amount for row in live if row.id not in undone_ids)
    reversed_id = undone[-1].id if undone else None
    if difference == 0:
        return reversed_id, None
    replacement = Commission(
        affiliate_id=first.affiliate_id,
        sale_id=sale.id,
        campaign_id=first.campaign_id,
        amount=difference,
        currency=first.currency,
        created_at=now,
    )
    if difference > 0:
        replacement.status, replacement.approvable_at = "pending", undone[-1].approvable_at
        replacement.reason = f"What is left of a refunded sale's commission ({refunded} refunded)."
    else:
        replacement.status, replacement.approvable_at, replacement.decided_at = "approved", now, now
        taken = format_money(-difference, first.currency)
        replacement.reason = f"Takes back {taken} of a paid commission: its sale was refunded ({refunded})."
    session.add(replacement)
    session.flush()
    figures.changes(session).add(replacement.status, replacement.currency, replacement.amount)
    return reversed_id, replacement.id


# --- staff: approving and rejecting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """What approve() or reject() did: how many changed, and every refused id with why."""

    changed: int
    refused: dict[int, str]


def _locked(session: Session, ids: list[int]) -> dict[int, Commission]:
    # Locked in id order, as every path that locks several commissions does, so two of them never deadlock.
    statement = select(Commission).where(col(Commission.id).in_(ids)).order_by(col(Commission.id)).with_for_update()
    rows = session.exec(statement.execution_options(populate_existing=True)).all()
    return {row.id: row for row in rows}


def _not_open(row: Commission | None) -> str:
    if row is None:
        return "There is no such commission."
    return {
        "approved": "It is approved already.",
        "paid": "It was paid already.",
        "rejected": "It was rejected.",
        "reversed": "It was reversed: its sale was refunded.",
    }.get(row.status, "It is not pending.")


def approve(actor: Actor, commission_ids: object) -> Decided:
    """Approve pending commissions whose refund window has passed; the others are refused with why."""
    ids = _clean_ids(commission_ids)
    refused: dict[int, str] = {}
    with db.write_session() as session:
        now = clock.now()
        rows = _locked(session, ids)
        changed = []
        for commission_id in ids:
            row = rows.get(commission_id)
            if row is None or row.status != "pending":
                refused[commission_id] = _not_open(row)
            elif row.approvable_at > now:
                refused[commission_id] = f"Its refund window ends on {row.approvable_at:%-d %B %Y, %H:%M} UTC."
            else:
                row.status, row.decided_at = "approved", now
                session.add(row)
                figures.changes(session).moved(row, "pending")
                changed.append(row)
        _tell_approved(session, changed)
        if changed:
            detail = {"ids": [row.id for row in changed], "refused": len(refused)}
            audit.record(
                session, actor, APP_KEY, "commissions_approved", target=f"{len(changed)} commissions", detail=detail
            )
    return Decided(len(changed), refused)


def _tell_approved(session: Session, rows: list[Commission]) -> None:
    accounts = _account_ids(session, {row.affiliate_id for row in rows})
    for row in rows:
        activity.record(
            session,
            account_id=accounts[row.affiliate_id],
            app_key=APP_KEY,
            kind="commission_approved",
            summary=f"Commission approved: {format_money(row.amount, row.currency)}",
            at=row.decided_at,
        )


def _account_ids(session: Session, affiliate_ids: set[int]) -> dict[int, int]:
    if not affiliate_ids:
        return {}
    rows = session.exec(select(Affiliate.id, Affiliate.account_id).where(col(Affiliate.id).in_(affiliate_ids)))
    return dict(rows.all())


def reject(actor: Actor, commission_ids: object, reason: object) -> Decided:
    """Reject pending or approved (unpaid) commissions with a reason the affiliate reads. FormErrors for bad
    ids or a missing reason; a paid, reversed or already rejected commission, or a negative one (it takes back a
    refunded sale's paid commission), is refused with why."""
    ids = _clean_ids(commission_ids)
    try:
        why = fields.one_line(reason, "reason", max_length=MAX_REASON_LENGTH, missing=REASON_MISSING, what="reason")
    except FieldError as error:
        raise FormErrors({"reason": error.message}) from None
    refused: dict[int, str] = {}
    with db.write_session() as session:
        now = clock.now()
        rows = _locked(session, ids)
        changed = []
        for commission_id in ids:
            row = rows.get(commission_id)
            if row is None or row.status not in UNPAID:
                refused[commission_id] = _not_open(row)
            elif row.amount < 0:
                refused[commission_id] = "It takes back a refunded sale's paid commission, and cannot be rejected."
            else:
                was = row.status
                row.status, row.reason, row.decided_at = "rejected", why, now
                session.add(row)
                figures.changes(session).moved(row, was)
                changed.append(row.id)
        if changed:
            detail = {"ids": changed, "reason": why, "refused": len(refused)}
            audit.record(
                session, actor, APP_KEY, "commissions_rejected", target=f"{len(changed)} commissions", detail=detail
            )
    return Decided(len(changed), refused)


# --- staff: payouts --------------------------------------------------------------------------------------------


def _payout_terms(*, method: object, reference: object, paid_on: object, currency: object) -> dict[str, object]:
    values, errors = {}, {}
    checks = {
        "method": lambda: _clean_method(method),
        "reference": lambda: _clean_reference(reference),
        "paid_on": lambda: _clean_paid_on(paid_on),
        "currency": lambda: check_currency(currency),
    }
    for field, check in checks.items():
        try:
            values[field] = check()
        except FieldError as error:
            errors[field] = error.message
    if errors:
        raise FormErrors(errors)
    return values


def record_payout(
    actor: Actor, affiliate_id: object, *, method: object, reference: object, paid_on: object, currency: object
) -> Payout:
    """Pay every approved commission of the affiliate in `currency`: one payout of their SUM, each marked paid.
    FormErrors per field, or when nothing (or nothing above zero) is approved; LookupError for no such
    affiliate."""
    if not db.is_row_id(affiliate_id):
        raise LookupError("not an affiliate id")
    terms = _payout_terms(method=method, reference=reference, paid_on=paid_on, currency=currency)
    with db.write_session() as session:
        return _pay(session, actor, affiliate_id, **terms)


def _pay(session: Session, actor: Actor, affiliate_id: int, *, method, reference, paid_on, currency) -> Payout:
    affiliate = session.exec(select(Affiliate).where(Affiliate.id == affiliate_id).with_for_update()).first()
    if affiliate is None:
        raise LookupError("no such affiliate")
    rows = session.exec(
        select(Commission)
        .where(
            Commission.affiliate_id == affiliate.id, Commission.status == "approved", Commission.currency == currency
        )
        .order_by(col(Commission.id))
        .with_for_update()
    ).all()
    total = sum(row.amount for row in rows)
    if not rows:
        raise FormErrors({"currency": f"This affiliate has no approved commissions in {currency} to pay."})
    if total <= 0:
        owed = format_money(total, currency)
        raise FormErrors({"currency": f"The approved commissions in {currency} add up to {owed}: nothing to pay yet."})
    now = clock.now()
    payout = Payout(
        affiliate_id=affiliate.id,
        amount=total,
        currency=currency,
        method=method,
        reference=reference,
        paid_on=paid_on,
        created_at=now,
    )
    session.add(payout)
    session.flush()
    for row in rows:
        row.status, row.payout_id = "paid", payout.id
        session.add(row)
        figures.changes(session).moved(row, "approved")
    _tell_paid(session, affiliate, payout)
    detail = {"amount": total, "currency": currency, "method": method, "reference": reference, "commissions": len(rows)}
    audit.record(session, actor, APP_KEY, "payout_recorded", target=affiliate.code, detail=detail)
    session.flush()
    return payout


def _tell_paid(session: Session, affiliate: Affiliate, payout: Payout) -> None:
    amount = format_money(payout.amount, payout.currency)
    how = PAYOUT_METHOD_LABELS[payout.method]
    activity.record(
        session,
        account_id=affiliate.account_id,
        app_key=APP_KEY,
        kind="payout_received",
        summary=f"Payout received: {amount} by {how}",
        at=payout.created_at,
    )
    notify(
        session,
        affiliate.account_id,
        APP_KEY,
        "payout_sent",
        {
            "amount": amount,
            "method": how,
            "reference": payout.reference,
            "paid_on": f"{payout.paid_on:%-d %B %Y}",
            "app_path": "/apps/affiliates",
        },
    )


def record_payouts_csv(actor: Actor, text: object) -> list[Payout]:
    """Many payouts at once from CSV (affiliate code, currency, method, reference, paid on; a header line
    is optional): all of them, or none with FormErrors({"csv": one line per problem, "Line 3: ..."})."""
    rows = _csv_rows(text)
    errors: list[str] = []
    payouts: list[Payout] = []
    with db.write_session() as session:
        for line, code, terms in rows:
            affiliate = programme.affiliate_by_code(session, code)
            try:
                if affiliate is None:
                    raise FormErrors({"code": "no affiliate has this code."})
                payouts.append(_pay(session, actor, affiliate.id, **terms))
            except FormErrors as refused:
                errors.append(f"Line {line}: {' '.join(refused.errors.values())}")
        if errors:
            raise _csv_errors(errors)
    return payouts


def _csv_errors(errors: list[str]) -> FormErrors:
    shown = errors[:20] + ([f"... and {len(errors) - 20} more."] if len(errors) > 20 else [])
    return FormErrors({"csv": "\n".join(shown)})


def _csv_rows(text: object) -> list[tuple[int, str, dict[str, object]]]:
    """(line number, affiliate code, payout terms) of every line, or FormErrors listing every bad line."""
    if not isinstance(text, str) or not text.strip():
        raise FormErrors({"csv": "Paste or upload the payouts, one per line: " + ", ".join(CSV_COLUMNS) + "."})
    if len(text) > MAX_CSV_CHARACTERS or "\x00" in text:
        raise FormErrors({"csv": f"That is too much text: send at most {MAX_CSV_CHARACTERS:,} characters of CSV."})
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows, errors, seen = [], [], {}
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if not rows and not errors and cells[0].strip().lower() in ("affiliate code", "affiliate", "code"):
                continue
            if len(rows) + len(errors) >= MAX_CSV_ROWS:
                raise FormErrors({"csv": f"Send at most {MAX_CSV_ROWS} payouts at once."})
            _csv_row(reader.line_num, cells, rows, errors, seen)
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: this is not valid CSV ({error}).")
    if errors:
        raise _csv_errors(errors)
    return rows


def _csv_row(line: int, cells: list[str], rows: list, errors: list[str], seen: dict) -> None:
    if len(cells) != len(CSV_COLUMNS):
        errors.append(
            f"Line {line}: expected {len(CSV_COLUMNS)} columns ({', '.join(CSV_COLUMNS)}), found {len(cells)}."
        )
        return
    code = programme.clean_code(cells[0])
    try:
        if code is None:
            raise FormErrors({"code": f"{cells[0].strip()[:40]!r} is not an affiliate code."})
        terms = _payout_terms(method=cells[2], reference=cells[3], paid_on=cells[4], currency=cells[1])
    except FormErrors as refused:
        errors.append(f"Line {line}: {' '.join(refused.errors.values())}")
        return
    pair = (code, terms["currency"])
    if pair in seen:
        errors.append(f"Line {line}: line {seen[pair]} already pays this affiliate in {terms['currency']}.")
        return
    seen[pair] = line
    rows.append((line, code, terms))


# --- reads -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """One currency's figures for an affiliate, in minor units (see the module's docstring)."""

    earned: int = 0
    pending: int = 0
    approved: int = 0
    paid: int = 0
    reversed: int = 0
    rejected: int = 0

    @property
    def kept(self) -> int:
        """What the affiliate keeps: earned - reversed == pending + approved + paid."""
        return self.pending + self.approved + self.paid


def totals(affiliate_id: object) -> dict[str, Totals]:
    """{currency: Totals} for the affiliate, from one GROUP BY status, currency query; {} for none."""
    if not db.is_row_id(affiliate_id):
        raise LookupError("not an affiliate id")
    with db.read_session() as session:
        rows = session.exec(
            select(Commission.currency, Commission.status, func.sum(Commission.amount))
            .where(Commission.affiliate_id == affiliate_id)
            .group_by(Commission.currency, Commission.status)
        ).all()
    sums: dict[str, dict[str, int]] = {}
    for currency, status, amount in rows:
        sums.setdefault(currency, {})[status] = int(amount)
    result = {}
    for currency, by_status in sorted(sums.items()):
        figures = {
            status: by_status.get(status, 0) for status in ("pending", "approved", "paid", "reversed", "rejected")
        }
        earned = sum(figures[status] for status in ("pending", "approved", "paid", "reversed"))
        result[currency] = Totals(earned=earned, **figures)
    return result


def _month(day: date, shift: int) -> date:
    """The first day of the month `shift` months after `day`'s (before it when negative)."""
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def monthly_earnings(
    affiliate_id: object, months: int = 12, today: date | None = None
) -> list[tuple[date, dict[str, int]]]:
    """What the affiliate earned and keeps, month by month (months in the business's time zone), oldest
    first, ending with `today`'s month: [(first day of the month, {currency: SUM})]. A month's figure is
    the SUM of the commissions written in it that are pending, approved or paid (a negative one that takes
    back a refunded sale's paid commission counts in its own month), so the months add up to the
    affiliate's earned - reversed. One GROUP BY query over a range of the affiliate's commissions."""
    if not db.is_row_id(affiliate_id):
        raise LookupError("not an affiliate id")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be 1..{MAX_MONTHS}")
    if today is not None and (not isinstance(today, date) or isinstance(today, datetime)):
        raise ValueError("today must be a date")
    with db.read_session() as session:
        business = session.get(Business, BUSINESS_ID)
        zone = business.time_zone if business is not None else "UTC"
        current = today or clock.local_date(clock.now(), zone)
        starts = [_month(current, shift) for shift in range(1 - months, 1)]
        edges = [clock.start_of_day(day, zone) for day in [*starts, _month(current, 1)]]
        created = col(Commission.created_at)
        in_range = (
            select(
                case(*[(created < edge, number) for number, edge in enumerate(edges[1:])]).label("month"),
                Commission.currency,
                Commission.amount,
            )
            .where(
                Commission.affiliate_id == affiliate_id,
                created >= edges[0],
                created < edges[-1],
                col(Commission.status).in_(LIVE),
            )
            .subquery()
        )
        rows = session.exec(
            select(in_range.c.month, in_range.c.currency, func.sum(in_range.c.amount)).group_by(
                in_range.c.month, in_range.c.currency
            )
        ).all()
    figures: list[dict[str, int]] = [{} for _ in starts]
    for number, currency, amount in rows:
        figures[number][currency] = int(amount)
    return list(zip(starts, figures, strict=True))
