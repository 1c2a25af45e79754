"""Who is in the affiliate programme and on what terms: affiliates and their codes, and the campaigns staff run.

An affiliate's code is 8 characters of an alphabet without look-alikes (no 0/o, 1/l/i), from `secrets`:
31^8, about 8.5 * 10^11 codes, so a guessed code almost never names anyone, and people can read one
aloud. Codes are stored lower-case and found case-insensitively.

A campaign's terms are a percent of each sale (kept in basis points: 2000 = 20 %) or a flat amount per
sale, for sales within `recurring_months` of the referral (None: always; 0: the first sale only). Its
address (slug) never changes, because referral links carry it. Changing the terms applies to the sales
that come after; archiving stops new links and referrals under it, and its referrals keep their terms.
Every staff change is in the audit log, in the transaction of the change; a refused form raises
FormErrors with a sentence per field and stores nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps import audit, fields
from portal_app.apps.affiliates.models import (
    COMMISSION_KINDS,
    MAX_NAME_LENGTH,
    MAX_SLUG_LENGTH,
    Affiliate,
    Campaign,
)
from portal_app.apps.affiliates.money import DEFAULT_CURRENCY, check_currency, format_money, parse_amount
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.timeline import service as activity

Actor = audit.Actor

CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,%d}" % (MAX_SLUG_LENGTH - 1))
_PERCENT = re.compile(r"(?P<number>[0-9]{1,3}(?:\.[0-9]{1,2})?)\s*%?")
_WHOLE = re.compile(r"[0-9]{1,4}")

STANDARD_SLUG = "standard"
STANDARD_TERMS = {
    "name": "Standard",
    "kind": "percent",
    "percent_bp": 2000,
    "flat_amount": 0,
    "currency": DEFAULT_CURRENCY,
    "recurring_months": None,
    "cookie_days": 30,
    "approval_days": 30,
}
NAME_MISSING = "Give the campaign a name."
MAX_RECURRING_MONTHS = 120
MAX_COOKIE_DAYS = 365
MAX_APPROVAL_DAYS = 365
FULL_PERCENT_BP = 10_000


# --- affiliates and their codes --------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(value: object) -> str | None:
    """The stored form of a code someone typed or a link carried ("K7M2-XQ9P" is not one), or None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower()
    return code if _CODE.fullmatch(code) else None


def affiliate_by_code(session: Session, code: object) -> Affiliate | None:
    """The affiliate with this code; None for an unknown code, anything that is not shaped like one, or the
    code of someone who deleted their account (their links stop working)."""
    cleaned = clean_code(code)
    if cleaned is None:
        return None
    return session.exec(
        select(Affiliate).where(Affiliate.code == cleaned, col(Affiliate.account_id).is_not(None))
    ).first()


def insert_unless_taken(session: Session, model, values: dict) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id (any unique constraint): the new id, or None when a row
    with one of the same unique values exists (also one a concurrent transaction committed meanwhile)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(model.id)
    row = session.execute(statement).first()
    return row[0] if row is not None else None


def ensure_affiliate(session: Session, account_id: object) -> Affiliate:
    """The account's affiliate row, made (with a fresh code and a timeline entry) the first time; in the
    caller's transaction. LookupError for an account that does not exist."""
    if not db.is_row_id(account_id) or session.get(Account, account_id) is None:
        raise LookupError("no such account")
    existing = session.exec(select(Affiliate).where(Affiliate.account_id == account_id)).first()
    if existing is not None:
        return existing
    now = clock.now()
    for _ in range(5):
        code = new_code()
        new_id = insert_unless_taken(session, Affiliate, {"account_id": account_id, "code": code, "created_at": now})
        if new_id is not None:
            activity.record(
                session,
                account_id=account_id,
                app_key=APP_KEY,
                kind="affiliate_joined",
                summary=f"Your referral code is {code}",
                at=now,
            )
            return session.get(Affiliate, new_id)
        # Either another transaction made this account's row meanwhile, or the code was taken.
        existing = session.exec(select(Affiliate).where(Affiliate.account_id == account_id)).first()
        if existing is not None:
            return existing
    raise RuntimeError("could not find a free affiliate code")


# --- campaigns: reading ----------------------------------------------------------------------------------


def default_campaign(session: Session) -> Campaign:
    """The campaign new referrals join; when no campaign is the default, "Standard" (20% of each sale,
    30-day cookie, 30 days before approval, for as long as the customer buys) is made the default."""
    for _ in range(3):
        found = session.exec(select(Campaign).where(col(Campaign.is_default).is_(True))).first()
        if found is not None:
            return found
        slug = _free_slug(session, STANDARD_SLUG)
        values = {**STANDARD_TERMS, "slug": slug, "is_default": True, "archived": False, "created_at": clock.now()}
        new_id = insert_unless_taken(session, Campaign, values)
        if new_id is not None:
            return session.get(Campaign, new_id)
    raise RuntimeError("could not make the default campaign")


def campaign_by_slug(session: Session, slug: object, *, lock: bool = False) -> Campaign:
    """The campaign at `slug`; LookupError for none or anything that is not a slug."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise LookupError("not a campaign slug")
    statement = select(Campaign).where(Campaign.slug == slug)
    campaign = session.exec(statement.with_for_update() if lock else statement).first()
    if campaign is None:
        raise LookupError("no such campaign")
    return campaign


def describe_terms(campaign: Campaign) -> str:
    """The terms in one line: "20% of each sale, for as long as the customer buys"."""
    if campaign.kind == "flat":
        what = f"{format_money(campaign.flat_amount, campaign.currency)} per sale"
    else:
        what = f"{percent_text(campaign.percent_bp)}% of each sale"
    if campaign.recurring_months is None:
        when = "for as long as the customer buys"
    elif campaign.recurring_months == 0:
        when = "on the customer's first sale"
    else:
        months = campaign.recurring_months
        when = f"for {months} month{'s' if months != 1 else ''} after the referral"
    return f"{what}, {when}"


def percent_text(basis_points: int) -> str:
    """2000 -> "20", 1250 -> "12.5", 1234 -> "12.34"."""
    text = str(Decimal(basis_points).scaleb(-2))
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class CampaignView:
    slug: str
    name: str
    kind: str
    percent_bp: int
    flat_amount: int
    currency: str
    recurring_months: int | None
    cookie_days: int
    approval_days: int
    is_default: bool
    archived: bool
    terms: str


def _view(campaign: Campaign) -> CampaignView:
    return CampaignView(
        slug=campaign.slug,
        name=campaign.name,
        kind=campaign.kind,
        percent_bp=campaign.percent_bp,
        flat_amount=campaign.flat_amount,
        currency=campaign.currency,
        recurring_months=campaign.recurring_months,
        cookie_days=campaign.cookie_days,
        approval_days=campaign.approval_days,
        is_default=campaign.is_default,
        archived=campaign.archived,
        terms=describe_terms(campaign),
    )


def list_campaigns() -> list[CampaignView]:
    """Every campaign: the default first, then the live ones by name, then the archived ones."""
    with db.read_session() as session:
        campaigns = session.exec(select(Campaign)).all()
    ordered = sorted(campaigns, key=lambda c: (not c.is_default, c.archived, c.name.lower(), c.id))
    return [_view(campaign) for campaign in ordered]


# --- campaigns: checking a form ----------------------------------------------------------------------------


def _as_text(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def clean_percent(value: object, field: str = "percent") -> int:
    """ "20" or "12.5" (percent of each sale, up to two decimals) as basis points: 2000, 1250."""
    match = _PERCENT.fullmatch(_as_text(value))
    basis_points = int(Decimal(match["number"]).scaleb(2)) if match else 0
    if not 0 < basis_points <= FULL_PERCENT_BP:
        raise FieldError(field, "Enter a percent above 0 and at most 100, like 20 or 12.5.")
    return basis_points


def _whole_number(value: object, field: str, low: int, high: int, message: str) -> int:
    text = _as_text(value)
    if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
        raise FieldError(field, message)
    return int(text)


def clean_recurring_months(value: object, field: str = "recurring_months") -> int | None:
    """Blank: every sale of the customer pays; 0: the first sale only; N: sales within N months."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _whole_number(
        value,
        field,
        0,
        MAX_RECURRING_MONTHS,
        f"Enter how many months sales pay (0 for the first sale only, at most {MAX_RECURRING_MONTHS}), "
        "or leave it empty for every sale.",
    )


def clean_cookie_days(value: object, field: str = "cookie_days") -> int:
    message = f"Enter how many days a referral link counts, from 1 to {MAX_COOKIE_DAYS}."
    return _whole_number(value, field, 1, MAX_COOKIE_DAYS, message)


def clean_approval_days(value: object, field: str = "approval_days") -> int:
    message = (
        f"Enter how many days a commission waits before approval (the refund window), from 0 to {MAX_APPROVAL_DAYS}."
    )
    return _whole_number(value, field, 0, MAX_APPROVAL_DAYS, message)


def clean_kind(value: object, field: str = "kind") -> str:
    if value not in COMMISSION_KINDS:
        raise FieldError(field, "Choose a percent of each sale or a flat amount per sale.")
    return value


def clean_slug(value: object, field: str = "slug") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not _SLUG.fullmatch(text):
        raise FieldError(
            field,
            f"Use 1-{MAX_SLUG_LENGTH} lower-case letters, digits or hyphens, starting with a letter or digit.",
        )
    return text


def _terms(
    *, name, kind, percent, flat_amount, currency, recurring_months, cookie_days, approval_days
) -> dict[str, object]:
    """Every field of a campaign form checked at once: the values to store, or FormErrors naming each
    refused form field (percent, flat_amount, ...)."""
    values: dict[str, object] = {"percent_bp": 0, "flat_amount": 0}
    errors: dict[str, str] = {}

    def check(column: str, run) -> None:
        try:
            values[column] = run()
        except FieldError as error:
            errors[error.field] = error.message

    check("name", lambda: fields.one_line(name, "name", max_length=MAX_NAME_LENGTH, missing=NAME_MISSING, what="name"))
    check("kind", lambda: clean_kind(kind))
    check("currency", lambda: check_currency(currency))
    check("recurring_months", lambda: clean_recurring_months(recurring_months))
    check("cookie_days", lambda: clean_cookie_days(cookie_days))
    check("approval_days", lambda: clean_approval_days(approval_days))
    if values.get("kind") == "percent":
        check("percent_bp", lambda: clean_percent(percent))
    elif values.get("kind") == "flat" and "currency" in values:
        check("flat_amount", lambda: parse_amount(flat_amount, "flat_amount", values["currency"]))
    if errors:
        raise FormErrors(errors)
    return values


# --- campaigns: staff changes --------------------------------------------------------------------------------


def _free_slug(session: Session, base: str) -> str:
    taken = set(session.exec(select(Campaign.slug).where(col(Campaign.slug).startswith(base))))
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix, number + 1
    return slug


def create_campaign(
    actor: Actor,
    *,
    name: object,
    slug: object = "",
    kind: object = "percent",
    percent: object = "",
    flat_amount: object = "",
    currency: object = DEFAULT_CURRENCY,
    recurring_months: object = "",
    cookie_days: object = 30,
    approval_days: object = 30,
) -> str:
    """A new campaign (not the default); its slug. Without a slug, one is made from the name ("-2" when
    taken); a slug given must be free. FormErrors per field."""
    explicit = isinstance(slug, str) and bool(slug.strip())
    errors: dict[str, str] = {}
    try:
        wanted = clean_slug(slug) if explicit else None
    except FieldError as error:
        errors["slug"], wanted = error.message, None
    try:
        terms = _terms(
            name=name,
            kind=kind,
            percent=percent,
            flat_amount=flat_amount,
            currency=currency,
            recurring_months=recurring_months,
            cookie_days=cookie_days,
            approval_days=approval_days,
        )
    except FormErrors as refused:
        errors.update(refused.errors)
    if errors:
        raise FormErrors(errors)
    try:
        with db.write_session() as session:
            if wanted is not None and session.exec(select(Campaign.id).where(Campaign.slug == wanted)).first():
                raise FormErrors({"slug": f"Another campaign already uses the address {wanted}."})
            base = fields.slug_from(terms["name"])[:MAX_SLUG_LENGTH].strip("-") or "campaign"
            campaign = Campaign(
                slug=wanted or _free_slug(session, base), is_default=False, created_at=clock.now(), **terms
            )
            session.add(campaign)
            session.flush()
            detail = {"name": campaign.name, "terms": describe_terms(campaign)}
            audit.record(session, actor, APP_KEY, "campaign_created", target=campaign.slug, detail=detail)
            return campaign.slug
    except IntegrityError:
        raise FormErrors({"slug": "Another campaign took that address a moment ago. Try again."}) from None


_TERM_FIELDS = (
    "name",
    "kind",
    "percent_bp",
    "flat_amount",
    "currency",
    "recurring_months",
    "cookie_days",
    "approval_days",
)


def update_campaign(
    actor: Actor,
    slug: object,
    *,
    name: object,
    kind: object,
    percent: object = "",
    flat_amount: object = "",
    currency: object = DEFAULT_CURRENCY,
    recurring_months: object = "",
    cookie_days: object = 30,
    approval_days: object = 30,
) -> None:
    """Change a campaign's name and terms (its address stays). FormErrors per field; LookupError for no
    such campaign. The new terms apply to sales recorded from now on."""
    terms = _terms(
        name=name,
        kind=kind,
        percent=percent,
        flat_amount=flat_amount,
        currency=currency,
        recurring_months=recurring_months,
        cookie_days=cookie_days,
        approval_days=approval_days,
    )
    with db.write_session() as session:
        campaign = campaign_by_slug(session, slug, lock=True)
        before = {field: getattr(campaign, field) for field in _TERM_FIELDS}
        for field in _TERM_FIELDS:
            setattr(campaign, field, terms[field])
        session.add(campaign)
        changed = {f: {"from": before[f], "to": terms[f]} for f in _TERM_FIELDS if before[f] != terms[f]}
        audit.record(session, actor, APP_KEY, "campaign_updated", target=campaign.slug, detail=changed)


def set_default(actor: Actor, slug: object) -> None:
    """Make a live campaign the one new referrals join. LookupError for no such campaign; FormErrors for an
    archived one, or when another default was being chosen at the same moment."""
    try:
        _set_default(actor, slug)
    except IntegrityError:  # the one-default index caught a concurrent choice
        raise FormErrors({"slug": "Another default campaign was chosen at the same moment. Try again."}) from None


def _set_default(actor: Actor, slug: object) -> None:
    with db.write_session() as session:
        campaign = campaign_by_slug(session, slug, lock=True)
        if campaign.archived:
            raise FormErrors({"slug": "An archived campaign cannot be the default. Pick a live one."})
        if campaign.is_default:
            return
        previous = session.exec(select(Campaign).where(col(Campaign.is_default).is_(True)).with_for_update()).all()
        for other in previous:
            other.is_default = False
            session.add(other)
        session.flush()
        campaign.is_default = True
        session.add(campaign)
        session.flush()
        detail = {"previous": ", ".join(other.slug for other in previous)}
        audit.record(session, actor, APP_KEY, "campaign_made_default", target=campaign.slug, detail=detail)


def archive(actor: Actor, slug: object) -> None:
    """Stop a campaign: its links no longer make referrals under it; its referrals keep their terms. The
    default campaign cannot be archived (make another the default first)."""
    with db.write_session() as session:
        campaign = campaign_by_slug(session, slug, lock=True)
        if campaign.is_default:
            raise FormErrors({"slug": "This is the default campaign: make another one the default first."})
        if campaign.archived:
            return
        campaign.archived = True
        session.add(campaign)
        audit.record(session, actor, APP_KEY, "campaign_archived", target=campaign.slug)
