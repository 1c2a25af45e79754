"""How long one password hash and one verification take with the portal's argon2id settings.

Run: .venv/bin/python benchmarks/argon2_cost.py
It uses the same functions as signup and login (portal_app.accounts.passwords), so PORTAL_ARGON2_*
variables in the environment change what is measured; the parameters used are printed first. It runs in the
process environment the server gets (scripts/server_env.sh: argon2's memory on huge pages).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

from argon2 import extract_parameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.served import run_in_server_environment  # noqa: E402
from portal_app.accounts import passwords  # noqa: E402
from portal_app.kernel.settings import get_settings  # noqa: E402

ROUNDS = 20
PASSWORD = "violet-harbor-2026"


def median_ms(action) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    run_in_server_environment()
    settings = get_settings()
    stored = passwords.hash_password(PASSWORD)  # warm-up, and the hash to verify against
    used = extract_parameters(stored)
    print(
        f"argon2id t={used.time_cost} m={used.memory_cost} KiB p={used.parallelism} "
        f"(settings: t={settings.argon2_time_cost} m={settings.argon2_memory_kib} p={settings.argon2_parallelism})"
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES', '')}")
    hash_ms = median_ms(lambda: passwords.hash_password(PASSWORD))
    verify_ms = median_ms(lambda: passwords.verify_password(stored, PASSWORD))
    print(f"hash:   median of {ROUNDS}: {hash_ms:.1f} ms")
    print(f"verify: median of {ROUNDS}: {verify_ms:.1f} ms")


if __name__ == "__main__":
    main()
