"""/admin/settings: the business's settings form."""

from __future__ import annotations

import reflex as rx

from portal_app.admin.ui.frame import admin_frame
from portal_app.admin.ui.settings_state import AdminSettingsState
from portal_app.admin.ui.settings_state import AdminSettingsState as State
from portal_app.apps import registry
from portal_app.business import service as business
from portal_app.profile.choices import time_zone_suggestions
from portal_app.shell.ui.forms import field, notice
from portal_app.shell.ui.pages import page


def _error(key: str) -> rx.Component:
    return rx.text(State.errors[key], id=f"{key}-error", size="2", color_scheme="red", role="alert", aria_live="polite")


def _flag(key: str, label: str, hint: str, checked) -> rx.Component:
    return rx.vstack(
        rx.checkbox(label, name=key, default_checked=checked, size="2"),
        rx.text(hint, size="2", color_scheme="gray"),
        _error(key),
        spacing="1",
    )


def _choices(key: str, legend: str, choices: dict[str, str], chosen, hint: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, class_name="portal-label"),
        rx.text(hint, size="2", color_scheme="gray"),
        rx.flex(
            *(
                rx.checkbox(title, name=f"{key}.{choice}", default_checked=chosen.contains(choice))
                for choice, title in choices.items()
            ),
            wrap="wrap",
            style={"columnGap": "24px", "rowGap": "10px"},
            padding_y="6px",
        ),
        _error(key),
        style={"border": "none", "padding": 0, "margin": 0},
    )


def _landing_app() -> rx.Component:
    return rx.vstack(
        rx.el.label("Default landing app", html_for="default_landing_app", class_name="portal-label"),
        rx.select.root(
            rx.select.trigger(id="default_landing_app", aria_describedby="default_landing_app-error"),
            rx.select.content(
                rx.select.item("Home", value=business.HOME),
                *(rx.select.item(title, value=key) for key, title in registry.app_choices().items()),
            ),
            name="default_landing_app",
            default_value=State.default_landing_app,
        ),
        rx.text("Where a client goes after signing in.", size="2", color_scheme="gray"),
        _error("default_landing_app"),
        spacing="1",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Branding", as_="h2", size="5"),
            field("Business name", "name", error=State.errors["name"], default_value=State.name, max_length=200),
            field(
                "Logo URL",
                "logo_url",
                error=State.errors["logo_url"],
                default_value=State.logo_url,
                hint="An https:// address or a path on this site, like /logo.png. Leave empty for none.",
                max_length=500,
            ),
            rx.hstack(
                field(
                    "Brand colour",
                    "brand_color",
                    error=State.errors["brand_color"],
                    default_value=State.brand_color,
                    hint="# and six hexadecimal digits, like #3e63dd.",
                    max_length=7,
                ),
                rx.box(
                    width="40px",
                    height="40px",
                    border_radius="8px",
                    background=State.brand_color,
                    aria_hidden="true",
                    flex_shrink="0",
                ),
                align="center",
                width="100%",
            ),
            field(
                "Support email",
                "support_email",
                error=State.errors["support_email"],
                default_value=State.support_email,
                input_type="email",
                hint="Shown to clients who need help. Leave empty for none.",
                max_length=320,
            ),
            rx.heading("Accounts", as_="h2", size="5"),
            _flag(
                "allow_duplicate_contacts",
                "Allow several accounts on one email",
                "Off: one account per email. On: every verified signup makes its own account.",
                State.allow_duplicate_contacts,
            ),
            _flag(
                "magic_links_enabled",
                "Send sign-in links with login codes",
                "Emails carry a one-click sign-in link next to the code.",
                State.magic_links_enabled,
            ),
            _choices(
                "required_profile_fields",
                "Required profile fields",
                business.PROFILE_FIELDS,
                State.required_profile_fields,
                "Clients fill these in before any app opens.",
            ),
            rx.heading("Apps", as_="h2", size="5"),
            _choices(
                "enabled_apps",
                "Enabled apps",
                registry.app_choices(),
                State.enabled_apps,
                "The apps this portal offers.",
            ),
            _choices(
                "apps_for_everyone",
                "Apps for everyone",
                registry.app_choices(),
                State.apps_for_everyone,
                "Every client may open these without a grant of their own (when enabled).",
            ),
            _landing_app(),
            rx.heading("Dates", as_="h2", size="5"),
            field(
                "Business time zone",
                "time_zone",
                error=State.errors["time_zone"],
                default_value=State.time_zone,
                hint="Dates you set, such as the day a lesson unlocks, start at midnight here. Like Europe/London.",
                max_length=64,
                custom_attrs={"list": "business-time-zones"},
            ),
            rx.el.datalist(*(rx.el.option(value=zone) for zone in time_zone_suggestions()), id="business-time-zones"),
            rx.button("Save settings", type="submit", size="3"),
            spacing="4",
            width="100%",
            max_width="640px",
        ),
        key=State.form_version,
        on_submit=State.save,
        no_validate=True,
        width="100%",
    )


@page("/admin/settings", "Admin: settings", on_load=AdminSettingsState.load, admin_menu="Settings", menu_order=30)
def admin_settings_page() -> rx.Component:
    return admin_frame(
        "Settings",
        rx.heading("Business settings", as_="h1", size="7"),
        notice(State.notice),
        rx.cond(State.loaded, _form()),
    )
