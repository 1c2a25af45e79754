"""Several sender loops (one per worker process in production) never send a message twice, on SQLite and on
PostgreSQL, whether they share a process or each runs in its own with its own engine."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

from sqlmodel import select

from portal_app.email.delivery import deliver_due
from portal_app.email.models import OutboxEmail
from portal_app.email.senders import sender_from_settings
from portal_app.kernel.db import read_session
from portal_app.kernel.settings import get_settings
from tests.support.mail import add_signup_email

MESSAGES = 30
LOOPS = 2
PROCESS_MESSAGES = 80
PROCESSES = 4


def pending_count() -> int:
    with read_session() as session:
        return len(session.exec(select(OutboxEmail.id).where(OutboxEmail.status == "pending")).all())


def send_until_none_pending(worker_id: str, batch: int) -> int:
    sender = sender_from_settings(get_settings())
    handled = 0
    while pending_count():
        handled += deliver_due(sender, worker_id=worker_id, batch=batch)
    return handled


def queue_emails(count: int) -> list[str]:
    addresses = [f"person{number}@example.com" for number in range(count)]
    for address in addresses:
        add_signup_email(to=address)
    return addresses


def assert_each_sent_once(fake_sendgrid, addresses: list[str]) -> None:
    sent_to = Counter(request.json["personalizations"][0]["to"][0]["email"] for request in fake_sendgrid.requests)
    twice = {address: times for address, times in sent_to.items() if times > 1}
    assert twice == {}, f"sent more than once: {twice}"
    assert sent_to == Counter(addresses)
    with read_session() as session:
        emails = session.exec(select(OutboxEmail)).all()
    assert {email.status for email in emails} == {"sent"}
    assert len({email.provider_message_id for email in emails}) == len(addresses)


def test_two_loops_send_each_message_exactly_once(sendgrid_on_each_database):
    sendgrid_on_each_database.delay = 0.005  # long enough for the loops to interleave
    addresses = queue_emails(MESSAGES)

    start = threading.Barrier(LOOPS)
    handled: list[int] = []
    errors: list[BaseException] = []

    def loop(worker_id: str) -> None:
        try:
            start.wait()
            handled.append(send_until_none_pending(worker_id, batch=MESSAGES))
        except BaseException as error:  # surfaced below: a thread's exception would vanish
            errors.append(error)

    threads = [threading.Thread(target=loop, args=(f"worker-{number}",)) for number in range(LOOPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert_each_sent_once(sendgrid_on_each_database, addresses)
    assert sum(handled) == MESSAGES


def _sender_process(worker_id: str, start, results) -> None:
    """One worker process: its own settings and engine (from the inherited environment), sending until done."""
    try:
        start.wait(timeout=60)
        results.put((worker_id, send_until_none_pending(worker_id, batch=10), ""))
    except BaseException as error:  # reported to the test, which would otherwise see only a missing result
        results.put((worker_id, 0, f"{type(error).__name__}: {error}"))


def test_sender_processes_send_each_message_exactly_once(sendgrid_on_each_database, settings_env):
    settings_env(PORTAL_EMAIL_TIMEOUT_SECONDS="10")  # four processes on a shared machine: no retry for slowness
    sendgrid_on_each_database.delay = 0.005
    addresses = queue_emails(PROCESS_MESSAGES)

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(target=_sender_process, args=(f"process-{number}", start, results))
        for number in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert [error for _, _, error in outcomes if error] == []
    assert_each_sent_once(sendgrid_on_each_database, addresses)
    handled = {worker_id: count for worker_id, count, _ in outcomes}
    assert sum(handled.values()) == PROCESS_MESSAGES
    assert sum(1 for count in handled.values() if count) >= 2, f"the processes did not overlap: {handled}"
