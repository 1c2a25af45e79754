"""GET /api/apps/courses/certificates/<code>.pdf: a certificate as a PDF, for anyone with its code (like its page)."""

from __future__ import annotations

import asyncio
import functools

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal_app.apps.courses import certificates
from portal_app.kernel.settings import get_settings


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


def routes() -> list[Route]:
    return [Route("/certificates/{code}.pdf", certificate_pdf, methods=["GET"])]
