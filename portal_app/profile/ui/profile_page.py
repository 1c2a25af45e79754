"""/profile, and the banner home shows while required details are missing."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from portal_app.profile.choices import LANGUAGES, RIGHT_TO_LEFT, countries, time_zone_suggestions
from portal_app.profile.ui.profile_state import ProfileBannerState, ProfileState
from portal_app.shell.ui.forms import field, notice, submit_button
from portal_app.shell.ui.pages import page
from portal_app.shell.ui.portal_frame import portal_frame
from portal_app.shell.ui.session_state import SessionState

TIME_ZONE_OPTIONS_ID = "time-zone-options"
PHONE_HINT = "With the country code, like +44 20 7946 0958, or choose your country under Address."
# Radix Themes' look for the native selects (they keep the phone's own picker and full keyboard use).
_SELECT_STYLE = {
    "height": "var(--space-7)",
    "width": "100%",
    "padding": "0 var(--space-3)",
    "border": "1px solid var(--gray-a7)",
    "borderRadius": "var(--radius-2)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    "fontSize": "var(--font-size-3)",
    "fontFamily": "inherit",
}


def _select_field(
    label: str, name: str, *, error: Var[str], value: Var[str], options: list[rx.Component]
) -> rx.Component:
    """A labelled native select with its error next to it, like field()."""
    error_id = f"{name}-error"
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="portal-label"),
        rx.el.select(
            *options,
            id=name,
            name=name,
            default_value=value,
            aria_describedby=error_id,
            aria_invalid=rx.cond(error != "", "true", "false"),
            style=_SELECT_STYLE,
        ),
        rx.text(error, id=error_id, size="2", color_scheme="red", role="alert", aria_live="polite"),
        spacing="1",
        width="100%",
        align="stretch",
    )


def _country_options() -> list[rx.Component]:
    return [
        rx.el.option("No country", value=""),
        *(rx.el.option(name, value=code) for code, name in countries().items()),
    ]


def _language_options() -> list[rx.Component]:
    return [
        rx.el.option("Choose a language", value=""),
        *(
            rx.el.option(name, value=tag, lang=tag, dir="rtl" if tag in RIGHT_TO_LEFT else "ltr")
            for tag, name in LANGUAGES.items()
        ),
    ]


def _time_zone_options() -> rx.Component:
    return rx.el.datalist(*(rx.el.option(value=zone) for zone in time_zone_suggestions()), id=TIME_ZONE_OPTIONS_ID)


def _group(legend: str, *children: rx.Component, hint: str | None = None) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(legend, class_name="portal-label", style={"padding": "0"}),
        rx.cond(hint is not None, rx.text(hint or "", size="2", color_scheme="gray")),
        rx.vstack(*children, spacing="3", width="100%", padding_top="8px"),
        style={"border": "none", "padding": "0", "margin": "0", "minWidth": "0", "width": "100%"},
    )


def _notification_row(row) -> rx.Component:
    """A checkbox inside its label: the app's title names it."""
    return rx.checkbox(
        row["title"], name=row["field"], id=row["field"], default_checked=row["checked"] == "on", size="3"
    )


def _profile_form() -> rx.Component:
    state = ProfileState
    return rx.form(
        rx.vstack(
            field(
                "Full name",
                "full_name",
                error=state.full_name_error,
                autocomplete="name",
                default_value=state.full_name,
                max_length=100,
            ),
            field(
                "Email",
                "email",
                error=state.email_error,
                input_type="email",
                autocomplete="email",
                hint="To change it, you confirm it's you, then enter a code we send to the new address.",
                default_value=state.email,
                max_length=320,
            ),
            field(
                "Phone",
                "phone",
                error=state.phone_error,
                input_type="tel",
                autocomplete="tel",
                hint=PHONE_HINT,
                default_value=state.phone,
                max_length=40,
            ),
            _group(
                "Address",
                field(
                    "Address line 1",
                    "address_line1",
                    error=state.address_line1_error,
                    autocomplete="address-line1",
                    default_value=state.address_line1,
                    max_length=200,
                ),
                field(
                    "Address line 2",
                    "address_line2",
                    error=state.address_line2_error,
                    autocomplete="address-line2",
                    default_value=state.address_line2,
                    max_length=200,
                ),
                rx.grid(
                    field(
                        "City",
                        "city",
                        error=state.city_error,
                        autocomplete="address-level2",
                        default_value=state.city,
                        max_length=100,
                    ),
                    field(
                        "Postal code",
                        "postal_code",
                        error=state.postal_code_error,
                        autocomplete="postal-code",
                        default_value=state.postal_code,
                        max_length=20,
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    gap="3",
                    width="100%",
                ),
                _select_field(
                    "Country", "country", error=state.country_error, value=state.country, options=_country_options()
                ),
                hint="Optional unless your portal asks for it: street, city and country, plus a postal code where there is one.",
            ),
            field(
                "Time zone",
                "time_zone",
                error=state.time_zone_error,
                hint="Start typing a city, like London or New_York, and pick from the list.",
                default_value=state.time_zone,
                max_length=64,
                custom_attrs={"list": TIME_ZONE_OPTIONS_ID},
            ),
            _time_zone_options(),
            _select_field(
                "Preferred language",
                "language",
                error=state.language_error,
                value=state.language,
                options=_language_options(),
            ),
            _group(
                "Email notifications",
                rx.foreach(state.notification_rows, _notification_row),
                rx.text(
                    state.email_notifications_error,
                    id="email_notifications-error",
                    size="2",
                    color_scheme="red",
                    role="alert",
                ),
                hint="Which apps may email you. Emails about your account and sign-ins always come.",
            ),
            submit_button("Save", busy=state.busy),
            spacing="4",
            width="100%",
        ),
        key=state.form_key,
        id="profile-form",
        on_submit=ProfileState.save,
        no_validate=True,
        reset_on_submit=False,
        width="100%",
    )


def _keep_current_email() -> rx.Component:
    return rx.button("Keep my current email", type="button", variant="ghost", on_click=ProfileState.cancel_email_change)


def _identity_step() -> rx.Component:
    """Before any code goes to the new address: the current password, or a code sent to the current address."""
    state = ProfileState
    asks_password = state.email_step == "password"
    return rx.vstack(
        rx.heading("Confirm it's you", as_="h2", size="4"),
        rx.cond(
            asks_password,
            rx.text(
                "To change your email to ",
                rx.el.strong(state.pending_email),
                ", enter your current password. Then we send a code to the new address.",
                id="email-change-instructions",
            ),
            rx.text(
                "To change your email to ",
                rx.el.strong(state.pending_email),
                ", enter the code we sent to your current address, ",
                rx.el.strong(state.email),
                ". Then we send a code to the new address.",
                id="email-change-instructions",
            ),
        ),
        notice(state.code_notice),
        rx.form(
            rx.vstack(
                rx.cond(
                    asks_password,
                    field(
                        "Current password",
                        "current_password",
                        error=state.current_password_error,
                        input_type="password",
                        autocomplete="current-password",
                        hint="Forgot it? Log out, sign in with an emailed code, then set a new one under Security.",
                        max_length=256,
                        auto_focus=True,
                    ),
                    field(
                        "Code sent to your current email",
                        "current_code",
                        error=state.current_code_error,
                        autocomplete="one-time-code",
                        input_mode="numeric",
                        max_length=12,
                        auto_focus=True,
                    ),
                ),
                submit_button("Continue", busy=state.code_busy),
                spacing="3",
                width="100%",
            ),
            on_submit=ProfileState.confirm_identity,
            no_validate=True,
            reset_on_submit=True,
            width="100%",
        ),
        rx.flex(
            rx.cond(
                ~asks_password,
                rx.button("Send a new code", type="button", variant="soft", on_click=ProfileState.resend_identity_code),
            ),
            _keep_current_email(),
            gap="3",
            wrap="wrap",
            align="center",
        ),
        spacing="3",
        width="100%",
    )


def _new_address_step() -> rx.Component:
    state = ProfileState
    return rx.vstack(
        rx.heading("Confirm your new email", as_="h2", size="4"),
        rx.text(
            "We sent a code to ",
            rx.el.strong(state.pending_email),
            ". Enter it to change your email.",
            id="email-change-instructions",
        ),
        notice(state.code_notice),
        rx.form(
            rx.vstack(
                field(
                    "Code",
                    "code",
                    error=state.code_error,
                    autocomplete="one-time-code",
                    input_mode="numeric",
                    max_length=12,
                    auto_focus=True,
                ),
                submit_button("Confirm email", busy=state.code_busy),
                spacing="3",
                width="100%",
            ),
            on_submit=ProfileState.confirm_email,
            no_validate=True,
            reset_on_submit=True,
            width="100%",
        ),
        rx.flex(
            rx.button("Send a new code", type="button", variant="soft", on_click=ProfileState.resend_email_code),
            _keep_current_email(),
            gap="3",
            wrap="wrap",
            align="center",
        ),
        spacing="3",
        width="100%",
    )


def _email_change() -> rx.Component:
    state = ProfileState
    return rx.cond(
        state.pending_email != "",
        rx.card(
            rx.cond(state.email_step == "new_code", _new_address_step(), _identity_step()),
            id="email-change",
            width="100%",
        ),
    )


def _what_is_missing() -> rx.Component:
    state = ProfileState
    return rx.cond(
        state.needed_for != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("info")),
            rx.vstack(
                rx.heading(f"Complete your profile to open {state.needed_for}", as_="h2", size="3"),
                rx.cond(
                    state.missing.length() > 0,
                    rx.text("Still needed: ", state.missing_text, ".", id="profile-missing"),
                    rx.text(
                        "Your profile is complete. ",
                        rx.cond(
                            state.needed_for_route != "",
                            rx.link(f"Open {state.needed_for}", href=state.needed_for_route),
                            rx.text.span("You can open it now."),
                        ),
                    ),
                ),
                spacing="1",
            ),
            id="profile-needed-for",
            color_scheme="amber",
            role="status",
            width="100%",
        ),
        rx.cond(
            state.missing.length() > 0,
            rx.callout(
                rx.text("To open your apps, fill in: ", state.missing_text, ".", id="profile-missing"),
                icon="info",
                color_scheme="amber",
                role="status",
                width="100%",
            ),
        ),
    )


@page("/profile", "Your profile", on_load=[SessionState.require_account, ProfileState.load])
def profile_page() -> rx.Component:
    return portal_frame(
        rx.heading("Your profile", as_="h1", size="7"),
        rx.cond(
            ProfileState.loaded,
            rx.vstack(
                _what_is_missing(),
                rx.box(notice(ProfileState.notice), id="profile-notice", width="100%"),
                _email_change(),
                rx.card(_profile_form(), size="3", width="100%"),
                spacing="4",
                width="100%",
                max_width="640px",
            ),
            rx.center(rx.spinner(size="3"), width="100%"),
        ),
    )


def profile_banner(*, loads_itself: bool = True) -> rx.Component:
    """How many required details are left, with a link to /profile. Loads itself when shown, unless the page's
    own load fills it (home does: ProfileBannerState._show with banner_figures, one event fewer per visit)."""
    state = ProfileBannerState
    return rx.box(
        rx.cond(
            state.left > 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("user-round-pen")),
                rx.vstack(
                    rx.text(
                        rx.text.strong("Complete your profile to open your apps: "),
                        f"{state.left} of {state.required} details left ({state.missing_text}).",
                    ),
                    rx.link("Complete your profile", href="/profile"),
                    spacing="1",
                ),
                color_scheme="amber",
                role="status",
                width="100%",
            ),
        ),
        id="profile-banner",
        width="100%",
        **({"on_mount": ProfileBannerState.load} if loads_itself else {}),
    )
