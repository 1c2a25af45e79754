"""The admin-wide moderation queue: reports of every group, newest first in pages, and what staff do about
them (resolve, dismiss, hide, show again, delete), each audited and seen by members at once."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from portal_app.admin.audit import Actor
from portal_app.admin.models import AuditEntry
from portal_app.apps.communities import groups, moderation, owner_members, owner_reports, posts
from portal_app.apps.communities.models import Comment, GroupMember, Post, Report
from portal_app.kernel import db, live
from portal_app.kernel.errors import FormErrors
from tests.apps.support import add_account

STAFF = Actor("owner@example.com")


def actions() -> list[tuple[str, str, str]]:
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(entry.actor, entry.action.removeprefix("communities."), entry.target) for entry in entries]


def report_rows() -> dict[int, str]:
    with db.read_session() as session:
        return {row.id: row.status for row in session.exec(select(Report))}


def report_id(reporter: int, post: int, comment: int | None = None) -> int:
    with db.read_session() as session:
        statement = select(Report.id).where(Report.reporter_id == reporter, Report.post_id == post)
        statement = statement.where(
            Report.comment_id == comment if comment is not None else col(Report.comment_id).is_(None)
        )
        return session.exec(statement).one()


class Site:
    def __init__(self) -> None:
        groups.create_group(STAFF, name="Bakers")
        groups.create_group(STAFF, name="Secret", visibility="private")
        self.ann = add_account("ann@example.com", "Ann Author")
        self.bob = add_account("bob@example.com", "Bob Reporter")
        self.cat = add_account("cat@example.com", "Cat Reporter")
        for person in (self.ann, self.bob, self.cat):
            groups.join(person, "bakers")
        self.post = posts.create_post(
            self.ann, "bakers", "general", title="Spam?", body="Buy **now** <script>x</script>"
        )
        self.comment = posts.add_comment(self.ann, "bakers", self.post, body="A rude comment")
        posts.add_comment(self.bob, "bakers", self.post, body="A reply", parent_id=self.comment)
        moderation.report(self.bob, "bakers", self.post, reason="Looks like spam")
        moderation.report(self.cat, "bakers", self.post, reason="Spam for sure")
        moderation.report(self.bob, "bakers", self.post, reason="Rude", comment_id=self.comment)


@pytest.fixture
def site(database, frozen_clock) -> Site:
    return Site()


def test_the_queue_lists_every_groups_open_reports_newest_first(site):
    page = owner_reports.reports()
    assert [(item.reporter, item.reason, item.comment_id) for item in page.items] == [
        ("Bob Reporter", "Rude", site.comment),
        ("Cat Reporter", "Spam for sure", None),
        ("Bob Reporter", "Looks like spam", None),
    ]
    first = page.items[0]
    assert (first.group_slug, first.group_name, first.post_title, first.author, first.excerpt) == (
        "bakers",
        "Bakers",
        "Spam?",
        "Ann Author",
        "A rude comment",
    )
    assert (first.reporter_email, first.status, first.hidden, page.open_count, page.next_before) == (
        "bob@example.com",
        "open",
        False,
        3,
        None,
    )
    assert page.items[1].excerpt == "Buy **now** <script>x</script>"
    assert owner_reports.reports(group_slug="secret").items == ()
    assert owner_reports.reports(status="resolved").items == ()
    for bad in ({"status": "all"}, {"status": None}, {"group_slug": "gone"}, {"group_slug": "../x"}, {"before": "9"}):
        with pytest.raises(LookupError):
            owner_reports.reports(**bad)


def test_the_queue_pages_by_id_without_offset(site, monkeypatch):
    monkeypatch.setattr(owner_reports, "PAGE_SIZE", 2)
    first = owner_reports.reports()
    assert len(first.items) == 2 and first.next_before == first.items[-1].id
    second = owner_reports.reports(before=first.next_before)
    assert [item.reason for item in second.items] == ["Looks like spam"] and second.next_before is None


def test_resolve_and_dismiss_close_one_report_each(site):
    rude = report_id(site.bob, site.post, site.comment)
    spam = report_id(site.cat, site.post)
    assert owner_reports.act(STAFF, rude, "resolve") is True
    assert owner_reports.act(STAFF, spam, "dismiss") is True
    assert report_rows() == {rude: "resolved", spam: "dismissed", report_id(site.bob, site.post): "open"}
    assert [item.reason for item in owner_reports.reports(status="dismissed").items] == ["Spam for sure"]
    with pytest.raises(LookupError):
        owner_reports.act(STAFF, rude, "dismiss")
    assert actions()[-2:] == [
        ("owner@example.com", "report_resolved", f"bakers/report/{rude}"),
        ("owner@example.com", "report_dismissed", f"bakers/report/{spam}"),
    ]


def test_hiding_resolves_every_open_report_of_the_same_post_and_members_stop_seeing_it(site):
    spam = report_id(site.bob, site.post)
    owner_reports.act(STAFF, spam, "hide")
    assert [item.id for item in posts.feed(site.cat, "bakers").posts] == []
    statuses = report_rows()
    assert statuses[spam] == statuses[report_id(site.cat, site.post)] == "resolved"
    assert statuses[report_id(site.bob, site.post, site.comment)] == "open"
    assert [action for _, action, _ in actions()][-3:] == ["post_hidden", "report_resolved", "report_resolved"]
    assert owner_reports.reports(status="resolved").items[0].hidden is True
    assert owner_reports.act(STAFF, spam, "show") is True
    assert owner_reports.act(STAFF, spam, "show") is False
    assert [item.id for item in posts.feed(site.cat, "bakers").posts] == [site.post]
    assert actions()[-1] == ("owner@example.com", "post_shown", f"bakers/post/{site.post}")


def test_hiding_a_comment_hides_only_that_comment(site):
    rude = report_id(site.bob, site.post, site.comment)
    owner_reports.act(STAFF, rude, "hide")
    with db.read_session() as session:
        assert session.get(Comment, site.comment).hidden is True
        assert session.get(Post, site.post).hidden is False
    assert actions()[-2][1:] == ("comment_hidden", f"bakers/comment/{site.comment}")


def test_deleting_a_comment_takes_its_replies_and_its_reports(site):
    rude = report_id(site.bob, site.post, site.comment)
    owner_reports.act(STAFF, rude, "delete")
    with db.read_session() as session:
        assert session.exec(select(Comment)).all() == []
        assert session.get(Post, site.post).comment_count == 0
    assert rude not in report_rows() and len(report_rows()) == 2
    assert actions()[-1][1:] == ("comment_deleted", f"bakers/comment/{site.comment}")


def test_deleting_a_post_takes_everything_with_it_and_is_audited_with_the_reason(site):
    spam = report_id(site.bob, site.post)
    owner_reports.act(STAFF, spam, "delete")
    assert report_rows() == {} and owner_reports.reports().items == ()
    with db.read_session() as session:
        assert session.exec(select(Post)).all() == []
        entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert (entry.action, entry.target) == ("communities.post_deleted", f"bakers/post/{site.post}")
    assert '"reason": "Looks like spam"' in entry.detail
    with pytest.raises(LookupError):
        owner_reports.act(STAFF, spam, "resolve")


def test_bad_actions_and_ids_change_nothing(site):
    before, log = report_rows(), actions()
    spam = report_id(site.bob, site.post)
    for report, action in (
        (spam, "ban"),
        (spam, None),
        (spam, ["hide"]),
        ("1", "hide"),
        (True, "hide"),
        (0, "hide"),
        (2**70, "hide"),
        (99999, "hide"),
    ):
        with pytest.raises(LookupError):
            owner_reports.act(STAFF, report, action)
    assert report_rows() == before and actions() == log


def test_a_group_moderator_and_staff_share_the_action_names(site):
    """The group's own queue (moderation.close_report) and the admin queue write the same audit actions."""
    with db.write_session() as session:
        member = session.exec(select(GroupMember).where(GroupMember.account_id == site.cat)).one()
        member.role = "moderator"
        session.add(member)
    moderation.close_report(site.cat, "bakers", report_id(site.bob, site.post), "dismissed")
    owner_reports.act(STAFF, report_id(site.cat, site.post), "dismiss")
    assert [action for _, action, _ in actions()][-2:] == ["report_dismissed", "report_dismissed"]
    with pytest.raises(FormErrors):
        moderation.close_report(site.bob, "bakers", report_id(site.bob, site.post, site.comment), "resolved")


def test_staff_changes_are_announced_on_the_groups_live_channel(site, monkeypatch):
    """Open feeds reload under their own access check: a hidden post or a banned member disappears at once."""
    published = []
    monkeypatch.setattr(live, "publish", lambda topic, event: published.append((topic, event["change"])))
    with db.read_session() as session:
        topic = groups.live_topic(session.get(Post, site.post).group_id)
    owner_reports.act(STAFF, report_id(site.bob, site.post), "hide")
    owner_reports.act(STAFF, report_id(site.bob, site.post, site.comment), "dismiss")
    owner_members.set_status(STAFF, "bakers", site.cat, "ban")
    assert published == [(topic, "moderated"), (topic, "members")]
