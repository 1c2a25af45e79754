"""/admin/login: email and password, then the code emailed to the staff address."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from portal_app.accounts.errors import LoginFailed
from portal_app.admin import staff_login, staff_sessions
from portal_app.admin.routes import HOME_PATH, TICKET_PATH
from portal_app.kernel.errors import FieldError
from portal_app.kernel.tokens import presented_token
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from portal_app.shell.ui.base_state import PortalState, form_text, full_page_load

PASSWORD_STEP = "password"
CODE_STEP = "code"


class AdminLoginState(PortalState):
    step: str = PASSWORD_STEP
    # The staff address the code went to, once step 1 passed.
    code_email: str = ""
    error: str = ""
    code_error: str = ""
    notice: str = ""
    busy: bool = False

    def _reset(self) -> None:
        self.error = self.code_error = self.notice = ""
        self.busy = False

    @rx.event
    async def load(self):
        self._reset()
        self.step, self.code_email = PASSWORD_STEP, ""
        if self.router.url.query_parameters.get("expired"):
            self.notice = "That sign-in took too long. Please sign in again."
        await self._load_business_name()
        token = self._cookie(staff_sessions.STAFF_COOKIE)
        if presented_token(token) and await asyncio.to_thread(staff_sessions.current_staff, token) is not None:
            return rx.redirect(HOME_PATH)

    @rx.event
    async def submit_password(self, form_data: dict):
        self._reset()
        self.busy = True
        yield
        try:
            sent = await asyncio.to_thread(
                staff_login.start_login,
                email=form_text(form_data, "email"),
                password=form_text(form_data, "password"),
                ip=self._client_ip(),
                browser_token=self._cookie(DEVICE_COOKIE),
            )
        except LoginFailed as failure:
            self.error = failure.message
            return
        finally:
            self.busy = False
        self.step, self.code_email = CODE_STEP, sent.email
        if sent.new_code:
            self.notice = f"We emailed a 6-digit code to {sent.email}. It expires at {sent.expires_at:%H:%M} UTC."
        else:
            self.notice = (
                f"Enter the code we emailed to {sent.email} a moment ago. It expires at {sent.expires_at:%H:%M} UTC."
            )

    @rx.event
    async def submit_code(self, form_data: dict):
        self.code_error = ""
        if self.step != CODE_STEP or not self.code_email:
            self.step = PASSWORD_STEP
            return
        self.busy = True
        yield
        try:
            ticket = await asyncio.to_thread(
                staff_login.finish_login,
                email=self.code_email,
                code=form_text(form_data, "code"),
                browser_token=self._cookie(DEVICE_COOKIE),
                ip=self._client_ip(),
            )
        except FieldError as error:
            self.code_error = error.message
            return
        finally:
            self.busy = False
        yield full_page_load(f"{TICKET_PATH}?t={quote(ticket)}")

    @rx.event
    def start_again(self):
        self._reset()
        self.step, self.code_email = PASSWORD_STEP, ""
