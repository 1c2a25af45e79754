"""Sales and refunds the business enters itself: one sale by hand, a refund by hand, sales imported from CSV;
and what the admin page shows of the shop's webhook (its address, its secret, its log).

Everything goes through ledger.record_sale / ledger.record_refund in a write session, exactly as the
webhook's calls do, so a sale entered here earns the same commission. Amounts are typed as people
write them ("49.00") and read with money.parse_amount in the sale's currency: integer minor units from
there on. A hand-entered sale carries the idempotency key its form was drawn with (new_form_key), so a
double click, or the same form sent twice, is one sale. Each change is audited in its transaction; a
refused form raises FormErrors with a sentence per field and stores nothing. An import is all or nothing:
every bad line is reported with its number, and then nothing of the file is stored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.accounts.validation import normalize_email
from portal_app.apps import audit
from portal_app.apps.affiliates import ledger, money, programme, webhook
from portal_app.apps.affiliates.models import MAX_EXTERNAL_ID_LENGTH, Affiliate, Commission, Sale
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.settings import get_settings

Actor = audit.Actor

WEBHOOK_PATH = "/api/apps/affiliates/sale"
SALE_FORM = "sale"
REFUND_FORM = "refund"
FORM_KINDS = (SALE_FORM, REFUND_FORM)
SALE_CSV_COLUMNS = ("external_id", "amount", "currency", "customer_email", "referral_code", "occurred_at")
MAX_CSV_CHARACTERS = 1_000_000
MAX_CSV_ROWS = 1000
MAX_CSV_ERRORS_SHOWN = 20
WEBHOOK_LOG_SHOWN = 50
EARLIEST_DAY = date(2000, 1, 1)
FORM_OUT_OF_DATE = "This form is out of date. Reload the page, then enter it again."
CUSTOMER_MISSING = "Enter the customer's email, a referral code, or both."
UNKNOWN_CODE = "No affiliate has that referral code."
NO_SUCH_SALE = "No sale has that external id."
_FORM_KEY = re.compile(r"(sale|refund)-manual-[0-9a-f]{32}")
_EXTERNAL_ID = re.compile(rf"[!-~](?:[ -~]{{0,{MAX_EXTERNAL_ID_LENGTH - 2}}}[!-~])?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The sale form's fields for the ledger's argument names (the rest keep their names).
_SALE_FIELDS = {"occurred_at": "sold_on", "idempotency_key": "form", "source": "form"}


def new_form_key(kind: str) -> str:
    """The idempotency key a freshly drawn sale or refund form carries in a hidden field."""
    if kind not in FORM_KINDS:
        raise ValueError(f"kind is one of {FORM_KINDS}")
    return f"{kind}-manual-{secrets.token_hex(16)}"


def _form_key(value: object, kind: str) -> str:
    if not isinstance(value, str) or not _FORM_KEY.fullmatch(value) or not value.startswith(kind + "-"):
        raise FieldError("form", FORM_OUT_OF_DATE)
    return value


def clean_external_id(value: object, field: str = "external_id") -> str:
    """The shop's order number as typed: 1-200 printable ASCII characters (trimmed)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise FieldError(field, "Enter the order's id in your shop (its order number).")
    if not _EXTERNAL_ID.fullmatch(text):
        raise FieldError(
            field, f"Use 1-{MAX_EXTERNAL_ID_LENGTH} letters, digits and punctuation (ASCII), like order-1001."
        )
    return text


def _customer_email(value: object, field: str = "customer_email") -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    try:
        return normalize_email(value)
    except FieldError:
        raise FieldError(field, "Enter the customer's email address, like name@example.com.") from None


def _referral_code(value: object, field: str = "referral_code") -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    code = programme.clean_code(value)
    if code is None:
        raise FieldError(field, "A referral code is 8 letters and digits, like k7m2xq9p.")
    return code


def _zone(session: Session) -> str:
    business = session.get(Business, BUSINESS_ID)
    return business.time_zone if business is not None else "UTC"


def _day_moment(value: object, field: str, zone: str) -> datetime:
    """When a sale happened, from a date typed as 2026-01-31 (in the business's time zone): now for today or
    a blank, the start of that day for an earlier one. FieldError for anything else, a future day, or a
    day before 2000."""
    now = clock.now()
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return now
    try:
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise FieldError(field, "Enter the date like 2026-01-31.")
    today = clock.local_date(now, zone)
    if day > today:
        raise FieldError(field, "That date is in the future.")
    if day < EARLIEST_DAY:
        raise FieldError(field, "That date is before 2000.")
    return now if day == today else clock.start_of_day(day, zone)


def _collect(errors: dict[str, str], field: str, check):
    try:
        return check()
    except FieldError as error:
        errors[field] = error.message
        return None


# --- one sale by hand ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleResult:
    external_id: str
    amount: int
    currency: str
    replayed: bool
    commission_amount: int | None
    commission_currency: str
    affiliate_name: str
    why_no_commission: str


def record_manual_sale(
    actor: Actor,
    *,
    form_key: object,
    external_id: object,
    amount: object,
    currency: object,
    customer_email: object,
    referral_code: object,
    sold_on: object,
) -> SaleResult:
    """A sale entered by staff (source "manual"): see the module's docstring. An empty external id becomes one
    made from the form's key. FormErrors per field (form, external_id, amount, currency, customer_email,
    referral_code, sold_on)."""
    errors: dict[str, str] = {}
    key = _collect(errors, "form", lambda: _form_key(form_key, SALE_FORM))
    if isinstance(external_id, str) and not external_id.strip():
        external = key  # none typed: the form's own key names the sale
    else:
        external = _collect(errors, "external_id", lambda: clean_external_id(external_id))
    code = _collect(errors, "currency", lambda: money.check_currency(currency))
    minor = _collect(errors, "amount", lambda: money.parse_amount(amount, "amount", code)) if code else None
    email = _collect(errors, "customer_email", lambda: _customer_email(customer_email))
    referral = _collect(errors, "referral_code", lambda: _referral_code(referral_code))
    if email == "" and referral == "":
        errors["customer_email"] = CUSTOMER_MISSING
    try:
        with db.write_session() as session:
            moment = _collect(errors, "sold_on", lambda: _day_moment(sold_on, "sold_on", _zone(session)))
            if referral and programme.affiliate_by_code(session, referral) is None:
                errors["referral_code"] = UNKNOWN_CODE
            if errors:
                raise FormErrors(errors)
            outcome = ledger.record_sale(
                session,
                idempotency_key=key,
                external_id=external,
                amount=minor,
                currency=code,
                customer_email=email,
                referral_code=referral,
                occurred_at=moment,
                source="manual",
            )
            result = _sale_result(session, outcome)
            if not outcome.replayed:
                detail = {
                    "amount": result.amount,
                    "currency": result.currency,
                    "commission_id": outcome.commission_id,
                    "referral_code": referral,
                }
                audit.record(session, actor, APP_KEY, "sale_recorded", target=result.external_id[:80], detail=detail)
    except FieldError as error:
        raise FormErrors({_SALE_FIELDS.get(error.field, error.field): error.message}) from None
    return result


def _sale_result(session: Session, outcome: ledger.SaleOutcome) -> SaleResult:
    sale = session.get(Sale, outcome.sale_id)
    commission = session.get(Commission, outcome.commission_id) if outcome.commission_id is not None else None
    name = ""
    if commission is not None:
        name = (
            session.exec(
                select(Account.full_name)
                .join(Affiliate, Affiliate.account_id == Account.id)
                .where(Affiliate.id == commission.affiliate_id)
            ).first()
            or ""
        )
    return SaleResult(
        external_id=sale.external_id,
        amount=sale.amount,
        currency=sale.currency,
        replayed=outcome.replayed,
        commission_amount=commission.amount if commission is not None else None,
        commission_currency=commission.currency if commission is not None else "",
        affiliate_name=name,
        why_no_commission=outcome.why_no_commission,
    )


# --- a refund by hand ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundResult:
    external_id: str
    amount: int
    currency: str
    replayed: bool
    # What is left of the sale to refund, and what its live commissions now add up to (sale's currency).
    left_to_refund: int
    commission_now: int
    # Whether the refund changed a commission (a sale nobody referred has none).
    had_commission: bool


def record_manual_refund(actor: Actor, *, form_key: object, external_id: object, amount: object) -> RefundResult:
    """Refund part or all of a recorded sale (by its external id) now, the amount typed in the sale's currency.
    FormErrors per field (form, refund_external_id, refund_amount)."""
    errors: dict[str, str] = {}
    key = _collect(errors, "form", lambda: _form_key(form_key, REFUND_FORM))
    external = _collect(errors, "refund_external_id", lambda: clean_external_id(external_id, "refund_external_id"))
    fields = {"amount": "refund_amount", "external_id": "refund_external_id", "idempotency_key": "form"}
    try:
        with db.write_session() as session:
            sale = session.exec(select(Sale).where(Sale.external_id == external)).first() if external else None
            if external and sale is None:
                errors["refund_external_id"] = NO_SUCH_SALE
            minor = None
            if sale is not None:
                minor = _collect(
                    errors, "refund_amount", lambda: money.parse_amount(amount, "refund_amount", sale.currency)
                )
            if errors:
                raise FormErrors(errors)
            outcome = ledger.record_refund(
                session, idempotency_key=key, external_id=external, amount=minor, occurred_at=clock.now()
            )
            session.refresh(sale)
            live = session.exec(
                select(Commission.amount).where(Commission.sale_id == sale.id, col(Commission.status).in_(ledger.LIVE))
            ).all()
            result = RefundResult(
                external_id=sale.external_id,
                amount=minor,
                currency=sale.currency,
                replayed=outcome.replayed,
                left_to_refund=sale.amount - sale.refunded_amount,
                commission_now=sum(live),
                had_commission=outcome.reversed_commission_id is not None or outcome.new_commission_id is not None,
            )
            if not outcome.replayed:
                detail = {
                    "amount": minor,
                    "currency": sale.currency,
                    "reversed_commission_id": outcome.reversed_commission_id,
                    "new_commission_id": outcome.new_commission_id,
                }
                audit.record(session, actor, APP_KEY, "refund_recorded", target=sale.external_id[:80], detail=detail)
    except FieldError as error:
        raise FormErrors({fields.get(error.field, error.field): error.message}) from None
    except LookupError:
        raise FormErrors({"refund_external_id": NO_SUCH_SALE}) from None
    return result


# --- sales from CSV -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    recorded: int
    # Lines whose sale was recorded before (the same external id): nothing new for them.
    replayed: int
    commissions: int
    # The sum of the new commissions per currency, in minor units.
    commission_totals: dict[str, int]


@dataclass(frozen=True)
class _SaleLine:
    line: int
    external_id: str
    amount: int
    currency: str
    customer_email: str
    referral_code: str
    occurred_at: str


def _import_key(external_id: str) -> str:
    """The idempotency key of an imported sale: the same order imported twice is one sale."""
    return "import-" + hashlib.sha256(external_id.encode()).hexdigest()[:48]


def _csv_errors(errors: list[str]) -> FormErrors:
    shown = errors[:MAX_CSV_ERRORS_SHOWN]
    if len(errors) > MAX_CSV_ERRORS_SHOWN:
        shown.append(f"... and {len(errors) - MAX_CSV_ERRORS_SHOWN} more.")
    return FormErrors({"csv": "\n".join(shown)})


def _header_order(cells: list[str]) -> tuple[int, ...] | None:
    """The columns' positions when the line is a header naming each column once; None when it is not a header."""
    names = [cell.strip().lower() for cell in cells]
    if sorted(names) != sorted(SALE_CSV_COLUMNS):
        return None
    return tuple(names.index(column) for column in SALE_CSV_COLUMNS)


def _csv_lines(text: object) -> list[_SaleLine]:
    """Every line of a sales CSV checked (not yet against the database), or FormErrors listing each bad line."""
    if not isinstance(text, str) or not text.strip():
        raise FormErrors({"csv": "Paste or upload the sales, one per line: " + ", ".join(SALE_CSV_COLUMNS) + "."})
    if len(text) > MAX_CSV_CHARACTERS or "\x00" in text:
        raise FormErrors({"csv": f"That is too much: send at most {MAX_CSV_CHARACTERS:,} characters of CSV."})
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    lines: list[_SaleLine] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    order: tuple[int, ...] = tuple(range(len(SALE_CSV_COLUMNS)))
    first = True
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if first:
                first = False
                header = _header_order(cells)
                if header is not None:
                    order = header
                    continue
                if cells[0].strip().lower() == SALE_CSV_COLUMNS[0]:
                    errors.append(
                        f"Line {reader.line_num}: a header names each column once: {', '.join(SALE_CSV_COLUMNS)}."
                    )
                    continue
            if len(lines) + len(errors) >= MAX_CSV_ROWS:
                raise FormErrors({"csv": f"Send at most {MAX_CSV_ROWS:,} sales at once."})
            _csv_line(reader.line_num, [cells[i] if i < len(cells) else "" for i in order], len(cells), lines, errors)
            if lines and lines[-1].line == reader.line_num:
                external = lines[-1].external_id
                if external in seen:
                    lines.pop()
                    errors.append(f"Line {reader.line_num}: line {seen[external]} has the same external_id.")
                else:
                    seen[external] = reader.line_num
    except csv.Error as error:
        errors.append(f"Line {reader.line_num}: this is not valid CSV ({error}).")
    if errors:
        raise _csv_errors(errors)
    if not lines:
        raise FormErrors({"csv": "There are no sales in it: one line per sale, after an optional header."})
    return lines


def _csv_line(line: int, cells: list[str], found: int, lines: list[_SaleLine], errors: list[str]) -> None:
    if found != len(SALE_CSV_COLUMNS):
        errors.append(
            f"Line {line}: expected {len(SALE_CSV_COLUMNS)} columns ({', '.join(SALE_CSV_COLUMNS)}), found {found}."
        )
        return
    external_id, amount, currency, email, code, occurred_at = cells
    problems: dict[str, str] = {}
    external = _collect(problems, "external_id", lambda: clean_external_id(external_id))
    currency_code = _collect(problems, "currency", lambda: money.check_currency(currency))
    minor = (
        _collect(problems, "amount", lambda: money.parse_amount(amount, "amount", currency_code))
        if currency_code
        else None
    )
    customer = _collect(problems, "customer_email", lambda: _customer_email(email))
    referral = _collect(problems, "referral_code", lambda: _referral_code(code))
    if customer == "" and referral == "":
        problems["customer_email"] = "Give customer_email, referral_code or both."
    if problems:
        errors.append(f"Line {line}: " + " ".join(f"{name}: {message}" for name, message in problems.items()))
        return
    lines.append(_SaleLine(line, external, minor, currency_code, customer, referral, occurred_at.strip()))


def _csv_moment(text: str, zone: str) -> datetime:
    """occurred_at of a CSV line: empty (now), a date (as the sale form reads it) or an ISO 8601 time with
    its offset."""
    if not text or _DAY.fullmatch(text):
        return _day_moment(text, "occurred_at", zone)
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise FieldError(
            "occurred_at", "Write the date like 2026-01-31, or the time with its offset, like 2026-01-31T14:00:00Z."
        )
    moment = moment.astimezone(UTC)
    if moment > clock.now() + timedelta(minutes=5):
        raise FieldError("occurred_at", "That time is in the future.")
    if moment.date() < EARLIEST_DAY:
        raise FieldError("occurred_at", "That time is before 2000.")
    return moment


def import_sales_csv(actor: Actor, text: object) -> ImportResult:
    """Record every sale of a CSV (SALE_CSV_COLUMNS; a header line, in any column order, is optional) through
    ledger.record_sale, source "import": all of them, or none with FormErrors({"csv": "Line 3: ..."}).
    A line whose external id was recorded before is counted as such and adds nothing."""
    lines = _csv_lines(text)
    errors: list[str] = []
    recorded = replayed = commissions = 0
    totals: dict[str, int] = {}
    with db.write_session() as session:
        zone = _zone(session)
        for item in lines:
            try:
                moment = _csv_moment(item.occurred_at, zone)
                if item.referral_code and programme.affiliate_by_code(session, item.referral_code) is None:
                    raise FieldError("referral_code", UNKNOWN_CODE)
                outcome = ledger.record_sale(
                    session,
                    idempotency_key=_import_key(item.external_id),
                    external_id=item.external_id,
                    amount=item.amount,
                    currency=item.currency,
                    customer_email=item.customer_email,
                    referral_code=item.referral_code,
                    occurred_at=moment,
                    source="import",
                )
            except FieldError as error:
                errors.append(f"Line {item.line}: {error.field}: {error.message}")
                continue
            if outcome.replayed:
                replayed += 1
                continue
            recorded += 1
            if outcome.commission_id is not None:
                commissions += 1
                commission = session.get(Commission, outcome.commission_id)
                totals[commission.currency] = totals.get(commission.currency, 0) + commission.amount
        if errors:
            raise _csv_errors(errors)
        if recorded:
            detail = {"recorded": recorded, "replayed": replayed, "commissions": commissions}
            audit.record(session, actor, APP_KEY, "sales_imported", target=f"{recorded} sales", detail=detail)
    return ImportResult(recorded, replayed, commissions, dict(sorted(totals.items())))


# --- the webhook panel -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookPanel:
    endpoint: str
    # The secret's last four characters, so staff can tell which one the shop has (never the whole secret).
    secret_ending: str
    calls: tuple[webhook.CallView, ...]


def webhook_endpoint() -> str:
    return get_settings().public_url.rstrip("/") + WEBHOOK_PATH


def webhook_panel() -> WebhookPanel:
    secret = webhook.current_secret()
    return WebhookPanel(webhook_endpoint(), secret[-4:], tuple(webhook.recent_calls(WEBHOOK_LOG_SHOWN)))


def reveal_secret() -> str:
    """The whole secret, for staff who asked to see it."""
    return webhook.current_secret()


def rotate_secret(actor: Actor) -> str:
    """A new secret (audited by the webhook module); the old one stops working at once."""
    return webhook.rotate_secret(actor)


# The examples the page shows: the same signing the webhook checks (webhook.verified_json).
EXAMPLE_SALE = {
    "type": "sale",
    "idempotency_key": "evt_1001",
    "external_id": "order-1001",
    "amount": "4900",
    "currency": "USD",
    "customer_email": "customer@example.com",
    "occurred_at": "2026-01-15T12:00:00Z",
}
EXAMPLE_REFUND = {"type": "refund", "idempotency_key": "evt_1002", "external_id": "order-1001", "amount": "1000"}


def curl_example(endpoint: str) -> str:
    body = json.dumps(EXAMPLE_SALE, separators=(",", ":"))
    return "\n".join(
        [
            'SECRET="paste the secret here"',
            f"BODY='{body}'",
            "TS=$(date +%s)",
            'SIG=$(printf \'%s.%s\' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | sed \'s/^.* //\')',
            f'curl -X POST "{endpoint}" \\',
            '  -H "Content-Type: application/json" \\',
            '  -H "X-Portal-Timestamp: $TS" \\',
            '  -H "X-Portal-Signature: sha256=$SIG" \\',
            '  --data "$BODY"',
        ]
    )


def python_example(endpoint: str) -> str:
    return "\n".join(
        [
            "import hashlib, hmac, json, time, urllib.request",
            "",
            'SECRET = "paste the secret here"',
            "",
            "def send(call: dict) -> dict:",
            '    body = json.dumps(call).encode("utf-8")',
            "    timestamp = str(int(time.time()))",
            '    digest = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()',
            "    request = urllib.request.Request(",
            f'        "{endpoint}",',
            "        data=body,",
            '        method="POST",',
            "        headers={",
            '            "Content-Type": "application/json",',
            '            "X-Portal-Timestamp": timestamp,',
            '            "X-Portal-Signature": "sha256=" + digest,',
            "        },",
            "    )",
            "    with urllib.request.urlopen(request) as answer:",
            "        return json.load(answer)",
            "",
            f"send({json.dumps(EXAMPLE_SALE)})",
            f"send({json.dumps(EXAMPLE_REFUND)})  # a refund of 10.00 of that sale",
        ]
    )
