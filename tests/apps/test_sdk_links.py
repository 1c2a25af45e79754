"""SDK pieces for links people share: an app's routes at a top-level prefix (/r/<code>), landing parameters
on any page load (?ref=...) that leave the app's own HttpOnly cookies, and the "account_created" hook,
which sees only the app's cookies of the browser that signed up."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal_app.apps import hooks, http, registry
from portal_app.apps.http import AppCookie, LandingParamsMiddleware, app_cookie_header
from portal_app.apps.registry import Registry, RegistryError
from tests.apps.test_registry import declaration

CALLS: list[tuple] = []


def remember(value: str, cookies: dict[str, str]) -> list[AppCookie]:
    CALLS.append(("landing", value, cookies))
    return [AppCookie("app_shop_ref", value, 3600)] if value.isalnum() else []


def broken(value: str, cookies: dict[str, str]) -> list[AppCookie]:
    raise RuntimeError("a bug in the app")


def created(session, account_id: int, origin: hooks.AccountOrigin) -> None:
    CALLS.append(("created", account_id, dict(origin.cookies), origin.ip))


def test_root_prefixes_and_landing_parameters_are_checked():
    for prefix in ("r", "/R", "/api", "/admin", "/two/segments", "/_x"):
        with pytest.raises(RegistryError):
            Registry().register(declaration(root_prefix=prefix, root_routes="shop.links:routes"))
    with pytest.raises(RegistryError, match="go together"):
        Registry().register(declaration(root_prefix="/r"))
    with pytest.raises(RegistryError, match="landing parameter"):
        Registry().register(declaration(landing_params={"Bad-Name": "shop.links:remember"}))
    ours = Registry()
    ours.register(declaration(root_prefix="/r", root_routes="shop.links:routes", landing_params={"ref": "a.b:c"}))
    other_pages = (registry.AppPage(route="/apps/other", title="Other", page="o.p:page"),)
    with pytest.raises(RegistryError, match="already used"):
        ours.register(
            declaration(key="other", route="/apps/other", pages=other_pages, root_prefix="/r", root_routes="a.b:c")
        )
    with pytest.raises(RegistryError, match="belongs to"):
        ours.register(declaration(key="other", route="/apps/other", pages=other_pages, landing_params={"ref": "a:b"}))


def _landing_app(monkeypatch, landing: str) -> TestClient:
    shop = declaration(
        landing_params={"ref": f"{__name__}:{landing}"}, root_prefix="/r", root_routes=f"{__name__}:remember"
    )
    monkeypatch.setattr(http, "all_apps", lambda: [shop])
    page = Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("page"))])
    return TestClient(LandingParamsMiddleware(page))


def test_a_landing_parameter_on_any_page_leaves_the_apps_own_cookie(monkeypatch, settings_env):
    CALLS.clear()
    client = _landing_app(monkeypatch, "remember")
    answer = client.get(
        "/signup?ref=ann42&ref=second", headers={"cookie": "portal_session=secret; app_shop_ref=old; app_x_y=z"}
    )
    assert answer.text == "page"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("app_shop_ref=ann42;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=3600" in cookie and "Path=/" in cookie
    # The app sees only its own cookies (to keep a first click, say), never the session.
    assert CALLS == [("landing", "ann42", {"app_shop_ref": "old"})]
    # Not a page load (the apps' routes, the event socket), no parameter, or a value the app refuses: nothing.
    # nor on the app's own links (/r/...), which record their click themselves.
    for url in ("/api/apps/shop/x?ref=ann42", "/_event?ref=ann42", "/signup", "/signup?ref=bad%20value", "/r/x?ref=a"):
        assert "set-cookie" not in client.get(url).headers, url
    assert "set-cookie" not in client.post("/signup?ref=ann42").headers


def test_an_apps_failure_never_breaks_the_page(monkeypatch, settings_env, caplog):
    client = _landing_app(monkeypatch, "broken")
    answer = client.get("/?ref=x")
    assert answer.status_code == 200 and answer.text == "page" and "set-cookie" not in answer.headers
    assert "landing parameter 'ref' of app 'shop' failed" in caplog.text


def test_an_app_sets_only_cookies_of_its_own_name_with_plain_values(settings_env):
    shop = declaration()
    assert app_cookie_header(shop, AppCookie("app_shop_ref", "abc", 60)).startswith(b"app_shop_ref=abc; Path=/")
    for cookie in (
        AppCookie("portal_session", "stolen", 60),
        AppCookie("app_other_ref", "x", 60),
        AppCookie("app_shop_ref", "a;b", 60),
        AppCookie("app_shop_ref", "", 60),
    ):
        with pytest.raises(ValueError):
            app_cookie_header(shop, cookie)


def test_account_created_hooks_see_only_their_apps_cookies(monkeypatch):
    CALLS.clear()
    shop = declaration(hooks={"account_created": f"{__name__}:created"})
    monkeypatch.setattr(hooks.registry, "all_apps", lambda: [shop])
    origin = hooks.AccountOrigin(
        ip="203.0.113.9", cookies={"portal_session": "secret", "app_shop_ref": "ann42", "app_other_x": "y"}
    )
    hooks.fire(None, "account_created", 7, origin=origin)
    assert CALLS == [("created", 7, {"app_shop_ref": "ann42"}, "203.0.113.9")]
