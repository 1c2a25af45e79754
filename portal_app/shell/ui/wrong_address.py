"""What a person sees when a page of the portal is opened at another address than PORTAL_PUBLIC_URL.

The event websocket only accepts pages of the public URL's origin (rxconfig's cors_allowed_origins), so a
page opened at, say, http://127.0.0.1:3000 while the portal is set up for http://localhost:3000 loads but
can never talk to the server. Reflex's own toast then says only that it cannot connect. This notice (an
overlay on every page, wired in rxconfig.py as `extra_overlay_function`) appears in that case alone:
the connection failed AND the page's origin is not the public one. It says where to go, and what the
person running the portal sets. It is rendered in the browser only (nothing at build time knows the
address a page will be opened at), so the prerendered pages never carry it.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors

from portal_app.kernel.settings import get_settings
from portal_app.kernel.web.origin import origin_of

# The origin the page was opened at (empty while prerendering, where there is no window).
PAGE_ORIGIN = rx.Var(_js_expr="(typeof window === 'undefined' ? '' : window.location.origin)").to(str)


def wrong_address_notice() -> rx.Component:
    public_url = get_settings().public_url
    public_origin = origin_of(public_url) or public_url
    return rx.cond(
        has_connection_errors & (PAGE_ORIGIN != "") & (PAGE_ORIGIN != public_origin),
        rx.box(
            rx.heading("Open the portal at its own address", size="4", as_="h2"),
            rx.text(
                "This page is open at ",
                rx.code(PAGE_ORIGIN),
                ", but the portal only answers pages opened at ",
                rx.code(public_origin),
                ", so nothing here can work.",
            ),
            rx.link("Go to " + public_url, href=public_url, weight="bold"),
            rx.text(
                "Running this portal? Set PORTAL_PUBLIC_URL to the address people open, then restart it.",
                size="2",
                color_scheme="gray",
            ),
            id="wrong-address",
            role="alert",
            position="fixed",
            top="16px",
            left="50%",
            transform="translateX(-50%)",
            z_index="9999",
            width="min(560px, calc(100vw - 32px))",
            padding="16px",
            border_radius="12px",
            background="var(--color-panel-solid)",
            border="1px solid var(--red-7)",
            box_shadow="0 8px 24px rgba(0, 0, 0, 0.18)",
        ),
    )
