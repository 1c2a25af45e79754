"""Fixtures for the profile tests: accounts with a live session, and code-sending limits out of the way."""

from __future__ import annotations

import pytest

from tests.profile.email_steps import give_password
from tests.support.live_accounts import make_account, start_session


@pytest.fixture
def quick_codes(settings_env):
    """Sending limits out of the way, for tests that send several codes in a row."""
    settings_env(
        PORTAL_CODE_RESEND_SECONDS="0", PORTAL_CODE_SENDS_PER_HOUR="1000", PORTAL_CODE_SENDS_PER_IP_PER_MINUTE="1000"
    )


@pytest.fixture
def ada(database, frozen_clock) -> tuple[int, str]:
    """A passwordless account (ada@example.com, as an invited one signs in by code) and its session cookie's token."""
    account_id = make_account("ada@example.com")
    return account_id, start_session(account_id)


@pytest.fixture
def ada_with_password(database, frozen_clock) -> tuple[int, str]:
    """An account with the password PASSWORD (ada@example.com) and its session cookie's token."""
    account_id = make_account("ada@example.com")
    give_password(account_id)
    return account_id, start_session(account_id)
