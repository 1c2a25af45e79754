"""The product's three apps: their summary cards say truthfully what the timeline holds."""

from __future__ import annotations

from portal_app.apps import registry
from portal_app.kernel import db
from portal_app.timeline import service as activity
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
    add(account, "courses", "course_enrolled", 2)
    add(account, "courses", "lesson_completed", 1)
    add(account, "communities", "community_joined", 1)
    add(account, "communities", "post_published", 3)
    add(account, "affiliates", "affiliate_joined", 1)
    courses, communities = card("courses", account), card("communities", account)
    assert (courses.headline, courses.details, courses.count) == ("2 courses joined", ("1 lesson completed",), 2)
    assert (communities.headline, communities.details) == ("Member of 1 community", ("3 posts published",))
    assert card("affiliates", account).details == ("Share your affiliate link to refer a customer.",)
    add(account, "affiliates", "referral_made", 1)
    assert card("affiliates", account).headline == "1 customer referred"


def test_another_accounts_activity_is_not_counted(database, frozen_clock):
    ada, grace = add_account(), add_account("grace@example.com")
    add(grace, "courses", "course_enrolled", 3)
    assert card("courses", ada).headline == "No courses yet"
