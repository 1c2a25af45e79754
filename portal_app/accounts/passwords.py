"""argon2id password hashing, with the parameters from settings and upgrades when they change."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import update

from portal_app.kernel.settings import get_settings


@functools.lru_cache(maxsize=8)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    settings = get_settings()
    return _hasher_for(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


@functools.lru_cache(maxsize=8)
def _dummy_hash_for(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only when the password matches; no hash (an invited account), a malformed hash or
    a malformed password is simply no match."""
    if not isinstance(password_hash, str) or not isinstance(password, str):
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


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
    verify_password(_dummy_hash_for(_hasher()), password)
