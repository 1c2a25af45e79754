"""How long the sign-in flows take to answer a known and an unknown email: can timing tell them apart?

Run: .venv/bin/python benchmarks/enumeration_timing.py [--rounds 60]
On a temporary SQLite file, with the portal's real argon2 settings, through the services the pages call:
password login with a wrong password (an account with a password / no account), "email me a code" (an
account / none), and signup (an address with an account / a new one). Known and unknown calls alternate,
so a change in the machine's load hits both alike. Prints the median and the 10th and 90th percentiles of
each, and the ratio of the medians; docs/security.md states the tolerance (medians within 10 %).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from portal_app.accounts import code_login, login, signup
from portal_app.accounts.errors import LoginFailed
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.settings import get_settings

PASSWORD = "violet-harbor-2026-x"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(call) -> float:
    start = time.perf_counter()
    try:
        call()
    except (LoginFailed, FieldError, FormErrors):
        pass
    return (time.perf_counter() - start) * 1000


def setup(directory: Path) -> None:
    os.environ.update(
        {
            "REFLEX_DB_URL": f"sqlite:///{directory / 'timing.db'}",
            # Wide limits: what is measured is the work of an answer, not a refusal by a limit.
            "PORTAL_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000000",
            "PORTAL_LOGIN_FAILURES_PER_EMAIL": "1000000",
            "PORTAL_LOGIN_FAILURES_PER_DAY_PER_EMAIL": "1000000",
            "PORTAL_CODE_SENDS_PER_HOUR": "1000000",
            "PORTAL_CODE_SENDS_PER_HOUR_PER_EMAIL": "1000000",
            "PORTAL_CODE_SENDS_PER_IP_PER_MINUTE": "1000000",
            "PORTAL_CODE_RESEND_SECONDS": "0",
            "PORTAL_DATA_DIR": str(directory / "data"),
        }
    )
    get_settings.cache_clear()
    db.engine_for.cache_clear()
    from sqlmodel import SQLModel

    import portal_app.schema  # noqa: F401  (every table)
    from portal_app.business.models import BUSINESS_ID, Business

    SQLModel.metadata.create_all(db.get_engine())
    with db.write_session() as session:
        session.add(Business(id=BUSINESS_ID, name="Timing Studio", required_profile_fields=[]))
    from portal_app.accounts.models import Account
    from portal_app.accounts.passwords import hash_password

    with db.write_session() as session:
        session.add(
            Account(
                email="member@example.com",
                exclusive_email="member@example.com",
                full_name="A Member",
                password_hash=hash_password(PASSWORD),
                email_verified_at=clock.now(),
                created_at=clock.now(),
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as directory:
        setup(Path(directory))
        settings = get_settings()
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"argon2id t={settings.argon2_time_cost} m={settings.argon2_memory_kib} KiB; {rounds} rounds each")
        flows = {
            "password login, wrong password": lambda email: login.password_login(
                email=email, password="not-the-password-1", ip="198.51.100.1"
            ),
            "email me a code": lambda email: code_login.request_login_code(email=email, ip="198.51.100.2"),
            "signup": lambda email: signup.start_signup(
                full_name="Some One", email=email, password=PASSWORD, ip="198.51.100.3"
            ),
        }
        print(f"\n{'flow':<32} {'':>8} {'median ms':>10} {'p10':>8} {'p90':>8}   known/unknown")
        for name, call in flows.items():
            known: list[float] = []
            unknown: list[float] = []
            for number in range(rounds):
                known.append(timed(lambda: call("member@example.com")))
                unknown.append(timed(lambda number=number: call(f"nobody{number}@example.com")))
            ratio = statistics.median(known) / statistics.median(unknown)
            for label, values in (("known", known), ("unknown", unknown)):
                print(
                    f"{name if label == 'known' else '':<32} {label:>8} {statistics.median(values):>10.2f} "
                    f"{percentile(values, 0.1):>8.2f} {percentile(values, 0.9):>8.2f}"
                    + (f"   {ratio:.3f}" if label == "known" else "")
                )


if __name__ == "__main__":
    main()
