"""/: the signed-in home page."""

import reflex as rx

from portal_app.components.shell import portal_frame
from portal_app.states.session import SessionState


def home_page() -> rx.Component:
    return portal_frame(
        rx.heading(f"Welcome, {SessionState.full_name}", as_="h1", size="7"),
        rx.text("You are signed in to ", SessionState.business_name, "."),
    )
