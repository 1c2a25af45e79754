"""The shop's signed sales and refunds (POST /api/apps/affiliates/sale), the secret it signs with, and the call log.

A call carries X-Portal-Timestamp (unix seconds) and X-Portal-Signature: "sha256=" and the hex
HMAC-SHA256, under the current secret, of f"{timestamp}.{raw body}". Nothing in the body is read
before the signature checks out (compared in constant time) and the timestamp is within five
minutes of the portal's clock. The body is JSON of at most 64 KB:

    {"type": "sale", "idempotency_key": "evt_1", "external_id": "order-1001", "amount": "4900",
     "currency": "EUR", "customer_email": "ada@example.com", "referral_code": "ann42",
     "occurred_at": "2026-01-15T12:00:00Z"}

`amount` is whole minor units, as a string of digits or an integer (never a decimal); a sale names
customer_email, referral_code or both; a refund needs type, idempotency_key, external_id (the sale's)
and amount. The same idempotency key twice is one sale: the second call answers 200 with the first
result. Every call, accepted or not, is logged with why (the last LOG_KEEP calls are kept); a refused
call stores nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, delete, select

from portal_app.accounts.validation import normalize_email
from portal_app.apps import audit
from portal_app.apps.affiliates import ledger, money
from portal_app.apps.affiliates.models import WebhookCall, WebhookSecret
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError

MAX_BODY_BYTES = 64 * 1024
MAX_SKEW_SECONDS = 5 * 60
LOG_KEEP = 1000
SIGNATURE_PREFIX = "sha256="
TIMESTAMP_HEADER = "x-portal-timestamp"
SIGNATURE_HEADER = "x-portal-signature"
CALL_TYPES = ("sale", "refund")

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, no spaces
_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_AMOUNT = re.compile(r"[0-9]{1,15}")


class Refused(Exception):
    """A call the webhook turns down: the HTTP status, the log's outcome and the message the shop reads."""

    def __init__(self, status: int, outcome: str, message: str, *, kind: str = "", key: str = "") -> None:
        super().__init__(message)
        self.status, self.outcome, self.message, self.kind, self.key = status, outcome, message, kind, key


@dataclass(frozen=True)
class ShopCall:
    """A verified, checked call: a sale (currency and customer set) or a refund."""

    type: str
    idempotency_key: str
    external_id: str
    amount: int
    occurred_at: datetime
    currency: str = ""
    customer_email: str = ""
    referral_code: str = ""


@dataclass(frozen=True)
class CallView:
    """One line of the webhook's log, for the admin page."""

    received_at: datetime
    accepted: bool
    kind: str
    outcome: str
    idempotency_key: str
    sale_id: int | None


def handle(body: bytes, headers: Mapping[str, str], now: datetime) -> tuple[int, dict]:
    """Answer one call of the shop: (HTTP status, JSON body). Every call leaves one log line."""
    try:
        call = checked_call(verified_json(body, {str(k).lower(): v for k, v in headers.items()}, now), now)
    except Refused as refused:
        return _refuse(refused, now)
    refuse = functools.partial(Refused, 400, kind=call.type, key=call.idempotency_key)
    try:
        # The ledger makes a concurrent call with the same key a replay (its inserts skip a taken key).
        with db.write_session() as session:
            answer, sale_id = _apply(session, call)
            outcome = "replayed" if answer["replayed"] else "recorded"
            _log(
                session, now, accepted=True, kind=call.type, outcome=outcome, key=call.idempotency_key, sale_id=sale_id
            )
    except FieldError as error:
        return _refuse(refuse(f"invalid: {error.field}", error.message), now)
    except LookupError:
        return _refuse(refuse("invalid: external_id (unknown sale)", "No sale has this external_id."), now)
    return 200, answer


def _apply(session: Session, call: ShopCall) -> tuple[dict, int | None]:
    if call.type == "sale":
        sold = ledger.record_sale(
            session,
            idempotency_key=call.idempotency_key,
            external_id=call.external_id,
            amount=call.amount,
            currency=call.currency,
            customer_email=call.customer_email,
            referral_code=call.referral_code,
            occurred_at=call.occurred_at,
            source="webhook",
        )
        answer = {
            "ok": True,
            "type": "sale",
            "sale_id": sold.sale_id,
            "commission_id": sold.commission_id,
            "why_no_commission": sold.why_no_commission,
            "replayed": sold.replayed,
        }
        return answer, sold.sale_id
    refunded = ledger.record_refund(
        session,
        idempotency_key=call.idempotency_key,
        external_id=call.external_id,
        amount=call.amount,
        occurred_at=call.occurred_at,
    )
    answer = {
        "ok": True,
        "type": "refund",
        "sale_id": refunded.sale_id,
        "reversed_commission_id": refunded.reversed_commission_id,
        "new_commission_id": refunded.new_commission_id,
        "replayed": refunded.replayed,
    }
    return answer, refunded.sale_id


def verified_json(body: bytes, headers: Mapping[str, str], now: datetime) -> dict:
    """The body as a JSON object, once its size, signature and timestamp check out; else Refused."""
    if not isinstance(body, bytes) or len(body) > MAX_BODY_BYTES:
        raise Refused(413, "body too large", f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
    timestamp, signature = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
    if not isinstance(signature, str) or not signature or len(signature) > 200:
        raise Refused(401, "bad signature", "Sign the call: X-Portal-Signature is missing.")
    if not isinstance(timestamp, str) or not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(401, "bad timestamp", "X-Portal-Timestamp must be the unix time in seconds.")
    secret = _newest_secret()
    if secret is None:
        raise Refused(401, "bad signature (no secret yet)", "The signature does not match.")
    expected = SIGNATURE_PREFIX + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.lower().encode("utf-8", "replace")):
        raise Refused(401, "bad signature", "The signature does not match.")
    drift = int(timestamp) - int(now.timestamp())
    if drift < -MAX_SKEW_SECONDS:
        raise Refused(401, "stale timestamp", "X-Portal-Timestamp is more than 5 minutes old.")
    if drift > MAX_SKEW_SECONDS:
        raise Refused(401, "timestamp in the future", "X-Portal-Timestamp is more than 5 minutes ahead.")
    try:
        payload = json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(400, "invalid: body (not JSON)", "The body is not JSON (UTF-8).") from None
    if not isinstance(payload, dict):
        raise Refused(400, "invalid: body (not an object)", "The body must be a JSON object.")
    return payload


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def checked_call(payload: dict, now: datetime) -> ShopCall:
    """The call's fields, each checked as if an attacker wrote them; Refused(400, "invalid: <field>") else."""
    kind = payload.get("type")
    if kind not in CALL_TYPES:
        raise Refused(400, "invalid: type", 'type must be "sale" or "refund".')
    key = payload.get("idempotency_key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise Refused(
            400, "invalid: idempotency_key", "idempotency_key must be 1-200 printable ASCII characters.", kind=kind
        )

    def refuse(field: str, message: str) -> Refused:
        return Refused(400, f"invalid: {field}", message, kind=kind, key=key)

    external_id = payload.get("external_id")
    if not isinstance(external_id, str) or not _KEY.fullmatch(external_id):
        raise refuse("external_id", "external_id must be 1-200 printable ASCII characters.")
    try:
        amount = _amount(payload.get("amount"))
        occurred_at = _occurred_at(payload.get("occurred_at"), now)
        if kind == "refund":
            return ShopCall("refund", key, external_id, amount, occurred_at)
        currency = money.check_currency(payload.get("currency"))
        email, code = _customer(payload.get("customer_email"), payload.get("referral_code"))
    except FieldError as error:
        raise refuse(error.field, error.message) from None
    return ShopCall("sale", key, external_id, amount, occurred_at, currency, email, code)


def _amount(raw: object) -> int:
    """Whole minor units, as the shop sends them ("4900" or 4900); money.parse_amount reads what people type."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise FieldError(
            "amount", 'amount must be whole minor units, as a string ("4900") or an integer, never a decimal.'
        )
    if not _AMOUNT.fullmatch(str(raw)):
        raise FieldError("amount", 'amount must be whole minor units: digits only, like "4900".')
    amount = int(raw)
    if not 0 < amount <= money.MAX_AMOUNT:
        raise FieldError("amount", f"amount must be from 1 to {money.MAX_AMOUNT} minor units.")
    return amount


def _occurred_at(raw: object, now: datetime) -> datetime:
    if raw is None:
        return now
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) and len(raw) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise FieldError(
            "occurred_at", 'occurred_at must be an ISO 8601 time with its offset, like "2026-01-15T12:00:00Z".'
        )
    if moment > now + timedelta(seconds=MAX_SKEW_SECONDS):
        raise FieldError("occurred_at", "occurred_at is in the future.")
    return moment.astimezone(now.tzinfo)


def _customer(raw_email: object, raw_code: object) -> tuple[str, str]:
    email = code = ""
    if raw_email not in (None, ""):
        try:
            email = normalize_email(raw_email)
        except FieldError as error:
            raise FieldError("customer_email", error.message) from None
    if raw_code not in (None, ""):
        if not isinstance(raw_code, str) or not _CODE.fullmatch(raw_code):
            raise FieldError("referral_code", "referral_code must be 1-32 letters, digits, - or _.")
        code = raw_code
    if not email and not code:
        raise FieldError("customer_email", "A sale needs customer_email, referral_code or both.")
    return email, code


def _refuse(refused: Refused, now: datetime) -> tuple[int, dict]:
    with db.write_session() as session:
        _log(session, now, accepted=False, kind=refused.kind, outcome=refused.outcome, key=refused.key, sale_id=None)
    return refused.status, {"ok": False, "error": refused.outcome, "message": refused.message}


def _log(
    session: Session, now: datetime, *, accepted: bool, kind: str, outcome: str, key: str, sale_id: int | None
) -> None:
    """One line in the call log; the oldest beyond LOG_KEEP go."""
    session.add(
        WebhookCall(
            received_at=now,
            accepted=accepted,
            kind=kind[:16],
            outcome=outcome[:200],
            idempotency_key=key[:200],
            sale_id=sale_id,
        )
    )
    session.flush()
    oldest_kept = session.exec(
        select(WebhookCall.id).order_by(col(WebhookCall.id).desc()).offset(LOG_KEEP - 1).limit(1)
    ).first()
    if oldest_kept is not None:
        session.exec(delete(WebhookCall).where(col(WebhookCall.id) < oldest_kept))


def recent_calls(limit: int = 50) -> list[CallView]:
    """The newest calls first, for the admin page."""
    limit = max(1, min(int(limit), LOG_KEEP))
    with db.read_session() as session:
        rows = session.exec(select(WebhookCall).order_by(col(WebhookCall.id).desc()).limit(limit)).all()
    return [
        CallView(row.received_at, row.accepted, row.kind, row.outcome, row.idempotency_key, row.sale_id) for row in rows
    ]


def _newest_secret(session: Session | None = None) -> str | None:
    if session is None:
        with db.read_session() as own:
            return _newest_secret(own)
    return session.exec(select(WebhookSecret.secret).order_by(col(WebhookSecret.id).desc()).limit(1)).first()


def current_secret() -> str:
    """The secret the shop signs with (made on first use), for the admin page."""
    existing = _newest_secret()
    if existing is not None:
        return existing
    with db.write_session() as session:
        existing = _newest_secret(session)
        if existing is not None:
            return existing
        return _new_secret(session)


def rotate_secret(actor: audit.Actor) -> str:
    """A new secret replaces the old one at once (calls signed with the old one are refused); audited."""
    with db.write_session() as session:
        session.exec(delete(WebhookSecret))
        secret = _new_secret(session)
        audit.record(session, actor, APP_KEY, "webhook_secret_rotated", target="webhook secret")
    return secret


def _new_secret(session: Session) -> str:
    secret = secrets.token_urlsafe(32)
    session.add(WebhookSecret(secret=secret, created_at=clock.now()))
    session.flush()
    return secret
