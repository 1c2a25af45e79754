"""Search within a group: every word, title or text, newest first; private groups stay private."""

from __future__ import annotations

import pytest

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups, moderation, posts
from tests.apps.support import add_account

OWNER = Actor("owner@example.com")


@pytest.fixture
def bakers(database, frozen_clock):
    groups.create_group(OWNER, name="Bakers")
    ann = add_account()
    groups.join(ann, "bakers")
    for title, body in (
        ("Sourdough starter", "Feed it flour daily"),
        ("Rye bread", "Dense and dark; 100% rye"),
        ("", "Which FLOUR for brioche?"),
    ):
        posts.create_post(ann, "bakers", "general", title=title, body=body)
        frozen_clock.advance(minutes=1)
    return ann


def test_every_word_in_title_or_text_newest_first(bakers):
    assert [item.body_html for item in posts.search(bakers, "bakers", "flour")] == [
        "<p>Which FLOUR for brioche?</p>\n",
        "<p>Feed it flour daily</p>\n",
    ]
    assert [item.title for item in posts.search(bakers, "bakers", "  RYE   dark ")] == ["Rye bread"]
    assert posts.search(bakers, "bakers", "rye flour") == ()


def test_wildcards_are_plain_characters_and_odd_queries_find_nothing(bakers):
    assert [item.title for item in posts.search(bakers, "bakers", "100%")] == ["Rye bread"]
    # "%" finds the one post that holds a percent sign, not every post; "_" matches no single character.
    assert [item.title for item in posts.search(bakers, "bakers", "%")] == ["Rye bread"]
    assert posts.search(bakers, "bakers", "_") == ()
    for query in ("", "   ", None, {"$ne": 1}, ["flour"]):
        assert posts.search(bakers, "bakers", query) == ()


def test_private_groups_and_hidden_posts_stay_out(bakers):
    groups.create_group(OWNER, name="Secret", visibility="private")
    mod = add_account("mod@example.com", "Mod")
    groups.join(mod, "bakers")
    with pytest.raises(LookupError):
        posts.search(bakers, "secret", "anything")
    rye = posts.search(bakers, "bakers", "rye")[0].id
    from sqlmodel import select

    from portal_app.apps.communities.models import GroupMember
    from portal_app.kernel import db

    with db.write_session() as session:
        member = session.exec(select(GroupMember).where(GroupMember.account_id == mod)).one()
        member.role = "moderator"
        session.add(member)
    moderation.set_post_flag(mod, "bakers", rye, "hidden", True)
    stranger = add_account("stranger@example.com", "Stranger")
    assert posts.search(stranger, "bakers", "rye") == ()
    assert [item.id for item in posts.search(mod, "bakers", "rye")] == [rye]
