"""/profile/undo-email?token=...: the "This wasn't me" link's page. Opening it changes nothing; the button undoes.

Nobody needs to be signed in: the link itself proves the old mailbox. The token comes from the tab's URL,
never from the event's payload, and the service checks it again when the button is pressed.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.kernel.errors import FieldError
from portal_app.kernel.tokens import presented_token
from portal_app.profile import email_revert
from portal_app.shell.ui.base_state import PortalState


class UndoEmailChangeState(PortalState):
    # "checking", then "valid", "used", "expired", "unknown", "taken", and "done" once undone here.
    status: str = "checking"
    old_email: str = ""
    new_email: str = ""
    # Why the link cannot be used (for "used", "expired", "unknown", "taken").
    message: str = ""
    error: str = ""
    busy: bool = False

    def _token(self) -> str:
        return presented_token(self.router.url.query_parameters.get("token", "")) or ""

    @rx.event
    async def load(self):
        """Only reads the link: scanners that open links (even with JavaScript) undo nothing."""
        self.error = ""
        self.busy = False
        await self._load_business_name()
        token = self._token()
        link = await asyncio.to_thread(email_revert.link_status, token) if token else None
        if link is None:
            link = email_revert.LinkStatus(email_revert.LinkState.UNKNOWN, email_revert.LINK_UNKNOWN)
        self.status = link.state.value
        self.message = link.message
        self.old_email, self.new_email = link.old_email, link.new_email

    @rx.event
    async def undo(self):
        if self.status != "valid":
            return
        self.error = ""
        self.busy = True
        yield
        try:
            reverted = await asyncio.to_thread(
                email_revert.revert, self._token(), ip=self._client_ip(), user_agent=self._user_agent()
            )
        except FieldError as error:
            self.error = error.message
            return
        finally:
            self.busy = False
        self.status = "done"
        self.old_email, self.new_email = reverted.old_email, reverted.left_email
