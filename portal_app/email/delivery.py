"""The outbox sender: claims due emails, hands each to a sender, records what happened.

Every worker process runs one loop, and the claim is a lease: if a worker dies mid-send, the message
becomes due again when the lease runs out. The lease outlasts any send, so while a worker is still
sending, nobody else can take the message.

On PostgreSQL one statement claims a whole batch: `SELECT ... FOR UPDATE SKIP LOCKED` passes over the
rows another worker is claiming at that moment instead of queueing behind them, so workers never
wait for each other or fight over the same rows. Each message's lease is renewed (only while it is
still this worker's) just before its send, so the last of a slow batch is never sent after another
worker took it over. On SQLite, where BEGIN IMMEDIATE serialises writers anyway, each message is
claimed just before its send with a conditional UPDATE that only one worker's statement can match.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, update
from sqlmodel import col, select

from portal_app.email import wakeup
from portal_app.email.models import OutboxEmail
from portal_app.email.senders import DEV_MAILBOX, Sender, SendResult, sender_from_settings
from portal_app.kernel import clock
from portal_app.kernel.db import get_engine, read_session, write_session
from portal_app.kernel.settings import Settings, get_settings

REDACTED = "(removed after delivery)"
# Sent and failed emails are kept this long for the operator to look into, then deleted.
KEEP_FINISHED_EMAILS = timedelta(days=3)

logger = logging.getLogger(__name__)

# Emails one pass claims and sends; a full pass is followed by another at once.
BATCH = 20
RETRY_FIRST_SECONDS = 30
RETRY_MAX_SECONDS = 3600


def claim_lease(settings: Settings) -> timedelta:
    """How long a claim lasts. urllib applies the send timeout to the connect and to each read,
    so one send can take a few timeouts: the lease allows six, and never less than a minute."""
    return timedelta(seconds=max(60, 6 * settings.email_timeout_seconds))


def retry_delay(attempts: int) -> timedelta:
    """Backoff after `attempts` failed tries: 30 s doubling up to 1 h, less up to half at random
    so messages that failed together do not all come back together."""
    base = min(RETRY_FIRST_SECONDS * 2 ** min(attempts - 1, 20), RETRY_MAX_SECONDS)
    return timedelta(seconds=base * random.uniform(0.5, 1.0))


def new_worker_id() -> str:
    """hostname-pid-random: unique across machines, processes and restarts."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


def deliver_due(sender: Sender, *, worker_id: str, batch: int = BATCH) -> int:
    """Send up to `batch` due emails; returns how many this worker claimed and handled."""
    settings = get_settings()
    handled = 0
    for email in _claimed(worker_id, claim_lease(settings), batch):
        result = _send(sender, email)
        _record(email, result, worker_id=worker_id, backend=sender.name, settings=settings)
        handled += 1
    return handled


def _claimed(worker_id: str, lease: timedelta, batch: int) -> Iterator[OutboxEmail]:
    """Each due email this worker may send now, its lease fresh; another worker's are passed over."""
    if get_engine().dialect.name == "postgresql":
        for email in _claim_batch(worker_id, lease, batch):
            if _renew(email.id, worker_id, lease):
                yield email
        return
    for email_id in _due_ids(batch):
        email = _claim(email_id, worker_id, lease)
        if email is not None:  # else another worker claimed it first
            yield email


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(OutboxEmail.status) == "pending",
        col(OutboxEmail.next_attempt_at) <= now,
        or_(col(OutboxEmail.claimed_until).is_(None), col(OutboxEmail.claimed_until) <= now),
    )


def _due_ids(batch: int) -> list[int]:
    now = clock.now()
    with read_session() as session:
        statement = (
            select(OutboxEmail.id)
            .where(_due(now))
            .order_by(col(OutboxEmail.next_attempt_at), col(OutboxEmail.id))
            .limit(batch)
        )
        return [email_id for email_id in session.exec(statement) if email_id is not None]


def _claim(email_id: int, worker_id: str, lease: timedelta) -> OutboxEmail | None:
    """Take the message if it is still due and unclaimed; None when another worker has it."""
    now = clock.now()
    with write_session() as session:
        result = session.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == email_id, _due(now))
            .values(claimed_by=worker_id, claimed_until=now + lease)
        )
        if result.rowcount != 1:
            return None
        return session.get(OutboxEmail, email_id)


def _claim_batch(worker_id: str, lease: timedelta, batch: int) -> list[OutboxEmail]:
    """PostgreSQL: claim up to `batch` due emails in one statement, skipping rows other workers hold locked."""
    now = clock.now()
    due = (
        select(OutboxEmail.id)
        .where(_due(now))
        .order_by(col(OutboxEmail.next_attempt_at), col(OutboxEmail.id))
        .limit(batch)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    with write_session() as session:
        claimed = session.scalars(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == due.c.id)
            .values(claimed_by=worker_id, claimed_until=now + lease)
            .returning(OutboxEmail)
            .execution_options(synchronize_session=False)
        ).all()
    return sorted(claimed, key=lambda email: (email.next_attempt_at, email.id))


def _renew(email_id: int, worker_id: str, lease: timedelta) -> bool:
    """A whole lease for the send about to start, only while the claim is still this worker's and alive."""
    now = clock.now()
    with write_session() as session:
        result = session.exec(
            update(OutboxEmail)
            .where(
                col(OutboxEmail.id) == email_id,
                col(OutboxEmail.claimed_by) == worker_id,
                col(OutboxEmail.claimed_until) > now,
            )
            .values(claimed_until=now + lease)
        )
        return result.rowcount == 1


def _send(sender: Sender, email: OutboxEmail) -> SendResult:
    try:
        return sender.send(email)
    except Exception as error:
        # A bug in a sender must not leave the message claimed forever: it is retried and, if it
        # keeps failing, given up like any other.
        logger.exception("Email %s: sender %s raised", email.id, sender.name)
        return SendResult.retry(f"{type(error).__name__}: {error}")


def _record(email: OutboxEmail, result: SendResult, *, worker_id: str, backend: str, settings: Settings) -> None:
    now = clock.now()
    attempts = email.attempts + 1
    values: dict = {"attempts": attempts, "backend": backend, "claimed_by": None, "claimed_until": None}
    if result.outcome == "delivered":
        values.update(status="sent", sent_at=now, provider_message_id=result.provider_message_id[:200], last_error="")
        if backend != DEV_MAILBOX:
            # Delivered for real: the codes and links inside need not stay readable in the database.
            values.update(subject=REDACTED, text_body=REDACTED, html_body=REDACTED)
        logger.info("Email %s sent via %s (provider id %r)", email.id, backend, result.provider_message_id)
    elif result.outcome == "permanent":
        values.update(status="failed", last_error=result.error[:2000])
        logger.error("Email %s failed permanently via %s: %s", email.id, backend, result.error)
    elif now - email.created_at >= timedelta(hours=settings.email_give_up_hours):
        values.update(status="failed", last_error=f"gave up after {attempts} attempts: {result.error}"[:2000])
        logger.error("Email %s: gave up after %s attempts: %s", email.id, attempts, result.error)
    else:
        delay = retry_delay(attempts)
        values.update(next_attempt_at=now + delay, last_error=result.error[:2000])
        logger.warning(
            "Email %s: attempt %s failed (%s); next try in %.0f s",
            email.id,
            attempts,
            result.error,
            delay.total_seconds(),
        )
    with write_session() as session:
        updated = session.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == email.id, col(OutboxEmail.claimed_by) == worker_id)
            .values(**values)
        )
        if updated.rowcount != 1:
            logger.warning("Email %s: the claim expired before its result was recorded", email.id)


def purge_finished_emails() -> int:
    """Delete sent and failed emails older than KEEP_FINISHED_EMAILS; returns how many."""
    cutoff = clock.now() - KEEP_FINISHED_EMAILS
    with write_session() as session:
        result = session.exec(
            delete(OutboxEmail).where(col(OutboxEmail.status).in_(("sent", "failed")), OutboxEmail.created_at < cutoff)
        )
        return result.rowcount


async def run_sender_loop(sender: Sender | None = None) -> None:
    """The lifespan task: deliver due emails every few seconds until the app stops."""
    settings = get_settings()
    sender = sender or sender_from_settings(settings)
    worker_id = new_worker_id()
    if sender.name == DEV_MAILBOX:
        logger.warning(
            "Email is NOT being delivered: SENDGRID_API_KEY is not set. Emails are kept in the "
            "database; read them at %s/dev/mailbox (from this machine only).",
            settings.public_url,
        )
    logger.info("Email sender %s started (backend %s)", worker_id, sender.name)
    woken = wakeup.listen()
    try:
        while True:
            woken.clear()
            handled = 0
            try:
                handled = await asyncio.to_thread(deliver_due, sender, worker_id=worker_id, batch=BATCH)
            except Exception:
                logger.exception("Email delivery pass failed; trying again in %s s", settings.email_poll_seconds)
            if handled >= BATCH:
                continue  # more may be due: no pause while there is a queue
            # Until the next poll, or at once when this process puts an email in the outbox.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), settings.email_poll_seconds)
    except asyncio.CancelledError:
        logger.info("Email sender %s stopped", worker_id)
        raise
    finally:
        wakeup.stop_listening(woken)
