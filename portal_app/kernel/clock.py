"""The one source of "now" for the services, so tests can travel in time; and the time zones people choose."""

import functools
import zoneinfo
from datetime import UTC, date, datetime, time


def now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def time_zones() -> frozenset[str]:
    """Every IANA time zone name this machine knows, and "UTC"."""
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def start_of_day(day: date, zone_name: str) -> datetime:
    """Midnight at the start of `day` in the time zone `zone_name` (UTC when unknown), as a UTC moment."""
    zone = zoneinfo.ZoneInfo(zone_name) if zone_name in time_zones() else UTC
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def local_date(moment: datetime, zone_name: str) -> date:
    """The calendar date of a moment in the time zone `zone_name` (UTC when unknown)."""
    zone = zoneinfo.ZoneInfo(zone_name) if zone_name in time_zones() else UTC
    return moment.astimezone(zone).date()
