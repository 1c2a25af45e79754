"""What every page state shares: who is asking (from the HttpOnly cookie) and the business name.

Identity is never kept in state: each event that touches account data asks the database again (a page load's
handlers, run in one event by page_load.py, share that one read).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from contextvars import ContextVar
from urllib.parse import quote

import reflex as rx

from portal_app.accounts import sessions, tickets
from portal_app.apps import access
from portal_app.apps.hooks import AccountOrigin
from portal_app.business import service as business
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.cookies import cookie_value, cookies_in
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from portal_app.kernel.web.standalone import REFLEX_TOKEN_KEY


def form_text(form_data, name: str) -> str:
    """One text field of a submitted form; "" when the payload is not a dict or the value not a string.

    Any client can send any payload, so the services still validate length and content.
    """
    if not isinstance(form_data, dict):
        return ""
    value = form_data.get(name)
    return value if isinstance(value, str) else ""


def parse_id(value) -> int | None:
    """A database id sent by the page (as a string of ASCII digits), or None for anything else."""
    if isinstance(value, str) and 0 < len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    return None


def full_page_load(path: str):
    """Leave the single-page app for one of the portal's own HTTP routes, in the same tab.

    Every use is a change of who is signed in (a ticket, a logout), so the tab also drops its
    Reflex client token: the next page starts with fresh state, and nothing the previous
    account's pages held is ever sent to this browser again. rx.redirect cannot do this (a
    relative path stays in the client-side router; is_external opens a new tab); replace() keeps
    one-time URLs out of the Back history.
    """
    return rx.call_script(
        f"window.sessionStorage.removeItem({json.dumps(REFLEX_TOKEN_KEY)}); window.location.replace({json.dumps(path)})"
    )


# Who is asking, by session token, while one event runs a whole page load (shell/ui/page_load.py runs a page's
# on_load handlers in one event); None otherwise, so every other event resolves the principal itself.
_principals_this_event: ContextVar[dict[str, access.Principal | None] | None] = ContextVar(
    "principals_this_event", default=None
)


@contextlib.contextmanager
def one_principal_per_event():
    """Within this block (one event), who is asking is read once: later checks in the same event reuse it."""
    reset = _principals_this_event.set({})
    try:
        yield
    finally:
        _principals_this_event.reset(reset)


# What principal_read_this_event returns when nothing was read for the token in this event.
NOT_READ = object()


def principal_read_this_event(token: str):
    """The principal already read for `token` in this page-load event (may be None: signed out), else NOT_READ."""
    known = _principals_this_event.get()
    return known.get(token, NOT_READ) if known is not None else NOT_READ


def remember_principal(token: str, principal: access.Principal | None) -> None:
    """Keep a principal read some other way (SessionState reads it with the account menu) for this event."""
    known = _principals_this_event.get()
    if known is not None:
        known[token] = principal


class PortalState(rx.State):
    business_name: str = business.DEFAULT_NAME
    business_logo: str = ""
    business_color: str = "#3e63dd"

    def _cookie(self, name: str) -> str | None:
        return cookie_value(self.router.headers.cookie, name)

    def _account_origin(self) -> AccountOrigin:
        """The browser's IP and cookies, for apps' account_created hooks (each sees only its own cookies)."""
        return AccountOrigin(ip=self._client_ip(), cookies=cookies_in(self.router.headers.cookie))

    def _client_ip(self) -> str:
        return self.router.session.client_ip or ""

    def _user_agent(self) -> str:
        return (self.router.headers.user_agent or "")[:512]

    async def _signed_in_account_id(self) -> int | None:
        token = self._session_token()
        if token is None:
            return None
        return await asyncio.to_thread(sessions.account_for_token, token)

    def _session_token(self) -> str | None:
        """The client session cookie's token, when it can be one of ours (only logout needs the token itself)."""
        return presented_token(self._cookie(tickets.SESSION_COOKIE))

    async def _signed_in(self) -> sessions.SessionInfo | None:
        """The live session this event came with (one read), for services that act for the signed-in person."""
        token = self._session_token()
        if token is None:
            return None
        principal = principal_read_this_event(token)
        if principal is not NOT_READ:
            # This page load's principal was read with its live session (access.principal_for_token).
            return principal.session if principal is not None else None
        return await asyncio.to_thread(sessions.current_session, token)

    async def _principal(self) -> access.Principal | None:
        """Who is asking, for this event: the session cookie's account, its business, grants and profile (one read)."""
        token = self._session_token()
        if token is None:
            return None
        principal = principal_read_this_event(token)
        if principal is not NOT_READ:
            return principal
        principal = await asyncio.to_thread(access.principal_for_token, token)
        remember_principal(token, principal)
        return principal

    def _show_business(self, settings) -> None:
        self.business_name = settings.name
        self.business_logo = settings.logo_url
        self.business_color = settings.brand_color

    async def _through_ticket(self, ticket: str):
        """Bind a one-time ticket to this browser, then send it to the route that trades it for a cookie."""
        await asyncio.to_thread(tickets.bind_to_browser, ticket, self._cookie(DEVICE_COOKIE))
        return self._to_bound_ticket(ticket)

    @staticmethod
    def _to_bound_ticket(ticket: str):
        """Send a ticket already bound to this browser to the route that trades it for a cookie."""
        return full_page_load(f"/auth/ticket?t={quote(ticket)}")

    async def _load_business_name(self) -> None:
        self._show_business(await asyncio.to_thread(business.get_business))

    @rx.event
    async def load_business_name(self):
        """on_load of the apps' public pages: the business's name and branding for the frame (nothing else)."""
        await self._load_business_name()
