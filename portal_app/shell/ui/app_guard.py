"""The access check every child-app page and handler goes through, in one state the apps build on.

A page's on_load runs SessionState.require_account (top bar, or off to /login) and then
AppAccessState.open_app(key). Handlers of an app's own state (a subclass of AppAccessState) call
`principal, redirect = await self._gate(KEY)` first and stop unless it returns a principal (who is
asking, resolved once for this event; `principal.account_id` is what services take). Any client can send any
event with any payload, so the check is made again for every event, never remembered.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from portal_app.accounts.validation import safe_next_path
from portal_app.apps import access, overview, registry
from portal_app.apps.registry import ChildApp
from portal_app.shell.ui.base_state import PortalState

CHECKING = "checking"
OPEN = "open"
DENIED = "denied"


def profile_url(app_key: str) -> str:
    """Where an incomplete profile sends the person; the profile page names the app they were opening."""
    return f"/profile?needed_for={quote(app_key)}"


class AppAccessState(PortalState):
    # CHECKING until the server has decided for this page load; OPEN or DENIED for app_key then.
    status: str = CHECKING
    app_key: str = ""
    # The person's role in the open app ("" for an app without roles): pages show role-only tools by it,
    # handlers check it again with _gate(key, role=...).
    app_role: str = ""
    denied_message: str = ""
    # The person's summary card from the open app (its entry page shows it).
    summary_headline: str = ""
    summary_details: list[str] = []
    summary_count: str = ""

    def _forget_app_data(self) -> None:
        """Clear everything the app showed. App states override it to clear their own data too (and call super)."""
        self._forget_summary()

    def _forget_summary(self) -> None:
        self.summary_headline = self.summary_count = ""
        self.summary_details = []

    def _route_param(self, name: str) -> str:
        """A parameter of this page's route ("note" on /apps/notes/[note]) as the URL carries it, or "".

        Call it after _gate; validate the value like any input (the URL is the client's to choose).
        """
        app = registry.get_app(self.app_key)
        return app.route_params(self.router.url.path).get(name, "") if app is not None else ""

    def _next_path(self, app: ChildApp | None) -> str:
        path = safe_next_path(self.router.url.path or "")
        if app is not None and not app.owns_path(path):
            return app.route
        return path

    async def _gate(
        self, key: object, *, role: str | None = None, send_to_login: bool = True, send_to_profile: bool = True
    ) -> tuple[access.Principal | None, object]:
        """Check who is asking and whether they may open the app `key` (with at least `role`, when given);
        returns (the Principal or None, event or None).

        The principal (who is asking, resolved for this event) comes back only when the app is open to them. Otherwise the state keeps no
        app data and says why: no session -> a redirect to /login, profile incomplete -> a redirect
        to /profile?needed_for=<key>, not enabled or not granted -> status DENIED with a sentence
        for the person. A page's data loader passes send_to_login=send_to_profile=False: the
        page's earlier on_load handlers have sent those redirects already.
        """
        app = registry.get_app(key)
        principal = await self._principal()
        decision = access.decide(principal, app.key, role=role) if principal is not None and app is not None else None
        self.app_key = app.key if app is not None else ""
        self.denied_message = ""
        if decision is not None and decision.allowed:
            # What the handler shows next replaces what the page showed before.
            self.status = OPEN
            self.app_role = decision.role or ""
            return principal, None
        self.app_role = ""
        self.status = CHECKING
        self._forget_app_data()
        if principal is None:
            if not send_to_login:
                return None, None
            return None, rx.redirect(f"/login?next={quote(self._next_path(app), safe='/')}")
        if app is None:
            self.status = DENIED
            self.denied_message = "There is no such app in this portal."
            return None, None
        if decision.reason == access.PROFILE_INCOMPLETE:
            return None, rx.redirect(profile_url(app.key)) if send_to_profile else None
        self.status = DENIED
        if decision.reason == access.NOT_ENABLED:
            self.denied_message = f"{app.title} is not switched on in {self.business_name}."
        elif decision.reason == access.ROLE_TOO_LOW:
            self.denied_message = (
                f"This part of {app.title} is for the {role} role. Ask {self.business_name} if you need it."
            )
        else:
            self.denied_message = (
                f"Your account has not been given {app.title}. Ask {self.business_name} if you think it should."
            )
        return None, None

    @rx.event
    async def open_app(self, key: str, with_summary: bool = False):
        """on_load of every app page, after SessionState.require_account (which sends a browser without a
        session to /login); the summary card only for a page that shows it (AppPage.shows_summary)."""
        principal, redirect = await self._gate(key, send_to_login=False)
        if principal is None:
            return redirect
        if with_summary is not True:
            self._forget_summary()
            return None
        card = await asyncio.to_thread(overview.summary_of, registry.get_app(key), principal.account_id)
        self.summary_headline = card.headline
        self.summary_details = list(card.details)
        self.summary_count = "" if card.count is None else str(card.count)
