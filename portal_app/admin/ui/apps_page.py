"""The owner's pages of child apps: each app's own admin pages in the admin frame, and the settings page
made from the app's declared settings."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal_app.admin.ui.apps_state import AppSettingsAdminState as State
from portal_app.admin.ui.frame import admin_frame
from portal_app.apps.registry import ChildApp, Setting
from portal_app.shell.ui.forms import notice


def _error(setting: Setting) -> rx.Component:
    return rx.text(
        State.errors[setting.key],
        id=f"{setting.key}-error",
        size="2",
        color_scheme="red",
        role="alert",
        aria_live="polite",
    )


def _hint(setting: Setting) -> rx.Component:
    return (
        rx.text(setting.help, id=f"{setting.key}-hint", size="2", color_scheme="gray")
        if setting.help
        else rx.fragment()
    )


def _described_by(setting: Setting) -> str:
    return f"{setting.key}-hint {setting.key}-error" if setting.help else f"{setting.key}-error"


def _setting_field(setting: Setting) -> rx.Component:
    value = State.values[setting.key]
    invalid = rx.cond(State.errors[setting.key] != "", "true", "false")
    if setting.kind == "bool":
        control = rx.checkbox(setting.label, name=setting.key, default_checked=value == "on", size="2")
        return rx.vstack(control, _hint(setting), _error(setting), spacing="1")
    if setting.kind == "choice":
        control = rx.el.select(
            *(rx.el.option(choice, value=choice) for choice in setting.choices),
            id=setting.key,
            name=setting.key,
            default_value=value,
            aria_describedby=_described_by(setting),
            class_name="portal-select",
        )
    else:
        control = rx.input(
            id=setting.key,
            name=setting.key,
            type="number" if setting.kind == "int" else "text",
            default_value=value,
            min=setting.minimum,
            max=setting.maximum,
            max_length=None if setting.kind == "int" else setting.max_length,
            aria_describedby=_described_by(setting),
            aria_invalid=invalid,
            size="3",
            width="100%",
        )
    return rx.vstack(
        rx.el.label(setting.label, html_for=setting.key, class_name="portal-label"),
        control,
        _hint(setting),
        _error(setting),
        spacing="1",
        width="100%",
        align="stretch",
    )


def app_settings_page(app: ChildApp) -> Callable[[], rx.Component]:
    """The settings page of one app, from its declaration."""

    def page() -> rx.Component:
        return admin_frame(
            app.title,
            rx.heading(f"{app.title}: settings", as_="h1", size="7"),
            notice(State.notice),
            rx.cond(
                State.loaded,
                rx.form(
                    rx.vstack(
                        *(_setting_field(setting) for setting in app.settings),
                        rx.button("Save settings", type="submit", size="3"),
                        spacing="4",
                        width="100%",
                        max_width="640px",
                    ),
                    key=State.form_version,
                    on_submit=lambda form_data: State.save(app.key, form_data),
                    no_validate=True,
                    width="100%",
                ),
            ),
        )

    page.__name__ = f"admin_{app.key}_settings_page"
    return page


def app_admin_page(app: ChildApp, content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """An app's own admin page inside the admin frame, its menu entry marked."""

    def page() -> rx.Component:
        return admin_frame(app.title, content())

    page.__name__ = f"admin_{app.key}_{content.__name__}"
    return page
