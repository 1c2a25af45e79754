"""The owner's side of Communities: weekly figures per group, archiving, and the audit log."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.apps.communities import groups, moderation, owner, posts
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.apps.support import add_account

OWNER = Actor("owner@example.com")


def test_figures_count_the_last_seven_days_per_group(database, frozen_clock):
    groups.create_group(OWNER, name="Bakers")
    groups.create_group(OWNER, name="Secret", visibility="private")
    ann, bob, eve = (add_account(f"{n}@example.com", n) for n in ("ann", "bob", "eve"))
    for who in (ann, bob):
        groups.join(who, "bakers")
    groups.join(eve, "secret")
    old = posts.create_post(ann, "bakers", "general", title="Old", body="From last month")
    frozen_clock.advance(days=8)
    fresh = posts.create_post(bob, "bakers", "general", title="New", body="This week")
    posts.add_comment(ann, "bakers", fresh, body="Nice")
    moderation.report(ann, "bakers", old, reason="Outdated")
    figures = {row.slug: row for row in owner.list_groups()}
    bakers, secret = figures["bakers"], figures["secret"]
    assert (bakers.members, bakers.pending, bakers.posts_this_week, bakers.comments_this_week) == (2, 0, 1, 1)
    assert (bakers.active_members_this_week, bakers.open_reports) == (2, 1)
    assert (secret.members, secret.pending, secret.visibility) == (0, 1, "private")


def test_an_archived_group_leaves_my_groups_and_takes_no_posts(database, frozen_clock):
    groups.create_group(OWNER, name="Bakers")
    ann = add_account()
    groups.join(ann, "bakers")
    owner.set_archived(OWNER, "bakers", True)
    assert groups.my_groups(ann) == [] and groups.groups_to_join(ann) == []
    with pytest.raises(FormErrors) as refused:
        posts.create_post(ann, "bakers", "general", title="", body="Hello?")
    assert refused.value.errors == {"body": "This group is archived: it takes no new posts."}
    assert [row.archived for row in owner.list_groups()] == [True]
    owner.set_archived(OWNER, "bakers", False)
    assert [card.slug for card in groups.my_groups(ann)] == ["bakers"]
    for slug, archived in (("nope", True), ("bakers", "yes"), ("../x", False), ("bakers", None)):
        with pytest.raises(LookupError):
            owner.set_archived(OWNER, slug, archived)
    with db.read_session() as session:
        assert [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))] == [
            "communities.group_created",
            "communities.group_archived",
            "communities.group_restored",
        ]
