"""The public certificate page's state: what the code in the URL certifies, for anyone (signed out too).

It reads only the certificate named by the URL's code: nothing about whoever is looking.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.apps.courses import certificates
from portal_app.apps.registry import match_route
from portal_app.shell.ui.base_state import PortalState

CERTIFICATE_ROUTE = f"{certificates.CERTIFICATES_ROUTE}/[code]"


class CertificateState(PortalState):
    code: str = ""
    recipient_name: str = ""
    course_title: str = ""
    issuer: str = ""
    issued_on: str = ""
    pdf_href: str = ""
    missing: bool = False

    @rx.event
    async def load_certificate(self):
        self.code = self.recipient_name = self.course_title = self.issuer = self.issued_on = self.pdf_href = ""
        self.missing = False
        code = (match_route(CERTIFICATE_ROUTE, self.router.url.path) or {}).get("code", "")
        try:
            view = await asyncio.to_thread(certificates.certificate, code)
        except LookupError:
            self.missing = True
            return
        self.code = view.code
        self.recipient_name = view.recipient_name
        self.course_title = view.course_title
        self.issuer = view.business_name
        self.issued_on = view.issued_on
        self.pdf_href = f"/api/apps/courses/certificates/{view.code}.pdf"
