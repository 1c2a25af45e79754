"""Communities at scale: one group with 100,000 posts and 1,000,000 comments, and live fan-out to 100 viewers.

Run: .venv/bin/python benchmarks/communities_scale.py [--rounds 50] [--sqlite-only]

The schema comes from the real migrations (portal_app.apps.migrations.migrate, what `portal db migrate`
runs), so PostgreSQL has the GIN full-text index ix_post_search. The seed, written with bulk inserts
(SQLAlchemy executemany on SQLite, COPY on PostgreSQL; never the services): one public group with
5 channels and 2,000 members, 100,000 posts over two years (realistic Markdown text from a Zipf-weighted
vocabulary, a rare word in 12 posts, 3 pinned and a few hidden posts), 1,000,000 comments (one post with
exactly 5,000, a quarter of them replies; the rest spread unevenly), likes on posts and comments, and the
posts' and comments' counters equal to their rows. It goes into a temporary SQLite file (WAL), and into a
temporary PostgreSQL database on 127.0.0.1:5432 when one answers (trust auth, user postgres; dropped
afterwards).

It then times the portal's own functions (portal_app.apps.communities.posts), a different member each
round: the feed's first page, a page 50,000 posts down (the cursor of the post at that position, as
"Older posts" would carry it), a channel's first page, the post with 5,000 comments and a typical one,
and search for a rare word, a common word and two words. Medians and 95th percentiles are in
milliseconds. Each call is made once more with a before_cursor_execute listener that EXPLAINs every
statement just before it runs, on the call's own connection and with its parameters (EXPLAIN QUERY PLAN
on SQLite, with the statement's work counted in VM instructions through sqlite3's progress handler;
EXPLAIN ANALYZE on PostgreSQL, in a savepoint rolled back at once, with the rows each plan node read),
and a statement that scans a big table, or reads at least a tenth of one, is reported.

Last, live fan-out: 100 viewers follow the group's live topic (portal_app.kernel.live over Redis, as
two backend workers would), 50 in each of two spawned processes. On each event a viewer reloads as the
page's refresh does (its principal and access decision, then posts.feed's first page, each in a worker
thread). The parent calls posts.create_post 20 times; the time from just before each call to the
moment each viewer's reloaded feed holds the new post is measured with time.time() (one clock, one
machine): median and 99th percentile over the 2,000 arrivals. Not covered: the tab-connected check and
the session-cookie lookup of a real refresh, Reflex's state handling and the websocket hop to the browser
(the load harness of issue 12 measures those).

The plans are seen through benchmarks/sql_plans.py (PlannedSql, explain, describe, the PostgreSQL scan
nodes), shared with courses_scale.py and affiliates_scale.py; what is reported (flags) is this script's own.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import multiprocessing
import os
import platform
import queue
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

import portal_app.schema  # noqa: F401  (registers every table)
from portal_app.accounts.models import Account
from portal_app.apps import access, migrations, registry
from portal_app.apps.communities import posts
from portal_app.apps.communities.groups import APP_KEY, live_topic
from portal_app.apps.communities.models import (
    Channel,
    Comment,
    CommentLike,
    CommunityGroup,
    GroupMember,
    Post,
    PostLike,
)
from portal_app.apps.markdown import safe_html
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db, live
from portal_app.kernel.settings import get_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sql_plans import PlannedSql, Seen, analyze, describe, full_scans, scan_nodes  # noqa: E402


@dataclass(frozen=True)
class Scale:
    """How much to seed (the flags; the real figures use the defaults)."""

    posts: int = 100_000
    comments: int = 1_000_000
    big_comments: int = 5_000
    members: int = 2_000
    viewers: int = 100
    fanout_posts: int = 20


BATCH = 10_000
DAYS = 730
GROUP_SLUG = "makers-circle"
CHANNELS = (("general", "General"), ("wins", "Wins"), ("questions", "Questions"), ("critique", "Critique"))
CHANNELS += (("announcements", "Announcements"),)
CHANNEL_WEIGHTS = (40, 20, 25, 12, 3)
MODERATORS = 3  # accounts 2..4; account 1 owns the group
PINNED = 3
HIDDEN_SHARE = 0.002
REPLY_SHARE = 0.25
RARE_POSTS = 12
RARE_WORD, COMMON_WORD, TWO_WORDS = "kintsugi", "studio", "glaze kiln"
BIG_TABLES = ("post", "comment", "postlike", "commentlike")
# A statement that reads at least this share of a big table is reported.
READS_MUCH = 0.10
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/9"
FANOUT_WORKERS = 2
ARRIVAL_TIMEOUT = 30.0

FUNCTION_WORDS = """the and to a of in for is it that you with on this we my have be at but are so was our as what
just your all can about if will one from out more how not like get up when there been they do has an me"""
CONTENT_WORDS = """class week today thanks studio session new time practice idea question team work first project
morning help great love feedback people share everyone next year plan update tip start try making piece finished
bowl clay wheel hands trim weekend evening photo progress colour shape wall open process small question learn
bring proud member course tools table light week coffee morning friend group notes list months story beginner
table glossy matte sketch pattern surface texture thrown centring pulling handle mug plate vase jar lid foot rim
teapot pitcher cup saucer tile slab coil pinch throwing firing bisque stoneware porcelain earthenware slip
underglaze wax sponge rib needle wire bat bucket apron shelf cone oxidation reduction crackle celadon tenmoku
shino ash raku glaze pit saggar soda salt kiln wood electric gas schedule hold ramp cool crack warp chip repair
gold seam joinery mend resin lacquer market fair booth pricing sale shop order commission client shipping box
bubble wrap label brand website newsletter instagram video reel lighting backdrop tripod camera edit caption
workshop demo lesson mentor teacher student feedback critique review weekly challenge theme prompt deadline
inspiration museum gallery exhibition book podcast article history tradition japanese korean chinese nordic
modern minimal rustic organic geometric floral speckled iron rutile cobalt copper chrome tin zinc silica
feldspar kaolin ball frit flux opacifier stain oxide recipe batch test tiles layering dipping pouring brushing
spraying banding sgraffito carving stamping slip trailing mishima inlay burnishing terra sigillata smoke horsehair
sawdust barrel garden planter birdbath lamp bead pendant ornament sculpture figure animal bird fish leaf flower
tree mountain river ocean sky cloud rain storm winter spring summer autumn holiday birthday wedding gift family
child kids parent partner neighbour community studio space rent lease insurance tax invoice budget savings
income expenses pricing hourly rate margin wholesale retail consignment stockist trade show application jury
photo portfolio statement bio resume grant residency fellowship award prize"""
# A few sentence shapes, so bodies read like posts rather than word salad.
OPENERS = ("Quick question:", "Update:", "Sharing this week's", "Finally finished", "Any tips on", "Thank you all for")


def vocabulary() -> tuple[list[str], list[float]]:
    """Every word once, most common first, with Zipf weights (the n-th word is 1/n as likely as the first)."""
    words = list(dict.fromkeys(FUNCTION_WORDS.split() + CONTENT_WORDS.split()))
    assert not any(RARE_WORD in word for word in words)
    return words, list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))


def content_vocabulary() -> tuple[list[str], list[float]]:
    words = [word for word in dict.fromkeys(CONTENT_WORDS.split()) if word not in FUNCTION_WORDS.split()]
    return words, list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))


class Writer:
    """Markdown that reads like a community's posts and comments, from a seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words, self.weights = vocabulary()
        self.content, self.content_weights = content_vocabulary()

    def sentence(self, low: int, high: int) -> str:
        chosen = self.rng.choices(self.words, cum_weights=self.weights, k=self.rng.randint(low, high))
        if self.rng.random() < 0.15:
            chosen[self.rng.randrange(len(chosen))] = "**" + self.rng.choice(self.content[:60]) + "**"
        return " ".join(chosen).capitalize() + self.rng.choice(".....?!")

    def title(self) -> str:
        chosen = self.rng.choices(self.content, cum_weights=self.content_weights, k=self.rng.randint(3, 8))
        return (self.rng.choice(OPENERS) + " " + " ".join(chosen)) if self.rng.random() < 0.3 else " ".join(chosen)

    def post_body(self) -> str:
        paragraphs = []
        for _ in range(self.rng.choice((1, 1, 2, 2, 3))):
            if self.rng.random() < 0.12:
                paragraphs.append("\n".join(f"- {self.sentence(3, 8)}" for _ in range(self.rng.randint(2, 4))))
            else:
                paragraphs.append(" ".join(self.sentence(6, 16) for _ in range(self.rng.randint(1, 4))))
        return "\n\n".join(paragraphs)

    def comment(self) -> str:
        return " ".join(self.sentence(3, 14) for _ in range(self.rng.choice((1, 1, 1, 2, 3))))


# --- seeding -----------------------------------------------------------------------------------------------


@dataclass
class Seeded:
    """What the timed calls need to know about the seed."""

    group_id: int
    readers: list[int]  # plain members, in a random order
    authors: list[int]  # other plain members, who write the fan-out's posts
    big_post_id: int
    typical_post_id: int
    deep_cursor: str
    deep_next_id: int  # the first post of the page after deep_cursor
    deep_position: int
    counts: dict[str, int] = field(default_factory=dict)
    matches: dict[str, int] = field(default_factory=dict)


def batches(rows: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def bulk_insert(connection, model, rows: Iterable[dict]) -> int:
    """Rows into the model's table: COPY on PostgreSQL, executemany of 10,000 rows on SQLite."""
    if connection.dialect.name != "postgresql":
        count = 0
        for batch in batches(rows):
            connection.execute(insert(model), batch)
            count += len(batch)
        return count
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    columns = list(first)
    count = 0
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        statement = f'COPY "{model.__tablename__}" ({", ".join(columns)}) FROM STDIN'
        with cursor.copy(statement) as copy:
            for row in itertools.chain([first], iterator):
                copy.write_row([row[column] for column in columns])
                count += 1
    return count


def comment_counts(scale: Scale, rng: random.Random, big_index: int) -> list[int]:
    """Comments per post: exactly scale.big_comments on one, the rest spread unevenly (a third get none,
    the busiest about a fifth of the big one), summing to scale.comments."""
    rest = max(0, scale.comments - scale.big_comments)
    weights = [0.0 if rng.random() < 0.33 else min(rng.paretovariate(1.5), 200.0) for _ in range(scale.posts)]
    weights[big_index] = 0.0
    total = sum(weights) or 1.0
    counts = [int(weight / total * rest) for weight in weights]
    candidates = [index for index, weight in enumerate(weights) if weight] or [
        index for index in range(scale.posts) if index != big_index
    ]
    for index in rng.choices(candidates, k=rest - sum(counts)) if candidates else ():
        counts[index] += 1
    counts[big_index] = scale.big_comments
    return counts


def seed(engine: Engine, scale: Scale) -> Seeded:
    """The business, members, the group and its channels, posts, comments and likes; then fresh statistics."""
    rng = random.Random(7)
    writer = Writer(rng)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    start = end - timedelta(days=DAYS)
    group_id = random.SystemRandom().randrange(1_000_000, 9_000_000)  # its live topic is unique on a shared Redis
    with Session(engine) as session:
        session.add(
            Business(
                id=BUSINESS_ID,
                name="Benchmark Studio",
                enabled_apps=registry.default_enabled_keys(),
                apps_for_everyone=[APP_KEY],
                required_profile_fields=[],
            )
        )
        session.commit()
    members = list(range(1, scale.members + 1))
    big_index = min(scale.posts - 1, int(scale.posts * 0.8))
    counts = comment_counts(scale, rng, big_index)
    likes = [min(scale.members, int(rng.expovariate(1 / 2.0))) for _ in range(scale.posts)]
    pinned = {0, scale.posts // 3, scale.posts // 2}  # PINNED of them, old ones
    rare = set(rng.sample(range(scale.posts), min(RARE_POSTS, scale.posts)))
    hidden = {index for index in range(scale.posts) if rng.random() < HIDDEN_SHARE} - pinned - {big_index}
    offsets = sorted(rng.random() * DAYS * 86_400 for _ in range(scale.posts))
    times = [start + timedelta(seconds=offset) for offset in offsets]
    channel_of = rng.choices(range(1, len(CHANNELS) + 1), weights=CHANNEL_WEIGHTS, k=scale.posts)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Every reference is made valid by construction: skip the per-row foreign-key triggers.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        bulk_insert(
            connection,
            Account,
            (
                {"id": number, "email": f"member{number}@example.com", "full_name": f"Member {number}"}
                | {"created_at": start - timedelta(days=30)}
                for number in members
            ),
        )
        bulk_insert(
            connection,
            CommunityGroup,
            [
                {"id": group_id, "slug": GROUP_SLUG, "name": "Makers' Circle", "description": "Our studio community"}
                | {"visibility": "public", "posting": "everyone", "archived": False, "position": 0}
                | {"cover_file": "", "created_at": start - timedelta(days=1)}
            ],
        )
        bulk_insert(
            connection,
            Channel,
            [
                {"id": number, "group_id": group_id, "slug": slug, "name": name, "position": number}
                for number, (slug, name) in enumerate(CHANNELS, start=1)
            ],
        )
        bulk_insert(
            connection,
            GroupMember,
            (
                {"group_id": group_id, "account_id": account_id, "status": "active", "last_seen_at": None}
                | {"role": "owner" if account_id == 1 else "moderator" if account_id <= 1 + MODERATORS else "member"}
                | {"joined_at": start - timedelta(days=1) + timedelta(seconds=rng.random() * DAYS * 86_400 / 2)}
                for account_id in members
            ),
        )

        def post_rows() -> Iterator[dict]:
            for index in range(scale.posts):
                body = writer.post_body()
                if index in rare:
                    body += f"\n\nWe tried {RARE_WORD} on the cracked bowl and the gold seam looks lovely."
                yield {
                    "id": index + 1,
                    "group_id": group_id,
                    "channel_id": channel_of[index],
                    "author_id": rng.choice(members),
                    "title": writer.title()[:200],
                    "body_markdown": body,
                    "image_file": "",
                    "pinned": index in pinned,
                    "hidden": index in hidden,
                    "comments_closed": False,
                    "like_count": likes[index],
                    "comment_count": counts[index],
                    "created_at": times[index],
                    "edited_at": None,
                }

        bulk_insert(connection, Post, post_rows())
        bulk_insert(
            connection,
            PostLike,
            (
                {"post_id": index + 1, "account_id": account_id, "created_at": times[index] + timedelta(minutes=5)}
                for index in range(scale.posts)
                for account_id in rng.sample(members, likes[index])
            ),
        )
        seed_comments(connection, scale, rng, writer, counts, times, members, end, big_index)
        if engine.dialect.name == "postgresql":
            for table in ("account", "communitygroup", "channel", "post", "comment"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))")
                )
    analyze(engine)
    plain = members[1 + MODERATORS :]
    rng.shuffle(plain)
    half = max(1, len(plain) // 2)
    typical = next((index for index in range(scale.posts // 2, scale.posts) if 8 <= counts[index] <= 12), 0)
    seeded = Seeded(group_id, plain[:half], plain[half:], big_index + 1, typical + 1, "", 0, 0)
    deep_page(engine, scale, seeded)
    seeded.counts = row_counts(engine)
    seeded.matches = search_matches(engine, group_id)
    return seeded


def seed_comments(connection, scale, rng, writer, counts, times, members, end, big_index) -> None:
    """Comments post by post, in time order (a quarter replies to an earlier comment), with their likes."""
    pool = [writer.comment() for _ in range(min(5_000, max(1, scale.comments // 20)))]
    comment_likes: list[dict] = []

    def rows() -> Iterator[dict]:
        next_id = 1
        for index, count in enumerate(counts):
            if not count:
                continue
            posted = times[index]
            window = max(60.0, min(7 * 86_400.0, (end - posted).total_seconds() - 60))
            moments = sorted(posted + timedelta(seconds=30 + rng.random() * window) for _ in range(count))
            top_level: list[int] = []
            liked_share = 0.4 if index == big_index else 0.15
            for moment in moments:
                reply = top_level and rng.random() < REPLY_SHARE
                likers = rng.sample(members, rng.randint(1, 3)) if rng.random() < liked_share else []
                yield {
                    "id": next_id,
                    "post_id": index + 1,
                    "parent_id": rng.choice(top_level) if reply else None,
                    "author_id": rng.choice(members),
                    "body_markdown": rng.choice(pool),
                    "hidden": False,
                    "like_count": len(likers),
                    "created_at": moment,
                    "edited_at": None,
                }
                comment_likes.extend(
                    {"comment_id": next_id, "account_id": account_id, "created_at": moment + timedelta(minutes=1)}
                    for account_id in likers
                )
                if not reply:
                    top_level.append(next_id)
                next_id += 1

    for batch in batches(rows(), 50_000):
        bulk_insert(connection, Comment, batch)
        bulk_insert(connection, CommentLike, comment_likes)
        comment_likes.clear()


def deep_page(engine: Engine, scale: Scale, seeded: Seeded) -> None:
    """The cursor of the post ~50,000 down the feed a member sees (pinned and hidden posts are not in it)."""
    position = min(50_000, (scale.posts - PINNED) // 2)
    with Session(engine) as session:
        ids = session.scalars(
            select(Post.id)
            .where(Post.group_id == seeded.group_id, Post.pinned.is_(False), Post.hidden.is_(False))
            .order_by(Post.created_at.desc(), Post.id.desc())
            .offset(position - 1)
            .limit(2)
        ).all()
        seeded.deep_cursor = posts.cursor_of(session.get(Post, ids[0]))
        seeded.deep_next_id = ids[1]
        seeded.deep_position = position


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
            for table in ("account", "groupmember", "post", "postlike", "comment", "commentlike")
        }


def search_matches(engine: Engine, group_id: int) -> dict[str, int]:
    """How many posts each search matches (the service shows the newest 30), through the service's own filter."""
    found = {}
    with engine.connect() as connection:
        for query in (RARE_WORD, COMMON_WORD, TWO_WORDS):
            statement = select(Post.id).where(Post.group_id == group_id)
            statement = posts._matching(statement, engine.dialect.name, posts._words(query))
            found[query] = connection.execute(select(func.count()).select_from(statement.subquery())).scalar()
    return found


# --- the timed calls ---------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the value at or below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(action: Callable[[], object], rounds: int, budget: float) -> tuple[float, float, int]:
    """(median ms, p95 ms, rounds run): `rounds` runs, fewer (never under 10) when they pass `budget` seconds."""
    action()  # warm-up
    timings: list[float] = []
    started = time.perf_counter()
    while len(timings) < rounds:
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
        if time.perf_counter() - started > budget and len(timings) >= min(rounds, 10):
            break
    return statistics.median(timings), percentile(timings, 0.95), len(timings)


def cases(seeded: Seeded) -> dict[str, Callable[[], object]]:
    """What is timed, each a call the member's pages make; every call takes the next member."""
    members = itertools.cycle(seeded.readers)

    def deep() -> None:
        page = posts.feed(next(members), GROUP_SLUG, after=seeded.deep_cursor)
        assert page.posts and page.posts[0].id == seeded.deep_next_id, "the deep page starts at the wrong post"

    def big_post() -> None:
        view = posts.post_view(next(members), GROUP_SLUG, seeded.big_post_id)
        assert sum(1 + len(comment.replies) for comment in view.comments) == view.post.comment_count

    return {
        "feed, first page": lambda: posts.feed(next(members), GROUP_SLUG),
        "feed, deep page (cursor ~50,000 posts down)": deep,
        "a channel's first page (questions)": lambda: posts.feed(next(members), GROUP_SLUG, "questions"),
        "post with 5,000 comments (post_view)": big_post,
        "a typical post, ~10 comments (post_view)": lambda: posts.post_view(
            next(members), GROUP_SLUG, seeded.typical_post_id
        ),
        f"search, a rare word ({RARE_WORD})": lambda: posts.search(next(members), GROUP_SLUG, RARE_WORD),
        f"search, a common word ({COMMON_WORD})": lambda: posts.search(next(members), GROUP_SLUG, COMMON_WORD),
        f"search, two words ({TWO_WORDS})": lambda: posts.search(next(members), GROUP_SLUG, TWO_WORDS),
    }


# --- the plans ---------------------------------------------------------------------------------------------


def flags(seen: Seen, dialect: str, counts: dict[str, int], full_read_work: dict[str, int]) -> list[str]:
    """Why a statement is reported (one line at most): it scans a big table in full, or reads at least
    READS_MUCH of one (PostgreSQL: the rows its plan's scan read; SQLite: its VM instructions against those
    of reading the whole table)."""
    if dialect == "postgresql":
        for line, table, read in scan_nodes(seen.plan, BIG_TABLES):
            if table in BIG_TABLES and counts.get(table) and read >= READS_MUCH * counts[table]:
                return [f"reads {read:,} of {counts[table]:,} {table} rows: {line[:120]}"]
    else:
        tables = [table for table in BIG_TABLES if re.search(rf'\bFROM "?{table}"?\b', seen.statement)]
        for table in tables[:1]:
            whole = full_read_work.get(table, 0)
            if whole and seen.work >= READS_MUCH * whole:
                return [f"ran {seen.work:,} VM instructions, {seen.work / whole:.0%} of reading all of {table}"]
    return [f"full scan: {line}" for line in full_scans(seen.plan, BIG_TABLES)[:1]]


def rendering_cost(engine: Engine, post_id: int) -> float:
    """ms to turn the post's comments into safe HTML (the median of 3), the part of post_view that is neither
    the database nor the ORM."""
    with engine.connect() as connection:
        bodies = connection.execute(select(Comment.body_markdown).where(Comment.post_id == post_id)).scalars().all()
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        for body in bodies:
            safe_html(body)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def full_read_cost(engine: Engine, group_id: int) -> dict[str, int]:
    """SQLite: the VM instructions of reading every row of post and comment through their indexes
    (the yardstick a statement's work is compared with)."""
    if engine.dialect.name != "sqlite":
        return {}
    probes = {
        "post": "SELECT count(*) FROM post WHERE group_id = :g AND hidden + 0 = 7",
        "comment": "SELECT count(*) FROM comment WHERE post_id > 0 AND hidden + 0 = 7",
    }
    costs = {}
    for table, sql in probes.items():
        with engine.connect() as connection, PlannedSql(engine, BIG_TABLES) as planned:
            connection.execute(text(sql), {"g": group_id}).all()
        costs[table] = planned.seen[-1].work
    return costs


@dataclass
class Checked:
    statements: int
    reports: list[str]


def print_plans(
    engine: Engine, calls: dict[str, Callable[[], object]], counts: dict[str, int], full: dict[str, int]
) -> dict[str, Checked]:
    """Each call's statements, their plans and how much they read; returns what each call's check found."""
    dialect = engine.dialect.name
    checked = {}
    for name, action in calls.items():
        with PlannedSql(engine, BIG_TABLES) as planned:
            action()
        print(f"\n-- {name}: {len(planned.seen)} statements")
        reports = []
        for seen in planned.seen:
            work = f"{seen.work:,} VM instructions" if dialect == "sqlite" else f"reads {seen.work:,} rows"
            print(f"   {describe(seen.statement)}   [{work}]")
            for line in seen.plan:
                print(f"      {line if len(line) <= 200 else line[:200] + ' ...'}")
            for found in flags(seen, dialect, counts, full):
                print(f"      !! {found}")
                reports.append(f"{describe(seen.statement)}: {found}")
        checked[name] = Checked(len(planned.seen), reports)
    return checked


# --- live fan-out ------------------------------------------------------------------------------------------


def refresh_principal(account_id: int) -> bool:
    """The page's gate on each live event: the principal (one read) and the access decision."""
    principal = access.principal_for_account(account_id)
    return principal is not None and access.decide(principal, APP_KEY).allowed


def viewer_process(db_url: str, redis_url: str, group_id: int, account_ids: list[int], reports, stop) -> None:
    """One backend worker's viewers: each follows the group's topic and reloads its feed on every event."""
    os.environ["REFLEX_DB_URL"] = db_url
    os.environ["REFLEX_REDIS_URL"] = redis_url
    get_settings.cache_clear()
    try:
        asyncio.run(_viewers(live_topic(group_id), account_ids, reports, stop))
    except BaseException as error:
        reports.put(("error", repr(error)))
        raise


async def _viewers(topic: str, account_ids: list[int], reports, stop) -> None:
    caught_up = 0
    all_caught_up = asyncio.Event()

    def timed_call(function, *arguments):
        started = time.perf_counter()
        return function(*arguments), time.perf_counter() - started

    async def reload(account_id: int) -> None:
        """As the page's _refresh: gate, then the feed's first page, each in a worker thread."""
        started = time.time()
        allowed, gate = await asyncio.to_thread(timed_call, refresh_principal, account_id)
        if not allowed:
            raise RuntimeError(f"account {account_id} may not open {APP_KEY}")
        page, read = await asyncio.to_thread(timed_call, posts.feed, account_id, GROUP_SLUG)
        done = time.time()
        ids = tuple(item.id for item in page.posts)
        reports.put(("page", account_id, ids, done, done - started, gate + read))

    async def viewer(account_id: int) -> None:
        nonlocal caught_up
        async with live.subscribe(topic) as events:
            await reload(account_id)  # the catch-up reload, as live_reflex.follow starts with
            caught_up += 1
            if caught_up == len(account_ids):
                all_caught_up.set()
            async for _event in events:
                reports.put(("event", account_id, time.time()))
                if events.pending():
                    events.discard_pending()  # a burst: one reload covers it, as live_reflex does
                await reload(account_id)

    tasks = [asyncio.create_task(viewer(account_id)) for account_id in account_ids]
    waiting = asyncio.create_task(all_caught_up.wait())
    await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
    failed = [task for task in tasks if task.done() and task.exception()]
    if failed:
        raise failed[0].exception()
    reports.put(("ready", len(account_ids)))
    while not stop.is_set():
        await asyncio.sleep(0.1)
        if failed := [task for task in tasks if task.done() and task.exception()]:
            raise failed[0].exception()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def redis_reachable(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
        return True
    except (redis.RedisError, OSError) as error:
        print(f"\n(live fan-out not measured: Redis at {url} does not answer: {type(error).__name__})")
        return False


@dataclass
class Fanout:
    delivered: list[float]  # ms from just before create_post to the viewer's event
    arrived: list[float]  # ms from just before create_post to the viewer's reloaded feed holding the post
    created: list[float]  # ms create_post took
    reloads: list[float]  # ms each reload took (gate + feed, including waiting for a worker thread)
    work: list[float]  # ms of those spent in the gate and the feed themselves (in their threads)
    expected: int


def fanout(db_url: str, seeded: Seeded, scale: Scale) -> Fanout:
    """scale.viewers viewers in FANOUT_WORKERS processes; scale.fanout_posts posts made here, one at a time."""
    os.environ["REFLEX_REDIS_URL"] = REDIS_URL
    if not isinstance(live.get_hub(), live.RedisHub):
        live.use_hub(None)  # made again from the environment: create_post publishes through Redis, as a worker would
    context = multiprocessing.get_context("spawn")
    reports, stop = context.Queue(), context.Event()
    viewers = seeded.readers[: scale.viewers]
    groups = [viewers[number::FANOUT_WORKERS] for number in range(FANOUT_WORKERS)]
    workers = [
        context.Process(target=viewer_process, args=(db_url, REDIS_URL, seeded.group_id, group, reports, stop))
        for group in groups
        if group
    ]
    for worker in workers:
        worker.start()
    result = Fanout([], [], [], [], [], scale.viewers * scale.fanout_posts)
    rng = random.Random(13)
    try:
        ready = 0
        while ready < len(workers):
            message = reports.get(timeout=180)
            if message[0] == "error":
                raise RuntimeError(f"a viewer process failed: {message[1]}")
            ready += message[0] == "ready"
        time.sleep(0.5)
        while True:  # the catch-up reloads' reports
            try:
                reports.get(timeout=0.2)
            except queue.Empty:
                break
        writer = Writer(random.Random(17))
        for number in range(scale.fanout_posts):
            author = seeded.authors[number % len(seeded.authors)]
            title, body = f"Live post {number + 1}: {writer.title()}"[:200], writer.post_body()
            sent = time.time()
            post_id = posts.create_post(author, GROUP_SLUG, "general", title=title, body=body)
            result.created.append((time.time() - sent) * 1000)
            delivered: dict[int, float] = {}
            arrived: dict[int, float] = {}
            deadline = sent + ARRIVAL_TIMEOUT
            while len(arrived) < len(viewers) and time.time() < deadline:
                try:
                    message = reports.get(timeout=max(0.01, deadline - time.time()))
                except queue.Empty:
                    break
                if message[0] == "error":
                    raise RuntimeError(f"a viewer process failed: {message[1]}")
                if message[0] == "event" and message[2] >= sent:
                    delivered.setdefault(message[1], (message[2] - sent) * 1000)
                elif message[0] == "page":
                    result.reloads.append(message[4] * 1000)
                    result.work.append(message[5] * 1000)
                    if post_id in message[2]:
                        arrived.setdefault(message[1], (message[3] - sent) * 1000)
            result.delivered += delivered.values()
            result.arrived += arrived.values()
            if not arrived:
                print(f"!! no viewer saw live post {number + 1} within {ARRIVAL_TIMEOUT:.0f} s: fan-out stopped")
                break
            time.sleep(rng.uniform(0.2, 0.4))
    finally:
        stop.set()
        for worker in workers:
            worker.join(15)
            if worker.is_alive():
                worker.terminate()
                worker.join(5)
    return result


def print_fanout(result: Fanout, scale: Scale) -> dict[str, tuple[float, float]]:
    print(
        f"\nlive fan-out: {scale.viewers} viewers in {FANOUT_WORKERS} processes, {scale.fanout_posts} posts: "
        f"{len(result.arrived):,} of {result.expected:,} arrivals"
        + ("" if len(result.arrived) == result.expected else "  !! some viewers never saw a post")
    )
    rows = {
        "post -> event at the viewer": result.delivered,
        "post -> reloaded feed shows it": result.arrived,
        "create_post itself": result.created,
        "one reload, wall time (waits for a thread)": result.reloads,
        "inside the gate and feed calls": result.work,
    }
    figures = {}
    print(f"{'':<40} {'median ms':>10} {'p99 ms':>8} {'max ms':>8} {'count':>7}")
    for name, values in rows.items():
        if values:
            figures[name] = (statistics.median(values), percentile(values, 0.99))
            print(
                f"{name:<40} {figures[name][0]:>10.1f} {figures[name][1]:>8.1f} {max(values):>8.1f} {len(values):>7,}"
            )
    return figures


# --- one database ------------------------------------------------------------------------------------------


@dataclass
class Measured:
    timings: dict[str, tuple[float, float, int]]
    checked: dict[str, Checked]
    fanout: dict[str, tuple[float, float]]


def run(label: str, url: str, scale: Scale, rounds: int, budget: float, with_fanout: bool) -> Measured:
    os.environ["REFLEX_DB_URL"] = url
    get_settings.cache_clear()
    db.engine_for.cache_clear()
    engine = db.engine_for(url)
    started = time.perf_counter()
    print(f"\n== {label} ==")
    print("migrations: " + ", ".join(migrations.migrate()))
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    seeded = seed(engine, scale)
    counts = ", ".join(f"{table} {count:,}" for table, count in seeded.counts.items())
    print(f"seeded in {time.perf_counter() - started:.1f} s ({counts})")
    print(
        f"posts matching: {RARE_WORD} {seeded.matches[RARE_WORD]:,}, {COMMON_WORD} {seeded.matches[COMMON_WORD]:,}, "
        f"{TWO_WORDS} {seeded.matches[TWO_WORDS]:,}; deep page after position {seeded.deep_position:,}"
    )
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            index = connection.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_post_search'"))
            print(f"full-text index: {index.scalar() or 'MISSING'}")
    timings = {}
    print(f"\n{'call':<44} {'median ms':>10} {'p95 ms':>8} {'rounds':>7}   (a different member each round)")
    for name, action in cases(seeded).items():
        timings[name] = timed(action, rounds, budget)
        median, p95, count = timings[name]
        print(f"{name:<44} {median:>10.2f} {p95:>8.2f} {count:>7}")
    print(
        f"(of the post with {scale.big_comments:,} comments, rendering their Markdown alone takes "
        f"{rendering_cost(engine, seeded.big_post_id):.0f} ms: safe_html, once per comment)"
    )
    full = full_read_cost(engine, seeded.group_id)
    if full:
        print(
            f"\n(SQLite: reading every row takes {full['post']:,} VM instructions for post and "
            f"{full['comment']:,} for comment; a statement doing a tenth of that is reported)"
        )
    checked = print_plans(engine, cases(seeded), seeded.counts, full)
    reports = [f"{name}: {report}" for name, check in checked.items() for report in check.reports]
    print(
        f"\nfull scans of a big table ({', '.join(BIG_TABLES)}), or reads of a tenth of one: {len(reports) or 'none'}"
    )
    for report in reports:
        print(f"   {report}")
    figures = {}
    if with_fanout and redis_reachable(REDIS_URL):
        started = time.perf_counter()
        figures = print_fanout(fanout(url, seeded, scale), scale)
        print(f"(fan-out took {time.perf_counter() - started:.0f} s)")
    engine.dispose()
    db.engine_for.cache_clear()
    return Measured(timings, checked, figures)


def postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except (SQLAlchemyError, OSError) as error:
        print(f"\n(PostgreSQL on 127.0.0.1:5432 not measured: {type(error).__name__})")
        return False


def run_postgres(scale: Scale, rounds: int, budget: float, with_fanout: bool) -> tuple[str, Measured]:
    name = f"portal_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar().split()[0]
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        label = f"PostgreSQL {version}"
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        return label, run(f"{label} (temporary database)", url, scale, rounds, budget, with_fanout)
    finally:
        db.engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def print_markdown(results: dict[str, Measured]) -> None:
    labels = list(results)
    first = next(iter(results.values()))
    print("\n| call | statements | " + " | ".join(f"{label} median | {label} p95" for label in labels) + " |")
    print("|---|---:" + "|---:" * (2 * len(labels)) + "|")
    for name in first.timings:
        statements = "/".join(dict.fromkeys(str(results[label].checked[name].statements) for label in labels))
        figures = [
            f"{results[label].timings[name][0]:.2f} ms | {results[label].timings[name][1]:.2f} ms" for label in labels
        ]
        print(f"| {name} | {statements} | " + " | ".join(figures) + " |")
    if any(measured.fanout for measured in results.values()):
        print("\n| live fan-out | " + " | ".join(f"{label} median | {label} p99" for label in labels) + " |")
        print("|---" + "|---:" * (2 * len(labels)) + "|")
        for name in next(measured.fanout for measured in results.values() if measured.fanout):
            figures = [
                f"{results[label].fanout[name][0]:.1f} ms | {results[label].fanout[name][1]:.1f} ms"
                if name in results[label].fanout
                else "- | -"
                for label in labels
            ]
            print(f"| {name} | " + " | ".join(figures) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Scale()
    parser.add_argument("--rounds", type=int, default=50, help="timed runs per call (default 50)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per call before fewer rounds (default 20)")
    parser.add_argument("--posts", type=int, default=defaults.posts, help=f"posts (default {defaults.posts:,})")
    parser.add_argument("--comments", type=int, default=defaults.comments, help=f"default {defaults.comments:,}")
    parser.add_argument("--big-comments", type=int, default=defaults.big_comments, help="the big post's comments")
    parser.add_argument("--members", type=int, default=defaults.members, help=f"default {defaults.members:,}")
    parser.add_argument("--viewers", type=int, default=defaults.viewers, help="live viewers (default 100)")
    parser.add_argument("--fanout-posts", type=int, default=defaults.fanout_posts, help="live posts (default 20)")
    parser.add_argument("--no-fanout", action="store_true", help="skip the live fan-out")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL even when it answers")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it goes, also when piped to a file
    scale = Scale(args.posts, args.comments, args.big_comments, args.members, args.viewers, args.fanout_posts)
    if scale.members < 1 + MODERATORS + 2 * scale.viewers or scale.posts < 10 or scale.big_comments > scale.comments:
        parser.error("need members >= 4 + 2 x viewers, posts >= 10 and big-comments <= comments")
    started = time.perf_counter()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average {os.getloadavg()[0]:.1f}"
    )
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        label = f"SQLite {sqlite3.sqlite_version}"
        url = f"sqlite:///{Path(directory) / 'communities.db'}"
        results[label] = run(f"{label} (temporary file, WAL)", url, scale, args.rounds, args.budget, not args.no_fanout)
    if not args.sqlite_only and postgres_reachable():
        label, results[label] = run_postgres(scale, args.rounds, args.budget, not args.no_fanout)
    print_markdown(results)
    print(
        f"\nreflex imported: {'reflex' in sys.modules}; load average {os.getloadavg()[0]:.1f}; "
        f"whole run {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
