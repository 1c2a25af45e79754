"""The child-app registry: what a declaration must say, and what the portal's apps declare."""

from __future__ import annotations

import dataclasses
import pkgutil
import re

import pytest
from reflex_components_lucide.icon import LUCIDE_ICON_LIST

import portal_app.apps
from portal_app.apps import registry
from portal_app.apps.registry import AppPage, ChildApp, Registry, RegistryError, SummaryCard, resolve


def declaration(**changes) -> ChildApp:
    fields = {
        "key": "shop",
        "title": "Shop",
        "icon": "shopping-cart",
        "route": "/apps/shop",
        "description": "Things to buy.",
        "pages": (AppPage(route="/apps/shop", title="Shop", page="shop.pages:shop_page"),),
        "summary": lambda account_id: SummaryCard(headline="Nothing bought yet"),
        "activity_kinds": {"order_placed": "Placed an order"},
    }
    return ChildApp(**{**fields, **changes})


def test_every_app_folder_is_registered_in_the_order_the_apps_declare():
    folders = {module.name for module in pkgutil.iter_modules(portal_app.apps.__path__) if module.ispkg}
    apps = registry.all_apps()
    assert {app.package.rsplit(".", 1)[-1] for app in apps} == folders
    assert [(app.order, app.key) for app in apps] == sorted((app.order, app.key) for app in apps)
    assert all(app.route == f"/apps/{app.key}" or app.route.startswith("/apps/") for app in apps)


@pytest.mark.parametrize("app", registry.all_apps(), ids=lambda app: app.key)
def test_every_declared_app_is_usable(app):
    assert app.icon.replace("-", "_") in LUCIDE_ICON_LIST
    for page in app.pages:
        assert callable(resolve(page.page))
        if page.on_load:
            assert resolve(page.on_load) is not None


def test_lookups():
    assert registry.get_app("notes").title == "Notes"
    for key in ("nope", "", None, 1, ["notes"], "Notes"):
        assert registry.get_app(key) is None
    assert registry.app_for_path("/apps/notes").key == "notes"
    assert registry.app_for_path("/apps/notes/7").key == "notes"
    assert registry.app_for_path("/apps/notesx") is None
    assert registry.app_for_path("/") is None
    assert registry.app_for_path(None) is None


def test_labels_of_the_portal_apps_and_unknown_ones():
    assert registry.source_title("portal") == "Your account"
    assert registry.source_title("courses") == "Membership Courses"
    assert registry.activity_label("portal", "app_granted") == "App access granted"
    assert registry.activity_label("notes", "note_added") == "Added a note"
    assert registry.activity_label("notes", "note_archived") == "Note archived"
    assert registry.source_title("gone_app") == "Gone app"


def test_a_good_declaration_registers_in_its_own_registry():
    own = Registry()
    own.register(declaration())
    own.register(
        declaration(
            key="blog", title="Blog", route="/apps/blog", order=1, pages=(AppPage("/apps/blog", "Blog", "b:p"),)
        )
    )
    assert [app.key for app in own.all()] == ["blog", "shop"]
    assert registry.get_app("shop") is None, "the portal's registry is untouched"


BAD = {
    "reserved-home": {"key": "home"},
    "reserved-portal": {"key": "portal"},
    "upper-case-key": {"key": "Shop"},
    "one-letter-key": {"key": "s"},
    "key-with-dash": {"key": "my-shop"},
    "key-not-string": {"key": 7},
    "empty-title": {"title": "  "},
    "long-title": {"title": "x" * 61},
    "no-description": {"description": ""},
    "icon-snake-case": {"icon": "shopping_cart"},
    "icon-with-space": {"icon": "shopping cart"},
    "route-outside-apps": {"route": "/shop", "pages": (AppPage("/shop", "Shop", "m:f"),)},
    "route-upper-case": {"route": "/apps/Shop", "pages": (AppPage("/apps/Shop", "Shop", "m:f"),)},
    "route-trailing-slash": {"route": "/apps/shop/", "pages": (AppPage("/apps/shop/", "Shop", "m:f"),)},
    "no-pages": {"pages": ()},
    "entry-page-not-first": {
        "pages": (AppPage("/apps/shop/cart", "Cart", "m:f"), AppPage("/apps/shop", "Shop", "m:f"))
    },
    "page-outside-route": {"pages": (AppPage("/apps/shop", "Shop", "m:f"), AppPage("/apps/shopping", "Shop", "m:f"))},
    "page-twice": {"pages": (AppPage("/apps/shop", "Shop", "m:f"), AppPage("/apps/shop", "Shop", "m:g"))},
    "page-not-import-path": {"pages": (AppPage("/apps/shop", "Shop", "shop_page"),)},
    "on-load-not-import-path": {"pages": (AppPage("/apps/shop", "Shop", "m:f", on_load="load"),)},
    "page-as-function": {"pages": (AppPage("/apps/shop", "Shop", print),)},
    "summary-not-callable": {"summary": "summary"},
    "kinds-not-a-mapping": {"activity_kinds": ["order_placed"]},
    "kind-with-space": {"activity_kinds": {"order placed": "Placed"}},
    "kind-without-label": {"activity_kinds": {"order_placed": ""}},
}


@pytest.mark.parametrize("changes", BAD.values(), ids=BAD.keys())
def test_a_declaration_the_shell_cannot_use_is_refused_with_a_reason(changes):
    own = Registry()
    with pytest.raises(RegistryError) as refused:
        own.register(declaration(**changes))
    assert "shop" in str(refused.value) or "key" in str(refused.value)
    assert own.all() == []


def test_not_a_declaration_is_refused():
    with pytest.raises(RegistryError, match="takes a ChildApp"):
        Registry().register({"key": "shop"})


def test_a_key_or_route_can_be_registered_once():
    own = Registry()
    own.register(declaration())
    with pytest.raises(RegistryError, match="registered twice"):
        own.register(declaration(title="Another shop"))
    with pytest.raises(RegistryError, match=re.escape("route /apps/shop already belongs to 'shop'")):
        own.register(declaration(key="store", pages=(AppPage("/apps/shop", "Store", "m:f"),)))


def test_declarations_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.get_app("courses").title = "Free courses"


def test_every_registered_app_can_be_granted():
    assert list(registry.app_choices()) == [app.key for app in registry.all_apps()]


@pytest.mark.parametrize(
    ("pattern", "path", "params"),
    [
        ("/apps/notes/[note]", "/apps/notes/7", {"note": "7"}),
        ("/apps/notes/[note]", "/apps/notes/7/", {"note": "7"}),
        ("/apps/c/[course]/[lesson]", "/apps/c/intro%20one/l-2", {"course": "intro one", "lesson": "l-2"}),
        ("/apps/notes", "/apps/notes", {}),
        ("/apps/notes/[note]", "/apps/notes", None),
        ("/apps/notes/[note]", "/apps/notes/7/edit", None),
        ("/apps/notes/[note]", "/apps/other/7", None),
        ("/apps/notes/[note]", "/apps/notes//", None),
        ("/apps/notes/[note]", None, None),
        ("/apps/notes/[note]", "/apps/notes/" + "x" * 3000, None),
    ],
)
def test_route_parameters_come_from_the_path_by_the_pages_pattern(pattern, path, params):
    assert registry.match_route(pattern, path) == params
