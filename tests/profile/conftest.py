"""Fixtures for the profile tests: an account with a live session, and code-sending limits out of the way."""

from __future__ import annotations

import pytest

from tests.support.live_accounts import make_account, start_session


@pytest.fixture
def quick_codes(settings_env):
    """Sending limits out of the way, for tests that send several codes in a row."""
    settings_env(
        PORTAL_CODE_RESEND_SECONDS="0", PORTAL_CODE_SENDS_PER_HOUR="1000", PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="1000"
    )


@pytest.fixture
def ada(database, frozen_clock) -> tuple[int, str]:
    """An account (ada@example.com) and the token of its session cookie."""
    account_id = make_account("ada@example.com")
    return account_id, start_session(account_id)
