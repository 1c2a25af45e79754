"""Dashboard numbers: invited vs joined, and new accounts per week."""

from __future__ import annotations

from datetime import date, timedelta

from portal_app.admin import dashboard
from tests.support.admin import make_account


def test_invited_joined_and_signed_up(database, frozen_clock):
    now = frozen_clock.current
    make_account("signup1@example.com", email_verified_at=now)
    make_account("signup2@example.com", email_verified_at=now, last_login_at=now)
    make_account("invited-waiting@example.com", invited_at=now)
    make_account("invited-verified@example.com", invited_at=now, email_verified_at=now)
    make_account("invited-logged-in@example.com", invited_at=now, last_login_at=now)
    numbers = dashboard.numbers()
    assert (numbers.invited, numbers.invited_joined, numbers.invited_waiting) == (3, 2, 1)
    assert (numbers.signed_up, numbers.joined) == (2, 4)


def test_signups_per_week_for_twelve_weeks(database, frozen_clock):
    # The clock stands on Thursday 15 January 2026: its week starts on Monday the 12th.
    now = frozen_clock.current
    make_account("this-week@example.com", created_at=now)
    make_account("monday@example.com", created_at=now - timedelta(days=3))
    make_account("last-week@example.com", created_at=now - timedelta(days=7))
    make_account("invited@example.com", created_at=now - timedelta(days=7), invited_at=now - timedelta(days=7))
    make_account("eleven-weeks@example.com", created_at=now - timedelta(weeks=11))
    make_account("too-old@example.com", created_at=now - timedelta(weeks=12))
    weeks = dashboard.numbers().weeks
    assert len(weeks) == 12
    assert weeks[-1].week_start == date(2026, 1, 12) and weeks[0].week_start == date(2025, 10, 27)
    assert [(week.signups, week.invitations) for week in weeks[-2:]] == [(1, 1), (2, 0)]
    assert weeks[0].signups == 1
    assert sum(week.signups for week in weeks) == 4


def test_an_empty_portal(database, frozen_clock):
    numbers = dashboard.numbers()
    assert (numbers.invited, numbers.joined) == (0, 0)
    assert all(week.signups == week.invitations == 0 for week in numbers.weeks)
