"""/admin/audit: every change made in the admin area and with the command line, newest first."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.admin import audit
from portal_app.admin.paging import clean_page_number
from portal_app.admin.ui.base_state import AdminState, when


class AdminAuditState(AdminState):
    loaded: bool = False
    entries: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    total: int = 0

    def _clear_page(self) -> None:
        self.loaded = False
        self.entries = []
        self.page = self.pages = 1
        self.total = 0

    async def _show(self, number: int) -> None:
        found = await asyncio.to_thread(audit.list_entries, number)
        self.entries = [
            {"at": when(row.at), "actor": row.actor, "action": row.action, "target": row.target, "detail": row.detail}
            for row in found.items
        ]
        self.page, self.pages, self.total = found.number, found.pages, found.total
        self.loaded = True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff() is None:
            return self._refuse()
        await self._load_business_name()
        await self._show(1)

    @rx.event
    async def go_to_page(self, page: int):
        if await self._staff() is None:
            return self._refuse()
        await self._show(clean_page_number(page))
