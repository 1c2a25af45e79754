"""Reply and mention emails: who gets one, what it says, at most one per person and thread per hour."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups, moderation, notices, posts
from portal_app.apps.communities.models import GroupMember, ThreadNotice
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.profile.models import Profile
from tests.apps.support import add_account, grant

OWNER = Actor("owner@example.com")


def emails(to: str | None = None) -> list[OutboxEmail]:
    with db.read_session() as session:
        statement = select(OutboxEmail).where(OutboxEmail.template == "communities:thread_activity")
        if to is not None:
            statement = statement.where(OutboxEmail.to_email == to)
        return list(session.exec(statement.order_by(OutboxEmail.id)))


def waiting() -> int:
    with db.read_session() as session:
        return len(session.exec(select(ThreadNotice.id)).all())


@pytest.fixture
def bakers(database, frozen_clock):
    groups.create_group(OWNER, name="Bakers")
    people = {
        "ann": add_account("ann@example.com", "Ann Poster"),
        "bob": add_account("bob@example.com", "Bob Replier"),
        "cat": add_account("cat@example.com", "Cat Reader"),
    }
    for account in people.values():
        grant(account, "communities")
        groups.join(account, "bakers")
    post = posts.create_post(people["ann"], "bakers", "general", title="Starter help", body="My starter is flat.")
    return {**people, "post": post}


def test_a_comment_on_my_post_emails_me_with_who_said_what_and_a_link(bakers):
    posts.add_comment(bakers["bob"], "bakers", bakers["post"], body="Feed it **twice** a day.")
    [email] = emails("ann@example.com")
    assert email.subject == "Bob Replier replied in “Starter help”"
    assert "Feed it **twice** a day." in email.text_body
    assert f"/apps/communities/bakers/post/{bakers['post']}" in email.text_body
    # Nobody else hears of it, and the author never hears of their own words.
    assert emails("bob@example.com") == [] and emails("cat@example.com") == []
    assert waiting() == 0


def test_a_reply_to_my_comment_emails_me_and_the_post_author(bakers):
    first = posts.add_comment(bakers["cat"], "bakers", bakers["post"], body="Warmer kitchen?")
    posts.add_comment(bakers["bob"], "bakers", bakers["post"], body="Yes, 26 degrees.", parent_id=first)
    assert len(emails("cat@example.com")) == 1
    assert "Bob Replier replied: Yes, 26 degrees." in emails("cat@example.com")[0].text_body
    # Ann had one email already (Cat's comment): Bob's reply waits for her hour.
    assert len(emails("ann@example.com")) == 1
    assert waiting() == 1


def test_at_most_one_email_per_thread_an_hour_and_the_rest_come_together(bakers, frozen_clock):
    for text in ("One", "Two", "Three"):
        posts.add_comment(bakers["bob"], "bakers", bakers["post"], body=text)
        frozen_clock.advance(minutes=5)
    assert len(emails("ann@example.com")) == 1
    assert notices.send_waiting() == 0  # her hour is not up
    frozen_clock.advance(minutes=50)
    assert notices.send_waiting() == 1
    batch = emails("ann@example.com")[-1]
    assert batch.subject == "2 new replies and mentions in “Starter help”"
    assert "Bob Replier replied: Two" in batch.text_body and "Bob Replier replied: Three" in batch.text_body
    assert notices.send_waiting() == 0 and waiting() == 0
    # Another thread is not held back by this one.
    other = posts.create_post(bakers["ann"], "bakers", "general", title="Rye", body="Rye question")
    posts.add_comment(bakers["bob"], "bakers", other, body="Rye answer")
    assert len(emails("ann@example.com")) == 3


def test_mentions_by_full_name_or_a_unique_first_name(bakers):
    posts.add_comment(bakers["bob"], "bakers", bakers["post"], body="Ask @Cat Reader, she knows.")
    assert "Bob Replier mentioned you" in emails("cat@example.com")[0].text_body
    other = posts.create_post(bakers["bob"], "bakers", "general", title="Hello", body="Hi @cat and @ann!")
    assert len(emails("cat@example.com")) == 2 and len(emails("ann@example.com")) == 2
    assert f"/post/{other}" in emails("ann@example.com")[-1].text_body


def test_mentions_that_name_nobody_or_two_people_or_an_email_address_send_nothing(bakers):
    add_account("cat2@example.com", "Cat Other")
    third = add_account("cat3@example.com", "Cat Third")
    grant(third, "communities")
    groups.join(third, "bakers")
    posts.create_post(
        bakers["bob"], "bakers", "general", title="", body="@Cat (two Cats), @nobody, mail cat@example.com"
    )
    assert emails("cat@example.com") == [] and emails("cat3@example.com") == []
    # Someone with the name who is not in the group is never told.
    assert emails("cat2@example.com") == []


def test_no_email_to_someone_who_cannot_read_the_group_any_more(bakers):
    groups.create_group(OWNER, name="Secret", visibility="private", owner_account_id=bakers["ann"])
    post = posts.create_post(bakers["ann"], "secret", "general", title="Private", body="Inside")
    with db.write_session() as session:
        session.add(GroupMember(group_id=2, account_id=bakers["bob"], role="member", status="active", joined_at=_now()))
    posts.add_comment(bakers["ann"], "secret", post, body="Welcome @Bob Replier")
    assert len(emails("bob@example.com")) == 1
    # Bob comments, then is banned before Ann's answer: it mentions him, but he hears nothing.
    posts.add_comment(bakers["bob"], "secret", post, body="Thanks")
    groups.set_member_status(bakers["ann"], "secret", bakers["bob"], "banned")
    posts.add_comment(bakers["ann"], "secret", post, body="You are welcome @Bob Replier")
    assert len(emails("bob@example.com")) == 1
    assert waiting() == 0


def test_a_hidden_or_deleted_comment_is_not_told(bakers, frozen_clock):
    posts.add_comment(bakers["bob"], "bakers", bakers["post"], body="First")
    spam = posts.add_comment(bakers["bob"], "bakers", bakers["post"], body="Buy now")
    with db.write_session() as session:
        member = session.exec(select(GroupMember).where(GroupMember.account_id == bakers["cat"])).one()
        member.role = "moderator"
        session.add(member)
    moderation.set_comment_hidden(bakers["cat"], "bakers", spam, True)
    frozen_clock.advance(hours=1)
    assert notices.send_waiting() == 0
    assert len(emails("ann@example.com")) == 1


def test_no_email_once_the_app_is_taken_away(bakers):
    from portal_app.apps import grants

    with db.write_session() as session:
        grants.revoke_app(session, account_id=bakers["ann"], app_key="communities")
    posts.add_comment(bakers["bob"], "bakers", bakers["post"], body="Hello")
    assert emails("ann@example.com") == [] and waiting() == 0


def test_the_profile_choice_for_this_app_holds(bakers):
    with db.write_session() as session:
        profile = session.get(Profile, bakers["ann"]) or Profile(account_id=bakers["ann"], updated_at=_now())
        profile.email_notifications = {"communities": False}
        session.add(profile)
    posts.add_comment(bakers["bob"], "bakers", bakers["post"], body="Hello")
    assert emails("ann@example.com") == []


def _now():
    from portal_app.kernel import clock

    return clock.now()
