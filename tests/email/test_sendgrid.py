"""SendGrid through the official client, against a local server speaking the v3 mail/send API."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from portal_app.email.delivery import deliver_due
from portal_app.email.senders import SendGridSender, sender_from_settings
from portal_app.kernel.settings import get_settings
from tests.support.mail import API_KEY, FROM_EMAIL, add_signup_email, load

UNVERIFIED_SENDER = "The from address does not match a verified Sender Identity."


def sendgrid() -> SendGridSender:
    sender = sender_from_settings(get_settings())
    assert isinstance(sender, SendGridSender)
    return sender


def test_request_shape(sendgrid_settings, frozen_clock):
    email_id = add_signup_email(to="ada@example.com", code="482913")
    email = load(email_id)  # as queued: delivery redacts the stored copy
    assert deliver_due(sendgrid(), worker_id="w1") == 1

    [request] = sendgrid_settings.requests
    assert (request.method, request.path) == ("POST", "/v3/mail/send")
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json["personalizations"][0]["to"][0]["email"] == "ada@example.com"
    assert request.json["from"]["email"] == FROM_EMAIL
    assert request.json["subject"] == email.subject == "482913 is your Test Business verification code"
    assert request.json["content"] == [
        {"type": "text/plain", "value": email.text_body},
        {"type": "text/html", "value": email.html_body},
    ]


def test_202_marks_sent_with_the_message_id(sendgrid_settings, frozen_clock):
    sendgrid_settings.answer(202, headers={"X-Message-Id": "sg-abc123"})
    email_id = add_signup_email()
    deliver_due(sendgrid(), worker_id="w1")
    email = load(email_id)
    assert (email.status, email.backend, email.provider_message_id, email.attempts) == (
        "sent",
        "sendgrid",
        "sg-abc123",
        1,
    )
    assert email.sent_at == frozen_clock.current


def test_api_url_given_with_v3_still_posts_to_v3_mail_send(sendgrid_settings, settings_env, frozen_clock):
    settings_env(PORTAL_SENDGRID_API_URL=sendgrid_settings.url + "/v3/")
    add_signup_email()
    deliver_due(sendgrid(), worker_id="w1")
    assert [request.path for request in sendgrid_settings.requests] == ["/v3/mail/send"]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (429, {"errors": [{"message": "too many requests"}]}, "HTTP 429: too many requests"),
        (500, b"", "HTTP 500: Internal Server Error"),
        (503, b"upstream down", "HTTP 503: upstream down"),
    ],
)
def test_429_and_5xx_are_retried_with_backoff(sendgrid_settings, frozen_clock, status, body, error):
    sendgrid_settings.answer(status, body)
    email_id = add_signup_email()
    start = frozen_clock.current
    deliver_due(sendgrid(), worker_id="w1")

    email = load(email_id)
    assert (email.status, email.attempts, email.last_error, email.claimed_by) == ("pending", 1, error, None)
    assert start + timedelta(seconds=15) <= email.next_attempt_at <= start + timedelta(seconds=30)

    assert deliver_due(sendgrid(), worker_id="w1") == 0  # not due yet
    frozen_clock.advance(seconds=30)
    assert deliver_due(sendgrid(), worker_id="w1") == 1
    email = load(email_id)
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert len(sendgrid_settings.requests) == 2


def test_a_timeout_is_retried(sendgrid_settings, frozen_clock):
    sendgrid_settings.answer(202, delay=3)  # longer than the 1 s timeout
    email_id = add_signup_email()
    started = time.monotonic()
    deliver_due(sendgrid(), worker_id="w1")
    assert time.monotonic() - started < 2.5

    email = load(email_id)
    assert (email.status, email.attempts) == ("pending", 1)
    assert "timed out" in email.last_error
    assert email.next_attempt_at > frozen_clock.current


def test_a_refused_connection_is_retried(sendgrid_settings, settings_env, frozen_clock):
    sendgrid_settings.stop()
    email_id = add_signup_email()
    deliver_due(sendgrid(), worker_id="w1")
    email = load(email_id)
    assert (email.status, email.attempts) == ("pending", 1)
    assert "Connection refused" in email.last_error


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_other_4xx_fail_for_good_with_sendgrids_error(sendgrid_settings, frozen_clock, status):
    sendgrid_settings.answer(status, {"errors": [{"message": UNVERIFIED_SENDER, "field": "from", "help": None}]})
    email_id = add_signup_email()
    deliver_due(sendgrid(), worker_id="w1")

    email = load(email_id)
    assert (email.status, email.backend, email.attempts, email.claimed_by) == ("failed", "sendgrid", 1, None)
    assert email.last_error == f"HTTP {status}: {UNVERIFIED_SENDER}"
    frozen_clock.advance(days=2)
    assert deliver_due(sendgrid(), worker_id="w1") == 0
    assert len(sendgrid_settings.requests) == 1


def test_gives_up_after_a_day_of_failures(sendgrid_settings, frozen_clock):
    sendgrid_settings.always(503)
    email_id = add_signup_email()
    created = frozen_clock.current
    while load(email_id).status == "pending":
        assert frozen_clock.current <= created + timedelta(hours=26), "never gave up"
        deliver_due(sendgrid(), worker_id="w1")
        frozen_clock.advance(minutes=10)

    email = load(email_id)
    attempts = len(sendgrid_settings.requests)
    assert email.status == "failed"
    assert email.attempts == attempts
    assert email.last_error == f"gave up after {attempts} attempts: HTTP 503: Service Unavailable"
    # The first try at or after 24 h gives up; backoff never waits more than an hour.
    assert created + timedelta(hours=24) <= frozen_clock.current <= created + timedelta(hours=25, minutes=10)
    assert 24 < attempts < 40
