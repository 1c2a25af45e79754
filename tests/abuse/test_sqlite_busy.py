"""Faults: SQLite under concurrent writers. Eight threads each run forty write transactions that hold the
write lock a few milliseconds: every one commits (writers queue on the busy timeout; none sees
"database is locked"), and every row is there."""

from __future__ import annotations

import threading
import time

from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from portal_app.accounts import throttle
from portal_app.accounts.models import RateEvent
from portal_app.kernel import db

THREADS = 8
TRANSACTIONS = 40


def test_concurrent_writers_queue_and_all_commit(database):
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def writer(number: int) -> None:
        barrier.wait()
        for step in range(TRANSACTIONS):
            try:
                with db.write_session() as session:
                    throttle.record(session, "busy_test", f"writer-{number}")
                    session.flush()
                    time.sleep(0.003)  # hold the write lock, as a real transaction's work would
                    throttle.count_since(session, "busy_test", f"writer-{number}", throttle.clock.now())
            except OperationalError as error:  # "database is locked" would land here
                errors.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with db.read_session() as session:
        stored = session.exec(select(func.count()).select_from(RateEvent).where(RateEvent.kind == "busy_test")).one()
    assert stored == THREADS * TRANSACTIONS
