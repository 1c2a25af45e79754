"""Password logins flat out through the served portal, against the machine's argon2 limit, and what the
other people's events wait meanwhile.

Run: .venv/bin/python benchmarks/password_logins.py [--clients 8] [--busy 50] [--seconds 20] [--pin]

1. The argon2 limit, measured in this run with the portal's own settings and functions
   (portal_app.accounts.passwords) and the server's process environment (scripts/server_env.sh: the script
   runs itself again under it): one verification's median time (so cores / verify time), and the
   verifications per second that as many threads as cores reach flat out; once before the logins and
   again after them, and the logins are set against the mean of the two (on a shared machine the limit
   moves by a fifth from one minute to the next).
2. The portal served as scripts/serve.sh serves it (one backend worker); `--busy` signed-in clients on
   home send a cheap event (a checkbox, no database) every `--pace` seconds (people clicking), first alone
   (their baseline p99), then while `--clients` visitors log in with a password as fast as the server
   lets them: each opens /login (a new tab), submits the form, and counts a login when the server sends
   it to /auth/ticket. Every login comes from its own network address (through the trusted proxy
   header), so the per-network limits never stop them.
Prints logins/s against the limit and the busy clients' p50/p99 alone and during the logins. This load
generator's own garbage collector is off during both measured windows: its pauses would count as the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import PORTAL, Tally, address_of, busy, no_collector_pauses_here, percentile  # noqa: E402
from benchmarks.reflex_client import BootAuth, StepFailed, Tab, capture_boot_auth  # noqa: E402
from benchmarks.served import ServedPortal, run_in_server_environment, signed_in_members  # noqa: E402

LOGIN = f"{PORTAL}.portal_app___accounts___ui___login_state____login_state"
PASSWORD = "plum orchard lantern 7"


def argon2_limit(seconds: float = 5.0, cpus: set[int] | None = None) -> tuple[float, float, float]:
    """(median verify ms, cores / verify time, verifications/s with one thread per core flat out), on `cpus`
    (the server's, with --pin) or on every CPU."""
    from portal_app.accounts import passwords

    everywhere = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)  # this thread, and the threads it starts, run where the server runs
    try:
        return _argon2_limit(passwords, seconds, len(cpus or everywhere))
    finally:
        os.sched_setaffinity(0, everywhere)


def _argon2_limit(passwords, seconds: float, cores: int) -> tuple[float, float, float]:

    stored = passwords.hash_password(PASSWORD)
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        passwords.verify_password(stored, PASSWORD)
        timings.append(time.perf_counter() - started)
    verify = statistics.median(timings)
    done = 0
    lock = threading.Lock()
    until = time.perf_counter() + seconds

    def flat_out() -> None:
        nonlocal done
        hasher = passwords._hasher()
        while time.perf_counter() < until:
            passwords._verify(hasher, stored, PASSWORD)
            with lock:
                done += 1

    threads = [threading.Thread(target=flat_out) for _ in range(cores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return verify * 1000, cores / verify, done / seconds


def accounts_with_password(count: int) -> list[str]:
    """`count` verified accounts with the benchmark's password (one hash, stored on each); their emails."""
    from portal_app.accounts.models import Account
    from portal_app.accounts.passwords import hash_password
    from portal_app.kernel import clock, db

    stored, now, stamp = hash_password(PASSWORD), clock.now(), int(time.time())
    emails = [f"login-{stamp}-{n}@load.example" for n in range(count)]
    with db.write_session() as session:
        for n, email in enumerate(emails):
            session.add(
                Account(
                    email=email, full_name=f"Login {n}", password_hash=stored, email_verified_at=now, created_at=now
                )
            )
    return emails


async def log_in_again_and_again(url: str, boot: BootAuth, email: str, addresses, tally: Tally, until: float) -> None:
    while time.monotonic() < until:
        tab = Tab(url, boot, forwarded_for=next(addresses))
        try:
            await tab.open("/login")
            form = {"__reflex_form_data__": [["email", email], ["password", PASSWORD]]}
            refusals = {f"{LOGIN}.{name}!" for name in ("error_rx_state_", "email_error_rx_state_", "notice_rx_state_")}
            seconds = await tab.until_one_of(f"{LOGIN}.submit", {"form_data": form}, {"_redirect", *refusals})
            if "/auth/ticket" in tab.redirected_to:
                tally.add("password login", seconds)
            else:
                tally.errors.append(f"the login was refused: {sorted(tab.seen & refusals)}")
        except (StepFailed, OSError) as error:
            tally.errors.append(f"{type(error).__name__}: {error}"[:200])
        finally:
            await tab.close()


async def measure(portal: ServedPortal, args: argparse.Namespace) -> tuple[float, float, Tally, Tally, Tally]:
    """(seconds the logins ran, server cores used meanwhile, the logins, the busy clients alone, during)."""
    boot = await asyncio.to_thread(capture_boot_auth, portal.url)
    members = signed_in_members(args.busy)
    emails = accounts_with_password(args.clients)
    addresses = (address_of(n) for n in itertools.count(100_000))

    alone = Tally()
    until = time.monotonic() + args.seconds / 2
    with no_collector_pauses_here():
        cpu_before, started = portal.cpu(), time.monotonic()
        await asyncio.gather(
            *(
                busy(portal.url, boot, [cookie], address_of(n + 1), alone, until, args.pace)
                for n, (_, cookie) in enumerate(members)
            )
        )
        args.busy_cores = (portal.cpu() - cpu_before) / (time.monotonic() - started)

    during, logins = Tally(), Tally()
    until = time.monotonic() + args.seconds
    with no_collector_pauses_here():
        cpu_before, started = portal.cpu(), time.monotonic()
        await asyncio.gather(
            *(
                busy(portal.url, boot, [cookie], address_of(n + 1), during, until, args.pace)
                for n, (_, cookie) in enumerate(members)
            ),
            *(log_in_again_and_again(portal.url, boot, email, addresses, logins, until) for email in emails),
        )
        took = time.monotonic() - started
    return took, (portal.cpu() - cpu_before) / took, logins, alone, during


def report(args: argparse.Namespace, took: float, cores: float, logins: Tally, alone: Tally, during: Tally) -> None:
    """The logins against the argon2 limit measured before and after them (their mean: the machine is shared,
    and what its neighbours take moves the limit by a fifth between minutes), and the busy clients' waits."""
    done = len(logins.latencies["password login"])
    (verify_before, _, before), (verify_after, _, after) = args.limit, args.limit_after
    flat_out = (before + after) / 2
    by_formula = args.cores / (statistics.mean([verify_before, verify_after]) / 1000)
    print(
        f"argon2 limit after the logins: verify {verify_after:.0f} ms; measured flat out: {after:.1f}/s"
        f" (before: {before:.1f}/s; mean {flat_out:.1f}/s)"
    )
    print(
        f"\nPassword logins: {done} in {took:.1f} s = {done / took:.1f}/s by {args.clients} clients"
        f" ({done / took / flat_out * 100:.0f}% of the measured argon2 limit, {done / took / by_formula * 100:.0f}% of"
        f" cores / verify time); login p50 {percentile(logins.latencies['password login'], 0.5):.0f} ms,"
        f" p99 {percentile(logins.latencies['password login'], 0.99):.0f} ms; errors {len(logins.errors)};"
        f" server CPU {cores:.2f} cores"
    )
    # What the login path itself costs beside the hash: the limit on the CPU the busy clients leave (what they
    # used alone), against which the logins would be at 100% if a login cost the server nothing but its hash.
    left = max(0.0, 1 - args.busy_cores / args.cores)
    print(
        f"  the busy clients alone used {args.busy_cores:.2f} of the server's {args.cores} core(s): the CPU they"
        f" leave hashes {flat_out * left:.1f}/s; the logins reached {done / took / (flat_out * left) * 100:.0f}% of"
        " that (the rest is each login's own page load, database steps and network)"
    )
    for error in sorted(set(logins.errors))[:3]:
        print(f"  error: {error}")
    for title, tally in (("alone", alone), ("during the logins", during)):
        values = tally.latencies["cheap event"]
        print(
            f"Cheap events of {args.busy} busy clients {title}: {len(values) / (args.seconds / (2 if tally is alone else 1)):.0f}/s,"
            f" p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="visitors logging in at once")
    parser.add_argument("--busy", type=int, default=50, help="signed-in clients sending cheap events")
    parser.add_argument("--pace", type=float, default=0.2, help="seconds between a busy client's events (0: flat out)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--pin",
        action="store_true",
        help="the server on the first CPU, this load generator on the others; the argon2 limit is the server CPU's",
    )
    args = parser.parse_args()
    run_in_server_environment()  # the limit below is measured in this process: with the server's settings
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    cpus = sorted(os.sched_getaffinity(0))
    server_cpus = {cpus[0]} if args.pin else None
    with ServedPortal(cpus=server_cpus) as portal:
        from portal_app.kernel.settings import get_settings

        settings = get_settings()
        args.limit = argon2_limit(cpus=server_cpus)
        if args.pin:
            os.sched_setaffinity(0, set(cpus[1:]) or {cpus[0]})
        print(
            f"argon2id t={settings.argon2_time_cost} m={settings.argon2_memory_kib} KiB p={settings.argon2_parallelism};"
            f" server on {len(server_cpus or cpus)} of {len(cpus)} CPUs; hashing pool"
            f" {os.environ.get('PORTAL_PASSWORD_HASHING_THREADS') or len(server_cpus or cpus)} threads per process"
            f" (PORTAL_PASSWORD_HASHING_THREADS, else one per CPU the server may use);"
            f" GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES', '')}"
        )
        print(
            f"argon2 limit before the logins: verify {args.limit[0]:.0f} ms -> cores / verify time = {args.limit[1]:.1f}/s;"
            f" measured flat out on every core: {args.limit[2]:.1f}/s"
        )
        results = asyncio.run(measure(portal, args))
        args.limit_after = argon2_limit(cpus=server_cpus)  # the server is idle again: the same measurement
        args.cores = len(server_cpus or cpus)
        report(args, *results)


if __name__ == "__main__":
    main()
