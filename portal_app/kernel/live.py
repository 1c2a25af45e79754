"""Live updates: publish a small event to a topic; every page following that topic refreshes itself.

`publish(topic, event)` is fire-and-forget and safe from anywhere: async code on the event loop, a
service running in a worker thread (asyncio.to_thread), or plain sync code. It never blocks for
long and never raises because of Redis; a refused or undeliverable event is logged and dropped.

`async with subscribe(topic) as events: async for event in events: ...` receives the events
published to the topic after the subscription started, from this process and, when
REFLEX_REDIS_URL is set, from every other backend worker.

`await version(topic)` is the topic's publish count. A page that reads it before loading and hands it
to its follower lets the follower skip the catch-up reload when nothing was published in between
(publish after the transaction commits, as every service here does).

An event says *that* something changed (ids, a kind), never the data: a follower reloads from the
database, which stays the source of truth. So a lost event only delays a refresh, and a
subscription says when it may have lost some: it yields `None`, meaning "reload everything".

Backends, chosen by `redis_url()` when the process first publishes or subscribes:
- in-process (REFLEX_REDIS_URL unset): one bounded queue per subscriber, fed from any thread with
  loop.call_soon_threadsafe;
- Redis pub/sub: channels `portal:live:<database number>:<topic>`; one subscribing connection per process (per event
  loop) fans each message out to local subscribers; a background thread publishes, so callers
  only enqueue. It counts each publish in `<channel>#count` in the same transaction (kept a day after
  the last publish).

This module never imports Reflex: the Reflex side (following topics from a page) is live_reflex.
"""

from __future__ import annotations

import abc
import asyncio
import collections
import contextlib
import json
import logging
import os
import queue
import re
import threading
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

TOPIC_PATTERN = re.compile(r"[a-z0-9_:.\-]{1,200}")
CHANNEL_PREFIX = "portal:live:"
# Events name what changed; 8 KiB is generous for ids and a kind, and keeps a burst cheap to fan out.
MAX_EVENT_BYTES = 8 * 1024
# A tab that falls this far behind loses its oldest events (and is told to reload).
SUBSCRIBER_QUEUE_SIZE = 64
# Events waiting for the Redis publisher thread; beyond this they are dropped.
PUBLISH_QUEUE_SIZE = 10_000
# How long subscribe() waits for Redis to confirm before carrying on (it catches up on reconnect).
SUBSCRIBE_CONFIRM_SECONDS = 2.0
# After a failed publish, drop events for this long instead of waiting on a dead server each time.
PUBLISH_COOLDOWN_SECONDS = 1.0
# A topic's publish count outlives its last publish by this long (a missing count reads 0).
COUNT_SECONDS = 24 * 3600
COUNT_SUFFIX = "#count"
# One warning per this many seconds while Redis stays unreachable.
OUTAGE_LOG_EVERY_SECONDS = 30.0
_READ_POLL_SECONDS = 0.25
_RECONNECT_MIN_SECONDS = 0.5
_RECONNECT_MAX_SECONDS = 10.0


def redis_url() -> str:
    """The Redis server for cross-worker events; empty means in-process only. Read when the hub is made."""
    return os.environ.get("REFLEX_REDIS_URL", "").strip()


def channel_prefix(url: str) -> str:
    """Channel names carry the Redis database number of REFLEX_REDIS_URL: pub/sub channels are shared by
    every database of a server, so two portals on one Redis (databases 0 and 1) never wake each other."""
    return f"{CHANNEL_PREFIX}{redis.connection.parse_url(url).get('db', 0)}:"


def check_topic(topic: object) -> str:
    """A topic is short lowercase ASCII: letters, digits and `_ : . -` (1 to 200). Anything else is a bug."""
    if not isinstance(topic, str) or not TOPIC_PATTERN.fullmatch(topic):
        raise ValueError(f"live topic must match {TOPIC_PATTERN.pattern}, got {topic!r}")
    return topic


def encode_event(topic: str, event: Mapping[str, Any] | None) -> bytes | None:
    """The event as compact JSON, or None (logged) when it is not a small JSON object."""
    if event is None:
        event = {}
    if not isinstance(event, Mapping):
        log.warning("live: dropped an event for %r: expected a dict, got %s", topic, type(event).__name__)
        return None
    try:
        data = json.dumps(event, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as error:
        log.warning("live: dropped an event for %r: not JSON-serialisable (%s)", topic, error)
        return None
    if len(data) > MAX_EVENT_BYTES:
        log.warning(
            "live: dropped an event for %r: %d bytes, the limit is %d (send ids, not data)",
            topic,
            len(data),
            MAX_EVENT_BYTES,
        )
        return None
    return data


def _decode_event(data: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(data)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


class Subscription:
    """What subscribe() yields: an async iterator of events, bounded, dropping the oldest when full.

    It yields `None` when events may have been lost (this subscriber fell behind, or the Redis link
    was down): reload from the source of truth. Iteration ends when the subscription is closed.
    """

    def __init__(self, topics: tuple[str, ...], loop: asyncio.AbstractEventLoop, maxsize: int) -> None:
        self.topics = topics
        self.loop = loop
        self.dropped = 0
        # True once the hub delivers every event published from now on (Redis confirmed the SUBSCRIBE).
        self.confirmed = False
        self._maxsize = maxsize
        self._items: collections.deque[dict[str, Any]] = collections.deque()
        self._gap = False
        self._closed = False
        self._wakeup = asyncio.Event()

    def _put(self, event: dict[str, Any]) -> None:
        """Queue an event (on the subscriber's loop); a full queue loses its oldest event."""
        if self._closed:
            return
        if len(self._items) >= self._maxsize:
            self._items.popleft()
            self.dropped += 1
            self._gap = True
        self._items.append(event)
        self._wakeup.set()

    def _mark_gap(self) -> None:
        """Events may have been lost upstream: the next item yielded is None."""
        if not self._closed:
            self._gap = True
            self._wakeup.set()

    def close(self) -> None:
        """End the iteration (the subscriber's `async for` finishes). Call on the subscriber's loop."""
        self._closed = True
        self._items.clear()
        self._wakeup.set()

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> int:
        """How many items are waiting (a gap counts as one)."""
        return len(self._items) + self._gap

    def discard_pending(self) -> None:
        """Forget what is waiting: for a subscriber about to reload everything anyway."""
        self._items.clear()
        self._gap = False

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any] | None:
        while True:
            if self._closed:
                raise StopAsyncIteration
            if self._gap:
                self._gap = False
                return None
            if self._items:
                return self._items.popleft()
            self._wakeup.clear()
            await self._wakeup.wait()


class LiveHub(abc.ABC):
    """The publish/subscribe backend of one process (LocalHub or RedisHub). Use the module functions;
    tests make their own hubs."""

    def __init__(self, *, queue_size: int = SUBSCRIBER_QUEUE_SIZE) -> None:
        self.queue_size = queue_size

    def publish(self, topic: str, event: Mapping[str, Any] | None = None) -> None:
        check_topic(topic)
        data = encode_event(topic, event)
        if data is not None:
            self._send(topic, data)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, *more_topics: str) -> AsyncIterator[Subscription]:
        topics = tuple(dict.fromkeys(check_topic(t) for t in (topic, *more_topics)))
        subscription = Subscription(topics, asyncio.get_running_loop(), self.queue_size)
        try:
            await self._started(subscription)
            yield subscription
        finally:
            subscription.close()
            self._stopped(subscription)

    async def version(self, *topics: str) -> tuple[int, ...] | None:
        """How many events each topic has had published; None when that cannot be told now."""
        return await self._counts(tuple(check_topic(t) for t in topics))

    @abc.abstractmethod
    async def _counts(self, topics: tuple[str, ...]) -> tuple[int, ...] | None:
        """The topics' publish counts (see version())."""

    @abc.abstractmethod
    def _send(self, topic: str, data: bytes) -> None:
        """Count the event and hand it to every subscriber of the topic (in this process, or through Redis)."""

    @abc.abstractmethod
    async def _started(self, subscription: Subscription) -> None:
        """Start delivering the subscription's topics to it."""

    @abc.abstractmethod
    def _stopped(self, subscription: Subscription) -> None:
        """Stop delivering to a closed subscription."""

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait (blocking) until events published so far have been handed on; True if they were."""
        return True

    async def aclose(self) -> None:
        """Stop background work (tests and shutdown)."""


class LocalHub(LiveHub):
    """Everything in this process: right for one backend worker (REFLEX_REDIS_URL unset)."""

    def __init__(self, *, queue_size: int = SUBSCRIBER_QUEUE_SIZE) -> None:
        super().__init__(queue_size=queue_size)
        self._lock = threading.Lock()  # publishers run on any thread
        self._subscribers: dict[str, set[Subscription]] = {}
        self._published: collections.Counter[str] = collections.Counter()

    async def _counts(self, topics: tuple[str, ...]) -> tuple[int, ...]:
        with self._lock:
            return tuple(self._published[topic] for topic in topics)

    async def _started(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                self._subscribers.setdefault(topic, set()).add(subscription)
        subscription.confirmed = True

    def _stopped(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                subscribers = self._subscribers.get(topic)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._subscribers[topic]

    def _send(self, topic: str, data: bytes) -> None:
        with self._lock:
            self._published[topic] += 1
            subscribers = list(self._subscribers.get(topic, ()))
        for subscription in subscribers:
            event = _decode_event(data)  # a copy per subscriber, as over Redis
            try:
                subscription.loop.call_soon_threadsafe(subscription._put, event)
            except RuntimeError:  # its event loop is closed: the subscriber is gone
                log.debug("live: skipped a subscriber whose event loop is closed")


class RedisHub(LiveHub):
    """Redis pub/sub: every backend worker sees every event (REFLEX_REDIS_URL set)."""

    def __init__(self, url: str, *, prefix: str = CHANNEL_PREFIX, queue_size: int = SUBSCRIBER_QUEUE_SIZE) -> None:
        super().__init__(queue_size=queue_size)
        self.url = url
        self.prefix = prefix
        self._publisher = _RedisPublisher(url)
        self._lock = threading.Lock()  # event loops in several threads (a test harness) each get a reader
        self._readers: dict[asyncio.AbstractEventLoop, _RedisReader] = {}

    def _send(self, topic: str, data: bytes) -> None:
        self._publisher.submit(self.prefix + topic, data)

    async def _counts(self, topics: tuple[str, ...]) -> tuple[int, ...] | None:
        keys = [self.prefix + topic + COUNT_SUFFIX for topic in topics]
        return await asyncio.to_thread(self._publisher.counts, keys)

    def _reader(self, loop: asyncio.AbstractEventLoop) -> _RedisReader:
        with self._lock:
            for old_loop in [old for old in self._readers if old.is_closed()]:
                del self._readers[old_loop]
            reader = self._readers.get(loop)
            if reader is None:
                reader = self._readers[loop] = _RedisReader(self)
            return reader

    async def _started(self, subscription: Subscription) -> None:
        subscription.confirmed = await self._reader(subscription.loop).add(subscription)

    def _stopped(self, subscription: Subscription) -> None:
        if not subscription.loop.is_closed():
            self._reader(subscription.loop).remove(subscription)

    def flush(self, timeout: float = 5.0) -> bool:
        return self._publisher.flush(timeout)

    async def aclose(self) -> None:
        with self._lock:
            reader = self._readers.pop(asyncio.get_running_loop(), None)
        if reader is not None:
            await reader.aclose()
        await asyncio.to_thread(self._publisher.close)


class _RedisReader:
    """The one subscribing connection of an event loop: follows the channels its subscribers want."""

    def __init__(self, hub: RedisHub) -> None:
        self._hub = hub
        self._wanted: dict[str, set[Subscription]] = {}
        self._sent: set[str] = set()  # SUBSCRIBE sent on the current connection
        self._confirmed: set[str] = set()  # ... and confirmed by the server
        self._changed = asyncio.Event()
        self._confirmation = asyncio.Condition()
        self._task: asyncio.Task | None = None
        self._down_since: float | None = None
        self._retry_delay = _RECONNECT_MIN_SECONDS

    async def add(self, subscription: Subscription) -> bool:
        """Follow the subscription's channels; True once Redis confirmed them (False: not yet, it carries on)."""
        channels = {self._hub.prefix + topic for topic in subscription.topics}
        for channel in channels:
            self._wanted.setdefault(channel, set()).add(subscription)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="portal-live-redis-reader")
        self._changed.set()
        if self._down_since is not None:
            return False  # known outage: the reader subscribes when Redis is back, and marks a gap then
        try:
            async with self._confirmation:
                await asyncio.wait_for(
                    self._confirmation.wait_for(lambda: channels <= self._confirmed), SUBSCRIBE_CONFIRM_SECONDS
                )
        except TimeoutError:
            # Redis is unreachable: carry on; the reader subscribes when it is back and marks a gap.
            log.debug("live: Redis did not confirm %s yet; continuing", sorted(channels))
            return False
        return True

    def remove(self, subscription: Subscription) -> None:
        for topic in subscription.topics:
            channel = self._hub.prefix + topic
            subscribers = self._wanted.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._wanted[channel]
        self._changed.set()

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            client = redis.asyncio.Redis.from_url(
                self._hub.url,
                socket_connect_timeout=2,
                socket_keepalive=True,
                health_check_interval=15,
                retry=AsyncRetry(NoBackoff(), 0),  # failures come here, where gaps are known
            )
            pubsub = client.pubsub()
            try:
                await self._follow(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if self._down_since is None:
                    self._down_since = time.monotonic()
                    log.warning("live: Redis subscription lost (%s); reconnecting", error)
                else:
                    log.debug("live: Redis still unreachable (%s)", error)
                await asyncio.sleep(self._retry_delay)
                self._retry_delay = min(self._retry_delay * 2, _RECONNECT_MAX_SECONDS)
            finally:
                self._sent.clear()
                self._confirmed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()

    def _recovered(self) -> None:
        log.info("live: Redis subscription back after %.1f s", time.monotonic() - (self._down_since or 0.0))
        self._down_since = None
        self._retry_delay = _RECONNECT_MIN_SECONDS

    async def _follow(self, pubsub: redis.asyncio.client.PubSub) -> None:
        """Keep the connection's channels in step with `_wanted` and hand messages out, until it fails."""
        await pubsub.ping()  # connect now, so an outage shows here rather than in the first read
        while True:
            self._changed.clear()
            if added := set(self._wanted) - self._sent:
                await pubsub.subscribe(*added)
                self._sent |= added
            if removed := self._sent - set(self._wanted):
                await pubsub.unsubscribe(*removed)
                self._sent -= removed
            message = await pubsub.get_message(timeout=_READ_POLL_SECONDS)
            if message is not None:
                await self._handle(message)
            if self._down_since is not None and self._sent <= self._confirmed:
                # Back after an outage and subscribed again: what was published meanwhile is lost.
                for subscribers in self._wanted.values():
                    for subscription in subscribers:
                        subscription._mark_gap()
                self._recovered()
            if not self._wanted and not self._sent and not self._changed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 30)

    async def _handle(self, message: dict[str, Any]) -> None:
        kind, channel = message.get("type"), message.get("channel")
        channel = channel.decode() if isinstance(channel, bytes) else channel
        if kind == "message":
            for subscription in list(self._wanted.get(channel, ())):
                event = _decode_event(message["data"])  # a copy each
                if event is None:
                    log.debug("live: ignored a message on %s that is not a JSON object", channel)
                    return
                subscription._put(event)
        elif kind in ("subscribe", "unsubscribe"):
            async with self._confirmation:
                if kind == "subscribe":
                    self._confirmed.add(channel)
                else:
                    self._confirmed.discard(channel)
                self._confirmation.notify_all()


class _RedisPublisher:
    """A daemon thread that PUBLISHes queued events, so callers on any thread only enqueue."""

    _STOP = object()

    def __init__(self, url: str) -> None:
        self._url = url
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=PUBLISH_QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._reading_client: redis.Redis | None = None
        self._down_until = 0.0
        self._dropped = 0
        self._last_warning = 0.0

    def submit(self, channel: str, data: bytes) -> None:
        self._ensure_thread()
        try:
            self._queue.put_nowait((channel, data))
        except queue.Full:
            self._count_drop(f"the publish queue is full ({PUBLISH_QUEUE_SIZE} events)")

    def flush(self, timeout: float) -> bool:
        done = threading.Event()
        self._ensure_thread()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put(self._STOP, timeout=timeout)
            thread.join(timeout)
        for client in (self._client, self._reading_client):
            if client is not None:
                client.close()
        self._client = self._reading_client = None

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="portal-live-publisher", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._STOP:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            self._publish(*item)

    def counts(self, keys: list[str]) -> tuple[int, ...] | None:
        """The publish counts under `keys` (a missing one is 0); None when Redis does not answer. Blocking."""
        try:
            values = self._counts_client().mget(keys)
        except (redis.RedisError, OSError) as error:
            log.debug("live: could not read publish counts (%s)", error)
            return None
        return tuple(int(value) if value is not None else 0 for value in values)

    def _counts_client(self) -> redis.Redis:
        # Its own client: the publisher thread's is used by that thread alone.
        with self._start_lock:
            if self._reading_client is None:
                self._reading_client = redis.Redis.from_url(
                    self._url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 1)
                )
            return self._reading_client

    def _publish(self, channel: str, data: bytes) -> None:
        if time.monotonic() < self._down_until:
            self._count_drop("Redis is unreachable")
            return
        try:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self._url,
                    socket_connect_timeout=1,
                    socket_timeout=1,
                    retry=Retry(NoBackoff(), 1),  # one retry covers a pooled connection Redis closed
                )
            # The count and the message in one transaction: a follower that reads the count after
            # subscribing either sees this event counted or receives it.
            pipeline = self._client.pipeline(transaction=True)
            pipeline.incr(channel + COUNT_SUFFIX)
            pipeline.expire(channel + COUNT_SUFFIX, COUNT_SECONDS)
            pipeline.publish(channel, data)
            pipeline.execute()
        except (redis.RedisError, OSError) as error:
            self._down_until = time.monotonic() + PUBLISH_COOLDOWN_SECONDS
            self._count_drop(f"Redis is unreachable ({error})")
            return
        if self._dropped and self._down_until:
            log.info("live: Redis reachable again; %d live events were dropped meanwhile", self._dropped)
            self._dropped, self._down_until, self._last_warning = 0, 0.0, 0.0

    def _count_drop(self, why: str) -> None:
        self._dropped += 1
        now = time.monotonic()
        if now - self._last_warning >= OUTAGE_LOG_EVERY_SECONDS or self._last_warning == 0.0:
            self._last_warning = now
            log.warning("live: dropping live events: %s (%d dropped so far)", why, self._dropped)


_hub: LiveHub | None = None
_hub_lock = threading.Lock()


def get_hub() -> LiveHub:
    """This process's hub, made on first use: Redis when REFLEX_REDIS_URL is set, else in-process."""
    global _hub
    with _hub_lock:
        if _hub is None:
            url = redis_url()
            _hub = RedisHub(url, prefix=channel_prefix(url)) if url else LocalHub()
        return _hub


def use_hub(hub: LiveHub | None) -> LiveHub | None:
    """Replace this process's hub (tests); None means "make one from the environment on next use". Returns the old one."""
    global _hub
    with _hub_lock:
        previous, _hub = _hub, hub
        return previous


def publish(topic: str, event: Mapping[str, Any] | None = None) -> None:
    """Tell everyone following `topic` that something changed. Safe from any thread; never blocks or raises on Redis.

    Raises ValueError for a malformed topic (a bug). An event that is not a small JSON object is
    logged and dropped.
    """
    get_hub().publish(topic, event)


async def version(topic: str, *more_topics: str) -> tuple[int, ...] | None:
    """How many events each topic has had published (read it *before* loading what the topic covers);
    None when that cannot be told now (Redis not answering)."""
    return await get_hub().version(topic, *more_topics)


def subscribe(topic: str, *more_topics: str) -> contextlib.AbstractAsyncContextManager[Subscription]:
    """`async with subscribe("notes:42") as events:` then `async for event in events:` (None = reload everything)."""
    return get_hub().subscribe(topic, *more_topics)
