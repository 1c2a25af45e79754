"""Membership Courses' HTTP routes, under /api/apps/courses/:

- GET certificates/<code>.pdf: a certificate as a PDF, for anyone with its code (like its page);
- GET covers/<name>: a course's cover image, for staff and for accounts that may open the app;
- GET attachments/<id>: a lesson's file, as a download, for people the lesson is open to now (and
  for staff and instructors, who edit it);
- GET videos/<lesson id>: a lesson's uploaded video (with Range requests, for seeking), likewise.

Every file answer says what the file is (sniffed when it was uploaded), forbids other readings of it
(nosniff) and runs nothing it might contain (a sandbox CSP).
"""

from __future__ import annotations

import asyncio
import functools

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal_app.apps.courses import certificates, course_files
from portal_app.apps.courses.progress import APP_KEY
from portal_app.apps.http import account_with_access, file_response, staff_member
from portal_app.kernel.settings import get_settings

INSTRUCTOR = "instructor"


@functools.lru_cache(maxsize=256)
def _pdf(code: str) -> bytes:
    """A certificate's PDF; kept for the recent codes, since a certificate never changes once issued
    (drawing one costs ~0.1 s of CPU, and the link is public). Unknown codes raise and are not kept."""
    view = certificates.certificate(code)
    return certificates.certificate_pdf(
        view, f"{get_settings().public_url}{certificates.CERTIFICATES_ROUTE}/{view.code}"
    )


async def certificate_pdf(request: Request) -> Response:
    code = request.path_params["code"]
    try:
        body = await asyncio.to_thread(_pdf, code)
    except LookupError:
        return PlainTextResponse("There is no certificate with that code.", status_code=404)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{code}.pdf"',
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
        },
    )


_NOT_FOUND = "There is no such file, or it is not open to you."


async def _editor(request: Request) -> bool:
    """Staff, or an account with the app's instructor role: they see files of drafts and locked lessons too."""
    if await staff_member(request) is not None:
        return True
    return await account_with_access(request, APP_KEY, role=INSTRUCTOR) is not None


async def cover(request: Request) -> Response:
    if await staff_member(request) is None and await account_with_access(request, APP_KEY) is None:
        return PlainTextResponse(_NOT_FOUND, status_code=404)
    try:
        return file_response(await asyncio.to_thread(course_files.cover, request.path_params["name"]))
    except LookupError:
        return PlainTextResponse(_NOT_FOUND, status_code=404)


async def _lesson_file(request: Request, for_member, for_editor) -> Response:
    item = request.path_params["id"]
    try:
        if await _editor(request):
            return file_response(await asyncio.to_thread(for_editor, item))
        account_id = await account_with_access(request, APP_KEY)
        if account_id is None:
            return PlainTextResponse(_NOT_FOUND, status_code=404)
        return file_response(await asyncio.to_thread(for_member, account_id, item))
    except LookupError:
        return PlainTextResponse(_NOT_FOUND, status_code=404)


async def attachment(request: Request) -> Response:
    return await _lesson_file(request, course_files.attachment_for_member, course_files.attachment_for_editor)


async def video(request: Request) -> Response:
    return await _lesson_file(request, course_files.video_for_member, course_files.video_for_editor)


def routes() -> list[Route]:
    return [
        Route("/certificates/{code}.pdf", certificate_pdf, methods=["GET"]),
        Route("/covers/{name}", cover, methods=["GET"]),
        Route("/attachments/{id:int}", attachment, methods=["GET"]),
        Route("/videos/{id:int}", video, methods=["GET"]),
    ]
