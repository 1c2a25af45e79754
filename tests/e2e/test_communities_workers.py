"""Communities live across backend workers: two members whose websockets are held by different worker
processes of one portal (two Granian workers sharing state and live events through Redis).

This module starts its own server (scripts/serve.sh with REFLEX_REDIS_URL and GRANIAN_WORKERS=2) on
its own port, SQLite file, data dir, secret file, Redis database and Reflex web workdir, so it never
shares a build or a database with the main suite's server (conftest's `portal_url`, unused here).

Skipped with PORTAL_E2E_TOPOLOGY=scale-out: there the whole suite runs on three workers behind a proxy,
and tests/e2e/test_scale_out.py checks the same crossing on that server.
"""

from __future__ import annotations

import os
import re
import secrets

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups
from portal_app.kernel import db
from portal_app.kernel.settings import get_settings
from tests.e2e.conftest import ARTIFACTS, READY, SCALE_OUT, _free_port, _stop, _wait_until_up, start_serve_sh
from tests.e2e.support import (
    age_rate_events,
    assert_not_reloaded,
    group_member_signed_in,
    mark_document,
    on_another_worker,
    post_seen_live,
    worker_of,
)

pytestmark = pytest.mark.skipif(
    SCALE_OUT,
    reason="PORTAL_E2E_TOPOLOGY=scale-out: the session's server already runs 3 workers behind a proxy "
    "(test_scale_out.py covers live updates across them); no second server",
)

REDIS_DB = 11
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
WORKERS = 2
LIVE_TIMEOUT_MS = 5000
# The environment the test process reads the server's files through (as conftest's portal_url sets it).
TEST_PROCESS_ENV = ("REFLEX_DB_URL", "PORTAL_SECRET_FILE", "PORTAL_DATA_DIR")


def _redis() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)


@pytest.fixture(scope="module")
def workers_url(tmp_path_factory):
    """The portal as scripts/serve.sh serves it, with two backend workers and Redis; yields its URL.

    While it runs, the test process reads and writes this server's database (to make groups and
    accounts); afterwards the environment and settings cache are as they were.
    """
    client = _redis()
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}): the two-worker test needs it")
    client.flushdb()
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    url = f"http://localhost:{port}"
    data_dir = tmp_path_factory.mktemp("portal-e2e-workers")
    env = {
        **os.environ,
        "PORTAL_PORT": str(port),
        "PORTAL_PUBLIC_URL": url,
        "REFLEX_DB_URL": f"sqlite:///{data_dir / 'portal.db'}",
        "PORTAL_SECRET_FILE": str(data_dir / "secret"),
        "PORTAL_DATA_DIR": str(data_dir / "files"),
        "PORTAL_EMAIL_POLL_SECONDS": "1",
        "REFLEX_REDIS_URL": REDIS_URL,
        "GRANIAN_WORKERS": str(WORKERS),
        # Its own build (the main suite's server builds into the project's .web), and nothing else of
        # Reflex's in the project either.
        "REFLEX_WEB_WORKDIR": str(data_dir / "web"),
        "REFLEX_STATES_WORKDIR": str(data_dir / "states"),
        "REFLEX_UPLOADED_FILES_DIR": str(data_dir / "uploaded_files"),
    }
    env.pop("SENDGRID_API_KEY", None)
    log_path = ARTIFACTS / "e2e-workers-server.log"
    saved = {name: os.environ.get(name) for name in TEST_PROCESS_ENV}
    process = start_serve_sh(env, log_path)
    try:
        _wait_until_up(url, process, log_path)
        for name in TEST_PROCESS_ENV:
            os.environ[name] = env[name]
        get_settings.cache_clear()
        yield url
    finally:
        _stop(process)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        db.engine_for(env["REFLEX_DB_URL"]).dispose()
        client.flushdb()
        client.close()


@pytest.fixture(autouse=True)
def fresh_ip_limits(workers_url):
    """Overrides conftest's (which would start the main suite's server): the same, on this server's database."""
    from datetime import timedelta

    age_rate_events(kinds_matching="_ip", by=timedelta(hours=1))


@pytest.fixture(scope="module", autouse=True)
def pages_wait_until_ready(workers_url):
    """Overrides conftest's: after every navigation on this server, wait for the page's ready mark."""
    originals = {name: getattr(Page, name) for name in ("goto", "reload", "wait_for_url")}

    def waiting(name):
        original = originals[name]

        def navigate_and_wait(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            if self.url.startswith(workers_url) and "/dev/mailbox" not in self.url:
                self.wait_for_selector(READY, state="attached")
            return result

        return navigate_and_wait

    for name in originals:
        setattr(Page, name, waiting(name))
    yield
    for name, original in originals.items():
        setattr(Page, name, original)


def _on_another_worker(fixed: Page, movable: Page, open_page) -> tuple[Page, str, str]:
    return on_another_worker(
        fixed, movable, open_page, REDIS_URL, hint=f"see {ARTIFACTS / 'e2e-workers-server.log'}"
    )


def test_a_post_and_a_comment_travel_live_between_members_on_different_workers(workers_url: str, browser: Browser):
    name = f"Relay {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name, description="Two workers, one feed.")
    feed = f"/apps/communities/{slug}"
    ann = group_member_signed_in(browser, workers_url, "Ann Across", slug)
    bob = group_member_signed_in(browser, workers_url, "Bob Across", slug)

    def open_feed(page: Page) -> None:
        page.goto(feed)
        expect(page.get_by_text("No posts yet.")).to_be_visible()

    open_feed(ann)
    open_feed(bob)
    bob, ann_worker, bob_worker = _on_another_worker(ann, bob, open_feed)
    assert ann_worker != bob_worker

    # Ann posts; Bob's feed, on the other worker, shows it without reloading.
    title = f"Crossing {secrets.token_hex(3)}"
    post_seen_live(ann, bob, title=title, body="Sent from one worker, read on the other.", timeout_ms=LIVE_TIMEOUT_MS)

    # Ann opens the post (inside the single-page app, keeping her websocket); Bob opens it and comments.
    ann.get_by_role("link", name=title).click()
    ann.wait_for_url(re.compile(rf".*{re.escape(feed)}/post/\d+/?$"))
    post_path = re.sub(r"^https?://[^/]+", "", ann.url)
    comments = ann.get_by_role("list", name="Comments")
    expect(ann.get_by_label("Your comment")).to_be_visible()

    def open_post(page: Page) -> None:
        page.goto(post_path)
        expect(page.get_by_label("Your comment")).to_be_visible()

    open_post(bob)
    bob, ann_worker, bob_worker = _on_another_worker(ann, bob, open_post)
    assert ann_worker != bob_worker

    comment = f"Seen across workers {secrets.token_hex(3)}"
    mark_document(ann)
    bob.get_by_label("Your comment").fill(comment)
    bob.get_by_role("button", name="Comment").click()
    expect(bob.get_by_role("list", name="Comments").get_by_text(comment)).to_be_visible()
    expect(comments.get_by_text(comment)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert_not_reloaded(ann)
    # Still the same two workers: nothing reconnected Ann's tab on the way.
    assert worker_of(ann, REDIS_URL) == ann_worker != worker_of(bob, REDIS_URL)

    ann.context.close()
    bob.context.close()
