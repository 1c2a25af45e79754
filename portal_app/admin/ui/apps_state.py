"""The owner's pages of child apps (/admin/apps/<key>/...): the staff check for every app admin page, and
the settings page every app with declared settings gets."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.admin import business_settings
from portal_app.admin.staff import StaffView
from portal_app.admin.ui.base_state import AdminState
from portal_app.apps import app_settings, registry
from portal_app.kernel.errors import FormErrors


def _shown(value: object) -> str:
    """A setting's value as the form shows it."""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


class AppAdminState(AdminState):
    """What every app admin page shares. An app's own admin state subclasses it and starts each handler
    with `staff = await self._staff_gate()` (None: the browser is on its way to the sign-in page)."""

    admin_app_key: str = ""
    admin_app_title: str = ""

    async def _staff_gate(self, key: object = None) -> StaffView | None:
        """The signed-in staff member, asked of the database now; None without a live staff session
        (the handler then returns self._refuse(), which clears the tab's admin data and goes to sign-in)."""
        staff = await self._staff()
        if staff is None:
            return None
        app = registry.get_app(key) if key is not None else None
        if app is not None:
            self.admin_app_key, self.admin_app_title = app.key, app.title
        return staff

    @rx.event
    async def open_admin(self, key: str):
        """on_load of every app admin page, before the app's own loader."""
        if await self._staff_gate(key) is None:
            return self._refuse()
        await self._load_business_name()


class AppSettingsAdminState(AppAdminState):
    """/admin/apps/<key>/settings: the app's declared settings, each refused value with its message."""

    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    notice: str = ""
    loaded: bool = False
    form_version: int = 0

    def _clear_page(self) -> None:
        self.values, self.errors, self.notice, self.loaded = {}, {}, "", False

    async def _show_stored(self, key: str) -> None:
        stored = await asyncio.to_thread(app_settings.app_settings, key)
        self.values = {name: _shown(value) for name, value in stored.items()}
        self.errors = dict.fromkeys(stored, "")
        self.form_version += 1
        self.loaded = True

    @rx.event
    async def load(self, key: str):
        self._clear_page()
        if await self._staff_gate(key) is None or registry.get_app(key) is None:
            return self._refuse()
        await self._show_stored(key)

    @rx.event
    async def save(self, key: str, form_data: dict):
        staff = await self._staff_gate(key)
        app = registry.get_app(key)
        if staff is None or app is None:
            return self._refuse()
        data = form_data if isinstance(form_data, dict) else {}
        changes: dict[str, object] = {}
        for setting in app.settings:
            raw = data.get(setting.key)
            changes[setting.key] = (
                business_settings.is_checked(raw) if setting.kind == "bool" else (raw if isinstance(raw, str) else "")
            )
        self.notice = ""
        try:
            changed = await asyncio.to_thread(business_settings.change_app_settings, staff.actor, app.key, changes)
        except FormErrors as refused:
            self.errors = {setting.key: refused.errors.get(setting.key, "") for setting in app.settings}
            self.notice = "Nothing was saved. Correct the fields marked below."
            return
        await self._show_stored(app.key)
        self.notice = "Settings saved." if changed else "Nothing changed."
