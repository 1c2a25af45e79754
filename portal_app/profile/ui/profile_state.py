"""/profile and the home banner: thin states over portal_app.profile.service and email_change.

Who is asking comes from the HttpOnly session cookie, checked again by the service in every
handler; nothing the client sends names an account.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import reflex as rx

from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.profile import email_change, service
from portal_app.shell.ui.base_state import PortalState, form_text
from portal_app.shell.ui.session_state import SessionState

if TYPE_CHECKING:
    from portal_app.apps.access import Principal

LOGIN_FOR_PROFILE = "/login?next=/profile"
CHECKED = "on"
# Every field of the form that can carry a message, by name.
FORM_FIELDS = (
    "full_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "country",
    "time_zone",
    "language",
    "email_notifications",
)


class ProfileState(PortalState):
    # True once the signed-in person's profile was read on this page load.
    loaded: bool = False
    # Bumped whenever stored values are (re)loaded: the form remounts with them as its defaults.
    form_key: int = 0
    full_name: str = ""
    email: str = ""
    phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    time_zone: str = ""
    language: str = ""
    # One row per app with email notifications: key, title, field (the checkbox name), checked ("on" or "").
    notification_rows: list[dict[str, str]] = []
    # Labels of the required fields still empty.
    missing: list[str] = []
    # The app the person was sent here from (?needed_for=<key>): its title and entry page.
    needed_for: str = ""
    needed_for_route: str = ""
    pending_email: str = ""
    # What this browser's email change asks for next: "password", "current_code", "new_code" ("" without one).
    email_step: str = ""
    notice: str = ""
    busy: bool = False
    full_name_error: str = ""
    email_error: str = ""
    phone_error: str = ""
    address_line1_error: str = ""
    address_line2_error: str = ""
    city_error: str = ""
    postal_code_error: str = ""
    country_error: str = ""
    time_zone_error: str = ""
    language_error: str = ""
    email_notifications_error: str = ""
    code_error: str = ""
    code_notice: str = ""
    code_busy: bool = False
    current_password_error: str = ""
    current_code_error: str = ""

    @rx.var
    def missing_text(self) -> str:
        return ", ".join(self.missing)

    def _clear_messages(self) -> None:
        for name in FORM_FIELDS:
            setattr(self, f"{name}_error", "")
        self.notice = self.code_error = self.code_notice = ""
        self.current_password_error = self.current_code_error = ""

    def _forget(self) -> None:
        """Show nothing of anyone's profile (signed out, or the account is gone)."""
        self.loaded = False
        self.full_name = self.email = self.phone = ""
        self.address_line1 = self.address_line2 = self.city = self.postal_code = self.country = ""
        self.time_zone = self.language = self.pending_email = self.email_step = ""
        self.notification_rows = []
        self.missing = []

    async def _refresh(self) -> bool:
        """Read the signed-in account's profile again; False (and nothing shown) when there is none."""
        signed_in = await self._signed_in()
        page = (
            await asyncio.to_thread(service.page_view, signed_in.account_id, signed_in.id)
            if signed_in is not None
            else None
        )
        if page is None:
            self._forget()
            return False
        titles = await asyncio.to_thread(service.notification_apps)
        profile = page.profile
        address = profile.address
        self.full_name, self.email, self.phone = profile.full_name, profile.email, profile.phone
        self.address_line1 = address.line1 if address else ""
        self.address_line2 = address.line2 if address else ""
        self.city = address.city if address else ""
        self.postal_code = address.postal_code if address else ""
        self.country = address.country if address else ""
        self.time_zone, self.language = profile.time_zone, profile.language
        self.notification_rows = [
            {
                "key": key,
                "title": title,
                "field": service.notification_field(key),
                "checked": CHECKED if profile.wants_email_from(key) else "",
            }
            for key, title in titles.items()
        ]
        self.missing = list(page.missing)
        self.pending_email = page.pending_email or ""
        self.email_step = page.email_step or ""
        self.loaded = True
        self.form_key += 1
        return True

    async def _signed_out(self):
        self._forget()
        return rx.redirect(LOGIN_FOR_PROFILE)

    @rx.event
    async def load(self):
        """on_load of /profile, after SessionState.require_account."""
        self._clear_messages()
        self.busy = self.code_busy = False
        needed_for = self.router.url.query_parameters.get("needed_for", "")
        self.needed_for = await asyncio.to_thread(service.app_title, needed_for) or ""
        self.needed_for_route = (
            (await asyncio.to_thread(service.app_route, needed_for) or "") if self.needed_for else ""
        )
        await self._refresh()

    @rx.event
    async def save(self, form_data: dict):
        self._clear_messages()
        signed_in = await self._signed_in()
        if signed_in is None:
            yield await self._signed_out()
            return
        self.busy = True
        yield
        try:
            result = await asyncio.to_thread(
                service.save_profile, signed_in, form_data, ip=self._client_ip(), user_agent=self._user_agent()
            )
        except FormErrors as refused:
            for name, message in refused.errors.items():
                if name in FORM_FIELDS:
                    setattr(self, f"{name}_error", message)
            self.notice = ""
            return
        except PermissionError:
            yield await self._signed_out()
            return
        finally:
            self.busy = False
        if not await self._refresh():
            yield await self._signed_out()
            return
        await self._update_top_bar()
        if result.email_step == email_change.STEP_PASSWORD:
            self.notice = "Your profile was saved. To change your email, confirm it's you with your current password."
        elif result.email_step == email_change.STEP_CURRENT_CODE:
            self.notice = (
                "Your profile was saved. To change your email, first enter the code we sent to your current address."
            )
        else:
            self.notice = "Your profile was saved."

    async def _update_top_bar(self) -> None:
        session_state = await self.get_state(SessionState)
        session_state.full_name, session_state.email = self.full_name, self.email

    @rx.event
    async def confirm_email(self, form_data: dict):
        self._clear_messages()
        signed_in = await self._signed_in()
        if signed_in is None:
            yield await self._signed_out()
            return
        self.code_busy = True
        yield
        try:
            new_email = await asyncio.to_thread(
                email_change.confirm,
                signed_in,
                form_text(form_data, "code"),
                ip=self._client_ip(),
                user_agent=self._user_agent(),
            )
        except FieldError as error:
            self.code_error = error.message
            if error.message == email_change.CANNOT_CHANGE:
                self.pending_email = self.email_step = ""
                self.email_error = error.message
            return
        except PermissionError:
            yield await self._signed_out()
            return
        finally:
            self.code_busy = False
        if not await self._refresh():
            yield await self._signed_out()
            return
        await self._update_top_bar()
        self.notice = (
            f"Your email is now {new_email}. We told your old address about the change, "
            "with a link to undo it if it wasn't you."
        )

    @rx.event
    async def confirm_identity(self, form_data: dict):
        """The step before the code to the new address: the current password, or the code sent to the current address."""
        self._clear_messages()
        signed_in = await self._signed_in()
        if signed_in is None:
            yield await self._signed_out()
            return
        # Whether it is taken as a password or a code is the service's choice (the account has a password or not).
        secret = form_text(form_data, "current_password") or form_text(form_data, "current_code")
        self.code_busy = True
        yield
        try:
            proof = await asyncio.to_thread(email_change.prove_identity, signed_in, secret, ip=self._client_ip())
        except FieldError as error:
            if error.field == "current_password":
                self.current_password_error = error.message
            else:
                self.current_code_error = error.message
            if error.message == email_change.NO_CHANGE_WAITING:
                await self._refresh()
            return
        except PermissionError:
            yield await self._signed_out()
            return
        finally:
            self.code_busy = False
        if not await self._refresh():
            yield await self._signed_out()
            return
        if proof.code_problem:
            self.code_error = proof.code_problem
        else:
            self.code_notice = f"Thank you. We sent a code to {proof.new_email}: enter it below."

    @rx.event
    async def resend_identity_code(self):
        self._clear_messages()
        signed_in = await self._signed_in()
        if signed_in is None:
            return await self._signed_out()
        try:
            sent_to = await asyncio.to_thread(email_change.resend_identity_code, signed_in, ip=self._client_ip())
        except FieldError as error:
            self.current_code_error = error.message
            return
        except PermissionError:
            return await self._signed_out()
        self.code_notice = f"We sent a new code to {sent_to}. Earlier codes no longer work."

    @rx.event
    async def resend_email_code(self):
        self._clear_messages()
        signed_in = await self._signed_in()
        if signed_in is None:
            return await self._signed_out()
        try:
            sent_to = await asyncio.to_thread(email_change.resend_code, signed_in, ip=self._client_ip())
        except FieldError as error:
            self.code_error = error.message
            return
        except PermissionError:
            return await self._signed_out()
        self.code_notice = f"We sent a new code to {sent_to}. Earlier codes no longer work."

    @rx.event
    async def cancel_email_change(self):
        self._clear_messages()
        signed_in = await self._signed_in()
        if signed_in is None:
            return await self._signed_out()
        try:
            await asyncio.to_thread(email_change.cancel, signed_in)
        except PermissionError:
            return await self._signed_out()
        self.pending_email = self.email_step = ""
        self.notice = "Your email stays as it is."


def banner_figures(principal: Principal) -> tuple[list[str], int]:
    """What the banner shows: the required details still missing, and how many the business requires. The
    principal read both with the account (access.Principal), so showing the banner reads nothing more."""
    return list(principal.missing_profile_fields), len(service.required_in(principal.business.required_profile_fields))


class ProfileBannerState(PortalState):
    """The home page's reminder of what is left to fill in."""

    left: int = 0
    required: int = 0
    missing_text: str = ""

    def _show(self, missing: list[str], required: int) -> None:
        """Show banner_figures() (home's load shows them in its own event)."""
        self.left, self.required = len(missing), required
        self.missing_text = ", ".join(missing)

    @rx.event
    async def load(self):
        self._show([], 0)
        principal = await self._principal()
        if principal is None:
            return
        self._show(*banner_figures(principal))
