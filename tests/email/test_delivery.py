"""The outbox loop with the dev mailbox sender: claims, leases, retries and the lifespan task."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import SQLModel, select

from portal_app.email.delivery import BATCH, claim_lease, deliver_due, retry_delay, run_sender_loop
from portal_app.email.models import OutboxEmail
from portal_app.email.outbox import enqueue
from portal_app.email.senders import DevMailboxSender, SendResult, sender_from_settings
from portal_app.kernel import db
from portal_app.kernel.db import write_session
from portal_app.kernel.settings import get_settings
from tests.support.mail import add_signup_email, load


class BrokenSender:
    """A sender with a bug: delivery must survive it and try again later."""

    name = "broken"

    def send(self, email: OutboxEmail) -> SendResult:
        raise KeyError("oops")


def set_columns(email_id: int, **values) -> None:
    with write_session() as session:
        session.exec(update(OutboxEmail).where(OutboxEmail.id == email_id).values(**values))


def test_without_an_api_key_the_dev_mailbox_is_the_sender(database):
    assert get_settings().email_backend == "dev-mailbox"
    assert isinstance(sender_from_settings(get_settings()), DevMailboxSender)


def test_dev_mailbox_marks_the_email_sent(database, frozen_clock):
    email_id = add_signup_email()
    assert deliver_due(DevMailboxSender(), worker_id="w1") == 1
    email = load(email_id)
    assert (email.status, email.backend, email.attempts) == ("sent", "dev-mailbox", 1)
    assert email.sent_at == frozen_clock.current
    assert (email.claimed_by, email.claimed_until, email.last_error) == (None, None, "")
    assert deliver_due(DevMailboxSender(), worker_id="w1") == 0


def test_only_due_pending_messages_are_sent(database, frozen_clock):
    later = add_signup_email(to="later@example.com")
    set_columns(later, next_attempt_at=frozen_clock.current + timedelta(minutes=5))
    failed = add_signup_email(to="failed@example.com")
    set_columns(failed, status="failed")
    assert deliver_due(DevMailboxSender(), worker_id="w1") == 0
    frozen_clock.advance(minutes=5)
    assert deliver_due(DevMailboxSender(), worker_id="w1") == 1
    assert load(later).status == "sent"
    assert load(failed).status == "failed"


def test_a_live_claim_is_respected_and_an_expired_one_is_taken_over(shared_database, frozen_clock):
    email_id = add_signup_email()
    lease = claim_lease(get_settings())
    assert lease > timedelta(seconds=get_settings().email_timeout_seconds)
    # Another worker claimed it and died before recording anything.
    set_columns(email_id, claimed_by="dead-worker", claimed_until=frozen_clock.current + lease)
    assert deliver_due(DevMailboxSender(), worker_id="w2") == 0
    frozen_clock.advance(seconds=lease.total_seconds())
    assert deliver_due(DevMailboxSender(), worker_id="w2") == 1
    assert load(email_id).status == "sent"


def test_a_slow_batch_leaves_an_email_whose_claim_ran_out_to_the_worker_that_took_it(shared_database, frozen_clock):
    """A worker got two emails at once; the first send outlasted the lease and another worker took the second:
    the first worker must not send it too."""
    first, second = add_signup_email(to="first@example.com"), add_signup_email(to="second@example.com")
    lease = claim_lease(get_settings())
    sent = []

    class SlowFirstSend(DevMailboxSender):
        def send(self, email: OutboxEmail) -> SendResult:
            sent.append(email.to_email)
            if email.id == first:
                frozen_clock.advance(seconds=lease.total_seconds() + 1)
                set_columns(second, claimed_by="w2", claimed_until=frozen_clock.current + lease)
            return super().send(email)

    assert deliver_due(SlowFirstSend(), worker_id="w1") == 1
    assert sent == ["first@example.com"]
    assert (load(first).status, load(second).status, load(second).claimed_by) == ("sent", "pending", "w2")


def test_a_sender_that_raises_means_retry_later(database, frozen_clock):
    email_id = add_signup_email()
    assert deliver_due(BrokenSender(), worker_id="w1") == 1
    email = load(email_id)
    assert (email.status, email.attempts, email.claimed_by) == ("pending", 1, None)
    assert email.last_error == "KeyError: 'oops'"
    assert email.next_attempt_at > frozen_clock.current


@pytest.mark.parametrize(
    ("attempts", "low", "high"), [(1, 15, 30), (2, 30, 60), (3, 60, 120), (8, 1800, 3600), (50, 1800, 3600)]
)
def test_backoff_doubles_with_jitter_up_to_an_hour(attempts, low, high):
    delays = {retry_delay(attempts).total_seconds() for _ in range(50)}
    assert all(low <= delay <= high for delay in delays)
    assert len(delays) > 1


async def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(condition):
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_sender_loop_warns_delivers_and_stops_on_cancel(database, settings_env, caplog):
    settings_env(PORTAL_EMAIL_POLL_SECONDS="0", PORTAL_PUBLIC_URL="http://portal.test:3000")
    caplog.set_level(logging.INFO, logger="portal_app.email.delivery")
    email_id = await asyncio.to_thread(add_signup_email)

    task = asyncio.create_task(run_sender_loop())
    await wait_for(lambda: load(email_id).status == "sent")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert any("NOT being delivered" in text and "http://portal.test:3000/dev/mailbox" in text for text in warnings)
    assert any("stopped" in record.getMessage() for record in caplog.records)


async def test_sender_loop_survives_a_failing_pass(database, settings_env, caplog):
    settings_env(PORTAL_EMAIL_POLL_SECONDS="0")
    outbox_table = SQLModel.metadata.tables["outboxemail"]
    outbox_table.drop(db.get_engine())  # every pass now fails inside the database

    task = asyncio.create_task(run_sender_loop())
    await wait_for(lambda: any(record.levelno == logging.ERROR for record in caplog.records))
    failure = next(record for record in caplog.records if record.levelno == logging.ERROR)
    assert "Email delivery pass failed" in failure.getMessage()
    assert failure.exc_info is not None

    await asyncio.to_thread(outbox_table.create, db.get_engine())
    email_id = await asyncio.to_thread(add_signup_email)
    await wait_for(lambda: load(email_id).status == "sent")
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _running_loop():
    task = asyncio.create_task(run_sender_loop())
    await asyncio.sleep(0.2)  # its first look (the outbox is empty), then it waits for the next poll
    return task


async def _stop(task) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_email_put_in_the_outbox_is_sent_at_once_not_at_the_next_poll(database, settings_env):
    """A login code should not wait for PORTAL_EMAIL_POLL_SECONDS: the commit wakes this process's loop."""
    settings_env(PORTAL_EMAIL_POLL_SECONDS="60")
    task = await _running_loop()
    email_id = await asyncio.to_thread(add_signup_email)
    await wait_for(lambda: load(email_id).status == "sent", timeout=5)
    await _stop(task)


async def test_an_email_rolled_back_wakes_nothing_and_is_never_sent(database, settings_env):
    settings_env(PORTAL_EMAIL_POLL_SECONDS="60")
    task = await _running_loop()

    def enqueue_then_fail() -> None:
        with pytest.raises(RuntimeError), write_session() as session:
            enqueue(
                session, to="ann@example.com", template="signup_code", context={"code": "123456", "expires_minutes": 10}
            )
            raise RuntimeError("the handler failed after enqueueing")

    await asyncio.to_thread(enqueue_then_fail)
    email_id = await asyncio.to_thread(add_signup_email, "bob@example.com")
    await wait_for(lambda: load(email_id).status == "sent", timeout=5)
    with db.read_session() as session:
        assert [row.to_email for row in session.exec(select(OutboxEmail))] == ["bob@example.com"]
    await _stop(task)


async def test_a_queue_longer_than_a_batch_drains_without_waiting_for_polls(database, settings_env):
    settings_env(PORTAL_EMAIL_POLL_SECONDS="60")
    with write_session() as session:
        for n in range(3 * BATCH + 5):
            enqueue(
                session,
                to=f"person{n}@example.com",
                template="signup_code",
                context={"code": "123456", "expires_minutes": 10},
            )
    task = asyncio.create_task(run_sender_loop())

    def all_sent() -> bool:
        with db.read_session() as session:
            return {row.status for row in session.exec(select(OutboxEmail))} == {"sent"}

    await wait_for(all_sent, timeout=10)
    await _stop(task)
