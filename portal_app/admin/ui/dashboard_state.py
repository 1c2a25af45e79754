"""/admin: invited vs joined, and signups per week."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.admin import dashboard
from portal_app.admin.ui.base_state import AdminState


class AdminDashboardState(AdminState):
    loaded: bool = False
    invited: int = 0
    invited_joined: int = 0
    invited_waiting: int = 0
    signed_up: int = 0
    joined: int = 0
    weeks: list[dict[str, str]] = []

    def _clear_page(self) -> None:
        self.loaded = False
        self.invited = self.invited_joined = self.invited_waiting = self.signed_up = self.joined = 0
        self.weeks = []

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff() is None:
            return self._refuse()
        await self._load_business_name()
        numbers = await asyncio.to_thread(dashboard.numbers)
        self.invited, self.invited_joined = numbers.invited, numbers.invited_joined
        self.invited_waiting, self.signed_up, self.joined = numbers.invited_waiting, numbers.signed_up, numbers.joined
        busiest = max((week.signups + week.invitations for week in numbers.weeks), default=0) or 1
        self.weeks = [
            {
                "week": f"{week.week_start:%-d %b %Y}",
                "signups": str(week.signups),
                "invitations": str(week.invitations),
                "signups_width": f"{100 * week.signups / busiest:.0f}%",
                "invitations_width": f"{100 * week.invitations / busiest:.0f}%",
            }
            for week in numbers.weeks
        ]
        self.loaded = True
