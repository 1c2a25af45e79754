"""The dev mailbox: read the outbox in a browser while no real email backend is configured.

It answers only to the machine the portal runs on, and only while SENDGRID_API_KEY is unset;
otherwise every page is a plain 404, so a deployed portal does not even reveal it exists.
"""

from __future__ import annotations

import html
import ipaddress

from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from portal_app.email.models import OutboxEmail
from portal_app.email.senders import DEV_MAILBOX
from portal_app.kernel.db import read_session
from portal_app.kernel.settings import get_settings

LIST_LIMIT = 200

# A reverse proxy on the same machine makes every request look local; these say one was used.
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:960px;padding:16px;color:#1f2328}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d0d7de;vertical-align:top}
td.when{white-space:nowrap;color:#57606a}a{color:#0969da}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:12px;border-radius:6px}
iframe{width:100%;height:600px;border:1px solid #d0d7de;border-radius:6px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{color:#57606a}dd{margin:0}
@media (max-width:600px){thead{display:none}tr{display:block;padding:8px 0;border-bottom:1px solid #d0d7de}
td{display:block;border:0;padding:2px 0}td.when{font-size:.9em}}
"""


def is_open_to(request: Request) -> bool:
    """True only with no real backend, for a direct request from this machine."""
    if get_settings().email_backend != DEV_MAILBOX:
        return False
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    return request.client is not None and _is_loopback(request.client.host)


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _not_found() -> Response:
    return Response("Not Found", status_code=404, media_type="text/plain")


def _page(title: str, body: str) -> HTMLResponse:
    document = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return HTMLResponse(document, headers=SECURITY_HEADERS)


def _newest(limit: int, to: str | None = None) -> list[OutboxEmail]:
    with read_session() as session:
        statement = select(OutboxEmail).order_by(col(OutboxEmail.created_at).desc(), col(OutboxEmail.id).desc())
        if to:
            statement = statement.where(OutboxEmail.to_email == to.strip().lower())
        return list(session.exec(statement.limit(limit)))


def _one(email_id: int) -> OutboxEmail | None:
    with read_session() as session:
        return session.get(OutboxEmail, email_id)


def _when(email: OutboxEmail) -> str:
    return email.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")


async def mailbox(request: Request) -> Response:
    """GET /dev/mailbox: every email, newest first."""
    if not is_open_to(request):
        return _not_found()
    emails = await run_in_threadpool(_newest, LIST_LIMIT)
    rows = "\n".join(
        "<tr>"
        f"<td>{html.escape(email.to_email)}</td>"
        f'<td><a href="/dev/mailbox/{email.id}">{html.escape(email.subject)}</a></td>'
        f"<td>{html.escape(email.status)}</td>"
        f'<td class="when">{_when(email)}</td>'
        "</tr>"
        for email in emails
    )
    table = (
        "<table>\n<thead><tr><th>To</th><th>Subject</th><th>Status</th><th>Created</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>"
        if emails
        else "<p>No emails yet.</p>"
    )
    body = (
        "<h1>Dev mailbox</h1>\n"
        "<p>Email is not being delivered (no SENDGRID_API_KEY). Every email the portal writes is kept here.</p>\n"
        f"{table}"
    )
    return _page("Dev mailbox", body)


async def message(request: Request) -> Response:
    """GET /dev/mailbox/{id}: one email, its text part and its HTML part in a sandboxed frame."""
    if not is_open_to(request):
        return _not_found()
    email = await run_in_threadpool(_one, request.path_params["id"])
    if email is None:
        return _not_found()
    details = (
        "<dl>"
        f"<dt>To</dt><dd>{html.escape(email.to_email)}</dd>"
        f"<dt>Subject</dt><dd>{html.escape(email.subject)}</dd>"
        f"<dt>Status</dt><dd>{html.escape(email.status)}</dd>"
        f"<dt>Created</dt><dd>{_when(email)}</dd>"
        "</dl>"
    )
    body = (
        '<p><a href="/dev/mailbox">&larr; All emails</a></p>\n'
        f"<h1>{html.escape(email.subject)}</h1>\n{details}\n"
        f"<h2>Plain text</h2>\n<pre>{html.escape(email.text_body)}</pre>\n"
        # An empty sandbox: no scripts, no forms, no same-origin access to this page.
        f'<h2>HTML</h2>\n<iframe sandbox title="HTML part" srcdoc="{html.escape(email.html_body, quote=True)}"></iframe>'
    )
    return _page(f"{email.subject} - Dev mailbox", body)


async def mailbox_json(request: Request) -> Response:
    """GET /dev/mailbox.json[?to=address]: the same list as data, for browser tests."""
    if not is_open_to(request):
        return _not_found()
    emails = await run_in_threadpool(_newest, LIST_LIMIT, request.query_params.get("to"))
    return JSONResponse(
        [
            {
                "id": email.id,
                "to": email.to_email,
                "subject": email.subject,
                "text_body": email.text_body,
                "created_at": email.created_at.isoformat(),
            }
            for email in emails
        ],
        headers={"Cache-Control": "no-store"},
    )


def routes() -> list[Route]:
    return [
        Route("/dev/mailbox", mailbox, methods=["GET"]),
        Route("/dev/mailbox.json", mailbox_json, methods=["GET"]),
        Route("/dev/mailbox/{id:int}", message, methods=["GET"]),
    ]
