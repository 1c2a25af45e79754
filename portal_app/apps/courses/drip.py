"""Drip: when a module or lesson opens for a person, and how to say so ("Unlocks 3 Dec, in 4 days").

A module or lesson may wait N days after the person's enrolment, and/or until a date, which starts
at midnight in the business's time zone. A lesson opens once both it and its module have. Pure
functions: the services pass in the enrolment moment, the time zone and now.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal_app.kernel import clock


@dataclass(frozen=True)
class Drip:
    after_days: int | None = None
    on: date | None = None

    def opens_at(self, enrolled_at: datetime, time_zone: str) -> datetime | None:
        """The moment this opens for someone enrolled at `enrolled_at`; None when it never waits."""
        moments = []
        if self.after_days:
            moments.append(enrolled_at + timedelta(days=self.after_days))
        if self.on is not None:
            moments.append(clock.start_of_day(self.on, time_zone))
        return max(moments) if moments else None


def opens_at(enrolled_at: datetime, time_zone: str, *drips: Drip) -> datetime | None:
    """The latest of the drips' moments (a lesson waits for its module and for itself); None when none waits."""
    moments = [moment for drip in drips if (moment := drip.opens_at(enrolled_at, time_zone)) is not None]
    return max(moments) if moments else None


def is_locked(opens: datetime | None, now: datetime) -> bool:
    return opens is not None and opens > now


def _day(moment: datetime, time_zone: str, now: datetime) -> str:
    day = clock.local_date(moment, time_zone)
    text = f"{day.day} {day:%b}"
    return text if day.year == clock.local_date(now, time_zone).year else f"{text} {day.year}"


def unlock_label(opens: datetime | None, now: datetime, time_zone: str) -> str:
    """ "Unlocks 3 Dec, in 4 days" (or "in 5 hours" within a day); "" when it is open."""
    if not is_locked(opens, now):
        return ""
    seconds = (opens - now).total_seconds()
    if seconds < 3600:
        relative = "in less than an hour"
    elif seconds < 86400:
        hours = math.ceil(seconds / 3600)
        relative = "in 1 hour" if hours == 1 else f"in {hours} hours"
    else:
        # Whole days as the calendar counts them where the business is: opening tomorrow is "in 1 day".
        days = max((clock.local_date(opens, time_zone) - clock.local_date(now, time_zone)).days, 1)
        relative = "in 1 day" if days == 1 else f"in {days} days"
    return f"Unlocks {_day(opens, time_zone, now)}, {relative}"
