"""Small pages the portal's HTTP routes write themselves, outside the Reflex frontend: the "Log out"
confirmation and the page that leaves a signed-out tab. Each carries its own strict CSP (its one
inline style and script, by hash) and is never cached."""

from __future__ import annotations

import html
import json

from starlette.responses import HTMLResponse

from portal_app.kernel.web.csp import standalone_policy

# The sessionStorage key under which Reflex's frontend keeps the tab's client token.
REFLEX_TOKEN_KEY = "token"

_STYLE = (
    "body{margin:0;font-family:system-ui,sans-serif;background:#f8f9fa;color:#1c2024}"
    "main{max-width:420px;margin:12vh auto;padding:32px;background:#fff;border:1px solid #d9d9e0;border-radius:12px}"
    "h1{font-size:1.5rem;margin:0 0 12px}p{line-height:1.5}"
    "button{font:inherit;font-weight:600;width:100%;padding:10px;border:0;border-radius:8px;"
    "background:#3e63dd;color:#fff;cursor:pointer}"
    "button:focus-visible,a:focus-visible{outline:3px solid #1c2024;outline-offset:2px}"
    "a{color:#3451b2}"
)


def _page(title: str, body: str, *, status_code: int = 200, script: str = "") -> HTMLResponse:
    document = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        # The same "page is ready" mark the Reflex pages carry (shell/ui/layout.ready_marker); ready at once.
        '<body><span id="page-ready" data-ready="true" hidden></span>'
        f"<main>{body}</main>{f'<script>{script}</script>' if script else ''}</body></html>\n"
    )
    return HTMLResponse(
        document,
        status_code=status_code,
        headers={
            "Content-Security-Policy": standalone_policy(document),
            "Cache-Control": "no-store",
            "Referrer-Policy": "same-origin",
        },
    )


def confirm_logout_page(action: str, cancel_href: str, *, message: str, status_code: int = 200) -> HTMLResponse:
    """A "Log out" button that POSTs to `action` (the only way a logout happens), and a way back."""
    body = (
        "<h1>Log out</h1>"
        f"<p>{html.escape(message)}</p>"
        f'<form method="post" action="{html.escape(action)}">'
        '<button type="submit" autofocus>Log out</button></form>'
        f'<p><a href="{html.escape(cancel_href)}">Cancel</a></p>'
    )
    return _page("Log out", body, status_code=status_code)


def signed_out_page(destination: str) -> HTMLResponse:
    """After a logout: the tab forgets its Reflex client token (so the next page starts with fresh state and
    nothing the signed-out pages held is sent again), then goes to `destination` without a Back entry."""
    body = f'<h1>You are signed out</h1><p><a href="{html.escape(destination)}">Log in again</a></p>'
    script = (
        f"window.sessionStorage.removeItem({json.dumps(REFLEX_TOKEN_KEY)});"
        f"window.location.replace({json.dumps(destination)});"
    )
    return _page("Signed out", body, script=script)
