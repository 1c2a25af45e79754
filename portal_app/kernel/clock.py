"""The one source of "now" for the services, so tests can travel in time."""

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
