"""/certificates/[code]: a certificate anyone with the link can open and check, with its PDF."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.courses.ui.certificate_state import CertificateState as State


def _certificate() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(State.issuer, size="3", weight="medium", color_scheme="gray", text_transform="uppercase"),
            rx.heading("Certificate of Completion", as_="h1", size="8", color_scheme="indigo"),
            rx.text("This certifies that", color_scheme="gray"),
            rx.heading(State.recipient_name, as_="h2", size="7", class_name="certificate-name"),
            rx.text("completed the course", color_scheme="gray"),
            rx.heading(State.course_title, as_="h2", size="6", class_name="certificate-course"),
            rx.text("on ", rx.el.strong(State.issued_on), class_name="certificate-date"),
            rx.divider(),
            rx.hstack(
                rx.icon("badge-check", color="var(--green-10)", aria_hidden="true", flex_shrink="0"),
                rx.text(
                    "Verified: issued by ",
                    State.issuer,
                    " through its client portal. Certificate ID ",
                    rx.code(State.code),
                    ".",
                    size="2",
                ),
                align="center",
                spacing="2",
            ),
            # The PDF comes from one of the app's HTTP routes, not a page: the browser fetches it as a file.
            rx.button(
                rx.icon("download", size=16, aria_hidden="true"),
                "Download PDF",
                size="3",
                on_click=rx.download(url=State.pdf_href, filename="certificate.pdf"),
            ),
            spacing="3",
            align="center",
            text_align="center",
            width="100%",
            padding_y="16px",
        ),
        size="4",
        width="100%",
    )


def certificate_page() -> rx.Component:
    return rx.cond(
        State.missing,
        rx.vstack(
            rx.heading("No certificate here", as_="h1", size="7"),
            rx.text("There is no certificate with that code. Check the link you were given."),
            spacing="3",
        ),
        rx.cond(State.code != "", _certificate(), rx.center(rx.spinner(size="3"), min_height="40vh", width="100%")),
    )
