"""The shop's signed webhook (POST /api/apps/affiliates/sale): only signed, fresh, well-formed calls store a sale or a
refund, a replayed idempotency key is one sale, and every call is logged with why."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.apps.affiliates import webhook
from portal_app.apps.affiliates.models import Affiliate, Commission, Sale, WebhookCall, WebhookSecret
from portal_app.apps.http import child_app_routes
from portal_app.kernel import clock, db
from tests.apps.affiliates.test_attribution import affiliate_account, link_cookie, sign_up_with
from tests.apps.affiliates.test_links import make_affiliate

URL = "/api/apps/affiliates/sale"
OWNER = Actor("owner@example.com")


def rows(model) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model).order_by(model.id)))


def outcomes() -> list[tuple[bool, str]]:
    return [(call.accepted, call.outcome) for call in rows(WebhookCall)]


def sale_body(**fields) -> dict:
    return {
        "type": "sale",
        "idempotency_key": "evt_1",
        "external_id": "order-1001",
        "amount": "4900",
        "currency": "EUR",
        "customer_email": "Buyer@Example.com",
        **fields,
    }


def signed(body: bytes, secret: str, *, at: int | None = None) -> dict[str, str]:
    timestamp = str(int(clock.now().timestamp()) if at is None else at)
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "X-Portal-Timestamp": timestamp,
        "X-Portal-Signature": f"sha256={digest}",
        "Content-Type": "application/json",
    }


def post(payload: dict | bytes, *, secret: str | None = None, at: int | None = None, headers: dict | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    client = TestClient(Starlette(routes=child_app_routes()), base_url="http://localhost:3000")
    sent = headers if headers is not None else signed(body, secret or webhook.current_secret(), at=at)
    return client.post(URL, content=body, headers=sent)


@pytest.fixture
def ann(database, frozen_clock) -> str:
    return make_affiliate("ann@example.com")


def test_a_signed_sale_is_recorded_with_its_commission_and_logged(ann):
    answer = post(sale_body(referral_code=ann))
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["ok"] is True and result["replayed"] is False and result["commission_id"] is not None
    [sale] = rows(Sale)
    assert (sale.id, sale.amount, sale.currency, sale.external_id) == (result["sale_id"], 4900, "EUR", "order-1001")
    assert sale.customer_email == "buyer@example.com" and sale.source == "webhook"
    assert [commission.sale_id for commission in rows(Commission)] == [sale.id]
    [call] = rows(WebhookCall)
    assert (call.accepted, call.kind, call.outcome, call.idempotency_key, call.sale_id) == (
        True,
        "sale",
        "recorded",
        "evt_1",
        sale.id,
    )


def test_an_integer_amount_and_an_occurred_at_are_taken(ann, frozen_clock):
    when = frozen_clock.current - timedelta(days=2)
    answer = post(sale_body(amount=1250, referral_code=ann, occurred_at=when.isoformat().replace("+00:00", "Z")))
    assert answer.status_code == 200, answer.text
    [sale] = rows(Sale)
    assert (sale.amount, sale.occurred_at) == (1250, when)


def test_a_replayed_key_answers_the_first_result_and_stores_one_sale(ann):
    first = post(sale_body(referral_code=ann))
    again = post(sale_body(referral_code=ann))
    assert again.status_code == 200
    assert {**first.json(), "replayed": True} == again.json()
    assert len(rows(Sale)) == 1 and len(rows(Commission)) == 1
    assert outcomes() == [(True, "recorded"), (True, "replayed")]


def test_a_bad_or_missing_signature_is_refused_and_logged(ann):
    body = json.dumps(sale_body(referral_code=ann)).encode()
    good = signed(body, webhook.current_secret())
    tampered = json.dumps(sale_body(referral_code=ann, amount="990000")).encode()
    assert post(tampered, headers=good).status_code == 401
    flipped = good["X-Portal-Signature"][:-1] + ("0" if good["X-Portal-Signature"][-1] != "0" else "1")
    assert post(body, headers={**good, "X-Portal-Signature": flipped}).status_code == 401
    assert post(body, headers={**good, "X-Portal-Signature": good["X-Portal-Signature"][7:]}).status_code == 401
    assert post(body, headers={"X-Portal-Timestamp": good["X-Portal-Timestamp"]}).status_code == 401
    assert post(body, headers={**good, "X-Portal-Timestamp": "soon"}).status_code == 401
    answer = post(body, secret="a-guessed-secret")
    assert answer.status_code == 401 and answer.json() == {
        "ok": False,
        "error": "bad signature",
        "message": "The signature does not match.",
    }
    assert rows(Sale) == []
    assert outcomes() == [(False, "bad signature")] * 4 + [(False, "bad timestamp"), (False, "bad signature")]
    # Nothing from an unsigned body reaches the log.
    assert {call.idempotency_key for call in rows(WebhookCall)} == {""}


def test_after_rotation_only_the_new_secret_signs(ann):
    old = webhook.current_secret()
    assert webhook.current_secret() == old and len(old) >= 40
    new = webhook.rotate_secret(OWNER)
    assert new != old and webhook.current_secret() == new and len(rows(WebhookSecret)) == 1
    assert post(sale_body(referral_code=ann), secret=old).status_code == 401
    assert post(sale_body(referral_code=ann), secret=new).status_code == 200
    [entry] = rows(AuditEntry)
    assert (entry.action, entry.actor) == ("affiliates.webhook_secret_rotated", "owner@example.com")
    assert old not in entry.detail and new not in entry.detail


def test_stale_and_future_timestamps_are_refused(ann, frozen_clock):
    now = int(frozen_clock.current.timestamp())
    assert post(sale_body(), at=now - 301).json()["error"] == "stale timestamp"
    assert post(sale_body(), at=now + 301).json()["error"] == "timestamp in the future"
    assert post(sale_body(), at=10**11).status_code == 401
    assert rows(Sale) == []
    assert post(sale_body(), at=now - 299).status_code == 200
    assert post(sale_body(idempotency_key="evt_2", external_id="order-2"), at=now + 299).status_code == 200


def test_an_oversize_body_is_refused_unread(ann):
    body = json.dumps(sale_body(note="x" * webhook.MAX_BODY_BYTES)).encode()
    answer = post(body)
    assert answer.status_code == 413 and answer.json()["error"] == "body too large"
    assert rows(Sale) == [] and outcomes() == [(False, "body too large")]


@pytest.mark.parametrize(
    "body, error",
    [
        (b"{not json", "invalid: body (not JSON)"),
        (b"\xff\xfe{}", "invalid: body (not JSON)"),
        (b'{"amount": NaN}', "invalid: body (not JSON)"),
        (b"[" * 5000 + b"]" * 5000, "invalid: body (not JSON)"),
        (b'["sale"]', "invalid: body (not an object)"),
        (b"null", "invalid: body (not an object)"),
    ],
)
def test_malformed_json_is_refused(ann, body, error):
    answer = post(body)
    assert answer.status_code == 400 and answer.json()["error"] == error
    assert rows(Sale) == [] and outcomes() == [(False, error)]


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"amount": 49.0}, "invalid: amount"),
        ({"amount": 4900.5}, "invalid: amount"),
        ({"amount": 1e3}, "invalid: amount"),
        ({"amount": "49.00"}, "invalid: amount"),
        ({"amount": "1e3"}, "invalid: amount"),
        ({"amount": "-4900"}, "invalid: amount"),
        ({"amount": -4900}, "invalid: amount"),
        ({"amount": 0}, "invalid: amount"),
        ({"amount": True}, "invalid: amount"),
        ({"amount": None}, "invalid: amount"),
        ({"amount": "４９００"}, "invalid: amount"),
        ({"amount": 10**13}, "invalid: amount"),
        ({"amount": ["4900"]}, "invalid: amount"),
        ({"type": "gift"}, "invalid: type"),
        ({"idempotency_key": ""}, "invalid: idempotency_key"),
        ({"idempotency_key": "has space"}, "invalid: idempotency_key"),
        ({"idempotency_key": "k" * 201}, "invalid: idempotency_key"),
        ({"external_id": None}, "invalid: external_id"),
        ({"external_id": "order\n1"}, "invalid: external_id"),
        ({"currency": "EURO"}, "invalid: currency"),
        ({"currency": "XAU"}, "invalid: currency"),
        ({"customer_email": "not-an-email"}, "invalid: customer_email"),
        ({"customer_email": "", "referral_code": ""}, "invalid: customer_email"),
        ({"customer_email": None, "referral_code": "bad code!"}, "invalid: referral_code"),
        ({"occurred_at": "yesterday"}, "invalid: occurred_at"),
        ({"occurred_at": "2026-01-15T12:00:00"}, "invalid: occurred_at"),
        ({"occurred_at": "2027-01-15T12:00:00Z"}, "invalid: occurred_at"),
        ({"occurred_at": 1768478400}, "invalid: occurred_at"),
    ],
)
def test_each_field_is_checked_and_a_refusal_stores_nothing_but_the_log_line(ann, fields, error):
    answer = post(sale_body(**fields))
    assert answer.status_code == 400 and answer.json()["error"] == error, answer.text
    assert answer.json()["message"]
    assert rows(Sale) == [] and outcomes() == [(False, error)]


def test_a_float_amount_is_refused_however_it_is_written(ann):
    body = json.dumps(sale_body()).replace('"4900"', "4900.0").encode()
    assert post(body).json()["error"] == "invalid: amount"


def test_a_refund_of_an_unknown_sale_is_refused_and_of_a_known_one_recorded(ann):
    refund = {"type": "refund", "idempotency_key": "evt_r1", "external_id": "order-404", "amount": "100"}
    answer = post(refund)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid: external_id (unknown sale)"
    assert rows(Sale) == []
    sale = post(sale_body(referral_code=ann)).json()
    answer = post({**refund, "external_id": "order-1001"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["sale_id"] == sale["sale_id"] and answer.json()["type"] == "refund"
    assert rows(Sale)[0].refunded_amount == 100
    assert post({**refund, "external_id": "order-1001"}).json()["replayed"] is True
    assert rows(Sale)[0].refunded_amount == 100
    too_much = post({**refund, "idempotency_key": "evt_r2", "external_id": "order-1001", "amount": "999999"})
    assert too_much.status_code == 400 and too_much.json()["error"].startswith("invalid: ")
    assert rows(Sale)[0].refunded_amount == 100
    assert [outcome for _, outcome in outcomes()] == [
        "invalid: external_id (unknown sale)",
        "recorded",
        "recorded",
        "replayed",
        too_much.json()["error"],
    ]


def test_every_call_is_logged_and_the_log_stays_bounded(ann, monkeypatch):
    monkeypatch.setattr(webhook, "LOG_KEEP", 5)
    for number in range(4):
        post(sale_body(idempotency_key=f"evt_{number}", external_id=f"order-{number}"))
    for _ in range(4):
        post(sale_body(), secret="wrong")
    assert len(rows(WebhookCall)) == 5 and len(rows(Sale)) == 4
    recent = webhook.recent_calls(limit=3)
    assert [(call.accepted, call.outcome) for call in recent] == [(False, "bad signature")] * 3
    assert [call.idempotency_key for call in webhook.recent_calls()][-1] == "evt_3"


def test_handle_reads_headers_in_any_case(ann, frozen_clock):
    body = json.dumps(sale_body(referral_code=ann)).encode()
    headers = {name.upper(): value for name, value in signed(body, webhook.current_secret()).items()}
    status, answer = webhook.handle(body, headers, frozen_clock.current)
    assert status == 200 and answer["ok"] is True


def test_a_sale_to_a_customer_who_signed_up_through_a_link_earns_that_affiliate(ann):
    sign_up_with("new.customer@example.com", link_cookie(ann))
    answer = post(sale_body(customer_email="New.Customer@example.com"))
    assert answer.status_code == 200 and answer.json()["commission_id"] is not None
    [commission] = rows(Commission)
    with db.read_session() as session:
        assert session.get(Affiliate, commission.affiliate_id).account_id == affiliate_account(ann)
    # A customer nobody referred buys too: a sale, and why it earned nothing.
    walk_in = post(sale_body(idempotency_key="evt_2", external_id="order-2", customer_email="walk.in@example.com"))
    assert walk_in.json()["commission_id"] is None and walk_in.json()["why_no_commission"]
