"""The numbers on the admin dashboard: who was invited, who joined, and signups week by week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import and_, col, func, or_, select

from portal_app.accounts.models import Account
from portal_app.kernel import clock, db

WEEKS = 12


@dataclass(frozen=True)
class WeekCount:
    week_start: date
    signups: int
    invitations: int


@dataclass(frozen=True)
class DashboardNumbers:
    """invited: accounts the business created; invited_joined: of those, the ones that signed in since.

    signed_up: accounts people made themselves. joined = signed_up + invited_joined.
    """

    invited: int
    invited_joined: int
    signed_up: int
    weeks: tuple[WeekCount, ...]

    @property
    def joined(self) -> int:
        return self.signed_up + self.invited_joined

    @property
    def invited_waiting(self) -> int:
        return self.invited - self.invited_joined


def week_start(moment: datetime) -> date:
    """The Monday (UTC) of the week the moment falls in."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def numbers(weeks: int = WEEKS) -> DashboardNumbers:
    now = clock.now()
    first_week = week_start(now) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first_week, datetime.min.time(), tzinfo=now.tzinfo)
    invited = col(Account.invited_at).is_not(None)
    signed_in = or_(col(Account.email_verified_at).is_not(None), col(Account.last_login_at).is_not(None))
    with db.read_session() as session:

        def count(*conditions) -> int:
            return session.exec(select(func.count()).select_from(Account).where(*conditions)).one()

        totals = (count(invited), count(and_(invited, signed_in)), count(col(Account.invited_at).is_(None)))
        recent = session.exec(select(Account.created_at, Account.invited_at).where(Account.created_at >= since)).all()
    signups = dict.fromkeys((first_week + timedelta(weeks=n) for n in range(weeks)), 0)
    invitations = dict(signups)
    for created_at, invited_at in recent:
        bucket = invitations if invited_at is not None else signups
        start = week_start(created_at)
        if start in bucket:
            bucket[start] += 1
    return DashboardNumbers(
        invited=totals[0],
        invited_joined=totals[1],
        signed_up=totals[2],
        weeks=tuple(WeekCount(start, signups[start], invitations[start]) for start in signups),
    )
