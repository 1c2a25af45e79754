"""Email: how long putting a login-code email in the outbox takes, and how long until the served portal's
sender hands it to SendGrid (a local server that speaks SendGrid's v3 mail/send API).

Run: .venv/bin/python benchmarks/email_latency.py [--emails 300] [--rate 20] [--workers 1 --redis URL --db-url URL]

The portal is served as scripts/serve.sh serves it, with SENDGRID_API_KEY set and
PORTAL_SENDGRID_API_URL pointing at the local endpoint (tests/support/mail.py's FakeSendGrid, which notes
when each request arrives). This process then asks for login codes as the login page's handler does
(accounts.code_login.send_sign_in_code inside one write transaction: a code, a magic link, the rendered
email in the outbox), `--rate` per second from 4 threads; the enqueue latency is that transaction's time.
The delivery latency runs from the commit to the request reaching the endpoint: the sender loops'
polling (PORTAL_EMAIL_POLL_SECONDS), the claim and the HTTP call.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import percentile  # noqa: E402
from benchmarks.served import ServedPortal  # noqa: E402
from tests.support.mail import API_KEY, FROM_EMAIL, FakeSendGrid  # noqa: E402


def ask_for_codes(count: int, rate: float, stamp: int) -> dict[str, tuple[float, float]]:
    """Send `count` login codes at `rate` per second; per address, (enqueue seconds, committed at)."""
    from portal_app.accounts import code_login
    from portal_app.kernel import db

    done: dict[str, tuple[float, float]] = {}
    lock = threading.Lock()

    def one(n: int) -> None:
        address = f"latency-{stamp}-{n}@load.example"
        started = time.perf_counter()
        with db.write_session() as session:
            code_login.send_sign_in_code(
                session,
                email=address,
                lifetime=timedelta(minutes=10),
                template=code_login.LOGIN_TEMPLATE,
                context={"expires_minutes": 10},
            )
        with lock:
            done[address] = (time.perf_counter() - started, time.time())

    begun = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        asked = []
        for n in range(count):
            time.sleep(max(0.0, begun + n / rate - time.monotonic()))
            asked.append(pool.submit(one, n))
        for request in asked:
            request.result()  # a failure stops the benchmark with its traceback
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20, help="code requests per second")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", default="")
    parser.add_argument("--db-url", default="")
    args = parser.parse_args()
    endpoint = FakeSendGrid()
    endpoint.start()
    env = {"SENDGRID_API_KEY": API_KEY, "PORTAL_SENDGRID_API_URL": endpoint.url, "PORTAL_EMAIL_FROM": FROM_EMAIL}
    portal = ServedPortal(workers=args.workers, redis_url=args.redis, db_url=args.db_url, extra_env=env)
    try:
        with portal:
            from portal_app.kernel.settings import get_settings

            poll = get_settings().email_poll_seconds
            stamp = int(time.time())
            enqueued = ask_for_codes(args.emails, args.rate, stamp)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                arrived = {r.json["personalizations"][0]["to"][0]["email"]: r.at for r in list(endpoint.requests)}
                if all(address in arrived for address in enqueued):
                    break
                time.sleep(0.2)
    finally:
        endpoint.stop()
    enqueue_ms = [seconds * 1000 for seconds, _ in enqueued.values()]
    delivery_ms = [(arrived[a] - committed) * 1000 for a, (_, committed) in enqueued.items() if a in arrived]
    sends = [r for r in endpoint.requests if "latency-" in str(r.json)]
    twice = len(sends) - len({r.json["personalizations"][0]["to"][0]["email"] for r in sends})
    print(
        f"{args.emails} login-code emails at {args.rate:.0f}/s; {args.workers} worker(s);"
        f" PORTAL_EMAIL_POLL_SECONDS={poll}"
    )
    print(
        f"  enqueue (code + link + rendered email, one transaction): p50 {percentile(enqueue_ms, 0.5):.1f} ms,"
        f" p99 {percentile(enqueue_ms, 0.99):.1f} ms"
    )
    print(
        f"  delivered to the endpoint: {len(delivery_ms)} of {args.emails} (sent twice: {twice});"
        f" commit -> SendGrid p50 {percentile(delivery_ms, 0.5):.0f} ms, p99 {percentile(delivery_ms, 0.99):.0f} ms,"
        f" max {max(delivery_ms, default=float('nan')):.0f} ms"
    )


if __name__ == "__main__":
    main()
