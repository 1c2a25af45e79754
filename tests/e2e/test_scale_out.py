"""The portal as docs/deploy.md runs it (PORTAL_E2E_TOPOLOGY=scale-out: PostgreSQL, Redis, three Granian
workers behind nginx): live community updates cross workers, and a worker killed mid-session costs the
person nothing but a reconnect.

Which worker holds a tab's websocket: Reflex 0.10.1's Redis token manager writes the tab's socket record
(`token_manager_socket_record_<token>`, a pickled SocketRecord(instance_id, sid)) from the worker process
that accepted the socket. The instance id is a random token, not a PID, so the test watches Redis's
MONITOR while the tab connects: the SET that writes the record carries the worker's Redis connection
(its client port), and that port belongs to exactly one of the Granian workers, the children of the
serve process.

The kill test runs last in the session (conftest orders tests marked `kills_a_worker` to the end): if
the server did not survive it, no other test would depend on that server.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import threading
import time
import urllib.parse

import psutil
import pytest
from playwright.sync_api import Browser, Page, expect

from portal_app.admin.audit import Actor
from portal_app.apps.communities import groups
from portal_app.apps.courses import service as courses
from tests.apps.courses.support import make_course
from tests.e2e.conftest import ARTIFACTS, SCALE_OUT, PortalServer
from tests.e2e.support import (
    HOME,
    LOGIN,
    SOCKET_RECORD_KEY,
    assert_not_reloaded,
    create_account,
    give_phone,
    group_member_signed_in,
    log_in,
    mark_document,
    new_email,
    on_another_worker,
    open_switcher,
    post_seen_live,
    tab_token,
    worker_of,
)

pytestmark = pytest.mark.skipif(
    not SCALE_OUT,
    reason="needs the scale-out topology (PostgreSQL + Redis + 3 workers behind nginx): "
    "run with PORTAL_E2E_TOPOLOGY=scale-out, as scripts/test.sh's second browser run does",
)

LIVE_TIMEOUT_MS = 5000
# After the kill: Reflex's client retries its socket with backoff; Granian starts a new worker.
RECONNECT_SECONDS = 30
RESPAWN_SECONDS = 60


# --- which process holds a tab's websocket ------------------------------------------------------------


class RedisMonitor:
    """Redis's MONITOR on a socket of its own, read in a thread: every command the server runs, with the
    address of the connection that sent it."""

    def __init__(self, redis_url: str):
        parsed = urllib.parse.urlparse(redis_url)
        self._socket = socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=5)
        self._socket.sendall(b"MONITOR\r\n")
        self._received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="redis-monitor", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        self._socket.settimeout(0.2)
        while not self._stop.is_set():
            try:
                chunk = self._socket.recv(1 << 16)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            self._received += chunk

    def stop(self) -> list[str]:
        """Stop watching; the lines seen (Redis escapes binary values, so each command is one line)."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()
        return bytes(self._received).decode("utf-8", "replace").split("\r\n")


def worker_pids(server: PortalServer) -> list[int]:
    """The Granian workers: the children of the serve process (serve.sh execs Reflex, Granian's main process)."""
    return sorted(child.pid for child in psutil.Process(server.pid).children())


def _pid_with_redis_port(pids: list[int], port: int) -> int:
    for pid in pids:
        for connection in psutil.Process(pid).net_connections(kind="tcp"):
            if connection.laddr and connection.laddr.port == port and connection.raddr:
                return pid
    raise AssertionError(f"no worker among {pids} owns the Redis connection from port {port}")


def connect_and_find_worker(page: Page, server: PortalServer, reconnect) -> tuple[str, int]:
    """Run `reconnect(page)` (something that opens the tab's websocket anew) while watching Redis; return the
    instance id of the worker now holding the tab's socket and that worker's PID."""
    monitor = RedisMonitor(server.redis_url)
    try:
        reconnect(page)
        instance_id = worker_of(page, server.redis_url)
        time.sleep(0.5)  # the SET is in Redis before worker_of could read it; let MONITOR's copy arrive
    finally:
        lines = monitor.stop()
    key = SOCKET_RECORD_KEY.format(tab_token(page))
    # e.g. 1700000000.123456 [13 127.0.0.1:50412] "SET" "token_manager_socket_record_<token>" "\x80\x04...<id>..." ...
    writes = [
        line
        for line in lines
        if re.search(rf'\] "set" "{re.escape(key)}"', line, re.IGNORECASE) and instance_id in line
    ]
    assert writes, f"MONITOR saw no SET of {key} naming worker {instance_id[:8]}"
    port = int(re.search(r"\[\d+ \S+:(\d+)\]", writes[-1]).group(1))
    return instance_id, _pid_with_redis_port(worker_pids(server), port)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _reload(page: Page) -> None:
    page.reload()


# --- (b) live community updates between workers --------------------------------------------------------


def test_live_community_updates_reach_a_viewer_on_another_worker(
    portal_server: PortalServer, browser: Browser
):
    assert len(worker_pids(portal_server)) == portal_server.workers
    name = f"Scaled {secrets.token_hex(3)}"
    slug = groups.create_group(Actor("owner@example.com"), name=name, description="Three workers, one feed.")
    feed = f"/apps/communities/{slug}"
    ann = group_member_signed_in(browser, portal_server.url, "Ann Proxied", slug)
    bob = group_member_signed_in(browser, portal_server.url, "Bob Proxied", slug)

    def open_feed(page: Page) -> None:
        page.goto(feed)
        expect(page.get_by_text("No posts yet.")).to_be_visible()

    open_feed(ann)
    open_feed(bob)
    hint = f"see {ARTIFACTS / 'e2e-server.log'}"
    bob, ann_worker, bob_worker = on_another_worker(ann, bob, open_feed, portal_server.redis_url, hint=hint)
    assert ann_worker != bob_worker

    # Ann posts; Bob's feed, held by another worker, shows it without reloading.
    title = f"Through the proxy {secrets.token_hex(3)}"
    post_seen_live(ann, bob, title=title, body="Written on one worker, read on another.", timeout_ms=LIVE_TIMEOUT_MS)

    # Bob likes it from his worker; Ann sees the count change on hers.
    mark_document(ann)
    bob.get_by_role("button", name=re.compile(r"^Like")).first.click()
    expect(ann.get_by_role("button", name=re.compile(r"^Like \(1 like\)"))).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert_not_reloaded(ann)
    assert worker_of(ann, portal_server.redis_url) == ann_worker != worker_of(bob, portal_server.redis_url)

    ann.context.close()
    bob.context.close()


# --- (a) a worker killed mid-session ---------------------------------------------------------------------


@pytest.mark.kills_a_worker
def test_a_worker_killed_mid_session_costs_the_person_a_reconnect_not_a_sign_in(
    portal_server: PortalServer, page: Page
):
    slug = f"resilient-{secrets.token_hex(4)}"
    course_title = f"Resilient {slug[-8:]}"
    make_course(slug, title=course_title)
    email = new_email("kay")
    account_id = create_account(email, "Kay Killed", apps=("courses", "communities"))
    give_phone(account_id)
    courses.enrol(account_id, slug)
    log_in(page, email=email)
    page.wait_for_url(HOME)

    page.goto(f"/apps/courses/{slug}/bread-1")
    expect(page.get_by_role("heading", name="Bread 1", level=1)).to_be_visible()
    before = worker_pids(portal_server)
    assert len(before) == portal_server.workers, before
    instance_id, pid = connect_and_find_worker(page, portal_server, _reload)
    expect(page.get_by_role("button", name="Mark complete")).to_be_visible()
    mark_document(page)

    os.kill(pid, signal.SIGKILL)

    # The tab's socket comes back by itself, on a worker that is alive, and the server lives on.
    deadline = time.monotonic() + RECONNECT_SECONDS
    while True:
        assert _alive(portal_server.pid), (
            f"killing worker {pid} ended the whole server: Granian's main process exited "
            f"(see {ARTIFACTS / 'e2e-server.log'}: 'Unexpected exit from worker-N')"
        )
        if worker_of(page, portal_server.redis_url, timeout=0, other_than=instance_id, missing_ok=True):
            break
        assert time.monotonic() < deadline, f"the tab did not reconnect within {RECONNECT_SECONDS} s"
        time.sleep(0.5)
    # Granian starts a worker in place of the dead one.
    deadline = time.monotonic() + RESPAWN_SECONDS
    while True:
        after = worker_pids(portal_server)
        if pid not in after and len(after) == portal_server.workers:
            break
        assert time.monotonic() < deadline, f"workers {before} -> {after} {RESPAWN_SECONDS} s after killing {pid}"
        time.sleep(0.5)

    # The person carries on, in the same document and still signed in: marks the lesson complete...
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Lesson marked complete.")).to_be_visible()
    expect(page.get_by_role("heading", name="Up next")).to_be_visible()
    assert_not_reloaded(page, "after the worker died")
    assert not LOGIN.match(page.url)
    # ...sees the progress on the course page, and opens another app from the switcher.
    page.get_by_role("link", name=course_title).click()
    page.wait_for_url(re.compile(rf".*/apps/courses/{slug}/?$"))
    expect(page.get_by_text("1 of 4 lessons done")).to_be_visible()
    open_switcher(page)
    page.get_by_role("menuitem", name="Communities").click()
    page.wait_for_url(re.compile(r".*/apps/communities/?$"))
    expect(page.get_by_role("heading", name="Communities", exact=True)).to_be_visible()
    assert_not_reloaded(page, "after the worker died")
