"""Moderation: pin, hide, close comments, reports and the queue; every action audited, moderators only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.apps.communities import groups, moderation, posts
from portal_app.apps.communities.models import GroupMember, Report
from portal_app.kernel import db
from portal_app.kernel.errors import FormErrors
from tests.apps.support import add_account

OWNER = Actor("owner@example.com")


def make_role(account_id: int, slug: str, role: str) -> None:
    with db.write_session() as session:
        member = session.exec(select(GroupMember).where(GroupMember.account_id == account_id)).first()
        member.role = role
        session.add(member)


def actions() -> list[tuple[str, str]]:
    with db.read_session() as session:
        return [(e.action, e.actor) for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.fixture
def bakers(database, frozen_clock):
    groups.create_group(OWNER, name="Bakers")
    people = {name: add_account(f"{name}@example.com", name.title()) for name in ("mod", "ann", "bob")}
    for account in people.values():
        groups.join(account, "bakers")
    make_role(people["mod"], "bakers", "moderator")
    post = posts.create_post(people["ann"], "bakers", "general", title="Hi", body="Hello all")
    return people, post


def test_a_moderator_pins_hides_and_closes_comments_and_each_is_audited(bakers):
    people, post = bakers
    moderation.set_post_flag(people["mod"], "bakers", post, "pinned", True)
    page = posts.feed(people["bob"], "bakers")
    assert [item.id for item in page.pinned] == [post] and page.posts == ()
    moderation.set_post_flag(people["mod"], "bakers", post, "comments_closed", True)
    with pytest.raises(FormErrors, match="closed"):
        posts.add_comment(people["bob"], "bakers", post, body="Nice")
    moderation.set_post_flag(people["mod"], "bakers", post, "hidden", True)
    assert posts.feed(people["bob"], "bakers").pinned == ()
    with pytest.raises(LookupError):
        posts.post_view(people["bob"], "bakers", post)
    assert posts.post_view(people["ann"], "bakers", post).post.id == post  # its author still sees it
    assert [action for action, _ in actions()][1:] == [
        "communities.post_pinned",
        "communities.comments_closed",
        "communities.post_hidden",
    ]
    assert actions()[-1][1] == f"mod@example.com (moderator of bakers, account {people['mod']})"


def test_members_cannot_moderate_and_odd_arguments_are_refused(bakers):
    people, post = bakers
    with pytest.raises(FormErrors, match="moderators"):
        moderation.set_post_flag(people["bob"], "bakers", post, "pinned", True)
    for flag, on in (("deleted", True), ("pinned", "yes"), ("pinned", 1), (None, True)):
        with pytest.raises(LookupError):
            moderation.set_post_flag(people["mod"], "bakers", post, flag, on)
    for bad_id in (None, "1", True, 10**30, -1, 999):
        with pytest.raises(LookupError):
            moderation.set_post_flag(people["mod"], "bakers", bad_id, "pinned", True)
    assert [action for action, _ in actions()] == ["communities.group_created"]


def test_another_groups_post_is_refused(bakers):
    people, _ = bakers
    groups.create_group(OWNER, name="Painters")
    groups.join(people["bob"], "painters")
    other = posts.create_post(people["bob"], "painters", "general", title="", body="Blue")
    with pytest.raises(LookupError):
        moderation.set_post_flag(people["mod"], "bakers", other, "hidden", True)
    assert posts.feed(people["bob"], "painters").posts[0].id == other


def test_reports_reach_the_queue_once_and_close(bakers):
    people, post = bakers
    comment = posts.add_comment(people["ann"], "bakers", post, body="Buy cheap pills http://spam.example")
    assert moderation.report(people["bob"], "bakers", post, reason="Off topic") is True
    assert moderation.report(people["bob"], "bakers", post, reason="Still off topic") is False
    assert moderation.report(people["bob"], "bakers", post, reason="Spam", comment_id=comment) is True
    for reason in ("", "   ", None, "x" * 501):
        with pytest.raises(FormErrors):
            moderation.report(people["bob"], "bakers", post, reason=reason)
    queue = moderation.open_reports(people["mod"], "bakers")
    assert [(item.reason, item.comment_id, item.reporter) for item in queue] == [
        ("Off topic", None, "Bob"),
        ("Spam", comment, "Bob"),
    ]
    assert queue[1].excerpt.startswith("Buy cheap pills")
    with pytest.raises(FormErrors):
        moderation.open_reports(people["bob"], "bakers")
    moderation.close_report(people["mod"], "bakers", queue[0].id, "dismissed")
    moderation.set_comment_hidden(people["mod"], "bakers", comment, True)
    moderation.close_report(people["mod"], "bakers", queue[1].id, "resolved")
    assert moderation.open_reports(people["mod"], "bakers") == []
    with pytest.raises(LookupError):
        moderation.close_report(people["mod"], "bakers", queue[1].id, "resolved")
    [view_comment] = posts.post_view(people["mod"], "bakers", post).comments
    assert view_comment.hidden is True
    assert posts.post_view(people["bob"], "bakers", post).comments == ()
    with db.read_session() as session:
        assert [row.status for row in session.exec(select(Report).order_by(Report.id))] == ["dismissed", "resolved"]


def test_a_comment_goes_when_its_author_or_a_moderator_deletes_it_and_the_count_follows(bakers):
    people, post = bakers
    first = posts.add_comment(people["bob"], "bakers", post, body="First")
    posts.add_comment(people["ann"], "bakers", post, body="A reply", parent_id=first)
    second = posts.add_comment(people["ann"], "bakers", post, body="Second")
    with pytest.raises(LookupError):
        posts.delete_comment(people["bob"], "bakers", second)  # not Bob's
    posts.delete_comment(people["bob"], "bakers", first)  # takes its reply with it
    view = posts.post_view(people["ann"], "bakers", post)
    assert [c.body_html for c in view.comments] == ["<p>Second</p>\n"] and view.post.comment_count == 1
    posts.delete_comment(people["mod"], "bakers", second)
    assert posts.post_view(people["ann"], "bakers", post).post.comment_count == 0
    for bad in (None, "1", 10**30, second):
        with pytest.raises(LookupError):
            posts.delete_comment(people["mod"], "bakers", bad)
