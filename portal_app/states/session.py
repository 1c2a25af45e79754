"""The signed-in shell: every protected page loads through here, and "Log out" lives here."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from portal_app.accounts import sessions, tickets
from portal_app.accounts.lookup import account_view
from portal_app.accounts.validation import safe_next_path
from portal_app.states.base import PortalState, full_page_load


class SessionState(PortalState):
    # True only after the server matched this browser's cookie to a live session, on this page load.
    signed_in: bool = False
    full_name: str = ""

    @rx.var
    def initials(self) -> str:
        parts = [part for part in self.full_name.split() if part]
        return "".join(part[0] for part in parts[:2]).upper() or "?"

    @rx.event
    async def require_account(self):
        """on_load of every protected page: confirm the session or send the browser to /login."""
        self.signed_in = False
        await self._load_business_name()
        account_id = await self._signed_in_account_id()
        view = await asyncio.to_thread(account_view, account_id) if account_id is not None else None
        if view is None:
            self.full_name = ""
            path = safe_next_path(self.router.url.path or "/")
            return rx.redirect(f"/login?next={quote(path, safe='/')}")
        self.full_name = view.full_name
        self.signed_in = True

    @rx.event
    async def log_out(self):
        token = self._cookie(tickets.SESSION_COOKIE)
        if token and len(token) <= 128:
            await asyncio.to_thread(sessions.end_session, token)
        self.signed_in = False
        self.full_name = ""
        return full_page_load("/auth/logout")
