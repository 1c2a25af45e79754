"""Referral links: /r/<code>[/<campaign>] and ?ref=<code> record a click and leave the referral cookie.

The cookie (app_affiliates_ref) is `1.<code>.<campaign id>.<click time>.<visitor>.<signature>`: the
affiliate's code, the campaign, the click's unix time, the random visitor id of the browser (to count
distinct visitors; no IP address, no user agent) and an HMAC-SHA256 of the rest under a key derived
from the portal's secret, so a visitor cannot write another affiliate's code into it. It counts for
the campaign's cookie_days from the click. With "first_click" a valid cookie is kept; with
"last_click" the newer link replaces it.

Where the visitor then goes: the signup page, or the `to` parameter when it is a path on this portal
or an https address on a host the business listed in redirect_hosts (safe_target).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

from sqlmodel import Session

from portal_app.apps.affiliates import programme
from portal_app.apps.affiliates.models import Affiliate, Campaign, Click
from portal_app.apps.affiliates.service import APP_KEY
from portal_app.apps.app_settings import app_setting
from portal_app.apps.http import AppCookie
from portal_app.kernel import clock, db
from portal_app.kernel.settings import get_settings
from portal_app.kernel.text import has_invisible_characters

COOKIE_NAME = f"app_{APP_KEY}_ref"
SIGNUP_PATH = "/signup"
COOKIE_VERSION = "1"
MAX_TARGET_LENGTH = 2048
# A click time may run this far ahead of the clock that checks it (another worker's clock).
CLOCK_SKEW = timedelta(minutes=5)

_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_COOKIE = re.compile(
    r"1\.(?P<code>[A-Za-z0-9_-]{1,32})\.(?P<campaign>[1-9][0-9]{0,17})\.(?P<at>[1-9][0-9]{0,10})"
    r"\.(?P<visitor>[0-9a-f]{16})\.(?P<sig>[A-Za-z0-9_-]{43})"
)
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+")


@dataclass(frozen=True)
class Claim:
    """What a referral cookie with a good signature says."""

    code: str
    campaign_id: int
    clicked_at: datetime
    visitor: str


@dataclass(frozen=True)
class Referrer:
    """A claim that still counts: its affiliate exists and the campaign's window is open."""

    affiliate: Affiliate
    campaign: Campaign
    claim: Claim


@dataclass(frozen=True)
class Followed:
    """What /r/<code> answers: where to send the browser, and the cookies to leave (none for an unknown code)."""

    location: str
    cookies: tuple[AppCookie, ...]


def _signature(payload: str) -> str:
    key = get_settings().secret_key
    digest = hmac.new(key, f"affiliates.referral_cookie\x00{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def cookie_value(code: str, campaign_id: int, clicked_at: datetime, visitor: str) -> str:
    """The signed value of a referral cookie."""
    payload = f"{COOKIE_VERSION}.{code}.{campaign_id}.{int(clicked_at.timestamp())}.{visitor}"
    return f"{payload}.{_signature(payload)}"


def read_cookie(raw: object) -> Claim | None:
    """The claim of a cookie whose format and signature are right (compared in constant time), else None."""
    if not isinstance(raw, str) or len(raw) > 200:
        return None
    match = _COOKIE.fullmatch(raw)
    if match is None:
        return None
    payload = raw[: match.start("sig") - 1]
    if not hmac.compare_digest(match["sig"], _signature(payload)):
        return None
    return Claim(
        code=match["code"],
        campaign_id=int(match["campaign"]),
        clicked_at=datetime.fromtimestamp(int(match["at"]), UTC),
        visitor=match["visitor"],
    )


def live_referrer(session: Session, raw: object, now: datetime) -> Referrer | None:
    """The affiliate and campaign a cookie names, when it is genuine and within the campaign's window."""
    claim = read_cookie(raw)
    if claim is None or claim.clicked_at > now + CLOCK_SKEW:
        return None
    affiliate = programme.affiliate_by_code(session, claim.code)
    if affiliate is None:
        return None
    campaign = session.get(Campaign, claim.campaign_id)
    if campaign is None or campaign.archived:  # an archived campaign makes no more referrals
        campaign = programme.default_campaign(session)
    if now >= claim.clicked_at + timedelta(days=campaign.cookie_days):
        return None
    return Referrer(affiliate=affiliate, campaign=campaign, claim=claim)


def _campaign(session: Session, slug: str | None) -> Campaign:
    """The campaign a link names, when it is live; else the default campaign."""
    try:
        named = programme.campaign_by_slug(session, slug)
    except LookupError:
        return programme.default_campaign(session)
    return named if not named.archived else programme.default_campaign(session)


def visit(
    code: object, campaign_slug: str | None = None, cookies: Mapping[str, str] | None = None
) -> tuple[AppCookie, ...]:
    """Record a click on an affiliate's link and return the referral cookie to leave; () for an unknown
    code, or when a valid cookie stays (first_click)."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return ()
    now = clock.now()
    with db.read_session() as session:  # a made-up code takes no write lock
        if programme.affiliate_by_code(session, code) is None:
            return ()
    with db.write_session() as session:
        affiliate = programme.affiliate_by_code(session, code)
        if affiliate is None:
            return ()
        campaign = _campaign(session, campaign_slug)
        present = (cookies or {}).get(COOKIE_NAME)
        earlier = read_cookie(present)
        visitor = earlier.visitor if earlier is not None else secrets.token_hex(8)
        session.add(Click(affiliate_id=affiliate.id, campaign_id=campaign.id, visitor=visitor, created_at=now))
        keeps = app_setting(APP_KEY, "attribution", session) == "first_click"
        if keeps and live_referrer(session, present, now) is not None:
            return ()
        if campaign.cookie_days <= 0:
            return ()
        value = cookie_value(affiliate.code, campaign.id, now, visitor)
        return (AppCookie(COOKIE_NAME, value, campaign.cookie_days * 86400),)


def follow(
    code: object, campaign_slug: str | None = None, *, to: object = None, cookies: Mapping[str, str] | None = None
) -> Followed:
    """/r/<code>[/<campaign>]: the click and cookie (visit), and where to go. An unknown code goes to the same
    place a known one would, without a cookie."""
    return Followed(location=safe_target(to), cookies=visit(code, campaign_slug, cookies))


def landing_cookies(value: str, cookies: Mapping[str, str] | None = None) -> list[AppCookie]:
    """?ref=<code> on any page (the registry's landing_params): the same click and cookie, no redirect."""
    return list(visit(value, None, cookies))


def redirect_hosts(raw: object = None) -> frozenset[str]:
    """The hosts the business lets links lead to (the redirect_hosts setting: names separated by commas)."""
    text = app_setting(APP_KEY, "redirect_hosts") if raw is None else raw
    if not isinstance(text, str):
        return frozenset()
    names = (name.strip().lower().rstrip(".") for name in text.replace(" ", ",").split(","))
    return frozenset(name for name in names if _HOST.fullmatch(name))


def safe_target(to: object, hosts: frozenset[str] | None = None) -> str:
    """Where a link may send the browser: a path on this portal ("/courses", never "//host" or "/\\host"), an
    https URL whose host is exactly one of the listed hosts (no user name, no port), else the signup page."""
    if not isinstance(to, str) or not to or len(to) > MAX_TARGET_LENGTH:
        return SIGNUP_PATH
    decoded = unquote(to)
    for text in (to, decoded):
        if "\\" in text or has_invisible_characters(text) or any(char.isspace() for char in text):
            return SIGNUP_PATH
    if to.startswith("/"):
        return to if _is_local_path(to) and _is_local_path(decoded) else SIGNUP_PATH
    if not to.startswith("https://"):
        return SIGNUP_PATH
    host = urlsplit(to).netloc.lower()
    if not _HOST.fullmatch(host):  # no user name, password or port; plain ASCII names only
        return SIGNUP_PATH
    allowed = redirect_hosts() if hosts is None else hosts
    return to if host in allowed else SIGNUP_PATH


def _is_local_path(path: str) -> bool:
    parts = urlsplit(path)
    return path.startswith("/") and not path.startswith("//") and not parts.scheme and not parts.netloc
