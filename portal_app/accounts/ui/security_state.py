"""/security: set or change the password of the signed-in account; the browsers signed in to it (sign one
or every other one out); its security log."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.accounts import devices, password_change, security_log
from portal_app.kernel.errors import FieldError
from portal_app.privacy import account_deletion, data_export
from portal_app.shell.ui.base_state import PortalState, form_text, full_page_load


def describe_export(status: data_export.ExportStatus) -> str:
    if status.status in ("waiting", "preparing"):
        return "Being prepared: we will email you a link."
    if status.status == "ready" and status.expires_at is not None:
        return f"Ready: the link we emailed you works until {status.expires_at:%-d %B %Y}."
    if status.status == "failed":
        return "The last download could not be prepared. Ask again, or write to the business."
    return ""


class SecurityState(PortalState):
    loaded: bool = False
    has_password: bool = False
    current_required: bool = True
    current_password_error: str = ""
    new_password_error: str = ""
    notice: str = ""
    busy: bool = False
    # {"id", "browser", "place", "ip", "method", "signed_in", "last_active", "current"} per signed-in browser.
    browsers: list[dict[str, str]] = []
    browsers_notice: str = ""
    # {"what", "how", "where", "when", "detail"} per security event, newest first.
    events: list[dict[str, str]] = []
    # "Download my data": what the newest request is at, in words ("" when none is live).
    export_status: str = ""
    export_notice: str = ""
    # "Delete my account": "" until a code was sent, then "code".
    delete_step: str = ""
    delete_notice: str = ""
    delete_error: str = ""

    async def _refresh(self) -> bool:
        signed_in = await self._signed_in()
        status = await asyncio.to_thread(password_change.password_status, signed_in) if signed_in else None
        self.loaded = status is not None
        if status is None:
            self.browsers, self.events, self.export_status = [], [], ""
            return False
        self.has_password = status.has_password
        self.current_required = status.current_password_required
        found = await asyncio.to_thread(devices.signed_in_browsers, signed_in)
        self.browsers = [
            {
                "id": str(browser.id),
                "browser": browser.browser,
                "place": browser.place,
                "ip": browser.ip,
                "method": browser.method,
                "signed_in": devices.describe_when(browser.signed_in_at),
                "last_active": devices.describe_when(browser.last_active_at),
                "current": "yes" if browser.current else "",
            }
            for browser in found
        ]
        self.export_status = describe_export(await asyncio.to_thread(data_export.latest, signed_in))
        logged = await asyncio.to_thread(security_log.for_account, signed_in.account_id)
        self.events = [
            {
                "what": event.what,
                "how": event.method,
                "where": f"{devices.describe_place(event.ip)} ({event.ip})" if event.ip else "",
                "when": devices.describe_when(event.at),
                "detail": event.detail,
            }
            for event in logged
        ]
        return True

    @rx.event
    async def sign_out_browser(self, session_id: str):
        """Sign one of the account's other browsers out (the id is checked against this account's sessions)."""
        self.browsers_notice = ""
        signed_in = await self._signed_in()
        if signed_in is None:
            return rx.redirect("/login?next=/security")
        target = int(session_id) if isinstance(session_id, str) and session_id.isdigit() else None
        try:
            ended = await asyncio.to_thread(devices.sign_out_browser, signed_in, target, ip=self._client_ip())
        except PermissionError:
            return rx.redirect("/login?next=/security")
        self.browsers_notice = "That browser is signed out." if ended else "That browser was already signed out."
        await self._refresh()

    @rx.event
    async def request_data_download(self):
        self.export_notice = ""
        signed_in = await self._signed_in()
        if signed_in is None:
            return rx.redirect("/login?next=/security")
        try:
            outcome = await asyncio.to_thread(data_export.request_download, signed_in)
        except PermissionError:
            return rx.redirect("/login?next=/security")
        self.export_notice = {
            "asked": "We are preparing your download and will email you a link when it is ready.",
            "busy": "Your download is being prepared: we will email you a link when it is ready.",
            "limit": f"You asked for {data_export.MAX_REQUESTS_PER_DAY} downloads today. Try again tomorrow.",
        }[outcome]
        await self._refresh()

    @rx.event
    async def send_delete_code(self):
        self.delete_notice = self.delete_error = ""
        signed_in = await self._signed_in()
        if signed_in is None:
            return rx.redirect("/login?next=/security")
        try:
            await asyncio.to_thread(account_deletion.send_code, signed_in, ip=self._client_ip())
        except PermissionError:
            return rx.redirect("/login?next=/security")
        except FieldError as error:
            self.delete_error = error.message
            return
        self.delete_step = "code"
        self.delete_notice = "We emailed you a code. Enter it below to delete your account."

    @rx.event
    async def delete_account(self, form_data: dict):
        self.delete_notice = self.delete_error = ""
        signed_in = await self._signed_in()
        if signed_in is None:
            return rx.redirect("/login?next=/security")
        try:
            await asyncio.to_thread(
                account_deletion.delete_account, signed_in, form_text(form_data, "code"), ip=self._client_ip()
            )
        except PermissionError:
            return rx.redirect("/login?next=/security")
        except FieldError as error:
            self.delete_error = error.message
            return
        return full_page_load("/login?deleted=1")

    @rx.event
    async def sign_out_everywhere_else(self):
        self.browsers_notice = ""
        signed_in = await self._signed_in()
        if signed_in is None:
            return rx.redirect("/login?next=/security")
        try:
            ended = await asyncio.to_thread(devices.sign_out_everywhere_else, signed_in, ip=self._client_ip())
        except PermissionError:
            return rx.redirect("/login?next=/security")
        self.browsers_notice = (
            "No other browser was signed in."
            if ended == 0
            else f"Signed out {ended} other browser{'s' if ended != 1 else ''}."
        )
        await self._refresh()

    @rx.event
    async def load(self):
        self.browsers_notice = self.delete_notice = self.delete_error = self.delete_step = ""
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
            await password_change.set_password_async(
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
