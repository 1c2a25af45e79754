"""The Notes page's state: thin, like every app state. Each handler checks the session and access first.

The page follows the person's notes topic, so a note added or deleted in another tab (or from
another worker) shows here without a reload.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.apps.notes import service
from portal_app.kernel import live
from portal_app.kernel.errors import FieldError
from portal_app.shell.ui import live as live_reflex
from portal_app.shell.ui.app_guard import AppAccessState
from portal_app.shell.ui.base_state import form_text, parse_id
from portal_app.shell.ui.formatting import short_date


def _rows(notes: list[service.NoteView]) -> list[dict[str, str]]:
    return [{"id": str(note.id), "text": note.text, "created": short_date(note.created_at)} for note in notes]


class NotesState(AppAccessState):
    notes: list[dict[str, str]] = []
    text_error: str = ""
    notice: str = ""
    # /apps/notes/[note]: the note opened ({} until loaded, or when it is not one of this person's).
    open_note: dict[str, str] = {}
    open_note_missing: bool = False
    # The notes topic's version read before the list was (the follower then skips its catch-up reload).
    _live_seen: list[int] = []

    def _forget_app_data(self) -> None:
        super()._forget_app_data()
        self.notes = []
        self.text_error = self.notice = ""
        self.open_note = {}
        self.open_note_missing = False

    async def _show_notes(self, account_id: int) -> None:
        self.notes = _rows(await asyncio.to_thread(service.list_notes, account_id))

    @rx.event
    async def load(self):
        """on_load of /apps/notes, after AppAccessState.open_app; then the page follows live changes."""
        principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self.text_error = self.notice = ""
        self._live_seen = list(await live.version(service.live_topic(principal.account_id)) or [])
        await self._show_notes(principal.account_id)
        return NotesState.follow_changes

    @rx.event
    async def load_note(self):
        """on_load of /apps/notes/[note]: one note, by the id in the URL, only if it is this person's."""
        principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return
        self.notice = ""
        self.open_note, self.open_note_missing = {}, False
        note_id = parse_id(self._route_param("note"))
        try:
            if note_id is None:
                raise LookupError("not a note id")
            note = await asyncio.to_thread(service.get_note, principal.account_id, note_id)
        except LookupError:
            self.open_note_missing = True
            return
        self.open_note = _rows([note])[0]

    @rx.event(background=True)
    async def follow_changes(self):
        """Refresh the list whenever this person's notes change elsewhere; ends when the tab leaves the page."""
        async with self:
            principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
            seen = tuple(self._live_seen) or None
        if principal is not None:
            await live_reflex.follow(self, service.live_topic(principal.account_id), self._refresh, seen=seen)

    async def _refresh(self, _event: dict | None) -> bool:
        """Runs under the state's lock: check access again, then reload; stop following once access is gone."""
        principal, _ = await self._gate(service.APP_KEY, send_to_login=False, send_to_profile=False)
        if principal is None:
            return False
        await self._show_notes(principal.account_id)
        return True

    @rx.event
    async def add_note(self, form_data: dict):
        principal, redirect = await self._gate(service.APP_KEY)
        if principal is None:
            return redirect
        self.text_error = self.notice = ""
        try:
            await asyncio.to_thread(service.add_note, principal.account_id, form_text(form_data, "text"))
        except FieldError as error:
            self.text_error = error.message
        else:
            self.notice = "Note saved."
        await self._show_notes(principal.account_id)

    async def _on_one_note(self, note_id: object, act):
        """Gate, then run `act(account_id, note_id)` in a thread; what it returns is the notice shown.

        An id that is not one of this person's notes says so; the list is shown afresh either way.
        Returns the redirect when the gate refuses.
        """
        principal, redirect = await self._gate(service.APP_KEY)
        if principal is None:
            return redirect
        self.text_error = self.notice = ""
        target = parse_id(note_id)
        try:
            if target is None:
                raise LookupError("not a note id")
            self.notice = await asyncio.to_thread(act, principal.account_id, target)
        except LookupError:
            self.notice = "That note no longer exists."
        await self._show_notes(principal.account_id)

    @rx.event
    async def delete_note(self, note_id: str):
        return await self._on_one_note(note_id, _delete)

    @rx.event
    async def email_note(self, note_id: str):
        return await self._on_one_note(note_id, _email)


def _delete(account_id: int, note_id: int) -> str:
    service.delete_note(account_id, note_id)
    return "Note deleted."


def _email(account_id: int, note_id: int) -> str:
    if service.email_note(account_id, note_id):
        return "The note is on its way to your email."
    return "Emails from Notes are switched off in your profile, so nothing was sent."
