"""Counted events in the database: limits per window, minimum intervals, and the wait wording."""

from datetime import timedelta

import pytest

from portal_app.accounts import throttle
from portal_app.kernel import db


def test_retry_after_counts_events_in_the_window(database, frozen_clock):
    window = timedelta(minutes=15)
    with db.write_session() as session:
        for _ in range(3):
            throttle.record(session, "failure", "ada@example.com")
            frozen_clock.advance(minutes=1)
    with db.read_session() as session:
        assert throttle.retry_after(session, "failure", "ada@example.com", limit=4, window=window) is None
        # The oldest of the three was 3 minutes ago: it leaves the 15-minute window in 12 minutes.
        assert throttle.retry_after(session, "failure", "ada@example.com", limit=3, window=window) == timedelta(
            minutes=12
        )
        assert throttle.retry_after(session, "failure", "bob@example.com", limit=3, window=window) is None
        assert throttle.retry_after(session, "other", "ada@example.com", limit=3, window=window) is None
    frozen_clock.advance(minutes=12)
    with db.read_session() as session:
        assert throttle.retry_after(session, "failure", "ada@example.com", limit=3, window=window) is None


def test_min_interval_wait_is_measured_from_the_newest_event(database, frozen_clock):
    interval = timedelta(seconds=60)
    with db.write_session() as session:
        assert throttle.min_interval_wait(session, "send", "ada@example.com", interval) is None
        throttle.record(session, "send", "ada@example.com")
    frozen_clock.advance(seconds=45)
    with db.read_session() as session:
        assert throttle.min_interval_wait(session, "send", "ada@example.com", interval) == timedelta(seconds=15)
    frozen_clock.advance(seconds=15)
    with db.read_session() as session:
        assert throttle.min_interval_wait(session, "send", "ada@example.com", interval) is None


@pytest.mark.parametrize(
    "wait, text",
    [
        (timedelta(seconds=0.2), "1 second"),
        (timedelta(seconds=45), "45 seconds"),
        (timedelta(seconds=59.5), "1 minute"),
        (timedelta(seconds=60), "1 minute"),
        (timedelta(seconds=61), "2 minutes"),
        (timedelta(minutes=12), "12 minutes"),
    ],
)
def test_waits_are_described_rounded_up(wait, text):
    assert throttle.describe_wait(wait) == text


def test_a_code_failure_of_an_app_with_the_longest_key_is_recorded_on_every_database(shared_database):
    """`code_failure:client:app:<key>` for a 32-character app key (the longest the registry allows) fits the
    column on PostgreSQL too (it refused 34 characters once, failing the person's request)."""
    from portal_app.accounts import code_budget

    kind = code_budget.failure_kind("app:" + "k" * 32)
    with db.write_session() as session:
        throttle.record(session, kind, "ann@example.com")
    with db.read_session() as session:
        assert throttle.count_in_window(session, kind, "ann@example.com", timedelta(hours=1)) == 1


def test_a_kind_longer_than_the_column_is_refused_loudly_on_sqlite_too(database):
    with pytest.raises(ValueError, match="longer than 96"), db.write_session() as session:
        throttle.record(session, "x" * 97, "ann@example.com")
