"""The child-app registry: each package under portal_app/apps/<name>/ declares itself with one register() call.

The shell reads it for everything app-shaped: the top bar's switcher, access checks, the pages it
adds, the cards on home and the labels of the timeline. A declaration is plain data and service
functions, no Reflex: pages are named by import path ("package.module:function") and resolved
only when the Reflex app adds them, so services and the command line can read the registry
without importing any page or state.

Packages are found on first use: every sub-package of portal_app.apps is imported once, and each
registers itself as it is imported. An app's `models` module (its tables), when it has one, is
imported with it, so `reflex db` and `portal db` see its tables without any other file naming them.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote

from portal_app.kernel.errors import FieldError
from portal_app.kernel.text import has_invisible_characters
from portal_app.timeline.models import PORTAL_APP_KEY

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
# Page routes: lower-case segments, or Reflex's dynamic segments such as [course].
_ROUTE = re.compile(r"(/([a-z0-9][a-z0-9_-]*|\[[a-z_][a-z0-9_]*\]))+")
_STATIC_ROUTE = re.compile(r"(/[a-z0-9][a-z0-9_-]*)+")
_SETTING_KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")
_TASK_NAME = _SETTING_KEY
ADMIN_APPS_PREFIX = "/admin/apps/"
MAX_PATH_LENGTH = 2048
# The lifecycle events an app may hook: each hook is called as fn(session, account_id) inside the
# transaction that made the change, so what the app does commits or rolls back with it.
HOOK_EVENTS = frozenset(
    {"granted", "revoked", "account_disabled", "account_enabled", "account_created", "account_deleted"}
)
# A root prefix (root_routes) or a landing parameter: lower-case, short.
_ROOT_PREFIX = re.compile(r"/[a-z0-9][a-z0-9-]{0,31}")
_LANDING_PARAM = re.compile(r"[a-z][a-z0-9_]{0,31}")
SETTING_KINDS = frozenset({"int", "bool", "text", "choice"})
_IMPORT_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


def resolve(reference: str):
    """The object an import path names: "package.module:attribute" or "package.module:Class.attribute"."""
    module_name, _, attribute_path = reference.partition(":")
    target = importlib.import_module(module_name)
    for attribute in attribute_path.split("."):
        target = getattr(target, attribute)
    return target


class RegistryError(ValueError):
    """A declaration the shell cannot use; the message says which app and what to fix."""


@dataclass(frozen=True)
class SummaryLink:
    """A link on an app's card: where to go next ("Resume: Baking basics"). `href` must be one of the
    app's own pages; the shell drops any other."""

    label: str
    href: str


@dataclass(frozen=True)
class SummaryCard:
    """What an app says about one person on home and on its entry page.

    `headline` is the one line everyone reads ("3 notes", "No notes yet"); `details` are a few
    short lines under it; `count`, when set, is shown large beside the headline; `links` (a few at
    most) take the person straight to the right page of the app.
    """

    headline: str
    details: tuple[str, ...] = ()
    count: int | None = None
    links: tuple[SummaryLink, ...] = ()


@dataclass(frozen=True)
class AppPage:
    """One page of an app.

    `page` names the function that returns the page's content ("portal_app.apps.notes.ui.notes_page:notes_page");
    the shell wraps it in the top bar and the access check. `on_load` optionally names a state
    event handler that loads the page's own data, run after the access check ("module:State.handler");
    it must check access again itself (AppAccessState._gate does it in one call). `shows_summary`:
    the page shows the person's summary card (the shell's entry_page does), so the shell works it
    out on each load; other pages do not pay for it.
    """

    route: str
    title: str
    page: str
    on_load: str | None = None
    shows_summary: bool = False


@dataclass(frozen=True)
class PublicPage:
    """A page of an app that anyone may open, signed in or not, outside /apps/ (a certificate to verify).

    It gets no session or access check and no top bar: `on_load` (optional, "module:State.handler")
    loads what the page shows from its URL alone, and must never read account data beyond what the
    URL is meant to publish. The route must not fall under a path the portal uses itself.
    """

    route: str
    title: str
    page: str
    on_load: str | None = None


# First path segments a public page may not take: the portal's own pages and areas (and anything
# starting with "_", Reflex's own). A public page's first segment is fixed, never a [parameter].
RESERVED_PUBLIC_SEGMENTS = frozenset(
    {
        "accounts", "admin", "api", "apps", "auth", "dev", "login", "logout", "magic", "ping", "profile",
        "security", "signup", "verify",
    }
)  # fmt: skip


@dataclass(frozen=True)
class AdminPage:
    """One owner page of an app, under /admin/apps/<key>/, listed in the /admin menu and behind the staff check.

    `page` and `on_load` name functions as AppPage does; the on_load handler must check the staff
    session again itself (AppAdminState._staff_gate does it in one call).
    """

    route: str
    title: str
    page: str
    on_load: str | None = None


@dataclass(frozen=True)
class Setting:
    """A setting of the app, stored per business, typed and validated, edited on the app's admin settings page.

    kind: "int" (between minimum and maximum), "bool", "text" (up to max_length characters, one
    line) or "choice" (one of `choices`). `default` is what the app gets until the owner changes it.
    """

    key: str
    label: str
    kind: str
    default: object
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    choices: tuple[str, ...] = ()

    def clean(self, raw: object) -> object:
        """The value as the app gets it, or FieldError(key) with a sentence for the owner."""
        if self.kind == "bool":
            if not isinstance(raw, bool):
                raise FieldError(self.key, "Choose on or off.")
            return raw
        if self.kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                raise FieldError(self.key, "Enter a whole number.")
            text = str(raw).strip()
            if not (text.lstrip("-").isdigit() and text.isascii() and len(text) <= 12):
                raise FieldError(self.key, "Enter a whole number.")
            value = int(text)
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = (
                    f"from {low} to {high}"
                    if low is not None and high is not None
                    else (f"of at least {low}" if low is not None else f"of at most {high}")
                )
                raise FieldError(self.key, f"Enter a whole number {bounds}.")
            return value
        if self.kind == "choice":
            if not isinstance(raw, str) or raw not in self.choices:
                raise FieldError(self.key, f"Choose one of {', '.join(self.choices)}.")
            return raw
        if not isinstance(raw, str):
            raise FieldError(self.key, "Enter some text.")
        text = raw.strip()
        if len(text) > self.max_length:
            raise FieldError(self.key, f"Use at most {self.max_length} characters.")
        if has_invisible_characters(text):
            raise FieldError(self.key, "The text contains invisible control characters. Please type it again.")
        return text


@dataclass(frozen=True)
class PeriodicTask:
    """Background work: `run` names a function of no arguments ("module:function"), called every
    `every_seconds` in a worker thread. It runs in every backend worker: work that must happen once
    needs a database claim of its own."""

    name: str
    every_seconds: int
    run: str


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
    enabled_by_default: whether a new business has it switched on.
    roles: the roles a grant can carry, lowest first; a grant without a role gets the first. The
        access guard checks them (`_gate(key, role="moderator")` lets that role and higher in).
    settings: the app's own business settings (see Setting).
    admin_pages: owner pages under /admin/apps/<key>/ (an app with settings also gets a settings page there).
    public_pages: pages anyone may open, signed out too (see PublicPage).
    http_routes: "module:function" returning Starlette routes, mounted under /api/apps/<key>/.
    tasks: periodic background work (see PeriodicTask).
    cli: "module:function" that takes an argparse parser and adds the app's sub-commands to `portal <key> ...`.
    hooks: lifecycle event (HOOK_EVENTS) -> "module:function" called as fn(session, account_id);
        "account_created" (a person signed up, or an invited person signed in for the first time) as
        fn(session, account_id, origin): origin.cookies holds
        the app's own cookies (names starting cookie_prefix) from the browser that signed up.
        "account_deleted" (the person deleted their account) runs in the deletion's transaction before the
        account row goes: remove what the app holds on the person, or detach and anonymise what the
        business must keep (a paid commission); rows that reference the account cascade otherwise.
    root_routes: "module:function" returning Starlette routes mounted at root_prefix (e.g. "/r"), a
        top-level path no page or other app uses: short links people share.
    landing_params: query parameter -> "module:function" called as fn(value, cookies) on any page load
        whose URL carries it (?ref=...), with the app's own cookies the browser sent; it returns
        AppCookie values for the browser to keep (the app's own cookies only, HttpOnly).
    export: "module:function" returning, for an account id, everything the app holds about it
        (JSON-serialisable), for the person's data download (`portal export-account`).
    demo_data: "module:function" called as fn(session, accounts) by `portal seed-demo`, with the
        demo accounts (main first); the app's grants are given first, to the accounts named in `demo_accounts`.
    demo_accounts: which demo accounts get the app: "main" (profile complete) and/or "second".
    email_templates: the folder of the app's email templates (see notify); "emails" beside its __init__.py by default.
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
    enabled_by_default: bool = True
    roles: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()
    admin_pages: tuple[AdminPage, ...] = ()
    public_pages: tuple[PublicPage, ...] = ()
    http_routes: str | None = None
    tasks: tuple[PeriodicTask, ...] = ()
    cli: str | None = None
    hooks: Mapping[str, str] = field(default_factory=dict)
    export: str | None = None
    # What "Delete my account" removes and what the business keeps, in the person's words, listed on the
    # page before they confirm ("your notes"; "payouts already made to you, under your affiliate code only").
    deletion_removes: tuple[str, ...] = ()
    deletion_keeps: tuple[str, ...] = ()
    demo_data: str | None = None
    demo_accounts: tuple[str, ...] = ()
    root_routes: str | None = None
    root_prefix: str | None = None
    landing_params: Mapping[str, str] = field(default_factory=dict)
    # Set by register(): the package the app was declared in (its folder holds its templates and migrations).
    package: str = ""

    @property
    def folder(self) -> Path:
        """The app's folder (its package): where its templates and migrations live."""
        spec = importlib.util.find_spec(self.package)
        return Path(next(iter(spec.submodule_search_locations)))

    @property
    def admin_route(self) -> str:
        """Where the app's owner pages live."""
        return f"{ADMIN_APPS_PREFIX}{self.key}"

    @property
    def api_route(self) -> str:
        """Where the app's HTTP routes are mounted."""
        return f"/api/apps/{self.key}"

    @property
    def cookie_prefix(self) -> str:
        """The names of the cookies the app may set (its routes, landing_params) and read (hooks)."""
        return f"app_{self.key}_"

    @property
    def default_role(self) -> str | None:
        return self.roles[0] if self.roles else None

    def role_rank(self, role: object) -> int:
        """How high a role stands (0 = lowest); -1 for a role the app does not have."""
        return self.roles.index(role) if isinstance(role, str) and role in self.roles else -1

    def setting(self, key: str) -> Setting | None:
        return next((setting for setting in self.settings if setting.key == key), None)

    def owns_path(self, path: str) -> bool:
        """Whether a URL path is one of this app's pages (the entry route or below it)."""
        return path == self.route or path.startswith(self.route + "/")

    def route_params(self, path: object) -> dict[str, str]:
        """The route parameters of a URL path on one of this app's pages ("/apps/notes/7" on the page
        "/apps/notes/[note]" gives {"note": "7"}); {} when no page with parameters matches.

        As the router does, a page with more fixed segments wins: "/apps/courses/teach/x" is the page
        "/apps/courses/teach/[course]", not "/apps/courses/[course]/[lesson]".
        """
        matches = [(page.route, match_route(page.route, path)) for page in self.pages]
        found = [(route, params) for route, params in matches if params is not None]
        if not found:
            return {}
        _, params = max(
            found, key=lambda item: sum(1 for part in item[0].split("/") if part and not part.startswith("["))
        )
        return params


def match_route(pattern: str, path: object) -> dict[str, str] | None:
    """The dynamic segments of `path` under a route pattern, or None when the path is not that page.

    Each value is the segment as the URL carries it, percent-decoded; a handler validates it like
    any other input (parse_id for ids, a slug check for slugs).
    """
    if not isinstance(path, str) or len(path) > MAX_PATH_LENGTH:
        return None
    wanted = pattern.strip("/").split("/")
    given = path.rstrip("/").strip("/").split("/")
    if len(wanted) != len(given):
        return None
    params: dict[str, str] = {}
    for expected, actual in zip(wanted, given, strict=True):
        if expected.startswith("[") and expected.endswith("]"):
            if not actual:
                return None
            params[expected[1:-1]] = unquote(actual)
        elif expected != actual:
            return None
    return params


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
    if (
        not isinstance(app.route, str)
        or not _STATIC_ROUTE.fullmatch(app.route)
        or not app.route.startswith(APPS_ROUTE_PREFIX)
    ):
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
    _check_extensions(app)


def _is_reference(value: object) -> bool:
    return isinstance(value, str) and bool(_IMPORT_PATH.fullmatch(value))


def _check_extensions(app: ChildApp) -> None:
    """The SDK pieces beyond pages: roles, settings, admin pages, routes, tasks, commands, hooks, demo data."""
    name = repr(app.key)
    if not isinstance(app.enabled_by_default, bool):
        raise RegistryError(f"app {name}: enabled_by_default must be True or False")
    if not isinstance(app.roles, tuple) or len(set(app.roles)) != len(app.roles):
        raise RegistryError(f"app {name}: roles must be a tuple of distinct names, lowest first")
    for role in app.roles:
        if not isinstance(role, str) or not _KIND.fullmatch(role):
            raise RegistryError(f"app {name}: role {role!r} must be a snake_case name")
    seen_settings: set[str] = set()
    for setting in app.settings:
        _check_setting(app, setting)
        if setting.key in seen_settings:
            raise RegistryError(f"app {name}: two settings called {setting.key!r}")
        seen_settings.add(setting.key)
    admin_routes = {app.admin_route + "/settings"} if app.settings else set()
    for page in app.admin_pages:
        if not isinstance(page, AdminPage):
            raise RegistryError(f"app {name}: admin_pages takes AdminPage declarations")
        route_ok = isinstance(page.route, str) and _ROUTE.fullmatch(page.route)
        if not route_ok or not (page.route == app.admin_route or page.route.startswith(app.admin_route + "/")):
            raise RegistryError(f"app {name}: admin page route {page.route!r} must be under {app.admin_route}")
        if page.route in admin_routes:
            raise RegistryError(f"app {name}: two admin pages at {page.route}")
        admin_routes.add(page.route)
        if not isinstance(page.title, str) or not page.title.strip():
            raise RegistryError(f"app {name}: admin page {page.route} needs a title")
        if not all(_is_reference(ref) for ref in ([page.page] if page.on_load is None else [page.page, page.on_load])):
            raise RegistryError(f"app {name}: name admin page functions and handlers as 'package.module:attribute'")
    seen_public: set[str] = set()
    for page in app.public_pages:
        if not isinstance(page, PublicPage) or not isinstance(page.route, str) or not _ROUTE.fullmatch(page.route):
            raise RegistryError(f"app {name}: public_pages takes PublicPage declarations with lower-case routes")
        first = page.route.split("/")[1]
        if first in RESERVED_PUBLIC_SEGMENTS or first.startswith(("_", "[")):
            raise RegistryError(f"app {name}: public page route {page.route!r} is inside a path the portal uses")
        if page.route in seen_public:
            raise RegistryError(f"app {name}: two public pages at {page.route}")
        seen_public.add(page.route)
        if not isinstance(page.title, str) or not page.title.strip():
            raise RegistryError(f"app {name}: public page {page.route} needs a title")
        if not all(_is_reference(ref) for ref in ([page.page] if page.on_load is None else [page.page, page.on_load])):
            raise RegistryError(f"app {name}: name public page functions and handlers as 'package.module:attribute'")
    seen_tasks: set[str] = set()
    for task in app.tasks:
        if not isinstance(task, PeriodicTask) or not _TASK_NAME.fullmatch(task.name) or not _is_reference(task.run):
            raise RegistryError(f"app {name}: a task needs a snake_case name and run='package.module:function'")
        if not isinstance(task.every_seconds, int) or task.every_seconds < 1:
            raise RegistryError(f"app {name}: task {task.name!r} must run every 1 second or more")
        if task.name in seen_tasks:
            raise RegistryError(f"app {name}: two tasks called {task.name!r}")
        seen_tasks.add(task.name)
    for label, reference in (("http_routes", app.http_routes), ("cli", app.cli), ("export", app.export)):
        if reference is not None and not _is_reference(reference):
            raise RegistryError(f"app {name}: {label} must name a function as 'package.module:function'")
    if app.demo_data is not None and not _is_reference(app.demo_data):
        raise RegistryError(f"app {name}: demo_data must name a function as 'package.module:function'")
    if not isinstance(app.hooks, Mapping):
        raise RegistryError(f"app {name}: hooks must map events to 'package.module:function'")
    for event, reference in app.hooks.items():
        if event not in HOOK_EVENTS:
            raise RegistryError(f"app {name}: no hook event {event!r}; choose from {sorted(HOOK_EVENTS)}")
        if not _is_reference(reference):
            raise RegistryError(f"app {name}: hook {event!r} must name a function as 'package.module:function'")
    if not isinstance(app.demo_accounts, tuple) or not set(app.demo_accounts) <= {"main", "second"}:
        raise RegistryError(f"app {name}: demo_accounts may name 'main' and 'second'")
    if (app.root_routes is None) != (app.root_prefix is None):
        raise RegistryError(f"app {name}: root_routes and root_prefix go together")
    if app.root_routes is not None:
        prefix_ok = isinstance(app.root_prefix, str) and _ROOT_PREFIX.fullmatch(app.root_prefix)
        if not _is_reference(app.root_routes) or not prefix_ok or app.root_prefix[1:] in RESERVED_PUBLIC_SEGMENTS:
            raise RegistryError(
                f"app {name}: root_prefix must be one lower-case segment the portal does not use (not "
                f"{sorted(RESERVED_PUBLIC_SEGMENTS)}), root_routes 'package.module:function'"
            )
    if not isinstance(app.landing_params, Mapping):
        raise RegistryError(f"app {name}: landing_params must map query parameters to 'package.module:function'")
    for param, reference in app.landing_params.items():
        if not isinstance(param, str) or not _LANDING_PARAM.fullmatch(param) or not _is_reference(reference):
            raise RegistryError(f"app {name}: landing parameter {param!r} needs a snake_case name and a function")


def _check_setting(app: ChildApp, setting: object) -> None:
    name = repr(app.key)
    if not isinstance(setting, Setting) or not isinstance(setting.key, str) or not _SETTING_KEY.fullmatch(setting.key):
        raise RegistryError(f"app {name}: each setting needs a snake_case key")
    if setting.kind not in SETTING_KINDS:
        raise RegistryError(
            f"app {name}: setting {setting.key!r} has kind {setting.kind!r}; use {sorted(SETTING_KINDS)}"
        )
    if not isinstance(setting.label, str) or not setting.label.strip():
        raise RegistryError(f"app {name}: setting {setting.key!r} needs a label")
    if setting.kind == "choice" and (not setting.choices or setting.default not in setting.choices):
        raise RegistryError(f"app {name}: setting {setting.key!r} needs choices that include its default")
    # The default must pass the setting's own rule.
    try:
        setting.clean(setting.default)
    except ValueError as error:
        raise RegistryError(f"app {name}: the default of setting {setting.key!r} is refused: {error}") from None


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
            taken = {
                page.route: other.key for other in self._apps.values() for page in (*other.pages, *other.public_pages)
            }
            for page in (*app.pages, *app.public_pages):
                if page.route in taken:
                    raise RegistryError(f"app {app.key!r}: route {page.route} already belongs to {taken[page.route]!r}")
            # Top-level paths: a root prefix belongs to one app and is no public page's first segment.
            firsts = {
                path.split("/")[1]: other.key
                for other in self._apps.values()
                for path in (
                    *(p.route for p in other.public_pages),
                    *((other.root_prefix,) if other.root_prefix else ()),
                )
            }
            mine = [p.route.split("/")[1] for p in app.public_pages]
            if app.root_prefix:
                if app.root_prefix[1:] in firsts or app.root_prefix[1:] in mine:
                    raise RegistryError(f"app {app.key!r}: the path {app.root_prefix} is already used")
            for first in mine:
                if (
                    first in firsts
                    and firsts[first] != app.key
                    and any(o.root_prefix == f"/{first}" for o in self._apps.values())
                ):
                    raise RegistryError(f"app {app.key!r}: /{first} is another app's root prefix")
            params = {param: other.key for other in self._apps.values() for param in other.landing_params}
            for param in app.landing_params:
                if param in params:
                    raise RegistryError(f"app {app.key!r}: landing parameter {param!r} belongs to {params[param]!r}")
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
                    name = f"{self._discover_package}.{module.name}"
                    importlib.import_module(name)
                    # The app's tables, found by convention, so migrations see them.
                    if importlib.util.find_spec(f"{name}.models") is not None:
                        importlib.import_module(f"{name}.models")

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
    if isinstance(app, ChildApp) and not app.package:
        # The package whose __init__ called register(): its folder holds templates and migrations.
        app = replace(app, package=sys._getframe(1).f_globals.get("__name__", ""))
    return _registry.register(app)


def all_apps() -> list[ChildApp]:
    """Every registered app, enabled or not, in switcher order."""
    return _registry.all()


def get_app(key: object) -> ChildApp | None:
    """The app with this key, or None (also for anything that is not a string)."""
    return _registry.get(key)


def app_for_path(path: object) -> ChildApp | None:
    return _registry.for_path(path)


def default_enabled_keys() -> list[str]:
    """The apps a new business has switched on, in switcher order (from each app's declaration)."""
    return [app.key for app in all_apps() if app.enabled_by_default]


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
