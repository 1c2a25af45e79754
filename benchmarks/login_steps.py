"""The CPU a password login's database steps and a signed-in event's principal cost the server, in one process.

Run: .venv/bin/python benchmarks/login_steps.py [--logins 300] [--principals 2000]

A temporary SQLite file with every table and the business row; argon2 is made as cheap as the settings
allow (t=1, 64 KiB, p=1), so what is left of a login is its database work: the throttle's reads and rows,
the account read, and the session ticket written bound to the browser (what the login page's submit does
around the hash). Each of `--logins` accounts logs in once from its own network; then one
signed-in session's principal (`access.principal_for_token`, what every signed-in event reads) is read
`--principals` times. Prints CPU per login and per principal (`time.process_time`, after warm-up rounds)
and the statements each runs (SQLite's BEGIN not counted).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.support.database makes the tables as the tests do

PASSWORD = "plum orchard lantern 7"
BROWSER = "b" * 43  # a browser's binding cookie
WARM_UP = 50


def _environment(directory: str) -> None:
    os.environ.update(
        {
            "REFLEX_DB_URL": f"sqlite:///{directory}/portal.db",
            "PORTAL_SECRET_FILE": f"{directory}/secret",
            "PORTAL_ARGON2_TIME_COST": "1",
            "PORTAL_ARGON2_MEMORY_KIB": "64",
            "PORTAL_ARGON2_PARALLELISM": "1",
        }
    )


def measure(logins: int, principals: int) -> None:
    from portal_app.accounts import login, passwords, tickets
    from portal_app.accounts.models import Account
    from portal_app.apps import access
    from portal_app.kernel import clock, db
    from tests.support.database import QueryCounter, create_portal_tables

    create_portal_tables()
    stored, now = passwords.hash_password(PASSWORD), clock.now()
    emails = [f"login-{n}@bench.example" for n in range(WARM_UP + logins)]
    with db.write_session() as session:
        for n, email in enumerate(emails):
            session.add(
                Account(
                    email=email, full_name=f"Login {n}", password_hash=stored, email_verified_at=now, created_at=now
                )
            )

    def log_in(n: int) -> str:
        # As the login page does: the ticket bound to the page's browser as it is written.
        return login.password_login(
            email=emails[n], password=PASSWORD, ip=f"10.{n // 250}.{n % 250}.1", next_path="/", browser_token=BROWSER
        )

    for n in range(WARM_UP - 1):
        log_in(n)
    with QueryCounter() as counted:
        ticket = log_in(WARM_UP - 1)
    started = time.process_time()
    for n in range(WARM_UP, WARM_UP + logins):
        log_in(n)
    per_login = (time.process_time() - started) / logins
    print(f"password login's database steps: {per_login * 1000:.2f} ms of CPU, {counted.count} statements")

    token = tickets.redeem_ticket(ticket, user_agent="benchmark", ip="10.0.0.1", browser_token=BROWSER).value
    for _ in range(WARM_UP * 4):
        access.principal_for_token(token)
    with QueryCounter() as counted:
        assert access.principal_for_token(token) is not None
    started = time.process_time()
    for _ in range(principals):
        access.principal_for_token(token)
    per_principal = (time.process_time() - started) / principals
    print(f"principal_for_token: {per_principal * 1e6:.0f} µs of CPU, {counted.count} statements")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logins", type=int, default=300)
    parser.add_argument("--principals", type=int, default=2000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="login-steps-") as directory:
        _environment(directory)
        measure(args.logins, args.principals)


if __name__ == "__main__":
    main()
