"""Fixtures every test may ask for: settings, a real database per test, a movable clock, and the
real Reflex event pipeline. The helpers behind them live in tests/support."""

from __future__ import annotations

import logging
import secrets

import psycopg
import pytest

from portal_app.kernel import clock, db
from portal_app.kernel.settings import get_settings
from tests.support.clock import FrozenClock
from tests.support.database import FAST_ARGON2, TEST_SECRET_KEY, create_portal_tables, postgres_admin
from tests.support.logs import cut_long_log_records
from tests.support.pipeline import open_pipeline


@pytest.fixture
def settings_env(monkeypatch, tmp_path):
    """Set environment variables for get_settings(); the cache is cleared around each change. Uploaded
    files go to the test's own folder."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    monkeypatch.setenv("PORTAL_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
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
    create_portal_tables()
    yield url
    engine.dispose()
    db.engine_for.cache_clear()


@pytest.fixture
def frozen_clock(monkeypatch) -> FrozenClock:
    fake = FrozenClock()
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request, tmp_path, settings_env):
    """An empty portal database on SQLite or on a fresh PostgreSQL database (dropped afterwards),
    with code-sending limits out of the way, for tests of concurrent writers."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'portal.db'}", None
    else:
        name = f"portal_test_{secrets.token_hex(8)}"
        try:
            with postgres_admin() as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
        except psycopg.OperationalError as error:
            pytest.skip(f"PostgreSQL at 127.0.0.1:5432 was not reachable, so this case did not run: {error}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    settings_env(
        REFLEX_DB_URL=url,
        PORTAL_CODE_RESEND_SECONDS="0",
        PORTAL_CODE_SENDS_PER_HOUR="1000",
        PORTAL_CODE_SENDS_PER_HOUR_PER_EMAIL="1000",
        PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="1000",
    )
    engine = db.get_engine()
    try:
        create_portal_tables()
        yield request.param
    finally:
        engine.dispose()
        db.engine_for.cache_clear()
        if drop:
            with postgres_admin() as admin:
                admin.execute(drop)


@pytest.fixture
def short_log_records():
    """Cut log records to a few KB: a failure report should not print the 1 MB payloads it was fed."""
    with cut_long_log_records():
        yield


@pytest.fixture
async def pipeline(database, caplog, short_log_records):
    """The real event pipeline of the portal's app over a fresh in-memory state manager and the test database."""
    # Imported here, not at the top: building the whole app is only worth it for the tests that drive it.
    from portal_app.portal_app import app

    caplog.set_level(logging.WARNING)
    async with open_pipeline(app) as pipe:
        yield pipe
