"""argon2id password hashing, with the parameters from settings and upgrades when they change.

Every argon2 computation of the process (signup, password login, password change, staff sign-in, the
CLI) runs on one bounded pool of `PORTAL_PASSWORD_HASHING_THREADS` threads, so a burst of signups or
logins queues there instead of taking every CPU (and 64 MiB a hash) from the rest of the portal. The
plain functions wait for the pool in the calling thread; `hash_password_async` waits on the event loop,
holding no thread while it queues.

The pool's threads also run at the lowest CPU priority (nice 19; argon2's lane threads, started from them,
inherit it): a hash takes the CPU nobody else needs, so while logins run flat out the event loop still
answers everyone else at once (benchmarks/password_logins.py measures both). Nice 10 was not low enough:
with p=4 each hash runs four lane threads, and eight of them at nice 10 weigh as much as the event loop,
so other people's clicks waited behind logins (p99 141-1,045 ms against 60-100 ms at nice 19).
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import update

from portal_app.kernel.settings import get_settings

# How much lower than the rest of the process the hashing threads run (Linux: per thread, inherited;
# capped at 19, the lowest).
HASHING_NICENESS = 19

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The process's hashing pool, sized by the settings (a test that changes the size gets its own)."""
    size = get_settings().password_hashing_threads
    with _pools_lock:
        if size not in _pools:
            _pools[size] = ThreadPoolExecutor(
                max_workers=size, thread_name_prefix="password-hashing", initializer=_lower_priority
            )
        return _pools[size]


def _lower_priority() -> None:
    """Give the calling thread (a hashing thread, as it starts) less CPU than the event loop's."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + HASHING_NICENESS))
    except (AttributeError, OSError):  # not Linux, or not allowed: hashing still works at normal priority
        pass


def _in_pool(work, *args):
    return _pool().submit(work, *args).result()


@functools.lru_cache(maxsize=8)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    settings = get_settings()
    return _hasher_for(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


@functools.lru_cache(maxsize=8)
def _dummy_hash_for(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def _hash(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


def _burn(hasher: PasswordHasher, password: str) -> None:
    _verify(hasher, _dummy_hash_for(hasher), password)


def hash_password(password: str) -> str:
    """The argon2id hash of the password, computed on the hashing pool (this thread waits for it)."""
    return _in_pool(_hash, _hasher(), password)


async def hash_password_async(password: str) -> str:
    """hash_password for the event loop: queues for the pool without holding any thread meanwhile."""
    return await asyncio.wrap_future(_pool().submit(_hash, _hasher(), password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only when the password matches; no hash (an invited account), a malformed hash or
    a malformed password is simply no match."""
    if not isinstance(password_hash, str) or not isinstance(password, str):
        return False
    return _in_pool(_verify, _hasher(), password_hash, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """verify_password for the event loop: queues for the pool without holding any thread meanwhile."""
    if not isinstance(password_hash, str) or not isinstance(password, str):
        return False
    return await asyncio.wrap_future(_pool().submit(_verify, _hasher(), password_hash, password))


async def burn_equal_work_async(password: str) -> None:
    """burn_equal_work for the event loop."""
    await asyncio.wrap_future(_pool().submit(_burn, _hasher(), password))


def upgraded_hash(stored_hash: str, password: str) -> str | None:
    """After a password matched: a new hash when the argon2 parameters changed since it was stored, else None.

    Hash outside any write transaction (argon2 takes ~100 ms); then store it with store_upgrade.
    """
    return hash_password(password) if needs_rehash(stored_hash) else None


def store_upgrade(session, table, row_id: int, stored_hash: str, new_hash: str | None) -> bool:
    """Write an upgraded hash inside the caller's transaction, only if the password did not change meanwhile.

    Client and staff logins both use it; True when the new hash was written.
    """
    if new_hash is None:
        return False
    statement = (
        update(table).where(table.id == row_id, table.password_hash == stored_hash).values(password_hash=new_hash)
    )
    return session.exec(statement).rowcount == 1


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's settings."""
    return _hasher().check_needs_rehash(password_hash)


def burn_equal_work(password: str) -> None:
    """Spend the work of one real check, so an unknown email answers as slowly as a known one."""
    _in_pool(_burn, _hasher(), password)
