"""A burst of password hashes on the bounded pool, and what another event's thread waits meanwhile.

Run: .venv/bin/python benchmarks/password_pool.py [burst]
It queues `burst` (default 60) hashes with passwords.hash_password_async, as /signup does, and meanwhile
runs a small piece of work with asyncio.to_thread every 50 ms (as any page's handler reads the database);
it prints how long the burst took and how long those small pieces waited. PORTAL_ARGON2_* and
PORTAL_PASSWORD_HASHING_THREADS change what is measured; the values used are printed first.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

from portal_app.accounts import passwords
from portal_app.kernel.settings import get_settings


async def measure(burst: int) -> None:
    settings = get_settings()
    print(
        f"argon2id t={settings.argon2_time_cost} m={settings.argon2_memory_kib} KiB p={settings.argon2_parallelism};"
        f" pool of {settings.password_hashing_threads} threads; {os.cpu_count()} CPUs; burst of {burst}"
    )
    passwords.hash_password("warm-up-passphrase")
    start = time.perf_counter()
    hashing = asyncio.gather(*(passwords.hash_password_async(f"passphrase number {n}") for n in range(burst)))
    waits_ms = []
    while not hashing.done():
        asked = time.perf_counter()
        await asyncio.to_thread(lambda: None)
        waits_ms.append((time.perf_counter() - asked) * 1000)
        await asyncio.sleep(0.05)
    await hashing
    took = time.perf_counter() - start
    print(f"burst: {took:.2f} s ({burst / took:.1f} hashes/s)")
    print(
        f"another event's thread during the burst: median {statistics.median(waits_ms):.2f} ms,"
        f" max {max(waits_ms):.2f} ms over {len(waits_ms)} tries"
    )


if __name__ == "__main__":
    asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 60))
