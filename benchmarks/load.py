"""Load on Reflex's real protocol: signed-in clients walking through the portal, cheap events from busy
clients, and thousands of idle tabs, against the portal as `scripts/serve.sh` serves it.

Run: .venv/bin/python benchmarks/load.py                      # one backend worker, SQLite, memory state
     .venv/bin/python benchmarks/load.py --workers 3 --redis redis://127.0.0.1:6379/12 --postgres   # scale-out

Every client is a `reflex_client.Tab`: a real socket.io websocket on `/_event` with its own client token,
a signed-in session cookie, and the hydrate event in its CONNECT packet, as the browser sends it.

1. Walking clients, in stages of N (ramped until the p99 of a step passes 250 ms or errors appear; the
   first such stage is the knee): the login page (a full page load, not signed in), home (a full page
   load, signed in, with its on_load chain and the events its components send once shown, as captured
   from Chromium; `--no-mounts` leaves those out), the app switcher to Membership Courses, a lesson, "Mark
   complete", the community feed, a post; then again from the login page. Events/s counts every event
   a client sent (chained on_load events included); latencies are per step kind.
2. Cheap events: N busy clients on home each toggling a checkbox state (no database) as fast as the
   answers come: events/s and p50/p95/p99.
3. Idle tabs: tabs opened on home at a steady rate up to the target and held open: server CPU per
   connection + hydration, backend memory per tab, the p99 of a tab's first page answer; then every tab
   closes, and the memory kept and the idle CPU (before any traffic and after all of it) are read.
With `--blank`, the idle tabs and the cheap events run again on a blank Reflex app with one checkbox
(Reflex's own cost, the same server and state manager), so the portal's figures have Reflex's beside them.

Server CPU and memory are read from /proc (every process of the served portal). The load generator
runs on the same machine and takes CPU of its own (printed), so compare runs of one machine, not
absolute figures across machines. Its own garbage collector is off while a stage of walking or busy clients
runs (its pauses would count as the server's latency).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import itertools
import os
import random
import resource
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.reflex_client import BootAuth, StepFailed, Tab, capture_boot_auth, capture_mount_events  # noqa: E402
from benchmarks.served import (  # noqa: E402
    ProcessFigures,
    ServedPortal,
    fresh_postgres_database,
    signed_in_members,
    stop_server,
    wait_until_up,
)

PORTAL = "reflex___state____state.portal_app___shell___ui___base_state____portal_state"
CHOOSER = f"{PORTAL}.portal_app___accounts___ui___chooser_state____account_choice_state"
APP_ACCESS = f"{PORTAL}.portal_app___shell___ui___app_guard____app_access_state"
BLANK_STATE = "reflex___state____state.blank___blank____state"
COURSES = f"{APP_ACCESS}.portal_app___apps___courses___ui___courses_state____courses_state"
COMMUNITIES = f"{APP_ACCESS}.portal_app___apps___communities___ui___communities_state____communities_state"
COURSE, LESSON, GROUP = "getting-started-with-demo-studio", "welcome", "studio-members"
KNEE_P99_MS = 250.0
# People per walking client: each walk is the next person's, and each stage has people of its own, so nobody
# posts more than 5 times a minute (a walk takes ~1 s; a refused post would stall its client for the timeout).
PEOPLE_PER_CLIENT = 12


@contextlib.contextmanager
def no_collector_pauses_here():
    """While a measured window runs, this load generator's own garbage collector stays off (what it holds
    from before is frozen first, and collected after): a full collection here paused the generator 38-210 ms,
    and every answer it was waiting for then counted that pause as the server's (docs/benchmarks.md,
    "Garbage collection pauses")."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


@dataclass
class Tally:
    """Latencies (ms) per step kind, events sent, errors, for one stage."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    events: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float, events: int = 1) -> None:
        self.latencies[kind].append(seconds * 1000)
        self.events += events

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]

    def worst_p99(self) -> float:
        return max((percentile(values, 0.99) for values in self.latencies.values()), default=float("nan"))


async def walk(base_url: str, boot: BootAuth, cookies: list[str], address: str, tally: Tally, until: float) -> None:
    """Walks through the portal again and again until `until` (monotonic seconds), each walk as the next of
    `cookies`' people (a person may post 5 times a minute; a walk takes a few seconds)."""
    visitor = Tab(base_url, boot, forwarded_for=address)
    member = Tab(base_url, boot, forwarded_for=address)
    people = itertools.cycle(cookies)
    lesson = f"/apps/courses/{COURSE}/{LESSON}"
    feed = f"/apps/communities/{GROUP}"
    steps = 0
    try:
        while time.monotonic() < until:
            steps += 1
            try:
                tally.add("login page", await visitor.open("/login"), 1)
                await visitor.close()
                member.session_cookie = next(people)
                tally.add("home", await member.open("/"), 3)
                tally.add("switch app", await member.navigate("/apps/courses"), 1)
                tally.add("lesson", await member.navigate(lesson, {"course": COURSE, "lesson": LESSON}), 1)
                tally.add("mark complete", await member.act(f"{COURSES}.complete_lesson"), 1)
                tally.add("community feed", await member.navigate(feed, {"group": GROUP}), 1)
                body = f"Walk {steps} of a load client: {random.randrange(10**9)}"
                tally.add(
                    "post",
                    await member.submit(
                        f"{COMMUNITIES}.publish", {"title": "", "body": body}, var="composer_version_rx_state_"
                    ),
                    1,
                )
            except Exception as error:  # noqa: BLE001  (every failure, of the protocol or the network, is a figure)
                tally.errors.append(f"{type(error).__name__}: {error}"[:200])
                await member.close()
                await asyncio.sleep(0.5)
    finally:
        await visitor.close()
        await member.close()


async def busy(
    base_url: str,
    boot: BootAuth,
    cookies: list[str],
    address: str,
    tally: Tally,
    until: float,
    pace: float = 0.0,
    handler: str = f"{CHOOSER}.set_remember",
) -> None:
    """A client on home sending a cheap event (a checkbox, no database): as soon as the last one is answered,
    or one every `pace` seconds (a person clicking)."""
    tab = Tab(base_url, boot, session_cookie=cookies[0], forwarded_for=address)
    try:
        await tab.open("/")
        value = True
        while time.monotonic() < until:
            began = time.monotonic()
            try:
                tally.add("cheap event", await tab.act(handler, {"value": value}), 1)
            except (StepFailed, OSError) as error:
                tally.errors.append(f"{type(error).__name__}: {error}"[:200])
                return
            value = not value
            if pace:
                await asyncio.sleep(max(0.0, began + pace - time.monotonic()))
    finally:
        await tab.close()


def address_of(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def report(title: str, clients: int, tally: Tally, seconds: float, server_cpu: float, client_cpu: float) -> None:
    print(
        f"\n{title}: {clients} clients, {seconds:.1f} s, {tally.events / seconds:.0f} events/s,"
        f" errors {len(tally.errors)}; server CPU {server_cpu / seconds:.2f} cores, load generator"
        f" {client_cpu / seconds:.2f} cores"
    )
    print(f"  {'step':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, values in tally.latencies.items():
        print(
            f"  {kind:<16}{len(values):>7}{percentile(values, 0.5):>9.1f}{percentile(values, 0.95):>9.1f}"
            f"{percentile(values, 0.99):>9.1f}"
        )
    for error in sorted(set(tally.errors))[:5]:
        print(f"  error: {error}")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_stage(portal: ProcessFigures, boot: BootAuth, members, clients: int, seconds: float, kind) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    server_before, client_before, started = portal.cpu(), own_cpu(), time.monotonic()
    tasks = []
    with no_collector_pauses_here():
        for n in range(clients):
            cookies = [cookie for _, cookie in members[n % len(members) :: clients]]
            tasks.append(asyncio.create_task(kind(portal.url, boot, cookies, address_of(n + 1), tally, until)))
            await asyncio.sleep(0.01)  # arrivals spread over the first moments, as people do
        await asyncio.gather(*tasks)
    took = time.monotonic() - started
    title = "Walking clients" if kind is walk else "Cheap events"
    if isinstance(portal, BlankReflexApp):
        title += " on the blank app"
    report(title, clients, tally, took, portal.cpu() - server_before, own_cpu() - client_before)
    return tally


class BlankReflexApp(ProcessFigures):
    """A blank Reflex 0.10.1 app (`reflex init --template blank`, as benchmarks/page_weight.py builds it, with
    one checkbox), served the same way and with the same in-memory state manager: Reflex's own cost of a tab
    and of a cheap event."""

    def __init__(self, cpus: set[int] | None) -> None:
        import tempfile

        from benchmarks import page_weight

        self.server = page_weight.start_blank(
            Path(tempfile.mkdtemp(prefix="blank-bench-")),
            env={"REFLEX_STATE_MANAGER_MODE": "memory"},
            cpus=cpus,
            checkbox=True,
        )
        self.process, self.url = self.server.process, self.server.url

    def __enter__(self) -> BlankReflexApp:
        wait_until_up(self.server, "/")
        return self

    def __exit__(self, *exc) -> None:
        stop_server(self.server)


async def idle_tabs(portal: ProcessFigures, boot: BootAuth, members, target: int, rate: float, page: str) -> None:
    """Open `target` tabs on `page` at `rate` per second, hold them, close them; memory and CPU per tab.

    On `/` the tabs are signed in (home's on_load chain reads the database); on `/login` they are not."""
    settle(portal)
    idle_before = idle_cpu(portal, 10)
    memory_before, cpu_before, client_before = portal.backend_memory(), portal.cpu(), own_cpu()
    tabs: list[Tab] = []
    firsts: list[float] = []
    errors: list[str] = []
    started = time.monotonic()

    async def open_one(n: int, cookie: str) -> None:
        signed_in = cookie if page != "/login" and cookie else ""
        tab = Tab(portal.url, boot, session_cookie=signed_in, forwarded_for=address_of(n + 1), timeout=60)
        try:
            firsts.append(await tab.open(page) * 1000)
            tabs.append(tab)
        except Exception as error:  # noqa: BLE001  (an unopened tab is a figure, not the end of the run)
            errors.append(f"{type(error).__name__}: {error}"[:200])
            await tab.close()

    openings = []
    for n, (_, cookie) in zip(range(target), itertools.cycle(members)):
        openings.append(asyncio.create_task(open_one(n, cookie)))
        await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.monotonic()))
    await asyncio.gather(*openings)
    opened_in = time.monotonic() - started
    cpu_used, client_used = portal.cpu() - cpu_before, own_cpu() - client_before
    await asyncio.sleep(10)
    memory_held = portal.backend_memory()
    print(
        f"\nIdle tabs on {page}: {len(tabs)} of {target} open (arriving {rate:.0f}/s, {opened_in:.0f} s), errors {len(errors)};"
        f" first answer p50 {percentile(firsts, 0.5):.0f} ms, p99 {percentile(firsts, 0.99):.0f} ms"
    )
    print(
        f"  server CPU per connection + hydration (the page's on_load chain included): {cpu_used / max(1, len(tabs)) * 1000:.1f} ms"
        f" (the load generator's: {client_used / max(1, len(tabs)) * 1000:.1f} ms)"
    )
    print(
        f"  backend memory: {memory_before / 2**20:.0f} MiB before, {memory_held / 2**20:.0f} MiB with the tabs:"
        f" {(memory_held - memory_before) / max(1, len(tabs)) / 1024:.0f} KiB per tab"
    )
    print(f"  idle CPU with {len(tabs)} tabs open: {idle_cpu(portal, 10) * 100:.1f}% of a core")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    await asyncio.gather(*(tab.close() for tab in tabs))
    await asyncio.sleep(15)
    print(
        f"  after they closed: backend memory {portal.backend_memory() / 2**20:.0f} MiB; idle CPU"
        f" {idle_cpu(portal, 10) * 100:.1f}% of a core (before any tab: {idle_before * 100:.1f}%)"
    )


def settle(portal: ServedPortal, *, below: float = 0.05, longest: float = 120) -> None:
    """Wait until the server is quiet (seeding's emails and enrolments sent): under `below` of a core."""
    deadline = time.monotonic() + longest
    while idle_cpu(portal, 2) > below and time.monotonic() < deadline:
        pass


def idle_cpu(portal: ServedPortal, seconds: float) -> float:
    before = portal.cpu()
    time.sleep(seconds)
    return (portal.cpu() - before) / seconds


async def measure(args: argparse.Namespace) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it too
    extra_env = dict(pair.split("=", 1) for pair in args.server_env)
    server_cpus = None
    if args.pin:
        # The server on the first CPU, this load generator on the rest: each its own.
        cpus = sorted(os.sched_getaffinity(0))
        server_cpus = {cpus[0]}
        os.sched_setaffinity(0, set(cpus[1:]) or {cpus[0]})
    portal = ServedPortal(
        workers=args.workers, redis_url=args.redis, db_url=args.db_url, extra_env=extra_env, cpus=server_cpus
    )
    database = "PostgreSQL" if args.db_url.startswith("postgresql") else "SQLite"
    state = "Redis" if args.redis else "in-process"
    print(f"Starting the portal ({args.workers} worker(s), {state} state, {database})...")
    with portal:
        print(f"  {portal.url}, backend workers {portal.backend_pids()}, logs {portal.log_path}")
        boot = await asyncio.to_thread(capture_boot_auth, portal.url)
        members = signed_in_members(max(sum(stage * PEOPLE_PER_CLIENT for stage in args.stages), args.busy, 1))
        if not args.no_mounts:
            signed_in = ("portal_session", members[0][1])
            mounts = await asyncio.to_thread(capture_mount_events, portal.url, "/", signed_in)
            boot = dataclasses.replace(boot, mounts={"/": mounts})
            print(f"  events home sends once shown (on_mount, from Chromium): {[m.rsplit('.', 1)[1] for m in mounts]}")
        settle(portal)
        print(f"  {len(members)} signed-in members made; idle CPU {idle_cpu(portal, 5) * 100:.1f}% of a core")
        if args.idle:
            for page in args.idle_pages:
                await idle_tabs(portal, boot, members, args.idle, args.idle_rate, page)
        if args.busy:
            await run_stage(portal, boot, members, args.busy, args.seconds, busy)
        knee = None
        first = 0
        for clients in args.stages:
            people = members[first : first + clients * PEOPLE_PER_CLIENT]
            first += len(people)
            tally = await run_stage(portal, boot, people, clients, args.seconds, walk)
            if tally.errors or tally.worst_p99() > KNEE_P99_MS:
                knee = clients
                break
        if args.stages:
            print(
                f"\nKnee: {'none up to ' + str(args.stages[-1]) if knee is None else knee} walking clients"
                f" (the first stage whose slowest step p99 passes {KNEE_P99_MS:.0f} ms or that has errors)"
            )
    if args.blank and (args.idle or args.busy):
        await on_blank_app(args, server_cpus)


async def on_blank_app(args: argparse.Namespace, server_cpus: set[int] | None) -> None:
    """The same idle tabs and cheap events on a blank Reflex app: Reflex's own cost."""
    print("\nThe same idle tabs and cheap events on a blank Reflex app (Reflex's own cost):")
    with BlankReflexApp(server_cpus) as blank:
        boot = await asyncio.to_thread(capture_boot_auth, blank.url, "/")
        if args.idle:
            await idle_tabs(blank, boot, [(0, "")], args.idle, args.idle_rate, "/")
        if args.busy:
            settle(blank)
            await run_stage(blank, boot, [(0, "")], args.busy, args.seconds, blank_busy)


async def blank_busy(base_url: str, boot: BootAuth, cookies: list[str], address: str, tally: Tally, until: float):
    """A busy client on the blank app: its checkbox, the same handler as the portal's cheap event."""
    await busy(base_url, boot, cookies, address, tally, until, handler=f"{BLANK_STATE}.set_remember")


async def main(args: argparse.Namespace) -> None:
    if not args.postgres:
        await measure(args)
        return
    with fresh_postgres_database() as url:
        args.db_url = url
        await measure(args)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stages", default="10,25,50,100,200", help="walking clients per stage, comma-separated")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per stage")
    parser.add_argument("--busy", type=int, default=200, help="busy clients sending cheap events (0: skip)")
    parser.add_argument("--idle", type=int, default=2000, help="idle tabs to open and hold (0: skip)")
    parser.add_argument("--idle-rate", type=float, default=50, help="idle tabs arriving per second")
    parser.add_argument(
        "--blank", action="store_true", help="also the idle tabs and cheap events on a blank Reflex app"
    )
    parser.add_argument("--idle-pages", default="/login,/", help="pages the idle tabs open, one run each")
    parser.add_argument("--workers", type=int, default=1, help="backend workers (more than one needs --redis)")
    parser.add_argument("--redis", default="", help="REFLEX_REDIS_URL for the served portal")
    parser.add_argument("--db-url", default="", help="REFLEX_DB_URL (default: a new SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="a new database on 127.0.0.1:5432, dropped after")
    parser.add_argument(
        "--pin", action="store_true", help="the server on CPU 0 only, the load generator on the others (one worker)"
    )
    parser.add_argument("--server-env", action="append", default=[], help="NAME=VALUE for the served portal")
    parser.add_argument(
        "--no-mounts",
        action="store_true",
        help="tabs on / skip the events home's components send once shown (none since home's load joined its on_load)",
    )
    args = parser.parse_args()
    args.stages = [int(value) for value in args.stages.split(",") if value]
    args.idle_pages = [value for value in args.idle_pages.split(",") if value]
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
