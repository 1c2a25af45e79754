"""/: a card per open app, the timeline and the profile banner, for the signed-in account only (one event)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from portal_app.apps import overview, registry
from portal_app.profile import service as profile_service
from portal_app.profile.ui.profile_state import ProfileBannerState, banner_figures
from portal_app.shell.ui.base_state import PortalState
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY

ALL_SOURCES = "all"


@dataclasses.dataclass
class LinkRow:
    label: str = ""
    href: str = ""


@dataclasses.dataclass
class CardRow:
    key: str = ""
    title: str = ""
    route: str = ""
    headline: str = ""
    details: list[str] = dataclasses.field(default_factory=list)
    count: str = ""
    links: list[LinkRow] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class EntryRow:
    id: str = ""
    when: str = ""
    when_iso: str = ""
    label: str = ""
    summary: str = ""
    source: str = ""


def _card_row(card: overview.HomeCard) -> CardRow:
    return CardRow(
        key=card.key,
        title=card.title,
        route=card.route,
        headline=card.card.headline,
        details=list(card.card.details),
        count="" if card.card.count is None else str(card.card.count),
        links=[LinkRow(link.label, link.href) for link in card.card.links],
    )


def _zone(name: str):
    """The person's time zone from their profile; UTC when they gave none."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _when(moment: datetime, zone_name: str) -> str:
    local = moment.astimezone(_zone(zone_name))
    return local.strftime("%-d %b %Y, %H:%M ") + (local.tzname() or "UTC")


def _entry_row(item: activity.TimelineItem, zone_name: str) -> EntryRow:
    return EntryRow(
        id=str(item.id),
        when=_when(item.occurred_at, zone_name),
        when_iso=item.occurred_at.isoformat(),
        label=item.label,
        summary=item.summary,
        source=item.source,
    )


def _known_source(value: object) -> bool:
    return value == ALL_SOURCES or value == PORTAL_APP_KEY or registry.get_app(value) is not None


class HomeState(PortalState):
    loaded: bool = False
    cards: list[CardRow] = []
    # The timeline: newest first, one page more at each "Show more".
    entries: list[EntryRow] = []
    sources: list[dict[str, str]] = []
    source: str = ALL_SOURCES
    has_more: bool = False
    _cursor: str = ""
    _time_zone: str = ""

    def _forget(self) -> None:
        self.loaded = self.has_more = False
        self.cards, self.entries, self.sources = [], [], []
        self._cursor = self._time_zone = ""

    def _show_page(self, page: activity.TimelinePage, *, append: bool) -> None:
        rows = [_entry_row(item, self._time_zone) for item in page.items]
        self.entries = self.entries + rows if append else rows
        self._cursor = page.next_cursor or ""
        self.has_more = page.next_cursor is not None

    def _app_filter(self) -> str | None:
        return None if self.source == ALL_SOURCES else self.source

    @rx.event
    async def load(self):
        """on_load of /, after SessionState.require_account (which sends a browser without a session to /login):
        the cards, the timeline and the profile banner, in the page load's own events (no round trip after the
        page is shown)."""
        self._forget()
        self.source = ALL_SOURCES
        principal = await self._principal()
        banner = await self.get_state(ProfileBannerState)
        if principal is None:
            banner._show([], 0)
            return
        account_id = principal.account_id
        cards, sources, page, profile = await asyncio.gather(
            asyncio.to_thread(overview.home_cards, principal),
            asyncio.to_thread(activity.timeline_sources, account_id),
            asyncio.to_thread(activity.timeline, account_id),
            asyncio.to_thread(profile_service.profile_for_apps, account_id),
        )
        banner._show(*banner_figures(principal))
        self._time_zone = profile.time_zone if profile is not None else ""
        self.cards = [_card_row(card) for card in cards]
        self.sources = [{"value": key, "label": title} for key, title in sources]
        self._show_page(page, append=False)
        self.loaded = True

    @rx.event
    async def set_source(self, value: str):
        """Show one app's entries (or all): the first page again."""
        account_id = await self._signed_in_account_id()
        if account_id is None:
            self._forget()
            return
        if not _known_source(value):
            return
        self.source = value
        self._show_page(
            await asyncio.to_thread(activity.timeline, account_id, app_key=self._app_filter()), append=False
        )

    @rx.event
    async def show_more(self):
        """The next page of the timeline, after the last entry shown."""
        account_id = await self._signed_in_account_id()
        if account_id is None:
            self._forget()
            return
        if not self._cursor:
            return
        page = await asyncio.to_thread(activity.timeline, account_id, app_key=self._app_filter(), before=self._cursor)
        self._show_page(page, append=True)
