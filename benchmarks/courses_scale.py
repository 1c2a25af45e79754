"""Membership Courses at scale: a 300-lesson course, 10,000 members and 1,000,000 progress rows.

Run: .venv/bin/python benchmarks/courses_scale.py [--rounds 200]

Seeds one published course of 10 modules x 30 lessons, four small courses beside it (one offered to
everyone, one with certificates, a draft, one nobody is in), 10,000 accounts all enrolled in the big
course, and about 1,000,000 `lessoncompletion` rows: each member finished the first 0-200 lessons of
the big course (about 100 on average); every fourth member also finished two small courses and holds
one certificate. The seed (bulk inserts of 10,000 rows) goes into a temporary SQLite file (WAL), and
into a temporary PostgreSQL database on 127.0.0.1:5432 when one answers (trust auth, user postgres;
dropped afterwards).

It then times the portal's own functions (portal_app.apps.courses.service), a different member each
round: My courses, a course's outline, a lesson, "Mark complete" on a lesson the member has not done
yet (it really inserts) and on one already done (the idempotent path). Medians and 95th percentiles
are in milliseconds. Last, it calls each function once more with a before_cursor_execute listener that
EXPLAINs every statement just before it runs, on the call's own connection and with its parameters
(EXPLAIN QUERY PLAN on SQLite; EXPLAIN ANALYZE on PostgreSQL, in a savepoint rolled back at once),
prints the plans and says whether any statement reads a big table in full.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel

import portal_app.schema  # noqa: F401  (registers every table the benchmark creates)
from portal_app.accounts.models import Account
from portal_app.apps import registry
from portal_app.apps.courses import service
from portal_app.apps.courses.models import Certificate, Course, Enrolment, Lesson, LessonCompletion, Module
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.kernel.settings import get_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sql_plans import analyze, describe, explain, full_scans  # noqa: E402

MEMBERS = 10_000
_members = [MEMBERS]


def members_to_seed() -> int:
    """How many members to seed (--members; the real figures use 10,000)."""
    return _members[0]


MODULES = 10
LESSONS_PER_MODULE = 30
LESSONS = MODULES * LESSONS_PER_MODULE
# Each member finished the first 0..MAX_DONE lessons of the big course, in reading order.
MAX_DONE = 200
BIG_COURSE = "scaling-your-studio"
# (slug, its flags, whether every fourth member is enrolled and finished it): 2 modules x 5 lessons each.
SMALL_COURSES = (
    ("open-house", {"published": True, "for_everyone": True}, False),
    ("advanced-sessions", {"published": True, "certificate_enabled": True}, True),
    ("next-season-draft", {"published": False}, True),
    ("old-workshop", {"published": True}, False),
)
SMALL_MODULES = 2
SMALL_LESSONS_PER_MODULE = 5
BATCH = 10_000
BIG_TABLES = ("lessoncompletion", "enrolment", "account", "activity", "certificate")
NO_PLAN_ROWS = "(no plan rows: a one-row INSERT)"  # the plan printed where SQLite gives none
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START = datetime(2025, 1, 1, tzinfo=UTC)
LESSON_BODY = (
    "## What this lesson covers\n\nA few **practical** steps, then one small thing to try.\n\n"
    + "- A point worth making, with [a link](https://example.com/reading).\n" * 12
    + "\n> Tip: keep a notebook next to you.\n"
)


@dataclass
class Seeded:
    """What the timed calls need to know about the seed: the big course's lessons and who did how many."""

    lesson_slugs: list[str]
    done: dict[int, int]  # account id -> how many of the first lessons it has finished


# --- seeding -----------------------------------------------------------------------------------------------


def batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def bulk_insert(connection, model, rows: Iterable[dict]) -> int:
    count = 0
    for batch in batches(rows):
        connection.execute(insert(model), batch)
        count += len(batch)
    return count


def ids(connection, sql: str, **parameters) -> list[int]:
    return [row[0] for row in connection.execute(text(sql), parameters)]


@dataclass(frozen=True)
class SeededCourse:
    id: int
    lesson_ids: list[int]  # in reading order
    lesson_slugs: list[str]


def create_course(connection, slug: str, position: int, modules: int, per_module: int, **flags) -> SeededCourse:
    """A course with its modules and lessons (no drip, so every lesson is open)."""
    connection.execute(
        insert(Course),
        [{"slug": slug, "title": slug.replace("-", " ").title(), "position": position, "created_at": START, **flags}],
    )
    course_id = ids(connection, "SELECT id FROM course WHERE slug = :slug", slug=slug)[0]
    connection.execute(
        insert(Module),
        [{"course_id": course_id, "title": f"Module {number + 1}", "position": number} for number in range(modules)],
    )
    module_ids = ids(connection, "SELECT id FROM module WHERE course_id = :course ORDER BY position", course=course_id)
    lessons = [
        {
            "course_id": course_id,
            "module_id": module_id,
            "slug": f"m{module_number + 1:02d}-lesson-{number + 1:02d}",
            "title": f"Lesson {number + 1} of module {module_number + 1}",
            "body_markdown": LESSON_BODY,
            "position": number,
        }
        for module_number, module_id in enumerate(module_ids)
        for number in range(per_module)
    ]
    bulk_insert(connection, Lesson, lessons)
    lesson_ids = ids(connection, "SELECT id FROM lesson WHERE course_id = :course ORDER BY id", course=course_id)
    return SeededCourse(course_id, lesson_ids, [lesson["slug"] for lesson in lessons])


def completions(account_id: int, course: SeededCourse, count: int) -> Iterator[dict]:
    """The account finished the course's first `count` lessons, an hour apart."""
    for number, lesson_id in enumerate(course.lesson_ids[:count]):
        yield {
            "account_id": account_id,
            "course_id": course.id,
            "lesson_id": lesson_id,
            "completed_at": START + timedelta(hours=number),
        }


def seed(engine: Engine) -> Seeded:
    """Every table, the business row, the courses, the members, their enrolments and their progress."""
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Business(id=BUSINESS_ID, name="Benchmark Studio", enabled_apps=registry.default_enabled_keys()))
        session.commit()
    rng = random.Random(7)
    with engine.begin() as connection:
        big = create_course(
            connection, BIG_COURSE, 0, MODULES, LESSONS_PER_MODULE, published=True, certificate_enabled=True
        )
        side = []  # the small courses every fourth member is enrolled in and finished
        for position, (slug, flags, enrolled) in enumerate(SMALL_COURSES, start=1):
            course = create_course(connection, slug, position, SMALL_MODULES, SMALL_LESSONS_PER_MODULE, **flags)
            if enrolled:
                side.append(course)
        members = create_members(connection)
        done = {account_id: rng.randint(0, MAX_DONE) for account_id in members}
        pairs = [(account_id, big) for account_id in members]
        pairs += [(account_id, course) for course in side for account_id in members[::4]]
        bulk_insert(
            connection,
            Enrolment,
            ({"account_id": account_id, "course_id": course.id, "enrolled_at": START} for account_id, course in pairs),
        )
        progress = itertools.chain.from_iterable(
            completions(account_id, course, done[account_id] if course is big else len(course.lesson_ids))
            for account_id, course in pairs
        )
        bulk_insert(connection, LessonCompletion, progress)
        bulk_insert(connection, Certificate, certificates(members[::4], side[0]))
    analyze(engine)
    return Seeded(big.lesson_slugs, done)


def certificates(account_ids: list[int], course: SeededCourse) -> Iterator[dict]:
    for account_id in account_ids:
        yield {
            "code": f"bench{account_id:06d}",
            "account_id": account_id,
            "course_id": course.id,
            "recipient_name": f"Member {account_id}",
            "course_title": "Advanced Sessions",
            "business_name": "Benchmark Studio",
            "issued_at": START,
            "issued_on": START.date(),
        }


def create_members(connection) -> list[int]:
    bulk_insert(
        connection,
        Account,
        (
            {"email": f"member{number}@example.com", "full_name": f"Member {number}", "created_at": START}
            for number in range(members_to_seed())
        ),
    )
    return ids(connection, "SELECT id FROM account ORDER BY id")


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("course", "lesson", "account", "enrolment", "lessoncompletion")
        }


# --- the timed calls ---------------------------------------------------------------------------------------


def timed(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    action()  # warm-up
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def readers(seeded: Seeded, rng: random.Random) -> Iterator[int]:
    """Members in a random order, over and over."""
    members = list(seeded.done)
    rng.shuffle(members)
    return itertools.cycle(members)


def not_yet_done(seeded: Seeded, rng: random.Random) -> Iterator[tuple[int, str]]:
    """(member, the next lesson it has not done); never the last lesson, so no call finishes the course."""
    for account_id in readers(seeded, rng):
        if seeded.done[account_id] < LESSONS - 1:
            yield account_id, seeded.lesson_slugs[seeded.done[account_id]]
            seeded.done[account_id] += 1


def already_done(seeded: Seeded, rng: random.Random) -> Iterator[tuple[int, str]]:
    """(member, one of the lessons it finished)."""
    for account_id in readers(seeded, rng):
        if seeded.done[account_id]:
            yield account_id, seeded.lesson_slugs[rng.randrange(seeded.done[account_id])]


def complete_new(pairs: Iterator[tuple[int, str]]) -> None:
    account_id, lesson_slug = next(pairs)
    assert service.complete_lesson(account_id, BIG_COURSE, lesson_slug).newly_done


def complete_again(pairs: Iterator[tuple[int, str]]) -> None:
    account_id, lesson_slug = next(pairs)
    assert not service.complete_lesson(account_id, BIG_COURSE, lesson_slug).newly_done


def cases(seeded: Seeded) -> dict[str, Callable[[], object]]:
    """What is timed, each a call the member's pages make; every call takes the next member."""
    rng = random.Random(11)
    members = readers(seeded, rng)
    new, again = not_yet_done(seeded, rng), already_done(seeded, rng)
    return {
        "My courses (my_courses)": lambda: service.my_courses(next(members)),
        "course page (course_outline, 300 lessons)": lambda: service.course_outline(next(members), BIG_COURSE),
        "lesson page (lesson_view)": lambda: service.lesson_view(
            next(members), BIG_COURSE, rng.choice(seeded.lesson_slugs)
        ),
        "Mark complete, not done yet (inserts)": lambda: complete_new(new),
        "Mark complete, already done (idempotent)": lambda: complete_again(again),
    }


# --- the plans ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def planned_sql(engine: Engine) -> Iterator[list[tuple[str, list[str]]]]:
    """Each statement the calls inside send, with its plan, EXPLAINed just before it runs on the
    call's own connection and transaction, with the parameters it is sent with."""
    seen: list[tuple[str, list[str]]] = []

    def explain_first(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            seen.append((statement, explain(cursor, engine.dialect.name, statement, parameters, NO_PLAN_ROWS)))

    event.listen(engine, "before_cursor_execute", explain_first)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", explain_first)


def print_plans(engine: Engine, calls: dict[str, Callable[[], object]]) -> list[str]:
    """Each call's statements and their plans; returns every full scan of a big table seen."""
    scans = []
    for name, action in calls.items():
        with planned_sql(engine) as seen:
            action()
        print(f"\n-- {name}: {len(seen)} statements")
        for statement, lines in seen:
            print(f"   {describe(statement)}")
            for line in lines:
                print(f"      {line}")
            scans += [f"{name}: {describe(statement)}: {line}" for line in full_scans(lines, BIG_TABLES)]
    return scans


# --- one database ------------------------------------------------------------------------------------------


def run(label: str, url: str, rounds: int) -> dict[str, tuple[float, float]]:
    os.environ["REFLEX_DB_URL"] = url
    get_settings.cache_clear()
    engine = db.engine_for(url)
    started = time.perf_counter()
    seeded = seed(engine)
    counts = ", ".join(f"{table} {count:,}" for table, count in row_counts(engine).items())
    print(f"\n== {label}: seeded in {time.perf_counter() - started:.1f} s ({counts}) ==")
    results = {}
    print(f"{'call':<44} {'median ms':>10} {'p95 ms':>8}   ({rounds} rounds, a different member each)")
    for name, action in cases(seeded).items():
        results[name] = timed(action, rounds)
        print(f"{name:<44} {results[name][0]:>10.2f} {results[name][1]:>8.2f}")
    scans = print_plans(engine, cases(seeded))
    print(f"\nfull scans of a big table ({', '.join(BIG_TABLES)}): {len(scans) or 'none'}")
    for scan in scans:
        print(f"   {scan}")
    engine.dispose()
    db.engine_for.cache_clear()
    return results


def postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except (SQLAlchemyError, OSError) as error:
        print(f"\n(PostgreSQL on 127.0.0.1:5432 not measured: {type(error).__name__})")
        return False


def run_postgres(rounds: int) -> tuple[str, dict[str, tuple[float, float]]]:
    name = f"portal_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar().split()[0]
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        label = f"PostgreSQL {version}"
        return label, run(
            f"{label} (temporary database)", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", rounds
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def print_markdown(results: dict[str, dict[str, tuple[float, float]]]) -> None:
    labels = list(results)
    print("\n" + " | ".join(["| call", *(f"{label} median | {label} p95" for label in labels)]) + " |")
    print("|---" + "|---:" * (2 * len(labels)) + "|")
    for name in next(iter(results.values())):
        figures = [f"{results[label][name][0]:.2f} ms | {results[label][name][1]:.2f} ms" for label in labels]
        print(f"| {name} | " + " | ".join(figures) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed runs per call (default 200)")
    parser.add_argument("--members", type=int, default=MEMBERS, help=f"members to seed (default {MEMBERS:,})")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL even when it answers")
    args = parser.parse_args()
    rounds = args.rounds
    _members[0] = args.members
    started = time.perf_counter()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        label = f"SQLite {sqlite3.sqlite_version}"
        results[label] = run(f"{label} (temporary file, WAL)", f"sqlite:///{Path(directory) / 'courses.db'}", rounds)
    if not args.sqlite_only and postgres_reachable():
        label, results[label] = run_postgres(rounds)
    print_markdown(results)
    print(f"\nreflex imported: {'reflex' in sys.modules}; whole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
