"""Email: how long putting a login-code email in the outbox takes, and how long until the served portal's
sender hands it to SendGrid (a local server that speaks SendGrid's v3 mail/send API).

Run: .venv/bin/python benchmarks/email_latency.py [--emails 300] [--rate 20] [--workers 1 --redis URL --db-url URL]

The portal is served as scripts/serve.sh serves it, with SENDGRID_API_KEY set and
PORTAL_SENDGRID_API_URL pointing at the local endpoint (tests/support/mail.py's FakeSendGrid, which notes
when each request arrives). People with accounts then open /login and ask "Email me a code" over the real
websocket protocol (benchmarks/reflex_client.py), `--rate` a second, each from its own network: the first
figure is the time until the page says the code is sent (the handler's transaction puts the code, the
magic link and the rendered email in the outbox); the second runs from that answer to the request
reaching the endpoint (the sender loop's wake-up or poll, the claim, the HTTP call).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import PORTAL, address_of, percentile  # noqa: E402
from benchmarks.reflex_client import BootAuth, Tab, capture_boot_auth  # noqa: E402
from benchmarks.served import ServedPortal, fresh_postgres_database  # noqa: E402
from tests.support.mail import API_KEY, FROM_EMAIL, FakeSendGrid  # noqa: E402

LOGIN = f"{PORTAL}.portal_app___accounts___ui___login_state____login_state"


def accounts_for(count: int, stamp: int) -> list[str]:
    """`count` verified, passwordless accounts (a code is only sent to an address with an account)."""
    from portal_app.accounts.models import Account
    from portal_app.kernel import clock, db

    now = clock.now()
    emails = [f"latency-{stamp}-{n}@load.example" for n in range(count)]
    with db.write_session() as session:
        for n, email in enumerate(emails):
            session.add(Account(email=email, full_name=f"Latency {n}", email_verified_at=now, created_at=now))
    return emails


async def ask_for_codes(url: str, boot: BootAuth, emails: list[str], rate: float) -> dict[str, tuple[float, float]]:
    """Each person opens /login and asks "Email me a code", `rate` a second; per address, (seconds until the
    page said the code was sent, when it said so)."""
    answered: dict[str, tuple[float, float]] = {}
    ends = {f"{LOGIN}.notice_rx_state_!", f"{LOGIN}.email_error_rx_state_!"}

    async def one(n: int, email: str) -> None:
        tab = Tab(url, boot, forwarded_for=address_of(200_000 + n))
        try:
            await tab.open("/login")
            form = {"__reflex_form_data__": [["email", email]]}
            seconds = await tab.until_one_of(f"{LOGIN}.send_code", {"form_data": form}, ends)
            if f"{LOGIN}.notice_rx_state_!" in tab.seen:
                answered[email] = (seconds, time.time())
        finally:
            await tab.close()

    begun = time.monotonic()
    asked = []
    for n, email in enumerate(emails):
        await asyncio.sleep(max(0.0, begun + n / rate - time.monotonic()))
        asked.append(asyncio.create_task(one(n, email)))
    await asyncio.gather(*asked)
    return answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20, help="code requests per second")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", default="")
    parser.add_argument("--db-url", default="")
    parser.add_argument("--postgres", action="store_true", help="a new database on 127.0.0.1:5432, dropped after")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with fresh_postgres_database() if args.postgres else contextlib.nullcontext(args.db_url) as db_url:
        args.db_url = db_url
        measure(args)


def measure(args: argparse.Namespace) -> None:
    endpoint = FakeSendGrid()
    endpoint.start()
    env = {"SENDGRID_API_KEY": API_KEY, "PORTAL_SENDGRID_API_URL": endpoint.url, "PORTAL_EMAIL_FROM": FROM_EMAIL}
    portal = ServedPortal(workers=args.workers, redis_url=args.redis, db_url=args.db_url, extra_env=env)
    try:
        with portal:
            from portal_app.kernel.settings import get_settings

            poll = get_settings().email_poll_seconds
            boot = capture_boot_auth(portal.url)
            emails = accounts_for(args.emails, int(time.time()))
            enqueued = asyncio.run(ask_for_codes(portal.url, boot, emails, args.rate))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                arrived = {r.json["personalizations"][0]["to"][0]["email"]: r.at for r in list(endpoint.requests)}
                if all(address in arrived for address in enqueued):
                    break
                time.sleep(0.2)
    finally:
        endpoint.stop()
    answer_ms = [seconds * 1000 for seconds, _ in enqueued.values()]
    delivery_ms = [(arrived[a] - committed) * 1000 for a, (_, committed) in enqueued.items() if a in arrived]
    sends = [r for r in endpoint.requests if "latency-" in str(r.json)]
    twice = len(sends) - len({r.json["personalizations"][0]["to"][0]["email"] for r in sends})
    print(
        f"{args.emails} login-code emails at {args.rate:.0f}/s; {args.workers} worker(s);"
        f" PORTAL_EMAIL_POLL_SECONDS={poll}"
    )
    print(
        f"  asked on /login -> the page says the code is sent (the handler's transaction: code, link, email in"
        f" the outbox): p50 {percentile(answer_ms, 0.5):.1f} ms, p99 {percentile(answer_ms, 0.99):.1f} ms;"
        f" {len(enqueued)} of {args.emails} answered"
    )
    print(
        f"  delivered to the endpoint: {len(delivery_ms)} of {args.emails} (sent twice: {twice});"
        f" page's answer -> SendGrid p50 {percentile(delivery_ms, 0.5):.0f} ms, p99 {percentile(delivery_ms, 0.99):.0f} ms,"
        f" max {max(delivery_ms, default=float('nan')):.0f} ms"
    )


if __name__ == "__main__":
    main()
