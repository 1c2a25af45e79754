"""How fast home's timeline reads are with 100,000 activity rows, and which index each query uses.

Run: .venv/bin/python benchmarks/timeline.py [--rounds 200]

Seeds 100,000 entries (200 accounts of 400 entries each, plus one heavy account of 20,000) into a
temporary SQLite file, and into a temporary PostgreSQL database on 127.0.0.1:5432 when one answers
(dropped afterwards). It then times the portal's own functions (portal_app.activity) for the heavy
account: the first page, a page 15,000 entries deep, one app's first page and one app's deep page,
plus a light account's first page, the filter's list of sources and a summary card's counts.
Medians and 95th percentiles are in milliseconds, and each timeline query's plan is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text
from sqlmodel import SQLModel

import portal_app.schema  # noqa: F401  (registers every table the benchmark creates)
from portal_app.accounts.models import Account
from portal_app.apps import registry
from portal_app.kernel import db
from portal_app.kernel.settings import get_settings
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY, Activity

LIGHT_ACCOUNTS = 200
LIGHT_ENTRIES = 400
HEAVY_ENTRIES = 20_000
DEEP_POSITION = 15_000
FILTER_APP = "communities"
SUMMARY_APP = "courses"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Share of entries per source, roughly what a busy portal would see.
SOURCE_WEIGHTS = {PORTAL_APP_KEY: 10, "courses": 35, "communities": 25, "affiliates": 15, "notes": 15}
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600


def entries_for(account_id: int, count: int, rng: random.Random) -> list[dict]:
    sources = list(SOURCE_WEIGHTS)
    weights = list(SOURCE_WEIGHTS.values())
    rows = []
    for _ in range(count):
        app_key = rng.choices(sources, weights)[0]
        kind = rng.choice(list(registry.activity_kinds(app_key)))
        rows.append(
            {
                "account_id": account_id,
                "app_key": app_key,
                "kind": kind,
                "summary": f"{kind.replace('_', ' ')} #{rng.randrange(10_000)}",
                "occurred_at": START + timedelta(seconds=rng.randrange(SPAN_SECONDS)),
            }
        )
    return rows


def seed(url: str) -> int:
    """Create the tables and 100,000 entries in random time order; returns the heavy account's id."""
    engine = db.engine_for(url)
    SQLModel.metadata.create_all(engine)
    rng = random.Random(4)
    with engine.begin() as connection:
        connection.execute(
            insert(Account),
            [
                {"email": f"client{number}@example.com", "full_name": f"Client {number}", "created_at": START}
                for number in range(LIGHT_ACCOUNTS + 1)
            ],
        )
        ids = [row[0] for row in connection.execute(text("SELECT id FROM account ORDER BY id"))]
    heavy, light = ids[0], ids[1:]
    rows = entries_for(heavy, HEAVY_ENTRIES, rng)
    for account_id in light:
        rows.extend(entries_for(account_id, LIGHT_ENTRIES, rng))
    rng.shuffle(rows)
    with engine.begin() as connection:
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Activity), rows[start : start + 10_000])
        connection.execute(text("ANALYZE"))
    return heavy


def cursor_at(url: str, account_id: int, position: int, app_key: str | None = None) -> str:
    """The cursor that starts a page `position` entries down the account's timeline."""
    app_filter = "AND app_key = :app " if app_key else ""
    with db.engine_for(url).connect() as connection:
        occurred_at, entry_id = connection.execute(
            text(
                f"SELECT occurred_at, id FROM activity WHERE account_id = :account {app_filter}"
                "ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET :skip"
            ),
            {"account": account_id, "app": app_key, "skip": position - 1},
        ).one()
    if isinstance(occurred_at, str):  # SQLite hands back its text
        occurred_at = datetime.fromisoformat(occurred_at)
    return activity.encode_cursor(occurred_at.replace(tzinfo=occurred_at.tzinfo or UTC), entry_id)


def timed(action, rounds: int) -> tuple[float, float]:
    action()  # warm-up
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


@contextlib.contextmanager
def captured_sql(engine):
    """The SQL and parameters a statement is sent with, as the driver gets them."""
    seen: list[tuple[str, object]] = []

    def capture(connection, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def explain(url: str, query) -> list[str]:
    engine = db.engine_for(url)
    with captured_sql(engine) as seen, engine.connect() as connection:
        connection.execute(query).fetchall()
    statement, parameters = seen[-1]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).fetchall()
    return [str(row[-1]) for row in rows]


def run(label: str, url: str, rounds: int) -> None:
    os.environ["REFLEX_DB_URL"] = url
    get_settings.cache_clear()
    started = time.perf_counter()
    heavy = seed(url)
    print(f"\n== {label}: seeded 100,000 entries in {time.perf_counter() - started:.1f} s ==")
    deep = cursor_at(url, heavy, DEEP_POSITION)
    filtered_deep = cursor_at(url, heavy, 4_000, FILTER_APP)
    light_account = heavy + 1
    cases = {
        "first page (heavy account, all apps)": lambda: activity.timeline(heavy),
        f"deep page ({DEEP_POSITION:,} entries down)": lambda: activity.timeline(heavy, before=deep),
        f"filtered first page ({FILTER_APP})": lambda: activity.timeline(heavy, app_key=FILTER_APP),
        f"filtered deep page ({FILTER_APP}, 4,000 down)": lambda: activity.timeline(
            heavy, app_key=FILTER_APP, before=filtered_deep
        ),
        "first page (account with 400 entries)": lambda: activity.timeline(light_account),
        "filter choices (timeline_sources)": lambda: activity.timeline_sources(heavy),
        f"summary counts ({SUMMARY_APP}, counts_by_kind)": lambda: activity.counts_by_kind(heavy, SUMMARY_APP),
    }
    assert len(activity.timeline(heavy, before=deep).items) == activity.PAGE_SIZE
    print(f"{'query':<48} {'median ms':>10} {'p95 ms':>8}   ({rounds} rounds)")
    for name, action in cases.items():
        median, p95 = timed(action, rounds)
        print(f"{name:<48} {median:>10.2f} {p95:>8.2f}")
    plans = {
        "first page": activity.timeline_query(heavy, app_key=None, before=None, rows=activity.PAGE_SIZE + 1),
        "deep page": activity.timeline_query(heavy, app_key=None, before=deep, rows=activity.PAGE_SIZE + 1),
        "filtered page": activity.timeline_query(heavy, app_key=FILTER_APP, before=None, rows=activity.PAGE_SIZE + 1),
        "filtered deep page": activity.timeline_query(
            heavy, app_key=FILTER_APP, before=filtered_deep, rows=activity.PAGE_SIZE + 1
        ),
    }
    for name, query in plans.items():
        print(f"-- plan, {name}:")
        for line in explain(url, query):
            print(f"   {line}")
    db.engine_for(url).dispose()
    db.engine_for.cache_clear()


def postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception as error:  # noqa: BLE001  (whatever fails, PostgreSQL is not measured)
        print(f"\n(PostgreSQL on 127.0.0.1:5432 not measured: {type(error).__name__})")
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed runs per query (default 200)")
    rounds = parser.parse_args().rounds
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as directory:
        run("SQLite (temporary file)", f"sqlite:///{Path(directory) / 'timeline.db'}", rounds)
    if postgres_reachable():
        name = f"portal_bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(
                f"PostgreSQL {version} (temporary database)",
                f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                rounds,
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"\nreflex imported: {'reflex' in sys.modules}")


if __name__ == "__main__":
    main()
