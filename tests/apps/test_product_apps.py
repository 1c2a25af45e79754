"""The product's three apps: their summary cards say truthfully what the portal holds (Courses: its own tables)."""

from __future__ import annotations

from portal_app.admin.audit import Actor
from portal_app.apps import registry
from portal_app.apps.communities import groups, posts
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


def test_the_communities_card_reads_memberships_and_new_posts_not_the_timeline(database, frozen_clock):
    account, grace = add_account(), add_account("grace@example.com")
    add(account, "communities", "community_joined", 1)
    assert card("communities", account).headline == "No communities yet"
    owner = Actor("owner@example.com")
    groups.create_group(owner, name="Bakers")
    groups.create_group(owner, name="Secret", visibility="private")
    for who in (account, grace):
        groups.join(who, "bakers")
    groups.join(account, "secret")  # waiting for approval: not counted
    frozen_clock.advance(minutes=1)
    posts.create_post(grace, "bakers", "general", title="Hello", body="First loaf!")
    communities = card("communities", account)
    assert (communities.headline, communities.details, communities.count) == (
        "Member of 1 community",
        ("Bakers: 1 new post",),
        1,
    )
    groups.mark_seen(account, "bakers")
    assert card("communities", account).details == ("Nothing new since your last visit.",)


def test_the_affiliates_card_reads_the_ledger_not_the_timeline(database, frozen_clock):
    from portal_app.apps.affiliates import dashboard, ledger, programme
    from portal_app.apps.affiliates.models import Referral
    from portal_app.kernel import clock, db

    account = add_account()
    add(account, "affiliates", "referral_made", 3)
    assert card("affiliates", account).headline == "No referrals yet"
    dashboard.overview(account)  # the first visit makes the affiliate
    assert card("affiliates", account).headline == "No commissions yet"
    with db.write_session() as session:
        affiliate = programme.ensure_affiliate(session, account)
        campaign = programme.default_campaign(session)
        session.add(
            Referral(
                affiliate_id=affiliate.id,
                campaign_id=campaign.id,
                customer_email="c@example.com",
                created_at=clock.now(),
            )
        )
        ledger.record_sale(
            session,
            idempotency_key="k1",
            external_id="o1",
            amount=5000,
            currency="USD",
            customer_email="c@example.com",
            occurred_at=clock.now(),
            source="manual",
        )
    affiliates = card("affiliates", account)
    assert affiliates.headline == "Balance $0.00"
    assert affiliates.details == ("This month: $10.00 earned", "Pending: $10.00; paid so far: $0.00")


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
    groups.create_group(Actor("owner@example.com"), name="Bakers")
    groups.join(grace, "bakers")
    assert card("courses", ada).headline == "No courses yet"
    assert card("communities", ada).headline == "No communities yet"
