"""Referral links: /r/<code>[/<campaign>] and ?ref= record a click (no personal data), leave a signed cookie for
the campaign's window (first or last click), and redirect only to this portal or to the business's listed hosts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect
from sqlmodel import select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal_app.apps.affiliates import links, programme
from portal_app.apps.affiliates.models import Campaign, Click
from portal_app.apps.app_settings import update_app_settings
from portal_app.apps.http import LandingParamsMiddleware, child_app_routes
from portal_app.kernel import clock, db
from tests.apps.support import add_account

COOKIE = "app_affiliates_ref"
DAY = 86400


def make_affiliate(email: str) -> str:
    """A person in the programme; returns their referral code."""
    account_id = add_account(email, email.split("@")[0].title())
    with db.write_session() as session:
        return programme.ensure_affiliate(session, account_id).code


def set_setting(**values) -> None:
    with db.write_session() as session:
        update_app_settings(session, "affiliates", values)


def add_campaign(slug: str, *, cookie_days: int = 7, archived: bool = False) -> int:
    with db.write_session() as session:
        campaign = Campaign(
            slug=slug, name=slug.title(), cookie_days=cookie_days, archived=archived, created_at=clock.now()
        )
        session.add(campaign)
        session.flush()
        return campaign.id


def default_campaign_id() -> int:
    with db.write_session() as session:
        return programme.default_campaign(session).id


def clicks() -> list[Click]:
    with db.read_session() as session:
        return list(session.exec(select(Click).order_by(Click.id)))


def client() -> TestClient:
    return TestClient(Starlette(routes=child_app_routes()), base_url="http://localhost:3000", follow_redirects=False)


def follow(browser: TestClient, url: str, **params):
    return browser.get(url, params=params or None)


def cookie_of(response) -> str | None:
    header = response.headers.get("set-cookie")
    if header is None:
        return None
    assert header.startswith(f"{COOKIE}=")
    return header.split(";", 1)[0].split("=", 1)[1]


@pytest.fixture
def ann(database, frozen_clock) -> str:
    return make_affiliate("ann@example.com")


def test_a_link_records_a_click_and_leaves_a_signed_cookie_for_the_campaigns_window(ann, frozen_clock):
    answer = follow(client(), f"/r/{ann}")
    assert answer.status_code == 302 and answer.headers["location"] == "/signup"
    assert answer.headers["cache-control"] == "no-store"
    header = answer.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header and f"Max-Age={30 * DAY}" in header
    claim = links.read_cookie(cookie_of(answer))
    assert (claim.code, claim.campaign_id) == (ann, default_campaign_id())
    assert claim.clicked_at == frozen_clock.current.replace(microsecond=0)
    [click] = clicks()
    assert (click.campaign_id, click.visitor, click.created_at) == (
        claim.campaign_id,
        claim.visitor,
        frozen_clock.current,
    )
    # What a click keeps: no IP address, no user agent, nothing about the person.
    with db.read_session() as session:
        columns = {column["name"] for column in inspect(session.connection()).get_columns("click")}
    assert columns == {"id", "affiliate_id", "campaign_id", "visitor", "created_at"}


def test_a_campaign_link_uses_that_campaign_and_an_unknown_or_archived_one_the_default(ann):
    spring = add_campaign("spring", cookie_days=7)
    add_campaign("winter", archived=True)
    browser = client()
    answer = follow(browser, f"/r/{ann}/spring")
    assert links.read_cookie(cookie_of(answer)).campaign_id == spring
    assert f"Max-Age={7 * DAY}" in answer.headers["set-cookie"]
    for slug in ("winter", "nope", "BAD%20SLUG", "x" * 80):
        assert links.read_cookie(cookie_of(follow(client(), f"/r/{ann}/{slug}"))).campaign_id == default_campaign_id()


def test_an_unknown_or_malformed_code_leaves_no_click_and_no_cookie_and_says_nothing(ann):
    known = follow(client(), f"/r/{ann}")
    for code in ("nobody", "a.b", "x" * 40, "%00", "%E2%80%AE", "ann%40example.com"):
        answer = follow(client(), f"/r/{code}")
        assert (answer.status_code, answer.headers["location"]) == (known.status_code, known.headers["location"])
        assert "set-cookie" not in answer.headers, code
    assert len(clicks()) == 1


HOSTILE_TARGETS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.com",
    "///evil.com",
    "////evil.com/%2e%2e",
    "/\\evil.com",
    "\\\\evil.com",
    "\\/evil.com",
    "/%2F%2Fevil.com",
    "%2F%2Fevil.com",
    "/%5Cevil.com",
    "/%09/evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\u202e/moc.live",
    " /courses",
    "evil.com",
    "https://evil.com",
    "https://evil.com/https://shop.example.com",
    "http://shop.example.com/",
    "HTTPS://evil.com",
    "https://shop.example.com.evil.com/",
    "https://evilshop.example.com/",
    "https://shop.example.com@evil.com/",
    "https://shop.example.com%40evil.com/",
    "https://user:pass@shop.example.com/",
    "https://shop.example.com:443@evil.com/",
    "https://shop.example.com:8443/",
    "https://shop.example.com\\@evil.com",
    "https://shop.example.com\u3002evil.com/",
    "https://shop%2eexample%2ecom/",
    "https:shop.example.com",
    "https:/shop.example.com",
    "https:\\\\shop.example.com",
    "https:///shop.example.com",
    "https://[::1]/",
    "https://127.0.0.1/",
    "ftp://shop.example.com/",
    "https://evil.com#https://shop.example.com",
    "https://evil.com?to=https://shop.example.com",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_hostile_redirect_targets_go_to_signup(ann, target):
    set_setting(redirect_hosts="shop.example.com, www.example.org")
    assert follow(client(), f"/r/{ann}", to=target).headers["location"] == "/signup"
    assert follow(client(), "/r/nobody", to=target).headers["location"] == "/signup"
    assert links.safe_target(target) == "/signup"


def test_a_listed_https_host_or_a_path_on_this_portal_is_where_the_link_goes(ann):
    set_setting(redirect_hosts="shop.example.com, www.example.org")
    for target in (
        "https://shop.example.com/pricing?plan=pro#top",
        "https://www.example.org",
        "https://SHOP.example.com/",
        "/apps/courses",
        "/signup?next=%2Fprofile",
        "/",
    ):
        answer = follow(client(), f"/r/{ann}", to=target)
        assert answer.headers["location"] == target and "set-cookie" in answer.headers
    # The list is the business's: with no host listed, no address elsewhere is allowed.
    set_setting(redirect_hosts="")
    assert follow(client(), f"/r/{ann}", to="https://shop.example.com/").headers["location"] == "/signup"


def test_redirect_hosts_keeps_only_host_names():
    assert links.redirect_hosts("Shop.Example.com, www.example.org. bad/host, *.evil.com, ,x") == {
        "shop.example.com",
        "www.example.org",
    }


def test_first_click_keeps_a_valid_cookie_and_still_counts_the_click(ann, frozen_clock):
    bob = make_affiliate("bob@example.com")
    browser = client()
    first = cookie_of(follow(browser, f"/r/{ann}"))
    frozen_clock.advance(days=2)
    again = follow(browser, f"/r/{bob}")
    assert "set-cookie" not in again.headers and browser.cookies[COOKIE] == first
    # Both clicks count, from one visitor.
    assert [click.visitor for click in clicks()] == [links.read_cookie(first).visitor] * 2
    # Once the first cookie's window is over, a new link takes its place.
    frozen_clock.advance(days=29)
    later = cookie_of(follow(browser, f"/r/{bob}"))
    assert links.read_cookie(later).code == bob


def test_last_click_replaces_the_cookie(ann, frozen_clock):
    set_setting(attribution="last_click")
    bob = make_affiliate("bob@example.com")
    browser = client()
    first = links.read_cookie(cookie_of(follow(browser, f"/r/{ann}")))
    frozen_clock.advance(hours=1)
    second = links.read_cookie(cookie_of(follow(browser, f"/r/{bob}")))
    assert (second.code, second.visitor) == (bob, first.visitor)
    assert second.clicked_at == frozen_clock.current.replace(microsecond=0)


def test_a_forged_or_tampered_cookie_is_replaced_even_with_first_click(ann):
    bob = make_affiliate("bob@example.com")
    genuine = cookie_of(follow(client(), f"/r/{ann}"))
    payload, signature = genuine.rsplit(".", 1)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for forged in (
        genuine.replace(f".{ann}.", f".{bob}."),
        f"{payload}.{flipped}",
        payload,
        genuine + "x",
        "1.whoever.1.1700000000.0123456789abcdef." + "A" * 43,
    ):
        browser = client()
        browser.cookies.set(COOKIE, forged)
        assert links.read_cookie(cookie_of(follow(browser, f"/r/{bob}"))).code == bob, forged


def test_a_cookie_signed_with_another_secret_is_not_ours(ann, settings_env):
    genuine = cookie_of(follow(client(), f"/r/{ann}"))
    assert links.read_cookie(genuine) is not None
    settings_env(PORTAL_SECRET_KEY="another-portal-secret")
    assert links.read_cookie(genuine) is None


def test_a_cookie_expires_with_its_campaigns_window_and_never_comes_from_the_future(ann, frozen_clock):
    genuine = cookie_of(follow(client(), f"/r/{ann}"))
    with db.read_session() as session:
        assert links.live_referrer(session, genuine, frozen_clock.current + timedelta(days=29, hours=23)) is not None
        assert links.live_referrer(session, genuine, frozen_clock.current + timedelta(days=30)) is None
        assert links.live_referrer(session, genuine, frozen_clock.current - timedelta(minutes=10)) is None
        for junk in (None, 7, "", "1." * 100, "x" * 5000, ["a"]):
            assert links.live_referrer(session, junk, frozen_clock.current) is None


def test_head_requests_record_nothing(ann):
    answer = client().head(f"/r/{ann}")
    assert answer.status_code == 302 and "set-cookie" not in answer.headers and clicks() == []


def test_ref_on_any_page_records_the_click_and_leaves_the_cookie(ann):
    page = Starlette(routes=[Route("/{path:path}", lambda request: PlainTextResponse("page"))])
    browser = TestClient(LandingParamsMiddleware(page), base_url="http://localhost:3000")
    answer = browser.get("/apps/courses", params={"ref": ann})
    assert answer.text == "page" and links.read_cookie(cookie_of(answer)).code == ann
    for value in ("nobody", "<script>", "a" * 150):
        assert "set-cookie" not in browser.get("/", params={"ref": value}).headers
    assert len(clicks()) == 1


def test_landing_cookies_with_first_click_keeps_an_earlier_cookie(ann):
    bob = make_affiliate("bob@example.com")
    [first] = links.landing_cookies(ann)
    assert links.landing_cookies(bob, {COOKIE: first.value}) == []
    set_setting(attribution="last_click")
    [second] = links.landing_cookies(bob, {COOKIE: first.value})
    assert links.read_cookie(second.value).code == bob
    assert links.landing_cookies(None) == [] and links.landing_cookies("nobody") == []
