"""/admin/apps/notes: the owner's view of Notes, counts only (nobody's text)."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.admin.ui.apps_state import AppAdminState
from portal_app.apps.notes import service


class NotesUsageState(AppAdminState):
    notes: int = 0
    writers: int = 0
    recent: int = 0
    usage_loaded: bool = False

    def _clear_page(self) -> None:
        self.notes = self.writers = self.recent = 0
        self.usage_loaded = False

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff_gate(service.APP_KEY) is None:
            return self._refuse()
        usage = await asyncio.to_thread(service.usage)
        self.notes, self.writers, self.recent = usage.notes, usage.writers, usage.added_last_7_days
        self.usage_loaded = True


def _figure(label: str, value) -> rx.Component:
    return rx.card(rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.text(value, size="7", weight="bold")))


def notes_usage_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Notes", as_="h1", size="7"),
        rx.text("How Notes is used. People's notes are their own: only the counts are shown.", color_scheme="gray"),
        rx.cond(
            NotesUsageState.usage_loaded,
            rx.flex(
                _figure("Notes kept", NotesUsageState.notes),
                _figure("People with notes", NotesUsageState.writers),
                _figure("Added in the last 7 days", NotesUsageState.recent),
                wrap="wrap",
                gap="16px",
            ),
        ),
        rx.link("Notes settings", href="/admin/apps/notes/settings"),
        spacing="4",
        width="100%",
    )
