"""One browser tab of the portal, spoken over Reflex's real socket.io event protocol, without a browser.

The load benchmarks (benchmarks/load.py, benchmarks/password_logins.py) open thousands of these. A tab
does what the compiled frontend (reflex_base/.templates/web/utils/state.js) does:

- it connects to `/_event` with its client token in the query string, the session cookie and the
  page's Origin, and sends the page's `hydrate_and_load` event inside the socket.io CONNECT packet
  (with the per-state hashes and state schema the built frontend carries, captured once from a real
  Chromium by `capture_boot_auth`);
- it applies nothing, but it sends back every event the server chains to the client (the page's
  on_load handlers come back that way), as the frontend's queueEvents does, with the page's router data;
- a client-side navigation sends `on_load_internal` for the new path over the same socket;
- after a page load it sends the events the page's components send of their own when they appear
  (on_mount: home's cards and timeline), captured once per page from a real Chromium by
  `capture_mount_events`, as the browser does once the session check has shown the page.

Each step is timed from the moment its event is sent until the server's last answer for it: a navigation
is answered when the root state says `is_hydrated: true` and every chained event has been answered (a
delta for the chained handler's own state); an action when a delta for the state it names arrives.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

import socketio

ROOT = "reflex___state____state"
HYDRATED = "is_hydrated_rx_state_"
ON_LOAD = f"{ROOT}.reflex___state____on_load_internal_state.on_load_internal"
NAMESPACE = "/_event"


class StepFailed(Exception):
    """The server did not answer a step in time, or said something the step cannot go on from."""


@dataclass(frozen=True)
class BootAuth:
    """What the built frontend sends in its CONNECT packet, less the page: the hydrate event's payload
    (the per-state hashes of the compiled initial state) and the state schema digest."""

    hydrate_name: str
    hydrate_payload: dict
    state_schema: str
    # Page path -> the events its components send of their own once shown (capture_mount_events).
    mounts: dict = field(default_factory=dict)

    def for_page(self, path: str, query: dict | None = None) -> dict:
        router = _router_data(path, query)
        event = {"name": self.hydrate_name, "payload": self.hydrate_payload, "router_data": router}
        return {"event": event, "state_schema": self.state_schema}


def _router_data(path: str, query: dict | None = None) -> dict:
    router: dict = {"pathname": path, "asPath": path + (f"?{urllib.parse.urlencode(query)}" if query else "")}
    if query:
        router["query"] = query
    return router


def capture_boot_auth(base_url: str, page_path: str = "/login", chromium: str = "/usr/bin/chromium") -> BootAuth:
    """Open a page once in headless Chromium and keep the CONNECT packet its frontend sends."""
    from playwright.sync_api import sync_playwright

    sent: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
        page.goto(f"{base_url}{page_path}")
        deadline = time.monotonic() + 30
        while not any(frame.startswith(f"40{NAMESPACE},") for frame in sent) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        browser.close()
    connect = next((frame for frame in sent if frame.startswith(f"40{NAMESPACE},")), None)
    if connect is None:
        raise RuntimeError(f"{base_url}{page_path} opened no event websocket within 30 s")
    auth = json.loads(connect[len(f"40{NAMESPACE},") :])
    event = auth["event"]
    return BootAuth(event["name"], event.get("payload") or {}, auth["state_schema"])


def capture_mount_events(
    base_url: str, page_path: str, cookie: tuple[str, str] | None = None, chromium: str = "/usr/bin/chromium"
) -> tuple[str, ...]:
    """The events a page sends of its own in a real Chromium (its components' on_mount handlers): every event
    the page sent but the hydrate and those the server chained to it (on_load_internal and on_load)."""
    from playwright.sync_api import sync_playwright

    sent: list[str] = []
    received: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context()
        if cookie:
            context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": base_url}])
        page = context.new_page()

        def follow(ws) -> None:
            ws.on("framesent", lambda frame: sent.append(str(frame)))
            ws.on("framereceived", lambda frame: received.append(str(frame)))

        page.on("websocket", follow)
        page.goto(f"{base_url}{page_path}")
        page.wait_for_selector('#page-ready[data-ready="true"]', state="attached", timeout=30_000)
        page.wait_for_timeout(1500)  # the components that appear once the page is shown send theirs
        browser.close()
    chained = {event.get("name") for update in _socket_events(received) for event in update.get("events") or ()}
    mine = [event.get("name", "") for event in _socket_events(sent)]
    return tuple(name for name in dict.fromkeys(mine) if name and name not in chained and not name.startswith("_"))


def _socket_events(frames: list[str]) -> list[dict]:
    """The payloads of socket.io EVENT packets on the event namespace (`42/_event,["event", {...}]`)."""
    prefix = f"42{NAMESPACE},"
    found = []
    for frame in frames:
        if frame.startswith(prefix):
            message = json.loads(frame[len(prefix) :])
            if len(message) > 1 and isinstance(message[1], dict):
                found.append(message[1])
    return found


def state_of(handler: str) -> str:
    """The state a handler's full name belongs to (`a.b.c.load` -> `a.b.c`)."""
    return handler.rsplit(".", 1)[0]


@dataclass
class Tab:
    """One tab: its own client token, the person's session cookie (or none), one websocket at a time."""

    base_url: str
    boot: BootAuth
    session_cookie: str = ""
    cookie_name: str = "portal_session"
    # The client address a trusted proxy would report (many people on one machine are many networks).
    forwarded_for: str = ""
    timeout: float = 30.0
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    path: str = "/"
    query: dict | None = None
    redirected_to: str = ""
    deltas: int = 0

    def __post_init__(self) -> None:
        self._sio: socketio.AsyncClient | None = None
        self._arrived = asyncio.Event()
        self._seen: set[str] = set()
        self._waiting_for: set[str] = set()
        self._any_of = False
        self._last_answer = 0.0

    # -- the connection -------------------------------------------------------------------------
    async def open(self, path: str, query: dict | None = None) -> float:
        """A full page load of `path`: connect and hydrate (with the page's on_load chain); returns seconds."""
        await self.close()
        self.path, self.query = path, query
        self.token = str(uuid.uuid4())  # a new page load in a new tab: the browser's sessionStorage is new
        sio = socketio.AsyncClient(reconnection=False, ssl_verify=False)
        sio.on("event", self._on_update, namespace=NAMESPACE)
        self._sio = sio
        headers = {"Origin": self.base_url, "User-Agent": "portal-load-benchmark/1.0"}
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        if self.session_cookie:
            headers["Cookie"] = f"{self.cookie_name}={self.session_cookie}"
        self._expect({ROOT})
        started = time.perf_counter()
        await sio.connect(
            f"{self.base_url}?{urllib.parse.urlencode({'token': self.token})}",
            headers=headers,
            auth=self.boot.for_page(path, query),
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path="_event",
            wait_timeout=self.timeout,
        )
        await self._settled(started, "hydrate")
        mounts = self.boot.mounts.get(path, ()) if not self.redirected_to else ()
        if mounts:
            self._expect({state_of(name) for name in mounts})
            for name in mounts:
                await self._send(name, {})
            await self._settled(started, "the page's own events")
        return self._last_answer - started

    async def close(self) -> None:
        if self._sio is not None:
            sio, self._sio = self._sio, None
            try:
                await sio.disconnect()
            except Exception:  # noqa: BLE001  (a connection the server already dropped)
                pass

    @property
    def connected(self) -> bool:
        return self._sio is not None and self._sio.connected

    # -- what a person does ----------------------------------------------------------------------
    async def navigate(self, path: str, query: dict | None = None) -> float:
        """A link inside the app (no page load): on_load_internal for the new path; returns seconds."""
        self.path, self.query = path, query
        self._expect({ROOT})
        started = time.perf_counter()
        await self._send(ON_LOAD, None)
        return await self._settled(started, f"navigate {path}")

    async def act(
        self, handler: str, payload: dict | None = None, *, answers: str | None = None, var: str = ""
    ) -> float:
        """Send one handler's event on this page and wait for a delta of `answers` (default: its own state),
        one that sets `var` when given (a live page also gets deltas that other people's actions cause)."""
        self._expect({f"{answers or state_of(handler)}{'.' + var if var else ''}"})
        started = time.perf_counter()
        await self._send(handler, payload)
        return await self._settled(started, handler.rsplit(".", 1)[-1])

    async def until_one_of(self, handler: str, payload: dict | None, ends: set[str]) -> float:
        """Send one handler's event and wait for the first of several ends (`state.var!`: a message shown,
        `_redirect`: the page left); which one came is in `seen`."""
        self._expect(ends, any_of=True)
        started = time.perf_counter()
        await self._send(handler, payload)
        return await self._settled(started, handler.rsplit(".", 1)[-1])

    @property
    def seen(self) -> set[str]:
        return set(self._seen)

    async def submit(self, handler: str, fields: dict[str, str], *, answers: str | None = None, var: str = "") -> float:
        """A form's on_submit, encoded as the frontend encodes form data."""
        form = {"__reflex_form_data__": [[name, value] for name, value in fields.items()]}
        return await self.act(handler, {"form_data": form}, answers=answers, var=var)

    # -- the protocol ----------------------------------------------------------------------------
    def _expect(self, states: set[str], *, any_of: bool = False) -> None:
        self._seen = set()
        self._waiting_for = set(states)
        self._any_of = any_of
        self._arrived.clear()
        self.redirected_to = ""

    async def _send(self, name: str, payload: dict | None) -> None:
        if self._sio is None:
            raise StepFailed("the tab is not connected")
        event = {"name": name, "router_data": _router_data(self.path, self.query)}
        if payload is not None:
            event["payload"] = payload
        await self._sio.emit("event", event, namespace=NAMESPACE)

    async def _on_update(self, update: dict) -> None:
        self._last_answer = time.perf_counter()
        delta = update.get("delta") or {}
        if delta:
            self.deltas += 1
        for state, values in delta.items():
            if state == ROOT and values.get(HYDRATED) is False:
                continue  # the hydrate's opening snapshot; the page is answered when it says True
            self._seen.add(state)
            self._seen.update(f"{state}.{name}" for name in values)
            # A flag's value too (`...busy_rx_state_=False`): the end of a handler that raised it first.
            self._seen.update(f"{state}.{name}={value}" for name, value in values.items() if isinstance(value, bool))
            # A message shown (`...error_rx_state_!`): a refusal, when the step waits for one of several ends.
            self._seen.update(f"{state}.{name}!" for name, value in values.items() if isinstance(value, str) and value)
        for event in update.get("events") or ():
            name = event.get("name", "")
            if name == "_call_script":
                code = (event.get("payload") or {}).get("javascript_code", "")
                if "location" in code:
                    self.redirected_to = code
                    self._seen.add("_redirect")
                continue
            if name.startswith("_"):
                if name == "_redirect":
                    self.redirected_to = (event.get("payload") or {}).get("path", "")
                    self._seen.add("_redirect")
                continue
            # Answered by a delta of its own state sent after this (the hydrate's snapshot named them all).
            self._waiting_for.add(state_of(name))
            self._seen.discard(state_of(name))
            await self._send(name, event.get("payload"))
        self._arrived.set()

    async def _settled(self, started: float, what: str) -> float:
        deadline = started + self.timeout
        while True:
            done = self._waiting_for & self._seen if self._any_of else self._waiting_for <= self._seen
            if done or "_redirect" in self._seen:
                return self._last_answer - started
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or not self.connected:
                missing = sorted(self._waiting_for - self._seen)
                raise StepFailed(f"{what}: no answer from {missing} within {self.timeout:.0f} s")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                pass
