"""/verify: enter the emailed code. Works after a reload or in a new tab (the signup is in a cookie)."""

import reflex as rx
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData

from portal_app.accounts.ui.signup_state import VerifyState
from portal_app.shell.ui.forms import field, notice, submit_button
from portal_app.shell.ui.layout import auth_frame
from portal_app.shell.ui.pages import page

RESEND_READY = "You can ask for a new code now."


def _resend_seconds_left() -> rx.Var[int]:
    """Seconds until "Resend code" opens, counted down in the browser from the server's last count.

    The server sends how long to wait (and a serial that changes with each count); the browser ticks
    once a second until zero with its own clock, so no handler runs per tick and the browser's clock
    being wrong does not matter. The server still refuses a code sent too soon.
    """
    wait, serial = str(VerifyState.resend_wait), str(VerifyState.resend_serial)
    name = "resend_seconds_left"
    hook = f"""const [{name}, set_{name}] = useState({wait});
useEffect(() => {{
  const ends_at = Date.now() + {wait} * 1000;
  const tick = () => {{
    const left = Math.max(0, Math.ceil((ends_at - Date.now()) / 1000));
    set_{name}(left);
    return left;
  }};
  if (tick() === 0) return undefined;
  const timer = setInterval(() => {{ if (tick() === 0) clearInterval(timer); }}, 1000);
  return () => clearInterval(timer);
}}, [{wait}, {serial}]);"""
    depends_on = VarData.merge(
        VerifyState.resend_wait._get_all_var_data(), VerifyState.resend_serial._get_all_var_data()
    )
    return rx.Var(
        _js_expr=name,
        _var_data=VarData(
            hooks={hook: depends_on}, imports={"react": [ImportVar(tag="useState"), ImportVar(tag="useEffect")]}
        ),
    ).to(int)


def _resend_button() -> rx.Component:
    seconds_left = _resend_seconds_left()
    return rx.fragment(
        rx.button(
            rx.cond(seconds_left > 0, f"Resend code in {seconds_left} s", "Resend code"),
            type="button",
            variant="soft",
            size="3",
            width="100%",
            disabled=seconds_left > 0,
            on_click=VerifyState.resend,
        ),
        # Said once, politely, when a wait ends; the ticking label itself is not announced.
        rx.el.p(
            rx.cond((VerifyState.resend_wait > 0) & (seconds_left == 0), RESEND_READY, ""),
            aria_live="polite",
            id="resend-status",
            class_name="sr-only",
        ),
    )


def _verify_form() -> rx.Component:
    return rx.vstack(
        rx.text(
            "We sent a 6-digit code to ",
            rx.el.strong(VerifyState.email),
            ". Check your spam or junk folder too. The code expires in ",
            VerifyState.code_minutes,
            " minutes.",
            id="verify-instructions",
        ),
        notice(VerifyState.notice),
        rx.form(
            rx.vstack(
                field(
                    "Verification code",
                    "code",
                    error=VerifyState.code_error,
                    autocomplete="one-time-code",
                    input_mode="numeric",
                    max_length=6,
                ),
                submit_button("Verify", busy=VerifyState.busy),
                spacing="4",
                width="100%",
            ),
            on_submit=VerifyState.verify,
            no_validate=True,
            reset_on_submit=True,
            width="100%",
        ),
        _resend_button(),
        spacing="4",
        width="100%",
        align="stretch",
    )


def _missing() -> rx.Component:
    return rx.vstack(
        rx.text("There is no signup waiting for a code in this browser. It may have expired or already be complete."),
        rx.hstack(rx.link("Sign up", href="/signup"), rx.text("or"), rx.link("Log in", href="/login"), spacing="2"),
        spacing="3",
    )


@page("/verify", "Verify your email", on_load=VerifyState.load)
def verify_page() -> rx.Component:
    return auth_frame(
        "Verify your email",
        rx.match(
            VerifyState.status,
            ("found", _verify_form()),
            ("missing", _missing()),
            rx.center(rx.spinner(size="3")),
        ),
    )
