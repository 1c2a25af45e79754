"""What the shell shows about the apps for one account: home's cards and the switcher's entries.

Services only (no Reflex); the states turn these into what the pages show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from portal_app.apps import access, registry
from portal_app.apps.registry import ChildApp, SummaryCard, SummaryLink

log = logging.getLogger(__name__)

HOME_TITLE = "Home"
HOME_ROUTE = "/"
HOME_ICON = "house"
UNAVAILABLE = SummaryCard(headline="Summary unavailable right now", details=("Open the app to see everything.",))


def summary_of(app: ChildApp, account_id: int) -> SummaryCard:
    """The app's card for the account; a failing app shows a placeholder instead of breaking home."""
    try:
        card = app.summary(account_id)
    except Exception:
        log.exception("summary of app %r failed", app.key)
        return UNAVAILABLE
    if not isinstance(card, SummaryCard):
        log.error("summary of app %r returned %r, not a SummaryCard", app.key, type(card).__name__)
        return UNAVAILABLE
    links = tuple(link for link in card.links if _own_page(app, link))
    if len(links) != len(card.links):
        log.error("summary of app %r linked outside its own pages; those links are dropped", app.key)
    return replace(card, links=links[:MAX_LINKS])


MAX_LINKS = 5


def _own_page(app: ChildApp, link: object) -> bool:
    """A card's link goes to one of the app's own pages: a path under its route, nothing else."""
    if not isinstance(link, SummaryLink) or not isinstance(link.href, str) or not isinstance(link.label, str):
        return False
    href = link.href
    return (
        app.owns_path(href)
        and len(href) <= registry.MAX_PATH_LENGTH
        and not any(part in href for part in ("//", "\\", "..", "?", "#"))
        and href.isprintable()
    )


@dataclass(frozen=True)
class HomeCard:
    key: str
    title: str
    icon: str
    route: str
    card: SummaryCard


def home_cards(who: access.Principal | int) -> list[HomeCard]:
    """A card for each app the principal (or account) can open now, in switcher order."""
    account_id = who.account_id if isinstance(who, access.Principal) else who
    return [
        HomeCard(key=app.key, title=app.title, icon=app.icon, route=app.route, card=summary_of(app, account_id))
        for app in access.accessible_apps(who)
    ]


@dataclass(frozen=True)
class SwitcherEntry:
    key: str
    title: str
    route: str
    icon: str
    current: bool


def switcher_entries(who: access.Principal | int, current_path: str) -> list[SwitcherEntry]:
    """Home, then every app the principal (or account) can open now; `current` marks the one `current_path` belongs to."""
    apps = access.accessible_apps(who)
    current_app = next((app.key for app in apps if app.owns_path(current_path)), None)
    home = SwitcherEntry(
        key=registry.HOME_KEY, title=HOME_TITLE, route=HOME_ROUTE, icon=HOME_ICON, current=current_path == HOME_ROUTE
    )
    return [home] + [
        SwitcherEntry(key=app.key, title=app.title, route=app.route, icon=app.icon, current=app.key == current_app)
        for app in apps
    ]
