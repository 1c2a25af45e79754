"""A clock that stands still until a test moves it (the `frozen_clock` fixture installs one)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.current = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
