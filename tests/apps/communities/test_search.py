"""Search within a group: every word, title or text, newest first; private groups stay private."""

from __future__ import annotations

import pytest

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups, moderation, posts
from tests.apps.support import add_account

OWNER = Actor("owner@example.com")


@pytest.fixture
def bakers(shared_database, frozen_clock):
    """A group with three posts, on SQLite (LIKE) and on PostgreSQL (full-text search)."""
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


def test_words_are_letters_and_digits_and_the_start_of_a_word_finds_it(bakers):
    assert [item.title for item in posts.search(bakers, "bakers", "100%")] == ["Rye bread"]
    assert [item.title for item in posts.search(bakers, "bakers", "sour")] == ["Sourdough starter"]
    # Punctuation separates words and is never a wildcard: "%" or "_" alone is no search at all.
    assert [item.title for item in posts.search(bakers, "bakers", "rye:dark")] == ["Rye bread"]
    assert posts.search(bakers, "bakers", "%") == ()
    assert posts.search(bakers, "bakers", "_") == ()
    assert posts.search(bakers, "bakers", "' & ! :*") == ()
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
