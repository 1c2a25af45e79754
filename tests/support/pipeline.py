"""Drive an app's states the way a browser does: through the real Reflex event pipeline.

This is the only test module that touches Reflex internals (the state manager, the event
processor, the socket namespace), so a Reflex upgrade that moves them breaks this file alone.
`open_pipeline(app)` needs no pytest: a benchmark can use it as the `pipeline` fixture does.

What runs is what runs in production, minus the network:

* the real `rx.App` given (its pages, on_load handlers and router);
* its real `EventNamespace`: a "client" connects with `on_connect(sid, environ, auth)` (the socket's
  upgrade request, whose headers carry the HttpOnly cookies, plus the hydrate boot event the
  frontend puts in the CONNECT packet) and sends events with `on_event(sid, data)`, the dict
  socket.io decoded from the client's JSON. Router data (headers, cookie, client IP) is built
  server side from the environ, exactly as in production;
* a `BaseStateEventProcessor` wired like `App._setup_event_processor` (the app as middleware,
  the app's own backend exception handler) over a `StateManagerMemory`.

Only the last hop is replaced: `EventNamespace.emit_update`, which would write to the socket,
records the deltas and frontend events instead. The backend exception handler is wrapped so an
exception that escapes a handler is recorded (and still logged and toasted as in production).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.constants import CompileVars
from reflex_base.event.processor import BaseStateEventProcessor
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import format_event_handler

CLIENT_IP = "203.0.113.77"
SETTLE_SECONDS = 10.0


class EventsStillRunning(Exception):
    """Events were still running when `settle` gave up waiting."""


def event_name(handler) -> str:
    """The name the compiled frontend sends for an event handler."""
    return handler if isinstance(handler, str) else format_event_handler(handler)


def router_data_for(path: str) -> dict[str, Any]:
    """What withRouterData() in the frontend's state.js attaches to an event."""
    parts = urlsplit(path)
    data: dict[str, Any] = {"pathname": parts.path or "/", "asPath": path}
    query = dict(parse_qsl(parts.query))
    if query:
        data["query"] = query
    return data


@dataclasses.dataclass
class Client:
    """One browser tab: a socket id, a client token, and the Cookie header of its upgrade request."""

    pipeline: Pipeline
    sid: str
    token: str
    path: str

    async def send(self, handler, payload: Any = None, *, path: str | None = None) -> None:
        """Send one event as the frontend would, then wait until it and what it chained have run.

        `payload` becomes the message's "payload" field as is ({"form_data": {...}} for a form,
        {} for a click), so a test can also send what no compiled frontend would. The router data
        is what withRouterData() in state.js attaches: the tab's current path unless `path` is given.
        """
        data: dict[str, Any] = {
            "name": event_name(handler),
            "payload": {} if payload is None else payload,
            "router_data": router_data_for(self.path if path is None else path),
        }
        await self.pipeline.namespace.on_event(self.sid, data)
        await self.pipeline.settle()

    async def disconnect(self) -> None:
        """Close the tab's socket (the state stays on the server under the token, as Reflex keeps it)."""
        task = self.pipeline.namespace.on_disconnect(self.sid)
        if task is not None:
            await task
        await self.pipeline.settle()

    async def send_raw(self, data: dict[str, Any]) -> None:
        """Send a message exactly as given (already decoded from the socket's JSON)."""
        await self.pipeline.namespace.on_event(self.sid, data)
        await self.pipeline.settle()

    async def state(self, state_cls):
        """The server-side state this tab now has (read under the state lock)."""
        manager = self.pipeline.manager
        async with manager.modify_state(BaseStateToken(ident=self.token, cls=state_cls)) as root:
            return await root.get_state(state_cls)

    async def root_state(self):
        """The root state of this tab, which holds every state the tab has used."""
        return await self.state(State)

    def frontend_events(self) -> list:
        return [event for token, update in self.pipeline.updates if token == self.token for event in update.events]

    def scripts(self) -> list[str]:
        """The JavaScript this tab was told to run (rx.call_script)."""
        return [
            str(event.payload.get("javascript_code", ""))
            for event in self.frontend_events()
            if event.name == "_call_script"
        ]

    def page_loads(self) -> list[str]:
        """Where the tab was sent by a full page load; each also dropped the tab's Reflex token."""
        pattern = r'window\.sessionStorage\.removeItem\("token"\); window\.location\.replace\((".*")\)'
        return [json.loads(match.group(1)) for script in self.scripts() if (match := re.fullmatch(pattern, script))]

    def redirects(self) -> list[str]:
        return [str(event.payload.get("path", "")) for event in self.frontend_events() if event.name == "_redirect"]

    def clear_updates(self) -> None:
        self.pipeline.updates[:] = [(token, update) for token, update in self.pipeline.updates if token != self.token]


@dataclasses.dataclass
class Pipeline:
    processor: BaseStateEventProcessor
    manager: StateManagerMemory
    namespace: Any
    updates: list = dataclasses.field(default_factory=list)
    escaped: list[BaseException] = dataclasses.field(default_factory=list)
    clients: list[Client] = dataclasses.field(default_factory=list)

    async def connect(
        self,
        path: str,
        *,
        cookie: str | bytes | None = None,
        ip: str = CLIENT_IP,
        extra_headers: list[tuple[bytes, bytes]] = (),
        token: str | None = None,
    ) -> Client:
        """Open a tab on `path`: connect the socket (headers + boot hydrate event) and run the page's on_load.
        `token`: reconnect with an existing tab's client token (a reload, or someone who read it)."""
        sid = uuid.uuid4().hex[:20]
        token = token or str(uuid.uuid4())
        headers = [
            (b"host", b"localhost:3000"),
            (b"origin", b"http://localhost:3000"),
            (b"user-agent", b"pytest-states"),
            *extra_headers,
        ]
        if cookie is not None:
            headers.append((b"cookie", cookie if isinstance(cookie, bytes) else cookie.encode("latin-1")))
        environ = {
            "QUERY_STRING": f"token={token}",
            "asgi.scope": {"type": "websocket", "headers": headers, "client": (ip, 50123)},
        }
        boot_event = {
            "name": event_name(State.hydrate_and_load),
            "payload": {},
            "router_data": router_data_for(path),
        }
        await self.namespace.on_connect(sid, environ, {CompileVars.CONNECT_AUTH_EVENT: boot_event})
        await self.settle()
        client = Client(pipeline=self, sid=sid, token=token, path=path)
        self.clients.append(client)
        return client

    def _busy_tasks(self) -> list[asyncio.Task]:
        """Event tasks still running, background tasks excluded."""
        handlers = RegistrationContext.get().event_handlers
        busy = []
        for task in self.processor._tasks.values():
            name = task.get_name().split("|")
            registered = handlers.get(name[1]) if len(name) > 1 else None
            if registered is not None and registered.handler.is_background:
                continue
            busy.append(task)
        return busy

    async def settle(self) -> None:
        """Wait until the queue is drained and every foreground event (and its chain) has finished."""
        deadline = asyncio.get_running_loop().time() + SETTLE_SECONDS
        quiet_rounds = 0
        while quiet_rounds < 3:
            await asyncio.sleep(0.001)
            queue = self.processor._queue
            idle = (queue is None or queue.empty()) and not self._busy_tasks()
            quiet_rounds = quiet_rounds + 1 if idle else 0
            if asyncio.get_running_loop().time() > deadline:
                raise EventsStillRunning(f"events still running after {SETTLE_SECONDS} s: {self._busy_tasks()}")


@contextlib.contextmanager
def _replaced(target: object, name: str, value: object) -> Iterator[None]:
    """Set an attribute for the duration of the block, then put back exactly what was there."""
    had_own = name in vars(target)
    original = vars(target).get(name)
    setattr(target, name, value)
    try:
        yield
    finally:
        if had_own:
            setattr(target, name, original)
        else:
            delattr(target, name)


@contextlib.asynccontextmanager
async def open_pipeline(app) -> AsyncIterator[Pipeline]:
    """The real event pipeline of `app` over a fresh in-memory state manager.

    The app reads and writes whatever database the settings point at. On exit every tab that was
    opened is disconnected, the state manager is closed and the app is left as it was found.
    """
    namespace = app.event_namespace
    escaped: list[BaseException] = []

    def backend_exception_handler(exception: Exception):
        escaped.append(exception)
        return app.backend_exception_handler(exception)

    processor = BaseStateEventProcessor(middleware=app, backend_exception_handler=backend_exception_handler)
    manager = StateManagerMemory()
    pipe = Pipeline(processor=processor, manager=manager, namespace=namespace, escaped=escaped)

    async def record_update(update, token):
        pipe.updates.append((token, update))

    try:
        with _replaced(namespace, "emit_update", record_update), _replaced(app, "_event_processor", processor):
            async with processor.configure(state_manager=manager, event_namespace=namespace):
                yield pipe
                for client in pipe.clients:
                    task = namespace.on_disconnect(client.sid)
                    if task is not None:
                        await task
    finally:
        await manager.close()
