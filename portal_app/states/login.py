"""/login: a thin state over portal_app.accounts.login."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.accounts import login
from portal_app.accounts.validation import safe_next_path
from portal_app.states.base import PortalState, form_text, go_through_ticket


class LoginState(PortalState):
    error: str = ""
    notice: str = ""
    busy: bool = False

    def _next_path(self) -> str:
        return safe_next_path(self.router.url.query_parameters.get("next", "/"))

    @rx.event
    async def load(self):
        self.error = ""
        self.busy = False
        params = self.router.url.query_parameters
        self.notice = "That sign-in took too long. Please log in again." if params.get("expired") else ""
        await self._load_business_name()
        if await self._signed_in_account_id() is not None:
            return rx.redirect(self._next_path())

    @rx.event
    async def submit(self, form_data: dict):
        self.error = self.notice = ""
        self.busy = True
        yield
        try:
            ticket = await asyncio.to_thread(
                login.password_login,
                email=form_text(form_data, "email"),
                password=form_text(form_data, "password"),
                ip=self._client_ip(),
                next_path=self._next_path(),
            )
        except login.LoginFailed as failure:
            self.error = failure.message
            return
        finally:
            self.busy = False
        yield go_through_ticket(ticket)
