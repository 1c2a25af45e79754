"""Two tabs (here, eight threads) marking the same lesson at once count once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlmodel import select

from portal_app.apps.courses import service
from portal_app.apps.courses.models import LessonCompletion
from portal_app.kernel import db
from portal_app.timeline import service as activity
from tests.apps.courses.support import make_course
from tests.apps.support import add_account

THREADS = 8


def run_together(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [result for result in results if isinstance(result, BaseException)], results
    return results


def courses_timeline(account_id: int) -> list[str]:
    return [item.kind for item in activity.timeline(account_id, app_key="courses", limit=100).items]


def test_the_same_lesson_marked_by_eight_threads_counts_once(shared_database):
    account = add_account()
    make_course()
    service.enrol(account, "baking")
    results = run_together([lambda: service.complete_lesson(account, "baking", "bread-1")] * THREADS)
    assert sum(1 for result in results if result.newly_done) == 1
    with db.read_session() as session:
        assert len(list(session.exec(select(LessonCompletion)))) == 1
    assert courses_timeline(account).count("lesson_completed") == 1


def test_the_last_two_lessons_marked_at_once_complete_the_course_once(shared_database):
    account = add_account()
    make_course()
    service.enrol(account, "baking")
    service.complete_lesson(account, "baking", "bread-1")
    service.complete_lesson(account, "baking", "bread-2")
    calls = [lambda slug=slug: service.complete_lesson(account, "baking", slug) for slug in ("cake-1", "cake-2")] * 4
    results = run_together(calls)
    assert sum(1 for result in results if result.course_completed and result.newly_done) == 1
    assert courses_timeline(account).count("course_completed") == 1
    assert courses_timeline(account).count("lesson_completed") == 4
