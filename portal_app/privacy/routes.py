"""The data download's link: the zip, for the account it was made for, signed in."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from portal_app.apps.http import FILE_HEADERS, signed_in_account
from portal_app.privacy import data_export


async def download(request: Request) -> Response:
    token = request.query_params.get("t", "")
    account_id = await signed_in_account(request)
    if account_id is None:
        here = f"{data_export.DOWNLOAD_PATH}?{urlencode({'t': token})}"
        return RedirectResponse(f"/login?{urlencode({'next': here})}", status_code=303)
    path = await asyncio.to_thread(data_export.download_path, token, account_id)
    if path is None:
        return Response(
            "This download link has expired, was for another account, or is not a link of ours. "
            "Ask for a new download on your Security page.",
            status_code=404,
            media_type="text/plain; charset=utf-8",
            headers=FILE_HEADERS,
        )
    headers = {**FILE_HEADERS, "Cache-Control": "no-store"}
    return FileResponse(path, media_type="application/zip", filename="my-data.zip", headers=headers)


def routes() -> list[Route]:
    return [Route(data_export.DOWNLOAD_PATH, download, methods=["GET"])]
