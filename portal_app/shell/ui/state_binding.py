"""Cached page state reaches only the sign-in it was loaded for.

Reflex keeps each tab's state on the server under the tab's client token, which the browser makes,
keeps in sessionStorage and sends in the websocket's URL; on every (re)connect the first event
(`hydrate_and_load`) sends the whole cached state to whoever presents the token, before any page's
on_load has checked who is signed in. So a token read from a log, a tab left open after its session was
signed out elsewhere, or a shared computer where someone else has signed in since, would receive the
account data the tab's pages had loaded.

This middleware runs before that event: it names the sign-ins the connection's own HttpOnly cookies
prove now (the client session and the staff session, each only while live, by the hash of its token) and
compares them with the ones the state was loaded under. When they differ, the whole state tree is reset
to its defaults (nothing loaded for another sign-in, or for none, is sent), and the state is bound to the
new ones. Pages then load again under their own checks, as on a first visit.

A new tab's tree needs no reset: it holds only defaults. Resetting it anyway cost 1.7 ms of CPU per page
load (every one of the ~45 states' fields set again, docs/benchmarks.md). A tree counts as new only while
no other event has run in it: every other event marks it used first, so a tree that a handler filled
before any boot event (Reflex rebuilds an expired tab's tree on its next click) is reset like any other.
That mark needs the binding in hand on every event, which the in-memory state manager gives for free
(the whole tree is in memory); with Redis (several workers) a tree is always treated as used.
"""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex.istate.manager.memory import StateManagerMemory
from reflex.middleware import Middleware
from reflex_base.event.context import EventContext

from portal_app.accounts import sessions
from portal_app.accounts.tickets import SESSION_COOKIE
from portal_app.admin import staff_sessions
from portal_app.kernel import tokens
from portal_app.kernel.web.cookies import cookies_in

BOOT_EVENTS = ("hydrate", "hydrate_and_load")
# The binding of a tree no event but boot events has run in (never equal to a signed_in_as() value).
NEW_TREE = "new"
# The binding of a tree some other event ran in before any boot event bound it (reset at the next boot).
USED_UNBOUND = "used"


class SessionBinding(rx.State):
    """Which sign-ins the tab's state was loaded under (hashes of live session tokens; "" for none)."""

    _bound_to: str = NEW_TREE


# What signed_in_as says for a connection with neither session cookie.
SIGNED_OUT = "|"


def session_cookies_in(cookie_header: str) -> tuple[str | None, str | None]:
    """The client and staff session cookies a Cookie header carries (None for one it lacks)."""
    cookies = cookies_in(cookie_header)
    return cookies.get(SESSION_COOKIE), cookies.get(staff_sessions.STAFF_COOKIE)


def signed_in_as(client: str | None, staff: str | None) -> str:
    """The live sign-ins the two session cookies prove, as one string of token hashes ("client|staff")."""
    client_hash = tokens.hash_presented_token(client) if client and sessions.current_session(client) else None
    staff_hash = tokens.hash_presented_token(staff) if staff and staff_sessions.current_staff(staff) else None
    return f"{client_hash or ''}|{staff_hash or ''}"


class StateBoundToSession(Middleware):
    async def preprocess(self, app, state, event):
        whole_tree_here = isinstance(EventContext.get().state_manager, StateManagerMemory)
        if event.name.rpartition(".")[2] not in BOOT_EVENTS:
            if whole_tree_here:
                binding = await state.get_state(SessionBinding)
                if binding._bound_to == NEW_TREE:
                    binding._bound_to = USED_UNBOUND
            return None
        headers = (event.router_data or {}).get("headers") or {}
        cookie = headers.get("cookie", "") if isinstance(headers, dict) else ""
        client, staff = session_cookies_in(cookie if isinstance(cookie, str) else "")
        # Without a session cookie there is nothing to look up: no trip to a database thread (a visitor's page load).
        now = await asyncio.to_thread(signed_in_as, client, staff) if client or staff else SIGNED_OUT
        binding = await state.get_state(SessionBinding)
        if binding._bound_to != now:
            if not (whole_tree_here and binding._bound_to == NEW_TREE):
                state.reset()
            binding._bound_to = now
        return None
