"""/admin/settings: the business's settings, each refused field with its message, nothing stored until all are right."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.admin import business_settings
from portal_app.admin.ui.base_state import AdminState
from portal_app.business import service as business
from portal_app.kernel.errors import FormErrors

NO_ERRORS = dict.fromkeys(business.SETTING_KEYS, "")


class AdminSettingsState(AdminState):
    loaded: bool = False
    name: str = ""
    logo_url: str = ""
    brand_color: str = ""
    support_email: str = ""
    allow_duplicate_contacts: bool = False
    magic_links_enabled: bool = False
    enabled_apps: list[str] = []
    apps_for_everyone: list[str] = []
    required_profile_fields: list[str] = []
    default_landing_app: str = ""
    time_zone: str = ""
    errors: dict[str, str] = NO_ERRORS
    notice: str = ""
    # Changes whenever stored values are loaded, so the form shows them afresh.
    form_version: int = 0

    def _clear_page(self) -> None:
        self.loaded = False
        self.name = self.logo_url = self.brand_color = self.support_email = ""
        self.default_landing_app = self.time_zone = ""
        self.allow_duplicate_contacts = self.magic_links_enabled = False
        self.enabled_apps, self.apps_for_everyone, self.required_profile_fields = [], [], []
        self.errors = dict(NO_ERRORS)
        self.notice = ""

    async def _show_stored(self) -> None:
        try:
            values = await asyncio.to_thread(business_settings.current_settings)
        except LookupError:
            self.notice = "The business has no settings yet: run `portal seed-demo` or start the portal once."
            return
        self.name = values["name"]
        self.logo_url = values["logo_url"]
        self.brand_color = values["brand_color"]
        self.support_email = values["support_email"]
        self.allow_duplicate_contacts = values["allow_duplicate_contacts"]
        self.magic_links_enabled = values["magic_links_enabled"]
        self.enabled_apps = list(values["enabled_apps"])
        self.apps_for_everyone = list(values["apps_for_everyone"])
        self.required_profile_fields = list(values["required_profile_fields"])
        self.default_landing_app = values["default_landing_app"]
        self.time_zone = values["time_zone"]
        self.form_version += 1
        self.loaded = True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff() is None:
            return self._refuse()
        await self._load_business_name()
        await self._show_stored()

    @rx.event
    async def save(self, form_data: dict):
        staff = await self._staff()
        if staff is None:
            return self._refuse()
        self.errors = dict(NO_ERRORS)
        self.notice = ""
        values = business_settings.settings_from_form(form_data)
        try:
            changed = await asyncio.to_thread(business_settings.change_settings, staff.actor, values)
        except FormErrors as refused:
            self.errors = {**NO_ERRORS, **{key: refused.errors[key] for key in refused.errors if key in NO_ERRORS}}
            self.notice = "Nothing was saved. Correct the fields marked below."
            return
        except LookupError:
            self.notice = "The business has no settings yet: run `portal seed-demo` or start the portal once."
            return
        await self._show_stored()
        await self._load_business_name()
        self.notice = "Settings saved." if changed else "Nothing changed."
