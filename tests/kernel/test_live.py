"""The live-update channel (portal_app/live.py) and the Reflex follower (portal_app/live_reflex.py).

The Redis tests use the real server at 127.0.0.1:6379 with a channel prefix unique to this run,
and are skipped (saying so) only when it is unreachable. Run with `-p no:playwright`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
import redis
from reflex.app import App, EventNamespace
from reflex.istate.proxy import StateProxy
from reflex.state import OnLoadInternalState
from reflex.utils.token_manager import LocalTokenManager, RedisTokenManager, SocketRecord, TokenManager
from reflex_base.event.processor import BaseStateEventProcessor
from reflex_base.event.processor.event_processor import EventProcessor
from reflex_base.registry import RegistrationContext

from portal_app.kernel import live
from portal_app.shell.ui import live as live_reflex

REDIS_PORT = 6379
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
PREFIX = f"portal:live:test-{uuid.uuid4().hex[:10]}:"
WAIT = 3.0


async def receive(subscription: live.Subscription, timeout: float = WAIT):
    return await asyncio.wait_for(anext(subscription), timeout)


async def nothing_arrives(subscription: live.Subscription, within: float = 0.3) -> bool:
    try:
        await asyncio.wait_for(anext(subscription), within)
    except TimeoutError:
        return True
    return False


async def until(condition, timeout: float = WAIT) -> None:
    """Wait until condition() holds (polling the loop), or fail."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def local_hub():
    hub = live.LocalHub()
    yield hub
    await hub.aclose()


@pytest.fixture(scope="module")
def redis_server() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}): the Redis backend tests need it")
    return REDIS_URL


@pytest.fixture
async def redis_hubs():
    """Make RedisHub instances that stand in for separate backend workers; all closed afterwards."""
    hubs: list[live.RedisHub] = []

    def make(url: str = REDIS_URL, **options) -> live.RedisHub:
        hub = live.RedisHub(url, prefix=PREFIX, **options)
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        await hub.aclose()


# In-process backend


async def test_every_subscriber_of_a_topic_gets_each_event_published_after_it_subscribed(local_hub):
    local_hub.publish("board:1", {"before": True})
    async with (
        local_hub.subscribe("board:1") as first,
        local_hub.subscribe("board:1") as second,
        local_hub.subscribe("board:1") as third,
    ):
        local_hub.publish("board:1", {"note_id": 7})
        local_hub.publish("board:1")
        for subscription in (first, second, third):
            assert await receive(subscription) == {"note_id": 7}
            assert await receive(subscription) == {}
            assert await nothing_arrives(subscription, 0.05)


async def test_each_subscriber_gets_its_own_copy(local_hub):
    async with local_hub.subscribe("board:1") as first, local_hub.subscribe("board:1") as second:
        local_hub.publish("board:1", {"ids": [1, 2]})
        (await receive(first))["ids"].append(3)
        assert await receive(second) == {"ids": [1, 2]}


async def test_topics_are_isolated_and_one_subscription_can_follow_several(local_hub):
    async with local_hub.subscribe("notes:1") as one, local_hub.subscribe("notes:1", "notes:2") as both:
        local_hub.publish("notes:2", {"n": 2})
        local_hub.publish("notes:3", {"n": 3})
        local_hub.publish("notes:1", {"n": 1})
        assert await receive(one) == {"n": 1}
        assert await receive(both) == {"n": 2}
        assert await receive(both) == {"n": 1}
        assert await nothing_arrives(one) and await nothing_arrives(both, 0.05)


async def test_publishing_from_worker_threads_reaches_the_loop(local_hub):
    async with local_hub.subscribe("board:1") as subscription:
        await asyncio.to_thread(local_hub.publish, "board:1", {"from": "to_thread"})
        threads = [threading.Thread(target=local_hub.publish, args=("board:1", {"from": i})) for i in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        received = [await receive(subscription) for _ in range(6)]
    assert received[0] == {"from": "to_thread"}
    assert sorted(event["from"] for event in received[1:]) == [0, 1, 2, 3, 4]


async def test_a_slow_subscriber_keeps_only_the_newest_events_and_is_told_to_reload():
    hub = live.LocalHub(queue_size=3)
    async with hub.subscribe("board:1") as slow:
        for n in range(10):
            hub.publish("board:1", {"n": n})
        await asyncio.sleep(0.05)  # deliveries are scheduled on the loop
        assert slow.dropped == 7
        assert await receive(slow) is None  # events were lost: reload from the database
        assert [await receive(slow) for _ in range(3)] == [{"n": 7}, {"n": 8}, {"n": 9}]
        assert await nothing_arrives(slow, 0.05)


async def test_leaving_the_block_unsubscribes_and_close_ends_the_iteration(local_hub):
    async with local_hub.subscribe("board:1") as subscription:
        subscription.close()
        with pytest.raises(StopAsyncIteration):
            await receive(subscription)
    assert local_hub._subscribers == {}
    local_hub.publish("board:1", {"n": 1})  # nobody listening: fine


@pytest.mark.parametrize("topic", ["", "Board:1", "board 1", "board/1", "tâche:1", "x" * 201, None, 7])
async def test_malformed_topics_are_refused(local_hub, topic):
    with pytest.raises(ValueError):
        local_hub.publish(topic, {})
    with pytest.raises(ValueError):
        async with local_hub.subscribe(topic):
            pass
    with pytest.raises(ValueError):
        async with local_hub.subscribe("board:1", topic):
            pass
    assert local_hub._subscribers == {}


@pytest.mark.parametrize(
    ("event", "why"),
    [
        ({"when": object()}, "not JSON-serialisable"),
        ({"ratio": float("nan")}, "not JSON-serialisable"),
        ({"text": "x" * live.MAX_EVENT_BYTES}, "bytes, the limit is"),
        (["not", "a", "dict"], "expected a dict"),
    ],
)
async def test_unusable_payloads_are_logged_and_dropped(local_hub, caplog, event, why):
    async with local_hub.subscribe("board:1") as subscription:
        with caplog.at_level(logging.WARNING, logger="portal_app.kernel.live"):
            local_hub.publish("board:1", event)  # does not raise
        assert why in caplog.text and "'board:1'" in caplog.text
        assert await nothing_arrives(subscription)


def test_the_backend_follows_the_environment_when_the_hub_is_made(monkeypatch):
    previous = live.use_hub(None)
    try:
        monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
        assert live.redis_url() == ""
        assert isinstance(live.get_hub(), live.LocalHub)
        assert live.get_hub() is live.get_hub()
        live.use_hub(None)
        monkeypatch.setenv("REFLEX_REDIS_URL", " redis://127.0.0.1:6379/0 ")
        hub = live.get_hub()
        assert isinstance(hub, live.RedisHub) and hub.url == "redis://127.0.0.1:6379/0"
        # Channels name the database: two portals on databases 0 and 11 of one Redis never meet.
        assert hub.prefix == "portal:live:0:"
        assert live.channel_prefix("redis://127.0.0.1:6379/11") == "portal:live:11:"
        assert live.channel_prefix("redis://127.0.0.1:6379") == "portal:live:0:"
    finally:
        live.use_hub(previous)


async def test_module_functions_use_the_process_hub(local_hub):
    previous = live.use_hub(local_hub)
    try:
        async with live.subscribe("board:1") as subscription:
            await asyncio.to_thread(live.publish, "board:1", {"n": 1})
            assert await receive(subscription) == {"n": 1}
    finally:
        live.use_hub(previous)


# Redis backend


async def test_an_event_published_on_one_worker_reaches_subscribers_on_another(redis_server, redis_hubs):
    worker_a, worker_b = redis_hubs(), redis_hubs()
    async with worker_b.subscribe("board:1") as on_b, worker_a.subscribe("board:1") as on_a:
        await asyncio.to_thread(worker_a.publish, "board:1", {"note_id": 1})  # a service in a thread
        worker_a.publish("board:1", {"note_id": 2})  # async code on the loop
        assert [await receive(on_b), await receive(on_b)] == [{"note_id": 1}, {"note_id": 2}]
        assert [await receive(on_a), await receive(on_a)] == [{"note_id": 1}, {"note_id": 2}]
        worker_b.publish("board:2", {"other": "topic"})
        assert await nothing_arrives(on_a) and await nothing_arrives(on_b, 0.05)


async def test_one_redis_subscription_per_process_fans_out_locally(redis_server, redis_hubs):
    worker_a, worker_b = redis_hubs(), redis_hubs()
    channel = PREFIX + "fanout:1"
    client = redis.Redis.from_url(redis_server)
    async with (
        worker_b.subscribe("fanout:1") as first,
        worker_b.subscribe("fanout:1") as second,
        worker_b.subscribe("fanout:1", "fanout:2") as third,
    ):
        assert client.pubsub_numsub(channel) == [(channel.encode(), 1)]
        worker_a.publish("fanout:1", {"n": 1})
        for subscription in (first, second, third):
            assert await receive(subscription) == {"n": 1}
    await until(lambda: client.pubsub_numsub(channel) == [(channel.encode(), 0)])  # unsubscribed when unused
    client.close()


async def test_a_topics_version_counts_what_was_published_to_it_on_any_worker(redis_server, redis_hubs):
    worker_a, worker_b = redis_hubs(), redis_hubs()
    assert await worker_a.version("count:1", "count:2") == (0, 0)
    async with worker_b.subscribe("count:1") as on_b:
        assert on_b.confirmed, "Redis confirmed the subscription before subscribe() returned"
        worker_a.publish("count:1", {"n": 1})
        await asyncio.to_thread(worker_a.publish, "count:1", {"n": 2})
        worker_a.publish("count:2", {"n": 3})
        assert await receive(on_b) == {"n": 1} and await receive(on_b) == {"n": 2}
    # Publishing hands events to a background thread: "count:2" may still be on its way once "count:1"'s
    # second event has arrived, so wait until worker A has handed on what it published.
    assert await asyncio.to_thread(worker_a.flush)
    assert await worker_b.version("count:1", "count:2") == (2, 1)


async def test_the_version_of_an_unreachable_redis_is_unknown_not_zero(redis_hubs):
    down = redis_hubs(f"redis://127.0.0.1:{closed_port()}/0")
    assert await down.version("count:1") is None
    async with down.subscribe("count:1") as events:
        assert not events.confirmed


async def test_publishing_while_redis_is_down_logs_and_never_raises_or_blocks(redis_hubs, caplog):
    down = redis_hubs(f"redis://127.0.0.1:{closed_port()}/0")
    with caplog.at_level(logging.WARNING, logger="portal_app.kernel.live"):
        started = time.perf_counter()
        for n in range(100):
            down.publish("board:1", {"n": n})
        await asyncio.to_thread(down.publish, "board:1", {"n": "thread"})
        assert time.perf_counter() - started < 0.5  # callers only enqueue
        assert await asyncio.to_thread(down.flush, WAIT)
    warnings = [record.getMessage() for record in caplog.records if record.name == "portal_app.kernel.live"]
    assert warnings and all("dropping live events: Redis is unreachable" in message for message in warnings)
    assert len(warnings) == 1  # one line per outage period, not one per event


async def test_subscribing_while_redis_is_down_does_not_fail(redis_hubs, caplog):
    down = redis_hubs(f"redis://127.0.0.1:{closed_port()}/0")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="portal_app.kernel.live"):
        async with down.subscribe("board:1") as subscription:
            assert await nothing_arrives(subscription, 0.1)
    assert time.monotonic() - started < live.SUBSCRIBE_CONFIRM_SECONDS + 1
    assert "Redis subscription lost" in caplog.text


class TcpProxy:
    """A cuttable TCP link to Redis, to take one worker's connection down without touching the server."""

    def __init__(self, upstream_port: int = REDIS_PORT) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self._writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_a_subscriber_is_told_to_reload_after_its_redis_link_comes_back(redis_server, redis_hubs, caplog):
    proxy = TcpProxy()
    await proxy.start()
    publisher = redis_hubs()
    behind_proxy = redis_hubs(f"redis://127.0.0.1:{proxy.port}/0")
    with caplog.at_level(logging.INFO, logger="portal_app.kernel.live"):
        async with behind_proxy.subscribe("board:1") as subscription:
            publisher.publish("board:1", {"n": 1})
            assert await receive(subscription) == {"n": 1}

            await proxy.cut()
            await asyncio.sleep(0.3)
            publisher.publish("board:1", {"n": "lost while the link was down"})
            await asyncio.to_thread(publisher.flush, WAIT)
            await proxy.start()  # same port

            assert await receive(subscription, 10) is None  # back: reload, events were missed
            publisher.publish("board:1", {"n": 2})
            assert await receive(subscription) == {"n": 2}
    await proxy.cut()
    assert "Redis subscription lost" in caplog.text and "Redis subscription back" in caplog.text


# The Reflex follower


class FakeStateProxy:
    """Stands in for the StateProxy a background event gets: a router, a name, and `async with`."""

    def __init__(self, token: str, sid: str, path: str = "/board") -> None:
        self.router = SimpleNamespace(
            session=SimpleNamespace(client_token=token, session_id=sid), url=SimpleNamespace(path=path)
        )
        self.locked = False

    @classmethod
    def get_full_name(cls) -> str:
        return "state.board_state"

    async def __aenter__(self) -> FakeStateProxy:
        self.locked = True
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.locked = False


@pytest.fixture
async def tabs(local_hub, monkeypatch):
    """A real Reflex LocalTokenManager that follow() asks about tabs, and the in-process hub."""
    token_manager = LocalTokenManager()
    monkeypatch.setattr(live_reflex, "_token_manager", lambda: token_manager)
    monkeypatch.setattr(live_reflex, "StateProxy", FakeStateProxy)
    previous = live.use_hub(local_hub)
    yield token_manager
    live.use_hub(previous)


class Recorder:
    def __init__(self, state: FakeStateProxy, answer=None) -> None:
        self.state, self.answer, self.calls = state, answer, []
        self.called = asyncio.Event()

    async def __call__(self, event):
        assert self.state.locked, "the callback runs inside `async with state`"
        self.calls.append(event)
        self.called.set()
        return self.answer

    async def next_call(self):
        await asyncio.wait_for(self.called.wait(), WAIT)
        self.called.clear()
        return self.calls[-1]


def start_following(state: FakeStateProxy, callback) -> asyncio.Task:
    return asyncio.create_task(live_reflex.follow(state, ["board:1"], callback, check_every=0.1))


async def cancel(task: asyncio.Task) -> None:
    """What Reflex does to a follower in a cancelled page-load chain."""
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_follow_reloads_first_then_calls_back_for_each_event(tabs):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    callback = Recorder(state)
    task = start_following(state, callback)
    assert await callback.next_call() is None  # the catch-up reload, after subscribing
    live.publish("board:1", {"note_id": 3})
    assert await callback.next_call() == {"note_id": 3}
    await cancel(task)
    assert live.get_hub()._subscribers == {}


async def test_a_follower_given_the_version_its_page_loaded_at_skips_the_catch_up_reload(tabs):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    callback = Recorder(state)
    seen = await live.version("board:1")
    task = asyncio.create_task(live_reflex.follow(state, ["board:1"], callback, check_every=0.1, seen=seen))
    await until(lambda: live.get_hub()._subscribers)
    await asyncio.sleep(0.1)
    assert callback.calls == [], "nothing was published since the page loaded: nothing to reload"
    live.publish("board:1", {"note_id": 4})
    assert await callback.next_call() == {"note_id": 4}
    await cancel(task)


async def test_a_change_between_the_page_load_and_the_follower_is_caught_up(tabs):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    callback = Recorder(state)
    seen = await live.version("board:1")
    live.publish("board:1", {"note_id": 5})  # after the page read, before the follower subscribed
    task = asyncio.create_task(live_reflex.follow(state, ["board:1"], callback, check_every=0.1, seen=seen))
    assert await callback.next_call() is None
    await cancel(task)


async def test_a_burst_of_events_costs_one_reload(tabs):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    release = asyncio.Event()
    calls = []

    async def slow_refresh(event):
        calls.append(event)
        if event is not None:
            await release.wait()

    task = start_following(state, slow_refresh)
    await until(lambda: calls == [None])
    live.publish("board:1", {"n": 0})
    await until(lambda: len(calls) == 2)
    for n in range(1, 6):
        live.publish("board:1", {"n": n})  # while the refresh for n=0 is still running
    await asyncio.sleep(0.05)  # deliveries are scheduled on the loop
    release.set()
    await until(lambda: len(calls) == 3)
    live.publish("board:1", {"n": 6})
    await until(lambda: len(calls) == 4)
    assert calls == [None, {"n": 0}, None, {"n": 6}]
    await cancel(task)


async def test_follow_ends_when_the_tab_disconnects(tabs, caplog):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    callback = Recorder(state)
    task = start_following(state, callback)
    await callback.next_call()
    with caplog.at_level(logging.INFO, logger="portal_app.shell.ui.live"):
        await tabs.disconnect_token("token-1", "sid-1")
        await asyncio.wait_for(task, 1)
    assert "socket that started it is gone" in caplog.text
    assert live.get_hub()._subscribers == {}


async def test_follow_ends_when_the_tab_comes_back_through_another_socket(tabs):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    callback = Recorder(state)
    task = start_following(state, callback)
    await callback.next_call()
    await tabs.disconnect_token("token-1", "sid-1")
    await tabs.link_token_to_sid("token-1", "sid-2")  # a reload: same token, new socket
    await asyncio.wait_for(task, 1)


async def test_a_newer_follower_of_the_same_tab_and_state_replaces_the_older(tabs, caplog):
    await tabs.link_token_to_sid("token-1", "sid-1")
    older_state, newer_state = FakeStateProxy("token-1", "sid-1"), FakeStateProxy("token-1", "sid-1")
    older, newer = Recorder(older_state), Recorder(newer_state)
    with caplog.at_level(logging.INFO, logger="portal_app.shell.ui.live"):
        older_task = start_following(older_state, older)
        await older.next_call()
        newer_task = start_following(newer_state, newer)
        await newer.next_call()
        await asyncio.wait_for(older_task, 1)
    assert "replaced by a newer follower" in caplog.text
    live.publish("board:1", {"n": 1})
    assert await newer.next_call() == {"n": 1}
    assert older.calls == [None]
    await cancel(newer_task)


async def test_follow_ends_at_the_next_event_once_the_tab_shows_another_page(tabs):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    callback = Recorder(state)
    task = start_following(state, callback)
    await callback.next_call()
    state.router.url.path = "/other"  # what a navigation's event leaves in the state
    live.publish("board:1", {"n": 1})
    await asyncio.wait_for(task, 1)
    assert callback.calls == [None]


async def test_a_callback_stops_following_by_returning_false_and_errors_do_not(tabs, caplog):
    await tabs.link_token_to_sid("token-1", "sid-1")
    state = FakeStateProxy("token-1", "sid-1")
    calls = []

    async def refresh(event):
        calls.append(event)
        if event == {"n": 1}:
            raise RuntimeError("database hiccup")
        return False if event == {"n": 2} else None

    task = start_following(state, refresh)
    with caplog.at_level(logging.INFO, logger="portal_app.shell.ui.live"):
        await until(lambda: calls == [None])
        live.publish("board:1", {"n": 1})
        await until(lambda: len(calls) == 2)
        live.publish("board:1", {"n": 2})
        await asyncio.wait_for(task, 1)
    assert calls == [None, {"n": 1}, {"n": 2}]
    assert "database hiccup" in caplog.text and "the callback asked to stop" in caplog.text


async def test_follow_refuses_a_state_that_is_not_a_background_proxy(tabs, monkeypatch):
    monkeypatch.setattr(live_reflex, "StateProxy", StateProxy)
    with pytest.raises(TypeError, match="background=True"):
        await live_reflex.follow(FakeStateProxy("token-1", "sid-1"), "board:1", Recorder(None))


async def test_tab_is_connected_asks_for_the_socket_that_started_the_follower(tabs):
    assert not await live_reflex.tab_is_connected("token-1", "sid-1")
    await tabs.link_token_to_sid("token-1", "sid-1")
    assert await live_reflex.tab_is_connected("token-1", "sid-1")
    assert not await live_reflex.tab_is_connected("token-1", "sid-2")


def test_reflex_still_works_the_way_live_reflex_relies_on():
    """The Reflex 0.10.1 internals live_reflex reads; if an upgrade changes them, this fails first."""
    assert isinstance(App.event_namespace, property)
    assert isinstance(RegistrationContext.app, property)
    assert isinstance(EventNamespace("/_event", app=None)._token_manager, TokenManager)
    for manager in (LocalTokenManager, RedisTokenManager):
        assert asyncio.iscoroutinefunction(manager.is_token_connected)
    assert "token_to_socket" in vars(LocalTokenManager())
    assert "sid" in {field.name for field in dataclasses.fields(SocketRecord)}
    # A follower chained from on_load is cancelled with its page-load chain on disconnect or navigation.
    assert OnLoadInternalState.event_handlers["on_load_internal"].supersedes
    assert BaseStateEventProcessor._on_disconnect is not EventProcessor._on_disconnect
