"""Which child apps an account may open, and the grants the business gives.

An app is open to an account when all three hold:
  1. the business enabled it (Business.enabled_apps);
  2. the account was granted it (an AppGrant row), or the business gives it to everyone
     (Business.apps_for_everyone);
  3. the account's profile has every field the business requires (portal_app.profile.service).
An app that declares roles may also ask for a role of at least some rank (can_open(..., role=)).
Disabled accounts never get this far: they have no session. Grants themselves live in apps/grants.py.

The menu, home and every app page and handler ask can_open() or accessible_apps(); nothing else
decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal_app.apps import grants, registry
from portal_app.apps.registry import ChildApp
from portal_app.business import service as business
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.profile import service as profile_service

NOT_ENABLED = "not_enabled"
NOT_GRANTED = "not_granted"
PROFILE_INCOMPLETE = "profile_incomplete"
# The app is open to the account, but its role is below the one asked for.
ROLE_TOO_LOW = "role_too_low"


@dataclass(frozen=True)
class AccessDecision:
    """Whether an account may open an app; `reason` says why not (NOT_ENABLED, NOT_GRANTED, PROFILE_INCOMPLETE)."""

    allowed: bool
    reason: str | None = None
    # The account's role in the app (its grant's, or the app's lowest for an app given to everyone).
    role: str | None = None


ALLOWED = AccessDecision(allowed=True)


def profile_complete(account_id: int) -> bool:
    """Whether the person filled in every profile field the business requires."""
    return profile_service.profile_is_complete(account_id)


def _decide(app: ChildApp, *, enabled: set[str], granted, everyone: set[str]) -> AccessDecision | None:
    """The refusal from the business's settings and grants, or None when only the profile is left to check."""
    if app.key not in enabled:
        return AccessDecision(False, NOT_ENABLED)
    if app.key not in granted and app.key not in everyone:
        return AccessDecision(False, NOT_GRANTED)
    return None


def _settings_and_grants(account_id: int) -> tuple[set[str], dict[str, str | None], set[str]]:
    with db.read_session() as session:
        business = session.get(Business, BUSINESS_ID)
        granted = grants.granted_roles(session, account_id)
    if business is None:
        return set(), granted, set()
    return set(business.enabled_apps or ()), granted, set(business.apps_for_everyone or ())


def _role(app: ChildApp, granted: dict[str, str | None]) -> str | None:
    role = granted.get(app.key)
    return role if app.role_rank(role) >= 0 else app.default_role


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
        decisions.append((app, refusal or AccessDecision(True, role=_role(app, granted))))
    return decisions


def can_open(account_id: int, key: object, *, role: str | None = None) -> AccessDecision:
    """Whether the account may open the app now (with at least `role`, when given).

    An unknown key is NOT_ENABLED (no such app is on); a role the app does not declare is never reached.
    """
    app = registry.get_app(key)
    if app is None:
        return AccessDecision(False, NOT_ENABLED)
    enabled, granted, everyone = _settings_and_grants(account_id)
    refusal = _decide(app, enabled=enabled, granted=granted, everyone=everyone)
    if refusal is not None:
        return refusal
    if not profile_complete(account_id):
        return AccessDecision(False, PROFILE_INCOMPLETE)
    held = _role(app, granted)
    if role is not None and (app.role_rank(role) < 0 or app.role_rank(held) < app.role_rank(role)):
        return AccessDecision(False, ROLE_TOO_LOW, role=held)
    return AccessDecision(True, role=held)


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
