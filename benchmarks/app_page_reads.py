"""How many database transactions one child-app page load costs: /apps/notes, signed in, through the real
Reflex event pipeline (hydrate, then the page's on_load chain: the session check and top bar, the app's
access check and summary card, the notes list, then the live follower's catch-up refresh).

Run: .venv/bin/python benchmarks/app_page_reads.py [--loads 20]

A temporary SQLite file holds one business with Notes on, one account with a complete profile, a
Notes grant and 10 notes. Every transaction the portal's engine begins is counted (read: BEGIN
DEFERRED; write: BEGIN IMMEDIATE, e.g. the session's last-seen update), per page load, and the
wall time of a load is timed. Prints the figures and the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support.pipeline drives the real event pipeline


def _environment(directory: str) -> None:
    os.environ.update(
        {
            "REFLEX_DB_URL": f"sqlite:///{directory}/bench.db",
            "PORTAL_SECRET_KEY": "benchmark",
            "PORTAL_ARGON2_TIME_COST": "1",
            "PORTAL_ARGON2_MEMORY_KIB": "1024",
            "PORTAL_ARGON2_PARALLELISM": "1",
        }
    )


def _seed() -> str:
    from sqlmodel import SQLModel

    import portal_app.schema  # noqa: F401  (every table)
    from portal_app.accounts import sessions
    from portal_app.accounts.models import Account
    from portal_app.apps import grants
    from portal_app.apps.notes import service as notes
    from portal_app.business.models import BUSINESS_ID, Business
    from portal_app.kernel import clock, db
    from portal_app.profile.models import Profile

    SQLModel.metadata.create_all(db.get_engine())
    now = clock.now()
    with db.write_session() as session:
        session.add(Business(id=BUSINESS_ID, name="Bench", enabled_apps=["notes"]))
        account = Account(email="bench@example.com", full_name="Bea Bench", created_at=now, email_verified_at=now)
        session.add(account)
        session.flush()
        session.add(Profile(account_id=account.id, phone="+442079460958", completed_at=now, updated_at=now))
        grants.grant_app(session, account_id=account.id, app_key="notes")
        token = sessions.create_session(
            session, account_id=account.id, auth_method="password", user_agent="bench", ip="127.0.0.1"
        )
        account_id = account.id
    for number in range(10):
        notes.add_note(account_id, f"note {number}")
    return token


class TransactionCounter:
    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.reads = self.writes = 0

        @event.listens_for(engine, "begin")
        def _count(connection):
            if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
                self.writes += 1
            else:
                self.reads += 1

    def take(self) -> tuple[int, int]:
        taken = (self.reads, self.writes)
        self.reads = self.writes = 0
        return taken


async def _measure(loads: int, token: str) -> list[tuple[int, int, int, int, float]]:
    from portal_app import portal_app as built
    from portal_app.kernel import db
    from tests.support.pipeline import open_pipeline

    counter = TransactionCounter(db.get_engine())
    results = []
    async with open_pipeline(built.app) as pipeline:
        for _ in range(loads):
            counter.take()
            started = time.perf_counter()
            client = await pipeline.connect("/apps/notes", cookie=f"portal_session={token}")
            elapsed = time.perf_counter() - started
            # The live follower's catch-up refresh runs in the background, right after the chain.
            await asyncio.sleep(0.3)
            reads, writes = counter.take()
            state = await client.root_state()
            assert "note 9" in str(state.dict()), "the page did not load the notes"
            results.append((reads, writes, elapsed))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        _environment(directory)
        token = _seed()
        results = asyncio.run(_measure(args.loads, token))
    reads = [r[0] for r in results]
    writes = [r[1] for r in results]
    millis = [r[2] * 1000 for r in results]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"/apps/notes page loads: {args.loads}")
    print(f"  read transactions per load: median {statistics.median(reads):.0f} (min {min(reads)}, max {max(reads)})")
    print(f"  write transactions per load: median {statistics.median(writes):.0f}")
    print(f"  wall time of the on_load chain: median {statistics.median(millis):.1f} ms, max {max(millis):.1f} ms")


if __name__ == "__main__":
    main()
