"""/signup and /verify: thin states over portal_app.accounts.signup."""

from __future__ import annotations

import asyncio
import math

import reflex as rx

from portal_app.accounts import signup, tickets
from portal_app.email import outbox
from portal_app.kernel import clock
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.kernel.settings import get_settings
from portal_app.kernel.tokens import presented_token
from portal_app.shell.ui.base_state import PortalState, form_text


class SignupState(PortalState):
    full_name_error: str = ""
    email_error: str = ""
    password_error: str = ""
    busy: bool = False

    def _clear_errors(self) -> None:
        self.full_name_error = self.email_error = self.password_error = ""

    @rx.event
    async def load(self):
        self._clear_errors()
        self.busy = False
        await self._load_business_name()

    @rx.event
    async def submit(self, form_data: dict):
        self._clear_errors()
        self.busy = True
        yield
        try:
            ticket = await signup.start_signup_async(
                full_name=form_text(form_data, "full_name"),
                email=form_text(form_data, "email"),
                password=form_text(form_data, "password"),
                ip=self._client_ip(),
            )
        except FormErrors as errors:
            self.full_name_error = errors.errors.get("full_name", "")
            self.email_error = errors.errors.get("email", "")
            self.password_error = errors.errors.get("password", "")
            return
        finally:
            self.busy = False
        yield await self._through_ticket(ticket)


class VerifyState(PortalState):
    email: str = ""
    # "checking" until the server looked for this browser's pending signup, then "found" or "missing".
    status: str = "checking"
    code_error: str = ""
    notice: str = ""
    # Seconds until "Resend code" may be pressed, as the server counted them; the page counts down from
    # there in the browser (verify_page), so no handler runs per tick. `resend_serial` changes with every
    # count, so the browser starts again even when the number is the same as last time.
    resend_wait: int = 0
    resend_serial: int = 0
    busy: bool = False
    code_minutes: int = get_settings().signup_code_minutes

    def _flow_token(self) -> str | None:
        token = self._cookie(tickets.SIGNUP_COOKIE)
        return presented_token(token)

    def _set_resend_wait(self, seconds: float) -> None:
        self.resend_wait = max(0, math.ceil(seconds))
        self.resend_serial += 1

    @rx.event
    async def load(self):
        self.code_error = self.notice = ""
        self.busy = False
        await self._load_business_name()
        token = self._flow_token()
        view = await asyncio.to_thread(signup.pending_view, token) if token else None
        if view is None:
            self.status, self.email = "missing", ""
            return
        self.status, self.email = "found", view.email
        # Honest about delivery: a code email the provider has not taken yet is said to be delayed.
        self.notice = await asyncio.to_thread(outbox.delay_notice, view.email)
        available_at = view.resend_available_at
        self._set_resend_wait((available_at - clock.now()).total_seconds() if available_at else 0)

    @rx.event
    async def verify(self, form_data: dict):
        self.code_error = self.notice = ""
        token = self._flow_token()
        if token is None:
            self.status = "missing"
            return
        self.busy = True
        yield
        try:
            ticket = await asyncio.to_thread(
                signup.verify_signup,
                token,
                form_text(form_data, "code"),
                origin=self._account_origin(),
                user_agent=self._user_agent(),
            )
        except FieldError as error:
            self.code_error = error.message
            return
        finally:
            self.busy = False
        yield await self._through_ticket(ticket)

    @rx.event
    async def resend(self):
        self.code_error = self.notice = ""
        token = self._flow_token()
        if token is None:
            self.status = "missing"
            return
        try:
            next_allowed = await asyncio.to_thread(signup.resend_signup_code, token, ip=self._client_ip())
        except signup.ResendTooSoon as too_soon:
            self._set_resend_wait(too_soon.retry_after.total_seconds())
            self.notice = f"You can ask for a new code in {self.resend_wait} seconds."
            return
        except FieldError as error:
            self.code_error = error.message
            return
        self.notice = f"We sent a new code to {self.email}. Earlier codes no longer work."
        self._set_resend_wait((next_allowed - clock.now()).total_seconds())
