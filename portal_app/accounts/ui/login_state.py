"""/login: password login, and login with an emailed code ("Email me a code", "Forgot password?")."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import reflex as rx

from portal_app.accounts import code_login, login
from portal_app.accounts.validation import normalize_email, safe_next_path
from portal_app.kernel.errors import FieldError
from portal_app.kernel.settings import get_settings
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from portal_app.shell.ui.base_state import PortalState, form_text

PASSWORD_MODE = "password"
CODE_MODE = "code"
FORGOT_PASSWORD_NEXT = "/security"


class LoginState(PortalState):
    mode: str = PASSWORD_MODE
    error: str = ""
    notice: str = ""
    busy: bool = False
    # Code login: the address the code went to (as normalised by the server), once sent.
    code_email: str = ""
    email_error: str = ""
    code_error: str = ""
    code_href: str = "/login?method=code"
    forgot_href: str = "/login?method=code&next=%2Fsecurity"
    password_href: str = "/login"
    _next: str = "/"

    def _reset_messages(self) -> None:
        self.error = self.notice = self.email_error = self.code_error = ""

    @rx.event
    async def load(self):
        self._reset_messages()
        self.busy = False
        self.code_email = ""
        params = self.router.url.query_parameters
        self._next = safe_next_path(params.get("next", "/"))
        self.mode = CODE_MODE if params.get("method") == CODE_MODE else PASSWORD_MODE
        if self.mode == CODE_MODE and params.get("email"):
            # From an email that already carries a code (an invitation): enter it without sending another,
            # in this browser, when the link's proof holds (else entering a code asks for a new one first).
            try:
                self.code_email = normalize_email(params.get("email"))
            except FieldError:
                self.code_email = ""
            if self.code_email:
                await asyncio.to_thread(
                    code_login.open_entry_link,
                    email=self.code_email,
                    token=params.get("entry"),
                    device=self._cookie(DEVICE_COOKIE),
                )
        # The three ways in are links, so they work even before the page's script has loaded.
        self.code_href = f"/login?{urlencode({'method': CODE_MODE, 'next': self._next})}"
        self.forgot_href = f"/login?{urlencode({'method': CODE_MODE, 'next': FORGOT_PASSWORD_NEXT})}"
        self.password_href = f"/login?{urlencode({'next': self._next})}"
        if self.mode == CODE_MODE and self._next == FORGOT_PASSWORD_NEXT:
            self.notice = "Log in with a code we email you, then set a new password."
        if params.get("expired"):
            self.notice = "That sign-in took too long. Please log in again."
        if params.get("deleted"):
            self.notice = "Your account was deleted, and you are signed out everywhere. We emailed you a confirmation."
        if params.get("disabled"):
            self.notice = "This account has been disabled by the business. Contact them to have it enabled again."
        await self._load_business_name()
        if await self._signed_in_account_id() is not None:
            return rx.redirect(self._next)

    @rx.event
    async def submit(self, form_data: dict):
        self._reset_messages()
        self.busy = True
        yield
        try:
            ticket = await login.password_login_async(
                email=form_text(form_data, "email"),
                password=form_text(form_data, "password"),
                ip=self._client_ip(),
                next_path=self._next,
                browser_token=self._cookie(DEVICE_COOKIE),
            )
        except login.LoginFailed as failure:
            self.error = failure.message
            return
        finally:
            self.busy = False
        yield self._to_bound_ticket(ticket)

    @rx.event
    async def send_code(self, form_data: dict):
        keep_notice = self.notice if self._next == FORGOT_PASSWORD_NEXT else ""
        self._reset_messages()
        self.busy = True
        yield
        try:
            self.code_email = await asyncio.to_thread(
                code_login.request_login_code,
                email=form_text(form_data, "email"),
                ip=self._client_ip(),
                device=self._cookie(DEVICE_COOKIE),
            )
        except FieldError as error:
            self.email_error = error.message
            self.notice = keep_notice
            return
        finally:
            self.busy = False
        minutes = get_settings().login_code_minutes
        self.notice = f"If an account exists for {self.code_email}, we sent a code. It expires in {minutes} minutes."

    @rx.event
    async def resend_code(self):
        if not self.code_email:
            return
        self._reset_messages()
        try:
            await asyncio.to_thread(
                code_login.request_login_code,
                email=self.code_email,
                ip=self._client_ip(),
                device=self._cookie(DEVICE_COOKIE),
            )
        except FieldError as error:
            self.code_error = error.message
            return
        self.notice = f"If an account exists for {self.code_email}, we sent a new code. Earlier codes no longer work."

    @rx.event
    async def submit_code(self, form_data: dict):
        self.code_error = ""
        if not self.code_email:
            self.mode = CODE_MODE
            return
        self.busy = True
        yield
        try:
            ticket = await asyncio.to_thread(
                code_login.login_with_code,
                email=self.code_email,
                code=form_text(form_data, "code"),
                device=self._cookie(DEVICE_COOKIE),
                ip=self._client_ip(),
                next_path=self._next,
                origin=self._account_origin(),
            )
        except FieldError as error:
            self.code_error = error.message
            return
        finally:
            self.busy = False
        yield await self._through_ticket(ticket)
