"""Faults: SendGrid answering 429 for twenty minutes, then down (connection refused), then back. Two workers
keep delivering on a simulated clock: nothing is lost, nothing is sent twice, and every email goes out once
the provider is back (within the hour the backoff can reach)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from portal_app.email import outbox
from portal_app.email.delivery import deliver_due
from portal_app.email.senders import SendGridSender, sender_from_settings
from portal_app.kernel.settings import get_settings
from tests.support.mail import FakeSendGrid, add_signup_email, load

STEP = timedelta(seconds=10)


def sendgrid() -> SendGridSender:
    sender = sender_from_settings(get_settings())
    assert isinstance(sender, SendGridSender)
    return sender


def run_workers(frozen_clock, minutes: int) -> None:
    for _ in range(int(timedelta(minutes=minutes) / STEP)):
        deliver_due(sendgrid(), worker_id="w1")
        deliver_due(sendgrid(), worker_id="w2")
        frozen_clock.advance(seconds=STEP.total_seconds())


def test_an_outage_loses_nothing_and_sends_nothing_twice(sendgrid_settings, settings_env, frozen_clock):
    ids = [add_signup_email(to=f"person{n}@example.com", code=f"{n:06d}") for n in range(30)]
    sendgrid_settings.always(429, {"errors": [{"message": "too many requests"}]})
    run_workers(frozen_clock, 20)
    throttled = len(sendgrid_settings.requests)
    assert {load(email_id).status for email_id in ids} == {"pending"}
    assert {load(email_id).last_error for email_id in ids} == {"HTTP 429: too many requests"}
    # Pages that said "we sent you a code" now say it is on its way but slow.
    assert outbox.delay_notice("person0@example.com") == outbox.DELAYED

    sendgrid_settings.stop()  # then down altogether
    run_workers(frozen_clock, 10)
    assert {load(email_id).status for email_id in ids} == {"pending"}

    back = FakeSendGrid()  # the provider comes back
    back.start()
    try:
        settings_env(PORTAL_SENDGRID_API_URL=back.url)
        run_workers(frozen_clock, 70)
        assert {load(email_id).status for email_id in ids} == {"sent"}
        assert outbox.delay_notice("person0@example.com") == ""
        delivered = Counter(request.json["personalizations"][0]["to"][0]["email"] for request in back.requests)
        assert delivered == Counter({f"person{n}@example.com": 1 for n in range(30)})
        assert throttled >= 30  # every email was tried during the 429s, and kept
    finally:
        back.stop()
