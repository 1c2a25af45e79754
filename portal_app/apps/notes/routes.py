"""GET /api/apps/notes/download: the signed-in person's notes as a text file (only with Notes open to them)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal_app.apps.http import account_with_access
from portal_app.apps.notes import service


async def download(request: Request) -> Response:
    account_id = await account_with_access(request, service.APP_KEY)
    if account_id is None:
        return PlainTextResponse("Sign in, with Notes open to your account, to download your notes.", status_code=403)
    notes = await asyncio.to_thread(service.list_notes, account_id, limit=None)
    body = "\n\n".join(f"{note.created_at:%Y-%m-%d %H:%M} UTC\n{note.text}" for note in notes) or "No notes yet."
    return PlainTextResponse(
        body + "\n",
        headers={
            "Content-Disposition": 'attachment; filename="notes.txt"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def routes() -> list[Route]:
    return [Route("/download", download, methods=["GET"])]
