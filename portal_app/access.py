"""Which child apps an account may open, and the grants the business gives.

An app is open to an account when all three hold:
  1. the business enabled it (Business.enabled_apps);
  2. the account was granted it (an AppGrant row), or the business gives it to everyone
     (Business.apps_for_everyone);
  3. the account's profile has every field the business requires (portal_app.profile.service).
Disabled accounts never get this far: they have no session.

The menu, home and every app page and handler ask can_open() or accessible_apps(); nothing else
decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app import activity, business, clock, db
from portal_app.apps import registry
from portal_app.apps.registry import ChildApp
from portal_app.models import BUSINESS_ID, PORTAL_APP_KEY, AppGrant, Business

NOT_ENABLED = "not_enabled"
NOT_GRANTED = "not_granted"
PROFILE_INCOMPLETE = "profile_incomplete"


@dataclass(frozen=True)
class AccessDecision:
    """Whether an account may open an app; `reason` says why not (NOT_ENABLED, NOT_GRANTED, PROFILE_INCOMPLETE)."""

    allowed: bool
    reason: str | None = None


ALLOWED = AccessDecision(allowed=True)


def app_choices() -> dict[str, str]:
    """key -> title of every app the portal knows, in switcher order."""
    return registry.app_choices()


def __getattr__(name: str):
    # PRODUCT_APPS predates the registry; callers move to app_choices(), which also lists added apps.
    if name == "PRODUCT_APPS":
        return app_choices()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_app_key(key: object) -> str:
    """The app key if the portal knows it; ValueError with the valid keys otherwise."""
    if registry.get_app(key) is None:
        raise ValueError(f"unknown app {str(key)[:40]!r}; choose from: {', '.join(app_choices())}")
    return key


def grant_app(session: Session, *, account_id: int, app_key: str) -> bool:
    """Give the account access to an app inside the caller's transaction; False if it already had it.

    The grant goes on the account's timeline in the same transaction.
    """
    check_app_key(app_key)
    existing = session.exec(
        select(AppGrant).where(AppGrant.account_id == account_id, AppGrant.app_key == app_key)
    ).first()
    if existing is not None:
        return False
    now = clock.now()
    session.add(AppGrant(account_id=account_id, app_key=app_key, granted_at=now))
    activity.record(
        session,
        account_id=account_id,
        app_key=PORTAL_APP_KEY,
        kind="app_granted",
        summary=registry.get_app(app_key).title,
        at=now,
    )
    return True


def revoke_app(session: Session, *, account_id: int, app_key: str) -> bool:
    """Take an app's grant away inside the caller's transaction; False if the account had no grant.

    An app the business gives to everyone stays open: that is a business setting, not a grant.
    """
    check_app_key(app_key)
    existing = session.exec(
        select(AppGrant).where(AppGrant.account_id == account_id, AppGrant.app_key == app_key)
    ).first()
    if existing is None:
        return False
    session.delete(existing)
    activity.record(
        session,
        account_id=account_id,
        app_key=PORTAL_APP_KEY,
        kind="app_revoked",
        summary=registry.get_app(app_key).title,
    )
    return True


def granted_keys(session: Session, account_id: int) -> set[str]:
    """The app keys granted to the account itself (not those the business gives everyone)."""
    return set(session.exec(select(AppGrant.app_key).where(AppGrant.account_id == account_id)))


def app_titles(session: Session, account_id: int) -> list[str]:
    """The titles of the apps the account was granted, in switcher order."""
    keys = granted_keys(session, account_id)
    return [app.title for app in registry.all_apps() if app.key in keys]


# The profile package decides what "complete" means; it is imported when asked, since it may read
# this module (and the registry) itself.


def profile_complete(account_id: int) -> bool:
    """Whether the person filled in every profile field the business requires."""
    from portal_app.profile import service as profile_service

    return profile_service.profile_is_complete(account_id)


def _decide(app: ChildApp, *, enabled: set[str], granted: set[str], everyone: set[str]) -> AccessDecision | None:
    """The refusal from the business's settings and grants, or None when only the profile is left to check."""
    if app.key not in enabled:
        return AccessDecision(False, NOT_ENABLED)
    if app.key not in granted and app.key not in everyone:
        return AccessDecision(False, NOT_GRANTED)
    return None


def _settings_and_grants(account_id: int) -> tuple[set[str], set[str], set[str]]:
    with db.read_session() as session:
        business = session.get(Business, BUSINESS_ID)
        granted = granted_keys(session, account_id)
    if business is None:
        return set(), granted, set()
    return set(business.enabled_apps or ()), granted, set(business.apps_for_everyone or ())


def app_access(account_id: int) -> list[tuple[ChildApp, AccessDecision]]:
    """Every registered app with this account's decision, in switcher order (one profile check at most)."""
    enabled, granted, everyone = _settings_and_grants(account_id)
    decisions: list[tuple[ChildApp, AccessDecision]] = []
    complete: bool | None = None
    for app in registry.all_apps():
        refusal = _decide(app, enabled=enabled, granted=granted, everyone=everyone)
        if refusal is None:
            if complete is None:
                complete = profile_complete(account_id)
            refusal = None if complete else AccessDecision(False, PROFILE_INCOMPLETE)
        decisions.append((app, refusal or ALLOWED))
    return decisions


def can_open(account_id: int, key: object) -> AccessDecision:
    """Whether the account may open the app now; an unknown key is NOT_ENABLED (no such app is on)."""
    app = registry.get_app(key)
    if app is None:
        return AccessDecision(False, NOT_ENABLED)
    enabled, granted, everyone = _settings_and_grants(account_id)
    refusal = _decide(app, enabled=enabled, granted=granted, everyone=everyone)
    if refusal is not None:
        return refusal
    return ALLOWED if profile_complete(account_id) else AccessDecision(False, PROFILE_INCOMPLETE)


def landing_path(account_id: int, requested: str) -> str:
    """Where a sign-in lands: the page asked for, or, for plain "/", the business's default landing app
    when this account can open it now (otherwise home)."""
    if requested != "/":
        return requested
    key = business.get_business().default_landing_app
    app = registry.get_app(key)
    if app is None or not can_open(account_id, key).allowed:
        return "/"
    return app.route


def accessible_apps(account_id: int) -> list[ChildApp]:
    """The apps the account can open now, in switcher order: what the switcher and home show."""
    return [app for app, decision in app_access(account_id) if decision.allowed]
