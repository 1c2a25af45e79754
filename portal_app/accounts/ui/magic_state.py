"""/magic?token=...: a magic link's landing page. Opening it changes nothing; "Continue" signs in."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.accounts import code_login, magic_links
from portal_app.kernel.errors import FieldError
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from portal_app.shell.ui.base_state import PortalState


class MagicLinkState(PortalState):
    # "checking", then "valid", "used", "expired" or "unknown".
    status: str = "checking"
    error: str = ""
    notice: str = ""
    busy: bool = False
    # The address the link signs in, masked ("a***@example.com"), shown before "Continue".
    masked_email: str = ""
    _email: str = ""

    def _token(self) -> str:
        token = self.router.url.query_parameters.get("token", "")
        return presented_token(token) or ""

    @rx.event
    async def load(self):
        """Only reads the link's state: scanners that open links (even with JavaScript) use nothing up."""
        self.error = self.notice = ""
        self.busy = False
        await self._load_business_name()
        token = self._token()
        link = await asyncio.to_thread(magic_links.link_status, token) if token else None
        if link is None:
            self.status, self._email, self.masked_email = "unknown", "", ""
            return
        self.status = link.status.value
        self._email = link.email or ""
        self.masked_email = magic_links.mask_email(self._email) if self._email else ""

    @rx.event
    async def continue_sign_in(self):
        self.error = ""
        self.busy = True
        yield
        try:
            ticket = await asyncio.to_thread(magic_links.use_magic_link, self._token(), origin=self._account_origin())
        except FieldError as error:
            self.error = error.message
            return
        finally:
            self.busy = False
        yield await self._through_ticket(ticket)

    @rx.event
    async def send_new_link(self):
        """A used or expired link offers a fresh one, to the address it was sent to."""
        if self.status not in ("used", "expired") or not self._email:
            return
        try:
            email = await asyncio.to_thread(
                code_login.request_login_code,
                email=self._email,
                ip=self._client_ip(),
                device=self._cookie(DEVICE_COOKIE),
            )
        except FieldError as error:
            self.error = error.message
            return
        self.notice = (
            f"If an account exists for {magic_links.mask_email(email)}, we sent a new email with a code and a link."
        )
