"""Communities: a reconnecting tab catches up on what it missed (issue 9, "Live").

Member B has a group's feed (or a post) open; B's network goes away, so B's websocket closes and every
attempt to reconnect fails; meanwhile A posts (or comments); B's network comes back, Reflex reconnects
the socket by itself and B, without a reload, sees what A wrote within a few seconds.

How the connection is dropped. Playwright's context.set_offline(True) (Chromium's offline emulation)
fails new connections but leaves an open websocket untouched: B kept receiving A's posts live through
it. So the test drops the socket as a network loss would end it: with the browser offline, the tab's
open websocket is closed (an init script keeps a reference to each WebSocket the page opens, nothing
else). Reflex's client then tries to reconnect, fails while offline (its "Cannot connect to server"
toast says so) and reconnects once the browser is back online. Reflex's own instrumentation hook
(window.__reflex_otel.onSocketConnect / onSocketDisconnect, called by utils/state.js) counts the socket's
connects and disconnects.

What Reflex 0.10.1 does on that reconnect (utils/state.js, reflex/state.py): the socket's CONNECT
packet carries `hydrate_and_load` again (bootAuth(false)), which sends the full state and, for a page
with on_load handlers, queues `on_load_internal`: the page's on_load runs again (load_group or
load_post), which reloads the feed and chains a new follow_group. The old follower was cancelled when
the old socket went (its on_load chain is cancelled on disconnect).
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_communities_features import Person, _group, _join, _person, _seed_post

CATCH_UP_MS = 5000
RECONNECT_MS = 30000
# Before any page script: keep each WebSocket the page opens (so the test can end it as a network
# loss would), and log the socket's connects and disconnects through Reflex's instrumentation hook.
WATCH_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  const sockets = [];
  window.__test_sockets = sockets;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  };
  window.__test_socket_log = [];
  window.__reflex_otel = {
    onSocketConnect() { window.__test_socket_log.push("connect"); },
    onSocketDisconnect(reason) { window.__test_socket_log.push("disconnect: " + reason); },
  };
})();
"""
CANNOT_CONNECT = re.compile(r"^Cannot connect to server")


def _watched(person: Person) -> Person:
    person.page.context.add_init_script(WATCH_SOCKETS)
    return person


def _socket_log(page: Page) -> list[str]:
    return page.evaluate("window.__test_socket_log")


def _connects(page: Page) -> int:
    return _socket_log(page).count("connect")


def _mark_document(page: Page) -> None:
    """A mark that a full page load would wipe: its survival shows the page changed without reloading."""
    page.evaluate("() => { window.__no_reload_mark = true; }")


def _assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("() => window.__no_reload_mark === true"), "the page reloaded instead of catching up"


def _lose_network(page: Page) -> int:
    """Take the browser offline and end its open websocket; return how many times the socket had connected.

    Checks the connection really is down: Reflex saw the socket disconnect, its attempts to reconnect
    fail (the "Cannot connect to server" toast), and no new connect happened.
    """
    connects = _connects(page)
    assert connects >= 1, _socket_log(page)
    page.context.set_offline(True)
    closed = page.evaluate(
        """() => {
            const open = window.__test_sockets.filter((socket) => socket.readyState === WebSocket.OPEN);
            open.forEach((socket) => socket.close(4000, "network lost (test)"));
            return open.length;
        }"""
    )
    assert closed == 1, f"expected the tab's one open websocket, closed {closed}"
    page.wait_for_function("window.__test_socket_log.some((entry) => entry.startsWith('disconnect'))")
    expect(page.get_by_text(CANNOT_CONNECT)).to_be_visible()
    assert _connects(page) == connects, _socket_log(page)
    return connects


def _regain_network(page: Page, connects_before: int) -> None:
    """Back online: wait until Reflex has reconnected the socket by itself."""
    page.context.set_offline(False)
    page.wait_for_function(
        f"window.__test_socket_log.filter((e) => e === 'connect').length > {connects_before}", timeout=RECONNECT_MS
    )
    expect(page.get_by_text(CANNOT_CONNECT)).to_have_count(0)


def _post(page: Page, title: str, body: str) -> None:
    page.get_by_label("Title (optional)").fill(title)
    page.get_by_label("Your post").fill(body)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_a_reconnecting_feed_catches_up_on_a_post_it_missed_and_stays_live(base_url: str, browser: Browser):
    slug = _group("Night Owls")
    ann = _person(browser, base_url, "Ann Online")
    bob = _watched(_person(browser, base_url, "Bob Offline"))
    _join(slug, ann, bob)
    _seed_post(slug, ann, "Before the drop")
    for person in (ann, bob):
        person.page.goto(f"/apps/communities/{slug}")
        expect(person.page.get_by_role("heading", name="Before the drop")).to_be_visible()
    page = bob.page
    _mark_document(page)

    connects = _lose_network(page)
    _post(ann.page, "While Bob was away", "Missed this one?")
    # Still offline: nothing reached Bob's tab, and the socket is still down.
    expect(page.get_by_text(CANNOT_CONNECT)).to_be_visible()
    expect(page.get_by_role("heading", name="While Bob was away")).to_have_count(0)
    assert _connects(page) == connects

    _regain_network(page, connects)
    expect(page.get_by_role("heading", name="While Bob was away")).to_be_visible(timeout=CATCH_UP_MS)
    expect(page.get_by_role("heading", name="Before the drop")).to_be_visible()
    _assert_not_reloaded(page)

    # The page follows the group again: the next post arrives live.
    _post(ann.page, "After Bob came back", "Live again.")
    expect(page.get_by_role("heading", name="After Bob came back")).to_be_visible(timeout=CATCH_UP_MS)
    _assert_not_reloaded(page)
    for person in (ann, bob):
        person.page.context.close()


def test_a_reconnecting_post_page_catches_up_on_a_comment_it_missed(base_url: str, browser: Browser):
    slug = _group("Late Shift")
    ann = _person(browser, base_url, "Ann Commenter")
    bob = _watched(_person(browser, base_url, "Bob Reader"))
    _join(slug, ann, bob)
    post_id = _seed_post(slug, bob, "Shift swap", body="Anyone free on Friday?")
    for person in (ann, bob):
        person.page.goto(f"/apps/communities/{slug}/post/{post_id}")
        expect(person.page.get_by_label("Your comment")).to_be_visible()
    page = bob.page
    comments = page.get_by_role("list", name="Comments")
    _mark_document(page)

    connects = _lose_network(page)
    ann.page.get_by_label("Your comment").fill("I can take Friday.")
    ann.page.get_by_role("button", name="Comment", exact=True).click()
    expect(ann.page.get_by_role("list", name="Comments").get_by_text("I can take Friday.")).to_be_visible()
    expect(comments.get_by_text("I can take Friday.")).to_have_count(0)

    _regain_network(page, connects)
    expect(comments.get_by_text("I can take Friday.")).to_be_visible(timeout=CATCH_UP_MS)
    _assert_not_reloaded(page)
    for person in (ann, bob):
        person.page.context.close()


def test_a_draft_survives_a_reconnect(base_url: str, browser: Browser):
    slug = _group("Drafters")
    ann = _person(browser, base_url, "Ann Busy")
    bob = _watched(_person(browser, base_url, "Bob Typist"))
    _join(slug, ann, bob)
    for person in (ann, bob):
        person.page.goto(f"/apps/communities/{slug}")
        expect(person.page.get_by_text("No posts yet.")).to_be_visible()
    page = bob.page
    page.get_by_label("Title (optional)").fill("Half a thought")
    page.get_by_label("Your post").fill("Typed before the train went into the tunnel")
    _mark_document(page)

    connects = _lose_network(page)
    _post(ann.page, "Meanwhile", "Something new.")
    _regain_network(page, connects)
    expect(page.get_by_role("heading", name="Meanwhile")).to_be_visible(timeout=CATCH_UP_MS)
    expect(page.get_by_label("Title (optional)")).to_have_value("Half a thought")
    expect(page.get_by_label("Your post")).to_have_value("Typed before the train went into the tunnel")
    _assert_not_reloaded(page)
    for person in (ann, bob):
        person.page.context.close()
