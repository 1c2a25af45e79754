"""/security: set or change the password of the signed-in account."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.accounts import password_change
from portal_app.kernel.errors import FieldError
from portal_app.shell.ui.base_state import PortalState, form_text


class SecurityState(PortalState):
    loaded: bool = False
    has_password: bool = False
    current_required: bool = True
    current_password_error: str = ""
    new_password_error: str = ""
    notice: str = ""
    busy: bool = False

    async def _refresh(self) -> bool:
        signed_in = await self._signed_in()
        status = await asyncio.to_thread(password_change.password_status, signed_in) if signed_in else None
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
        signed_in = await self._signed_in()
        if signed_in is None:
            yield rx.redirect("/login?next=/security")
            return
        self.busy = True
        yield
        try:
            await asyncio.to_thread(
                password_change.set_password,
                signed_in,
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
