"""Pages declare themselves: route, title and on_load sit with the page function.

    @page(route="/login", title="Log in", on_load=LoginState.load)
    def login_page() -> rx.Component: ...

Each feature's ui/ package holds its pages; the app module imports every feature's ui/ and adds
what was declared (portal_app.py). An owner page names its entry in the /admin menu with
`admin_menu="Contacts"`; child apps declare theirs in the app registry instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DeclaredPage:
    route: str
    title: str
    render: Callable
    on_load: tuple
    admin_menu: str | None = None
    menu_order: int = 100


_declared: dict[str, DeclaredPage] = {}


def page(route: str, title: str, *, on_load=(), admin_menu: str | None = None, menu_order: int = 100):
    """Declare the decorated function as the page at `route` (one page per route)."""
    handlers = tuple(on_load) if isinstance(on_load, (list, tuple)) else (on_load,)

    def declare(render: Callable) -> Callable:
        if route in _declared and _declared[route].render is not render:
            raise ValueError(f"two pages declared at {route}")
        _declared[route] = DeclaredPage(route, title, render, handlers, admin_menu, menu_order)
        return render

    return declare


def declared_pages() -> list[DeclaredPage]:
    return list(_declared.values())


def admin_menu_entries() -> list[tuple[str, str]]:
    """(label, route) of the core's owner pages that asked for a menu entry, in menu order."""
    entries = sorted((p for p in _declared.values() if p.admin_menu), key=lambda p: (p.menu_order, p.route))
    return [(p.admin_menu, p.route) for p in entries]
