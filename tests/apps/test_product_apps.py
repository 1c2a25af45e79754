"""The product's three apps: their summary cards say truthfully what the portal holds (Courses: its own tables)."""

from __future__ import annotations

from portal_app.apps import registry
from portal_app.apps.courses import service as courses
from portal_app.kernel import db
from portal_app.timeline import service as activity
from tests.apps.courses.support import make_course
from tests.apps.support import add_account


def add(account_id: int, app_key: str, kind: str, times: int = 1) -> None:
    with db.write_session() as session:
        for _ in range(times):
            activity.record(session, account_id=account_id, app_key=app_key, kind=kind, summary="")


def card(key: str, account_id: int):
    return registry.get_app(key).summary(account_id)


def test_empty_states(database, frozen_clock):
    account = add_account()
    assert card("courses", account).headline == "No courses yet"
    assert card("communities", account).headline == "No communities yet"
    assert card("affiliates", account).headline == "No referrals yet"


def test_counts(database, frozen_clock):
    account = add_account()
    add(account, "communities", "community_joined", 1)
    add(account, "communities", "post_published", 3)
    add(account, "affiliates", "affiliate_joined", 1)
    communities = card("communities", account)
    assert (communities.headline, communities.details) == ("Member of 1 community", ("3 posts published",))
    assert card("affiliates", account).details == ("Share your affiliate link to refer a customer.",)
    add(account, "affiliates", "referral_made", 1)
    assert card("affiliates", account).headline == "1 customer referred"


def test_the_courses_card_reads_enrolments_and_progress_not_the_timeline(database, frozen_clock):
    account = add_account()
    add(account, "courses", "course_enrolled", 2)
    add(account, "courses", "lesson_completed", 1)
    assert card("courses", account).headline == "No courses yet"
    make_course()
    courses.enrol(account, "baking")
    courses.complete_lesson(account, "baking", "bread-1")
    assert card("courses", account) == courses.summary(account)
    assert card("courses", account).headline == "1 course in progress"


def test_another_accounts_activity_is_not_counted(database, frozen_clock):
    ada, grace = add_account(), add_account("grace@example.com")
    make_course()
    courses.enrol(grace, "baking")
    add(grace, "communities", "community_joined", 3)
    assert card("courses", ada).headline == "No courses yet"
    assert card("communities", ada).headline == "No communities yet"
