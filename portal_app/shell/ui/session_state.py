"""The signed-in shell: every protected page loads through here.

"Log out" is not a handler: the account menu submits a form to POST /auth/logout (accounts/routes.py), so
the session that ends is the one the browser's cookie names at that moment, not the cookie this tab's
websocket connected with (stale after an account switch or a login in another tab).
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from portal_app.accounts import switching
from portal_app.accounts.validation import safe_next_path
from portal_app.apps import access
from portal_app.apps.overview import switcher_entries
from portal_app.kernel.errors import FieldError
from portal_app.shell.ui.base_state import PortalState, parse_id, remember_principal
from portal_app.shell.ui.formatting import account_rows


def _principal_and_peers(token: str):
    """Who is asking and the accounts they may switch to, in one trip to a worker thread (every page load)."""
    principal = access.principal_for_token(token)
    if principal is None:
        return None, []
    return principal, switching.switchable_accounts(principal.session, principal.business.enabled_apps)


class SessionState(PortalState):
    # True only after the server matched this browser's cookie to a live session, on this page load.
    signed_in: bool = False
    full_name: str = ""
    email: str = ""
    # The other accounts on this email that this session may switch to without a new login.
    peers: list[dict[str, str]] = []
    # The app switcher's entries: Home, then each child app this account can open now.
    apps: list[dict[str, str]] = []
    switch_error: str = ""

    @rx.var
    def initials(self) -> str:
        parts = [part for part in self.full_name.split() if part]
        return "".join(part[0] for part in parts[:2]).upper() or "?"

    @rx.event
    async def require_account(self):
        """on_load of every protected page: confirm the session or send the browser to /login."""
        self.signed_in = False
        token = self._session_token()
        principal, peers = await asyncio.to_thread(_principal_and_peers, token) if token else (None, [])
        if token:
            remember_principal(token, principal)
        if principal is None:
            await self._load_business_name()
            self.full_name = self.email = ""
            self.peers = []
            path = safe_next_path(self.router.url.path or "/")
            return rx.redirect(f"/login?next={quote(path, safe='/')}")
        self._show_business(principal.business)
        self.full_name, self.email = principal.full_name, principal.email
        self.peers = account_rows(peers)
        self.apps = self._switcher_rows(principal, self.router.url.path or "/")
        self.signed_in = True

    @staticmethod
    def _switcher_rows(principal, path: str) -> list[dict[str, str]]:
        current_path = path.rstrip("/") or "/"
        return [
            {"key": entry.key, "title": entry.title, "route": entry.route, "current": "yes" if entry.current else "no"}
            for entry in switcher_entries(principal, current_path)
        ]

    @rx.event
    async def switch_to(self, account_id: str):
        """Enter another account on the same email; the server checks it is one this session may reach."""
        self.switch_error = ""
        target = parse_id(account_id)
        signed_in = await self._signed_in() if target is not None else None
        if signed_in is None:
            return
        try:
            ticket = await asyncio.to_thread(
                switching.switch_account, signed_in, target, user_agent=self._user_agent(), ip=self._client_ip()
            )
        except FieldError as error:
            self.switch_error = error.message
            return
        except PermissionError:
            self.signed_in = False
            return rx.redirect("/login")
        self.signed_in = False
        return await self._through_ticket(ticket)
