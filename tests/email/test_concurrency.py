"""Several sender loops (one per worker process in production) never send a message twice."""

from __future__ import annotations

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


def pending_count() -> int:
    with read_session() as session:
        return len(session.exec(select(OutboxEmail.id).where(OutboxEmail.status == "pending")).all())


def test_two_loops_send_each_message_exactly_once(sendgrid_settings):
    sendgrid_settings.delay = 0.005  # long enough for the loops to interleave
    addresses = [f"person{number}@example.com" for number in range(MESSAGES)]
    for address in addresses:
        add_signup_email(to=address)

    start = threading.Barrier(LOOPS)
    handled: list[int] = []
    errors: list[BaseException] = []

    def loop(worker_id: str) -> None:
        try:
            sender = sender_from_settings(get_settings())
            start.wait()
            while pending_count():
                handled.append(deliver_due(sender, worker_id=worker_id, batch=MESSAGES))
        except BaseException as error:  # surfaced below: a thread's exception would vanish
            errors.append(error)

    threads = [threading.Thread(target=loop, args=(f"worker-{number}",)) for number in range(LOOPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    sent_to = Counter(request.json["personalizations"][0]["to"][0]["email"] for request in sendgrid_settings.requests)
    assert sent_to == Counter(addresses)
    assert sum(handled) == MESSAGES
    with read_session() as session:
        emails = session.exec(select(OutboxEmail)).all()
    assert {email.status for email in emails} == {"sent"}
    assert len({email.provider_message_id for email in emails}) == MESSAGES
