"""Fixtures for the email tests: a clean email environment and a local SendGrid v3 stand-in."""

from __future__ import annotations

import pytest

from portal_app.kernel.settings import get_settings
from tests.support.mail import API_KEY, FROM_EMAIL, FakeSendGrid


@pytest.fixture(autouse=True)
def no_real_email(monkeypatch):
    """No test may reach a real provider or a proxy, whatever the machine's environment says."""
    for name in ("SENDGRID_API_KEY", "PORTAL_SENDGRID_API_URL", "PORTAL_EMAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()


@pytest.fixture
def fake_sendgrid():
    fake = FakeSendGrid()
    fake.start()
    yield fake
    fake.stop()


def _use_local_sendgrid(settings_env, fake: FakeSendGrid) -> FakeSendGrid:
    settings_env(
        SENDGRID_API_KEY=API_KEY,
        PORTAL_SENDGRID_API_URL=fake.url,
        PORTAL_EMAIL_FROM=FROM_EMAIL,
        PORTAL_EMAIL_TIMEOUT_SECONDS="1",
    )
    return fake


@pytest.fixture
def sendgrid_settings(database, settings_env, fake_sendgrid):
    """Settings that select SendGrid, pointed at the local server, with a 1 s timeout."""
    return _use_local_sendgrid(settings_env, fake_sendgrid)


@pytest.fixture
def sendgrid_on_each_database(shared_database, settings_env, fake_sendgrid):
    """The same, on SQLite and on a fresh PostgreSQL database in turn (the request's param says which)."""
    return _use_local_sendgrid(settings_env, fake_sendgrid)
