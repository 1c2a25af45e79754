"""Live pages: a state follows live topics from a background event and refreshes itself; the follower stops by itself.

    class BoardState(AppAccessState):
        @rx.event(background=True)
        async def follow(self):                     # started by the page's on_load
            async with self:
                principal, _ = await self._gate(KEY, send_to_login=False, send_to_profile=False)
            if principal is not None:
                await live.follow(self, [service.live_topic(principal.account_id)], self._refresh)

        async def _refresh(self, event: dict | None) -> None:   # runs inside `async with self`
            ...gate again, reload from the database...

`follow` subscribes first, then calls the callback once with None (the catch-up reload: nothing
published between the page's load and the subscription is missed), then once per event; with
None again when events may have been lost, or when several arrived while it was busy (one reload
covers them). A page that read `await live.version(topic)` *before* loading passes it as `seen=`:
the catch-up reload is then skipped when nothing was published since (it repeated the page's own
load, for every tab that opened a live page). The callback runs under the state's lock (keep it short: a query, not a report),
so what it changes reaches the browser when it returns; returning False stops following.

It returns (the background task ends) when the tab is gone. Everything that knows how Reflex
0.10.1 tracks tabs is in this module, checked against the installed Reflex by tests/kernel/test_live.py:
- a follower chained from a page's on_load belongs to that page's `on_load_internal` chain,
  which Reflex cancels when the tab disconnects, reconnects or navigates
  (BaseStateEventProcessor._on_disconnect / _supersede_previous): the task gets CancelledError;
- every `check_every` seconds, and before each callback, the follower asks the app's token manager
  whether the tab's token is still connected *through the socket that started it* (closed tab,
  reload, or reconnect to another worker all change that), as Reflex's own SharedState does
  before updating a client (reflex/istate/shared.py);
- a newer follower of the same state in the same tab replaces the older one at once (a per-process
  generation: a tab's events are handled by the worker holding its socket);
- before each callback, the page path must still be the one the follower started on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from reflex.istate.proxy import StateProxy
from reflex_base.registry import RegistrationContext
from reflex_base.utils.exceptions import ReflexRuntimeError

from portal_app.kernel import live

log = logging.getLogger(__name__)

LiveCallback = Callable[[dict[str, Any] | None], Awaitable[bool | None] | bool | None]

# (client token, state name) -> the subscription of the newest follower.
_current_followers: dict[tuple[str, str], live.Subscription] = {}


async def follow(
    state: Any,
    topics: str | Iterable[str],
    on_event: LiveCallback,
    *,
    check_every: float = 2.0,
    seen: tuple[int, ...] | None = None,
) -> None:
    """Follow `topics` for the tab of `state` (the StateProxy of a background event) until the tab is gone.

    `on_event(event)` is called inside `async with state`: first with None (reload everything),
    then with each event dict, and with None again after events were lost or came in a burst.
    Return False to stop. `seen`: what `live.version(*topics)` said before the page loaded; the first
    call is skipped when the topics are still at it.
    """
    if not isinstance(state, StateProxy):
        raise TypeError("live_reflex.follow() runs inside an @rx.event(background=True) handler, given its `self`")
    topic_list = [topics] if isinstance(topics, str) else list(topics)
    router = state.router
    tab = _Tab(token=router.session.client_token, sid=router.session.session_id, path=router.url.path)
    key = (tab.token, state.get_full_name())
    started = time.monotonic()
    reason = "?"
    async with live.subscribe(*topic_list) as events:
        previous = _current_followers.get(key)
        _current_followers[key] = events
        if previous is not None:
            previous.close()
        log.info("live: following %s for tab %s on %s", topic_list, tab.label, tab.path)
        try:
            caught_up = seen is not None and events.confirmed and await live.version(*topic_list) == tuple(seen)
            reason = await _follow_events(state, tab, events, on_event, check_every, caught_up=caught_up)
        except asyncio.CancelledError:
            reason = "cancelled by Reflex (the tab disconnected, reconnected or left the page)"
            raise
        except Exception as error:
            reason = f"failed: {error!r}"
            raise
        finally:
            if _current_followers.get(key) is events:
                del _current_followers[key]
            log.info(
                "live: stopped following %s for tab %s after %.1f s: %s",
                topic_list,
                tab.label,
                time.monotonic() - started,
                reason,
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Tab:
    token: str
    sid: str
    path: str

    @property
    def label(self) -> str:
        return self.token[:8]


async def _follow_events(
    state: Any, tab: _Tab, events: live.Subscription, on_event: LiveCallback, check_every: float, *, caught_up: bool
) -> str:
    """Deliver events until the tab is gone; returns why following stopped."""
    event: dict[str, Any] | None = None  # the first call is the catch-up reload
    if caught_up:
        event = await _next_event(tab, events, check_every)
        if isinstance(event, str):
            return event
    while True:
        if not await tab_is_connected(tab.token, tab.sid):
            return "the socket that started it is gone (tab closed, reloaded or reconnected)"
        async with state:
            if state.router.url.path != tab.path:
                return "page changed"
            if await _run_callback(on_event, event) is False:
                return "the callback asked to stop"
        event = await _next_event(tab, events, check_every)
        if isinstance(event, str):
            return event


async def _next_event(tab: _Tab, events: live.Subscription, check_every: float) -> dict[str, Any] | str | None:
    """The next event (None: reload everything), or why following stops (a str)."""
    while True:
        try:
            event = await asyncio.wait_for(anext(events), check_every)
            if events.pending():
                events.discard_pending()
                return None  # a burst: one reload covers every change in it
            return event
        except StopAsyncIteration:
            return "replaced by a newer follower"
        except TimeoutError:
            if not await tab_is_connected(tab.token, tab.sid):
                return "the socket that started it is gone (tab closed, reloaded or reconnected)"


async def _run_callback(on_event: LiveCallback, event: dict[str, Any] | None) -> bool | None:
    try:
        result = on_event(event)
        if inspect.isawaitable(result):
            result = await result
        return result
    except Exception:
        # A failed refresh (a database hiccup) must not end live updates for the tab.
        log.exception("live: refreshing after %s failed", "a catch-up" if event is None else "an event")
        return None


async def tab_is_connected(token: str, sid: str) -> bool:
    """Whether the tab `token` is still connected through the socket `sid` (any worker, when Redis is used).

    Reflex 0.10.1: App.event_namespace._token_manager (reflex/app.py EventNamespace.__init__) is a
    LocalTokenManager or RedisTokenManager (reflex/utils/token_manager.py). is_token_connected()
    answers for every worker (it refreshes another worker's record from Redis), after which
    token_to_socket[token] holds the current SocketRecord(instance_id, sid). A closed tab is
    removed by on_disconnect -> disconnect_token; a reloaded or reconnected tab keeps its token but
    gets a new sid.
    """
    token_manager = _token_manager()
    if token_manager is None:
        return True  # no websocket server in this process (unit tests): nothing to ask
    if not await token_manager.is_token_connected(token):
        return False
    record = token_manager.token_to_socket.get(token)
    return not sid or record is None or record.sid == sid


def _token_manager() -> Any:
    try:
        namespace = RegistrationContext.get().app.event_namespace
    except (LookupError, ReflexRuntimeError):
        return None
    return None if namespace is None else namespace._token_manager
