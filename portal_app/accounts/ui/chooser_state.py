"""/accounts: pick which account to enter when one sign-in matched several on the same email."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.accounts import choices, tickets
from portal_app.kernel.errors import FieldError
from portal_app.kernel.tokens import presented_token
from portal_app.shell.ui.base_state import PortalState, parse_id
from portal_app.shell.ui.formatting import account_rows


class AccountChoiceState(PortalState):
    # "checking", then "open" or "missing".
    status: str = "checking"
    email: str = ""
    accounts: list[dict[str, str]] = []
    remember: bool = False
    error: str = ""

    def _choice_token(self) -> str | None:
        token = self._cookie(tickets.CHOICE_COOKIE)
        return presented_token(token)

    @rx.event
    async def load(self):
        self.error = ""
        self.remember = False
        await self._load_business_name()
        token = self._choice_token()
        view = await asyncio.to_thread(choices.choice_view, token) if token else None
        if view is None:
            self.status, self.email, self.accounts = "missing", "", []
            return
        self.status, self.email = "open", view.email
        self.accounts = account_rows(view.accounts)

    @rx.event
    def set_remember(self, value: bool):
        self.remember = value is True

    @rx.event
    async def choose(self, account_id: str):
        self.error = ""
        token = self._choice_token()
        if token is None:
            self.status = "missing"
            return
        try:
            chosen = parse_id(account_id)
            if chosen is None:
                raise FieldError("account", "Choose one of the accounts listed.")
            ticket = await asyncio.to_thread(choices.choose_account, token, chosen, remember=self.remember)
        except FieldError as error:
            self.error = error.message
            return
        return await self._through_ticket(ticket)
