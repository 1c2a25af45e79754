"""Communities' HTTP routes, under /api/apps/communities/:

- GET images/<post id>: a post's image, for people who may read the post, and for staff;
- GET covers/<group slug>: a group's cover, for accounts that may open the app, and for staff.

Files are answered by the SDK's file_response (sniffed kind, nosniff, a sandbox CSP). Every refusal
is the same 404, so a URL says nothing of what exists.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal_app.apps.communities import images
from portal_app.apps.communities.groups import APP_KEY
from portal_app.apps.http import account_with_access, file_response, staff_member

_NOT_FOUND = "There is no such image, or it is not open to you."


async def post_image(request: Request) -> Response:
    post_id = request.path_params["id"]
    try:
        if await staff_member(request) is not None:
            return file_response(await asyncio.to_thread(images.post_image_for_staff, post_id))
        account_id = await account_with_access(request, APP_KEY)
        if account_id is None:
            raise LookupError("not signed in with the app")
        return file_response(await asyncio.to_thread(images.post_image, account_id, post_id))
    except LookupError:
        return PlainTextResponse(_NOT_FOUND, status_code=404)


async def cover(request: Request) -> Response:
    if await staff_member(request) is None and await account_with_access(request, APP_KEY) is None:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    try:
        return file_response(await asyncio.to_thread(images.cover, request.path_params["slug"]))
    except LookupError:
        return PlainTextResponse(_NOT_FOUND, status_code=404)


def routes() -> list[Route]:
    return [
        Route("/images/{id:int}", post_image, methods=["GET"]),
        Route("/covers/{slug}", cover, methods=["GET"]),
    ]
