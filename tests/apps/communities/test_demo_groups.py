"""The demo community: two groups (one private), posts with comments, replies and likes, the demo account in both."""

from __future__ import annotations

from sqlmodel import select

from portal_app.accounts.models import Account
from portal_app.apps.communities import groups, posts
from portal_app.apps.communities.demo_groups import add_demo_groups
from portal_app.apps.communities.models import Post
from portal_app.kernel import db
from tests.apps.support import add_account


def test_the_demo_community_is_alive_for_the_main_account(database, frozen_clock):
    main, second = add_account("dana@demo.example", "Dana"), add_account("dana@demo.example", "Dana Two")
    with db.write_session() as session:
        add_demo_groups(session, [session.get(Account, main), session.get(Account, second)])
    cards = {card.slug: card for card in groups.my_groups(main)}
    assert sorted(cards) == ["studio-members", "teacher-training"]
    assert cards["teacher-training"].visibility == "private" and cards["studio-members"].new_posts == 1
    page = posts.feed(main, "studio-members")
    assert [item.title for item in page.pinned] == ["Welcome to the Studio community"]
    assert [item.title for item in page.posts] == [
        "My first month of sessions",
        "Best mat for a small flat?",
        "Hello from Lisbon",
    ]
    # Two channels: the introduction is in its own.
    assert page.channels == (("general", "General"), ("introductions", "Introductions"))
    assert [item.title for item in posts.feed(main, "studio-members", "introductions").posts] == ["Hello from Lisbon"]
    view = posts.post_view(main, "studio-members", page.posts[1].id)
    assert [len(comment.replies) for comment in view.comments] == [1] and view.post.like_count == 1
    # The second account is not in the private group.
    assert groups.groups_to_join(second)[0].slug in {"studio-members", "teacher-training"}
    with db.read_session() as session:
        counted = {post.id: post.comment_count for post in session.exec(select(Post))}
    assert sum(counted.values()) == 5
