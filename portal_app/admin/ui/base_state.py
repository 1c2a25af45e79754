"""What every admin page state shares: the staff member, read from the HttpOnly staff cookie on every event.

A client session cookie means nothing here. A handler that finds no live staff session drops what
its page shows and sends the browser to /admin/login.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import reflex as rx

from portal_app.admin import staff_sessions
from portal_app.admin.routes import LOGIN_PATH
from portal_app.admin.staff import StaffView
from portal_app.kernel.tokens import presented_token
from portal_app.shell.ui.base_state import PortalState


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "never"


class AdminState(PortalState):
    # True only after the server matched this browser's staff cookie to a live staff session.
    staff_signed_in: bool = False
    staff_name: str = ""

    def _staff_token(self) -> str | None:
        token = self._cookie(staff_sessions.STAFF_COOKIE)
        return presented_token(token)

    async def _staff(self) -> StaffView | None:
        """The signed-in staff member, asked of the database now; None without a live staff session."""
        token = self._staff_token()
        staff = await asyncio.to_thread(staff_sessions.current_staff, token) if token else None
        self.staff_signed_in = staff is not None
        self.staff_name = staff.name if staff else ""
        return staff

    def _clear_page(self) -> None:
        """Drop everything the page shows (each page's state knows its own)."""

    def _refuse(self):
        """Forget the staff member and every admin page's data this tab holds, and go to the sign-in page."""
        for state in (self, *self.substates.values()):
            if isinstance(state, AdminState):
                state.staff_signed_in = False
                state.staff_name = ""
                state._clear_page()
        return rx.redirect(LOGIN_PATH)
