"""/security: set or change the password of the signed-in account."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.accounts import password_change, tickets
from portal_app.kernel.errors import FieldError
from portal_app.kernel.tokens import presented_token
from portal_app.shell.ui.base_state import PortalState, form_text


class SecurityState(PortalState):
    loaded: bool = False
    has_password: bool = False
    current_required: bool = True
    current_password_error: str = ""
    new_password_error: str = ""
    notice: str = ""
    busy: bool = False

    def _session_token(self) -> str | None:
        token = self._cookie(tickets.SESSION_COOKIE)
        return presented_token(token)

    async def _refresh(self) -> bool:
        token = self._session_token()
        status = await asyncio.to_thread(password_change.password_status, token) if token else None
        self.loaded = status is not None
        if status is not None:
            self.has_password = status.has_password
            self.current_required = status.current_password_required
        return self.loaded

    @rx.event
    async def load(self):
        self.current_password_error = self.new_password_error = self.notice = ""
        self.busy = False
        await self._refresh()

    @rx.event
    async def save_password(self, form_data: dict):
        self.current_password_error = self.new_password_error = self.notice = ""
        token = self._session_token()
        if token is None:
            yield rx.redirect("/login?next=/security")
            return
        self.busy = True
        yield
        try:
            await asyncio.to_thread(
                password_change.set_password,
                token,
                new_password=form_text(form_data, "new_password"),
                current_password=form_text(form_data, "current_password") if self.current_required else None,
            )
        except FieldError as error:
            if error.field == "current_password":
                self.current_password_error = error.message
            else:
                self.new_password_error = error.message
            return
        except PermissionError:
            yield rx.redirect("/login?next=/security")
            return
        finally:
            self.busy = False
        await self._refresh()
        self.notice = "Your password was saved. Your other devices were signed out, and we emailed you a notice."
