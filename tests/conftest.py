"""Shared fixtures for the service tests: a real database file per test, and a movable clock."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from sqlmodel import SQLModel

import portal_app.schema  # noqa: F401  (registers every core table)
from portal_app.apps import registry
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db
from portal_app.kernel.settings import get_settings

# Cheap argon2 parameters keep the suite fast; tests of rehashing change them on purpose.
# Discovering the apps registers their tables too, so create_all makes every table.
registry.all_apps()

FAST_ARGON2 = {"PORTAL_ARGON2_TIME_COST": "1", "PORTAL_ARGON2_MEMORY_KIB": "1024", "PORTAL_ARGON2_PARALLELISM": "1"}


@pytest.fixture
def settings_env(monkeypatch):
    """Set environment variables for get_settings(); the cache is cleared around each change."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret-key")
    for name, value in FAST_ARGON2.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield apply
    get_settings.cache_clear()


@pytest.fixture
def database(tmp_path, settings_env):
    """A fresh SQLite file with every table and the business row; yields its URL."""
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    settings_env(REFLEX_DB_URL=url)
    engine = db.get_engine()
    SQLModel.metadata.create_all(engine)
    with db.write_session() as session:
        session.add(Business(id=BUSINESS_ID, name="Test Business", enabled_apps=registry.default_enabled_keys()))
    yield url
    engine.dispose()
    db.engine_for.cache_clear()


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.current = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch):
    fake = FrozenClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


def _postgres_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_ADMIN, autocommit=True)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 was not reachable, so this case did not run: {error}")


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request, tmp_path, settings_env):
    """An empty portal database on SQLite or on a fresh PostgreSQL database (dropped afterwards),
    with code-sending limits out of the way, for tests of concurrent writers."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'portal.db'}", None
    else:
        name = f"portal_test_{secrets.token_hex(8)}"
        with _postgres_admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    settings_env(
        REFLEX_DB_URL=url,
        PORTAL_CODE_RESEND_SECONDS="0",
        PORTAL_CODE_SENDS_PER_HOUR="1000",
        PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="1000",
    )
    engine = db.get_engine()
    try:
        SQLModel.metadata.create_all(engine)
        with db.write_session() as session:
            session.add(Business(id=BUSINESS_ID, name="Test Business", enabled_apps=registry.default_enabled_keys()))
        yield request.param
    finally:
        engine.dispose()
        db.engine_for.cache_clear()
        if drop:
            with _postgres_admin() as admin:
                admin.execute(drop)
