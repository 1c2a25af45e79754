"""Drop events whose payload cannot fit their handler, before Reflex calls it.

Any connected client can send any event. Reflex calls `handler(state, **payload)`, so a payload
that is not an object, or has unknown or missing argument names, would raise inside Reflex and
log a traceback with client-chosen text in it. Such an event is answered with nothing instead;
each handler still validates the values it receives.
"""

from __future__ import annotations

import functools
import inspect
import logging

from reflex.middleware import Middleware
from reflex.state import StateUpdate
from reflex_base.registry import RegistrationContext

logger = logging.getLogger(__name__)


@functools.cache
def _signature(fn) -> inspect.Signature:
    """A handler's signature, read once per handler (inspect rebuilt it on every event: ~0.2 ms a page load)."""
    return inspect.signature(fn)


class EventShapeGuard(Middleware):
    async def preprocess(self, app, state, event):
        registered = RegistrationContext.get().event_handlers.get(event.name)
        if registered is None:
            return None
        try:
            if not isinstance(event.payload, dict):
                raise TypeError("payload is not an object")
            _signature(registered.handler.fn).bind(None, **event.payload)
        except TypeError:
            logger.warning("Dropped a malformed event for %s", event.name.rpartition(".")[2][:64])
            return StateUpdate()
        return None
