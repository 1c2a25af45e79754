"""Demo data for `portal seed-demo`: a public group and a private one, with posts, comments, replies and
likes from the main demo account and three other members, so the first run shows a living community."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from portal_app.accounts.models import Account
from portal_app.apps.communities.groups import GENERAL
from portal_app.apps.communities.models import Channel, Comment, CommunityGroup, GroupMember, Post, PostLike
from portal_app.kernel import clock

# Other members of the demo community (accounts without a password: they sign in with a code).
MEMBERS = (("Maya Lin", "maya@demo.example"), ("Tom Reed", "tom@demo.example"), ("Ines Alves", "ines@demo.example"))

POSTS = (
    # (group, author index (0 = the main demo account), hours ago, title, body, pinned)
    (
        "studio-members",
        1,
        50,
        "Welcome to the Studio community",
        "This is the place to **ask questions** and share what works for you.\n\n"
        "- Be kind\n- Stay on topic\n- Share your wins, big and small",
        True,
    ),
    (
        "studio-members",
        2,
        26,
        "Best mat for a small flat?",
        "I have about two metres of floor. Any mats that fold well?",
        False,
    ),
    (
        "studio-members",
        0,
        5,
        "My first month of sessions",
        "Four sessions, one theme each, as the course suggests. The *balance* week was the favourite.",
        False,
    ),
    ("teacher-training", 3, 12, "Cueing for beginners", "How do you cue breathing without overloading people?", False),
    (
        "studio-members",
        3,
        30,
        "Hello from Lisbon",
        "I'm Ines, two months in. Mornings before work are my time. Say hi!",
        False,
        "introductions",
    ),
)
# Channels besides General, per group.
CHANNELS = {"studio-members": (("introductions", "Introductions"),)}
COMMENTS = (
    # (post index, author index, hours ago, body, reply to comment index or None)
    (1, 3, 25, "The folding cork ones travel well.", None),
    (1, 0, 24, "Seconded, mine fits under the bed.", 0),
    (2, 1, 4, "Love this. Balance week is always a hit.", None),
    (3, 0, 11, "One cue at a time, then silence for three breaths.", None),
    (4, 2, 29, "Welcome Ines! @Maya Lin is an early riser too.", None),
)
LIKES = ((0, 0), (0, 2), (0, 3), (1, 0), (2, 1), (2, 2), (3, 0))


def add_demo_groups(session: Session, accounts: list) -> None:
    now = clock.now()
    people = [accounts[0].id]
    for name, email in MEMBERS:
        existing = session.exec(select(Account).where(Account.email == email)).first()
        if existing is None:
            existing = Account(
                email=email, exclusive_email=email, full_name=name, email_verified_at=now, created_at=now
            )
            session.add(existing)
            session.flush()
        people.append(existing.id)
    groups = {}
    for position, (slug, name, description, visibility) in enumerate(
        (
            ("studio-members", "Studio members", "Everyone at Demo Studio: questions, tips and wins.", "public"),
            ("teacher-training", "Teacher training", "For people training to lead sessions.", "private"),
        )
    ):
        group = CommunityGroup(
            slug=slug,
            name=name,
            description=description,
            visibility=visibility,
            position=position,
            created_at=now - timedelta(days=7),
        )
        session.add(group)
        session.flush()
        channels = {}
        for index, (channel_slug, channel_name) in enumerate((GENERAL, *CHANNELS.get(slug, ()))):
            channels[channel_slug] = Channel(group_id=group.id, slug=channel_slug, name=channel_name, position=index)
            session.add(channels[channel_slug])
        session.flush()
        groups[slug] = (group, channels)
        for index, account_id in enumerate(people):
            role = "owner" if index == 1 else "member"
            session.add(
                GroupMember(
                    group_id=group.id,
                    account_id=account_id,
                    role=role,
                    joined_at=now - timedelta(days=6),
                    last_seen_at=now - timedelta(hours=30),
                )
            )
    posts = []
    for slug, author, hours, title, body, pinned, *channel_slug in POSTS:
        group, channels = groups[slug]
        post = Post(
            group_id=group.id,
            channel_id=channels[channel_slug[0] if channel_slug else GENERAL[0]].id,
            author_id=people[author],
            title=title,
            body_markdown=body,
            pinned=pinned,
            created_at=now - timedelta(hours=hours),
        )
        session.add(post)
        session.flush()
        posts.append(post)
    comments = []
    for post_index, author, hours, body, reply_to in COMMENTS:
        comment = Comment(
            post_id=posts[post_index].id,
            parent_id=comments[reply_to].id if reply_to is not None else None,
            author_id=people[author],
            body_markdown=body,
            created_at=now - timedelta(hours=hours),
        )
        session.add(comment)
        session.flush()
        comments.append(comment)
        posts[post_index].comment_count += 1
    for post_index, person in LIKES:
        session.add(PostLike(post_id=posts[post_index].id, account_id=people[person], created_at=now))
        posts[post_index].like_count += 1
    for post in posts:
        session.add(post)
