"""A page's on_load handlers in one event.

Reflex sends each of a page's on_load handlers as an event of its own. An app page had three (the session
check, the app's gate, the page's loader): three state locks and deltas, three re-renders in the browser
(each a long task on a phone: Lighthouse's total blocking time), and who is asking resolved three times.
`in_one_event(route, handlers)` gives the page one on_load event instead, which runs the same handlers in
the same order on their own states, reads who is asking once for all of them
(base_state.one_principal_per_event) and sends one delta. Each handler still makes its own checks; what
they return (a redirect, a follower to start) is returned in order, as Reflex would have chained it.

Handlers that stream (generators) or run in the background cannot share an event: a page with one keeps
Reflex's chain.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import reflex as rx
from reflex.event import EventHandler

from portal_app.shell.ui.base_state import PortalState, one_principal_per_event


@dataclass(frozen=True)
class LoadStep:
    handler: EventHandler
    args: tuple = ()


# Declared route -> its steps; filled while the app adds its pages, read-only afterwards.
_steps_by_route: dict[str, tuple[LoadStep, ...]] = {}


def _step(item) -> LoadStep | None:
    """A handler, or (handler, args), as a step; None for what cannot share an event."""
    handler, args = item if isinstance(item, tuple) else (item, ())
    if not isinstance(handler, EventHandler) or handler.state is None or handler.is_background:
        return None
    if inspect.isgeneratorfunction(handler.fn) or inspect.isasyncgenfunction(handler.fn):
        return None
    return LoadStep(handler, tuple(args))


def in_one_event(route: str, handlers: Sequence) -> list:
    """The on_load for the page at `route`: `handlers` (each a handler, or (handler, args)) run in one event.

    One handler, or any that cannot share an event, stays as Reflex's own chain.
    """
    steps = [_step(item) for item in handlers]
    if len(steps) < 2 or any(step is None for step in steps):
        return [item[0](*item[1]) if isinstance(item, tuple) else item for item in handlers]
    _steps_by_route[route] = tuple(steps)  # one page per route: Reflex refuses a second add_page there
    return [PageLoadState.run(route)]


class PageLoadState(PortalState):
    @rx.event
    async def run(self, route: str):
        """Run the on_load handlers declared for `route` (any client may send any route: each handler checks
        who is asking and reads the current page from the router, as it does on its own)."""
        steps = _steps_by_route.get(route) if isinstance(route, str) else None
        if steps is None:
            return None
        chained: list = []
        with one_principal_per_event():
            for step in steps:
                state = await self.get_state(step.handler.state)
                result = step.handler.fn(state, *step.args)
                if inspect.isawaitable(result):
                    result = await result
                if result is not None:
                    chained.extend(result if isinstance(result, (list, tuple)) else [result])
        return chained or None
