"""Public pages in the registry: what a PublicPage declaration must say, and where it may live.

Each test registers into its own Registry, so the portal's registry never sees the throwaway apps.
"""

from __future__ import annotations

import re

import pytest

from portal_app.apps import registry
from portal_app.apps.registry import (
    RESERVED_PUBLIC_SEGMENTS,
    AppPage,
    ChildApp,
    PublicPage,
    Registry,
    RegistryError,
    SummaryCard,
    resolve,
)


def public(route: str = "/receipts/[code]", **changes) -> PublicPage:
    fields = {"route": route, "title": "Receipt", "page": "shop.pages:receipt_page", "on_load": "shop.state:S.load"}
    return PublicPage(**{**fields, **changes})


def declaration(*public_pages, **changes) -> ChildApp:
    fields = {
        "key": "shop",
        "title": "Shop",
        "icon": "shopping-cart",
        "route": "/apps/shop",
        "description": "Things to buy.",
        "pages": (AppPage(route="/apps/shop", title="Shop", page="shop.pages:shop_page"),),
        "summary": lambda account_id: SummaryCard(headline="Nothing bought yet"),
        "public_pages": public_pages,
    }
    return ChildApp(**{**fields, **changes})


def refused(app: ChildApp, match: str | None = None) -> str:
    own = Registry()
    with pytest.raises(RegistryError, match=match) as error:
        own.register(app)
    assert own.all() == [], "a refused declaration registers nothing"
    return str(error.value)


def test_a_public_page_registers_in_its_own_registry():
    own = Registry()
    own.register(declaration(public(), public("/receipts/[code]/print", title="Print", on_load=None)))
    assert [page.route for page in own.get("shop").public_pages] == ["/receipts/[code]", "/receipts/[code]/print"]
    assert registry.get_app("shop") is None, "the portal's registry is untouched"


def test_an_app_without_public_pages_declares_none():
    assert declaration().public_pages == ()


@pytest.mark.parametrize(
    "route",
    [
        "/apps",
        "/apps/shop/receipt",
        "/apps/other/[code]",
        "/admin",
        "/admin/receipts",
        "/api/receipts/[code]",
        "/auth/receipt",
        "/login",
        "/login/help",
        "/signup",
        "/verify/[code]",
        "/magic",
    ],
)
def test_a_public_page_inside_a_path_the_portal_uses_is_refused(route):
    message = refused(declaration(public(route)))
    assert "'shop'" in message and route in message and "path the portal uses" in message


def test_every_reserved_first_segment_is_refused_and_neighbours_are_not():
    for segment in RESERVED_PUBLIC_SEGMENTS:
        refused(declaration(public(f"/{segment}")))
        refused(declaration(public(f"/{segment}/x")))
        # Only the whole segment is the portal's: /apiary or /profiles stay free for an app.
        Registry().register(declaration(public(f"/{segment}x")))


def test_a_public_page_may_not_start_with_a_parameter():
    refused(declaration(public("/[code]")))


def test_an_underscore_route_is_refused():
    refused(declaration(public("/_x")))
    refused(declaration(public("/_event")))


def test_a_public_page_at_one_of_the_apps_own_pages_is_refused():
    refused(declaration(public("/apps/shop")))


def test_a_route_another_app_already_uses_is_refused():
    own = Registry()
    own.register(declaration(public()))
    blog = dict(key="blog", title="Blog", route="/apps/blog", pages=(AppPage("/apps/blog", "Blog", "b:p"),))
    with pytest.raises(RegistryError, match=re.escape("route /receipts/[code] already belongs to 'shop'")):
        own.register(declaration(public(), **blog))
    assert [app.key for app in own.all()] == ["shop"]
    own.register(declaration(public("/posts/[slug]"), **blog))
    assert [app.key for app in own.all()] == ["blog", "shop"]


def test_two_public_pages_at_one_route_are_refused():
    refused(declaration(public(), public(title="Again")), match=re.escape("two public pages at /receipts/[code]"))


@pytest.mark.parametrize(
    "route",
    [
        "",
        "/",
        "receipts",
        "/Receipts",
        "/receipts/",
        "/receipts//x",
        "/receipts/[Code]",
        "/receipts/[code",
        "/receipts/[1code]",
        "/rec eipts",
        "/receipts/ä",
        "/receipts?x=1",
        "/receipts/../admin",
        None,
        7,
    ],
)
def test_a_malformed_route_is_refused(route):
    refused(declaration(public(route)), match="lower-case routes")


def test_only_public_page_declarations_are_taken():
    refused(declaration(AppPage("/receipts", "Receipts", "shop.pages:receipt_page")), match="PublicPage declarations")
    refused(declaration("/receipts"), match="PublicPage declarations")


@pytest.mark.parametrize("title", ["", "   ", None, 7])
def test_a_public_page_needs_a_title(title):
    refused(declaration(public(title=title)), match=re.escape("public page /receipts/[code] needs a title"))


@pytest.mark.parametrize(
    "changes",
    [
        {"page": "receipt_page"},
        {"page": "shop.pages.receipt_page"},
        {"page": "shop pages:receipt_page"},
        {"page": ""},
        {"page": None},
        {"page": print},
        {"on_load": "load"},
        {"on_load": "shop.state:"},
        {"on_load": print},
    ],
    ids=lambda changes: f"{next(iter(changes))}={next(iter(changes.values()))!r}",
)
def test_a_page_or_on_load_not_named_by_import_path_is_refused(changes):
    refused(declaration(public(**changes)), match="'package.module:attribute'")


def test_the_courses_app_publishes_its_certificates():
    courses = registry.get_app("courses")
    pages = {page.route: page for page in courses.public_pages}
    assert "/certificates/[code]" in pages
    page = pages["/certificates/[code]"]
    assert page.title == "Certificate"
    assert callable(resolve(page.page))
    assert resolve(page.on_load) is not None
    # Not a page of the app behind the access check, and the app guard never claims its URLs.
    assert not courses.owns_path("/certificates/abc")
    assert registry.app_for_path("/certificates/abc") is None
    # What its on_load reads from the URL.
    assert registry.match_route(page.route, "/certificates/Ab-3_xYz0123456789") == {"code": "Ab-3_xYz0123456789"}
    assert registry.match_route(page.route, "/certificates") is None


def test_no_two_registered_apps_share_a_public_route_and_none_is_reserved():
    routes = [page.route for app in registry.all_apps() for page in app.public_pages]
    assert len(routes) == len(set(routes))
    assert not [route for route in routes if route.split("/")[1] in RESERVED_PUBLIC_SEGMENTS]
