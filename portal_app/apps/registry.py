"""The child-app registry: each package under portal_app/apps/<name>/ declares itself with one register() call.

The shell reads it for everything app-shaped: the top bar's switcher, access checks, the pages it
adds, the cards on home and the labels of the timeline. A declaration is plain data and service
functions, no Reflex: pages are named by import path ("package.module:function") and resolved
only when the Reflex app adds them, so services and the command line can read the registry
without importing any page or state.

Packages are found on first use: every sub-package of portal_app.apps is imported once, and each
registers itself as it is imported.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from portal_app.models.activity import PORTAL_APP_KEY

# Keys the shell uses for itself: "home" in the switcher, "portal" for its own timeline events.
HOME_KEY = "home"
RESERVED_KEYS = frozenset({HOME_KEY, PORTAL_APP_KEY})
APPS_ROUTE_PREFIX = "/apps/"

# The portal's own timeline events (app_key "portal"), declared here beside the apps' kinds.
PORTAL_TITLE = "Your account"
PORTAL_ACTIVITY_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "account_created": "Account created",
        "email_verified": "Email verified",
        "profile_completed": "Profile completed",
        "app_granted": "App access granted",
        "app_revoked": "App access removed",
    }
)

_KEY = re.compile(r"[a-z][a-z0-9_]{1,31}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ICON = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_ROUTE = re.compile(r"(/[a-z0-9][a-z0-9_-]*)+")
_IMPORT_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


class RegistryError(ValueError):
    """A declaration the shell cannot use; the message says which app and what to fix."""


@dataclass(frozen=True)
class SummaryCard:
    """What an app says about one person on home and on its entry page.

    `headline` is the one line everyone reads ("3 notes", "No courses yet"); `details` are a few
    short lines under it; `count`, when set, is shown large beside the headline.
    """

    headline: str
    details: tuple[str, ...] = ()
    count: int | None = None


@dataclass(frozen=True)
class AppPage:
    """One page of an app.

    `page` names the function that returns the page's content ("portal_app.apps.notes.pages:notes_page");
    the shell wraps it in the top bar and the access check. `on_load` optionally names a state
    event handler that loads the page's own data, run after the access check ("module:State.handler");
    it must check access again itself (AppAccessState._gate does it in one call).
    """

    route: str
    title: str
    page: str
    on_load: str | None = None


@dataclass(frozen=True)
class ChildApp:
    """A child app as the shell knows it.

    key: stable identifier stored in grants, business settings and activity rows (never rename it).
    title: what people read in the switcher, on cards and in messages.
    icon: a lucide icon name, kebab-case ("graduation-cap").
    route: the entry page, /apps/<something>; every page of the app lives under it.
    description: one sentence saying what the app is, for its entry page and the owner's settings.
    pages: the entry page first, then any others.
    summary: account id -> SummaryCard, a pure service function (no Reflex), for home.
    activity_kinds: kind -> human label of every event the app records on the timeline.
    order: position in the switcher and on home (smaller first).
    """

    key: str
    title: str
    icon: str
    route: str
    description: str
    pages: tuple[AppPage, ...]
    summary: Callable[[int], SummaryCard]
    activity_kinds: Mapping[str, str] = field(default_factory=dict)
    order: int = 100

    def owns_path(self, path: str) -> bool:
        """Whether a URL path is one of this app's pages (the entry route or below it)."""
        return path == self.route or path.startswith(self.route + "/")


def _check(app: object) -> None:
    """Refuse a declaration the shell could not use, with a message naming the problem."""
    if not isinstance(app, ChildApp):
        raise RegistryError(f"register() takes a ChildApp, got {type(app).__name__}")
    name = repr(app.key)
    if not isinstance(app.key, str) or not _KEY.fullmatch(app.key) or app.key in RESERVED_KEYS:
        raise RegistryError(
            f"app key {name}: use 2-32 lower-case letters, digits or _, starting with a letter, not {sorted(RESERVED_KEYS)}"
        )
    if not isinstance(app.title, str) or not app.title.strip() or len(app.title) > 60:
        raise RegistryError(f"app {name}: give a title of 1-60 characters")
    if not isinstance(app.description, str) or not app.description.strip():
        raise RegistryError(f"app {name}: give a one-sentence description")
    if not isinstance(app.icon, str) or not _ICON.fullmatch(app.icon):
        raise RegistryError(f"app {name}: icon {app.icon!r} is not a kebab-case lucide icon name")
    if not isinstance(app.route, str) or not _ROUTE.fullmatch(app.route) or not app.route.startswith(APPS_ROUTE_PREFIX):
        raise RegistryError(f"app {name}: route {app.route!r} must be a lower-case path under {APPS_ROUTE_PREFIX}")
    if not callable(app.summary):
        raise RegistryError(f"app {name}: summary must be a function of the account id")
    if not app.pages or app.pages[0].route != app.route:
        raise RegistryError(f"app {name}: the first page must be the entry page, at {app.route}")
    seen_routes: set[str] = set()
    for page in app.pages:
        if not isinstance(page, AppPage) or not app.owns_path(page.route) or not _ROUTE.fullmatch(page.route):
            raise RegistryError(f"app {name}: page route {getattr(page, 'route', page)!r} must be under {app.route}")
        if page.route in seen_routes:
            raise RegistryError(f"app {name}: two pages at {page.route}")
        seen_routes.add(page.route)
        references = [page.page] if page.on_load is None else [page.page, page.on_load]
        if not all(isinstance(reference, str) and _IMPORT_PATH.fullmatch(reference) for reference in references):
            raise RegistryError(f"app {name}: name page functions and handlers as 'package.module:attribute'")
    if not isinstance(app.activity_kinds, Mapping):
        raise RegistryError(f"app {name}: activity_kinds must map each kind to its label")
    for kind, label in app.activity_kinds.items():
        if not isinstance(kind, str) or not _KIND.fullmatch(kind) or not isinstance(label, str) or not label.strip():
            raise RegistryError(f"app {name}: activity kind {kind!r} needs a snake_case name and a label")


class Registry:
    """The registered apps, in switcher order. The portal uses one (module functions below); tests may make their own."""

    def __init__(self, discover_package: str | None = None) -> None:
        self._apps: dict[str, ChildApp] = {}
        self._discover_package = discover_package
        self._discovered = discover_package is None
        self._lock = threading.RLock()

    def register(self, app: ChildApp) -> ChildApp:
        _check(app)
        with self._lock:
            if app.key in self._apps:
                raise RegistryError(f"app {app.key!r} is registered twice")
            taken = {page.route: other.key for other in self._apps.values() for page in other.pages}
            for page in app.pages:
                if page.route in taken:
                    raise RegistryError(f"app {app.key!r}: route {page.route} already belongs to {taken[page.route]!r}")
            self._apps[app.key] = app
        return app

    def _discover(self) -> None:
        """Import every app package once; each registers itself as it is imported."""
        if self._discovered:
            return
        with self._lock:
            if self._discovered:
                return
            # Set first: an app package that reads the registry while being imported must not recurse.
            self._discovered = True
            package = importlib.import_module(self._discover_package)
            for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda module: module.name):
                if module.ispkg:
                    importlib.import_module(f"{self._discover_package}.{module.name}")

    def all(self) -> list[ChildApp]:
        self._discover()
        return sorted(self._apps.values(), key=lambda app: (app.order, app.key))

    def get(self, key: object) -> ChildApp | None:
        self._discover()
        return self._apps.get(key) if isinstance(key, str) else None

    def for_path(self, path: object) -> ChildApp | None:
        """The app a URL path belongs to, if any."""
        if not isinstance(path, str):
            return None
        return next((app for app in self.all() if app.owns_path(path)), None)


_registry = Registry(discover_package="portal_app.apps")


def register(app: ChildApp) -> ChildApp:
    """Declare a child app to the shell; call it once, in the app package's __init__.py."""
    return _registry.register(app)


def all_apps() -> list[ChildApp]:
    """Every registered app, enabled or not, in switcher order."""
    return _registry.all()


def get_app(key: object) -> ChildApp | None:
    """The app with this key, or None (also for anything that is not a string)."""
    return _registry.get(key)


def app_for_path(path: object) -> ChildApp | None:
    return _registry.for_path(path)


def app_choices() -> dict[str, str]:
    """key -> title of every registered app, in switcher order (for settings, grants and invitations)."""
    return {app.key: app.title for app in all_apps()}


def source_title(app_key: str) -> str:
    """Who recorded a timeline entry, as people read it: an app's title, or "Your account" for the portal's own."""
    if app_key == PORTAL_APP_KEY:
        return PORTAL_TITLE
    app = get_app(app_key)
    return app.title if app is not None else app_key.replace("_", " ").capitalize()


def activity_kinds(app_key: str) -> Mapping[str, str]:
    """The declared kinds of timeline events of an app (or of the portal itself)."""
    if app_key == PORTAL_APP_KEY:
        return PORTAL_ACTIVITY_KINDS
    app = get_app(app_key)
    return app.activity_kinds if app is not None else MappingProxyType({})


def activity_label(app_key: str, kind: str) -> str:
    """The label of a timeline event; an app removed since keeps a readable one."""
    return activity_kinds(app_key).get(kind) or kind.replace("_", " ").capitalize()
