"""Which child apps an account may open, and the grants the business gives.

An app is open to an account when all three hold:
  1. the business enabled it (Business.enabled_apps);
  2. the account was granted it (an AppGrant row), or the business gives it to everyone
     (Business.apps_for_everyone);
  3. the account's profile has every field the business requires (portal_app.profile.service).
An app that declares roles may also ask for a role of at least some rank (can_open(..., role=)).
Disabled accounts never get this far: they have no session. Grants themselves live in apps/grants.py.

A handler resolves the Principal once per event (principal_for_token: one read transaction, of two
statements: the session with its account, the business settings and the profile; then the grants) and
asks decide() or accessible_apps() with it; nothing else decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlmodel import Session

from portal_app.accounts import sessions
from portal_app.accounts.models import Account
from portal_app.apps import grants, registry
from portal_app.apps.registry import ChildApp
from portal_app.business import service as business
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import db
from portal_app.profile import service as profile_service
from portal_app.profile.models import Profile

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
# What principal_for_token reads with the session, in its one statement: the business's row and the profile
# (one constant, so the statement is built once: kernel/sessions.lookup).
_BUSINESS_AND_PROFILE = ((Business, Business.id == BUSINESS_ID), (Profile, Profile.account_id == Account.id))


def missing_profile_fields(account: Account, profile: Profile | None, required: tuple[str, ...]) -> tuple[str, ...]:
    """Labels of the required profile fields the person has not filled in, from their account and profile rows."""
    return tuple(profile_service.missing_of(account, profile, required))


@dataclass(frozen=True)
class Principal:
    """Who is asking, resolved once per event in one read: the account, its business's settings, its grants
    (app key -> role) and what its profile still lacks. Handlers hand it to the access rule and to services."""

    account_id: int
    full_name: str
    email: str
    business: business.BusinessView
    grants: Mapping[str, str | None]
    missing_profile_fields: tuple[str, ...]
    # The live session this event came with (None when resolved from an account id, e.g. by a service).
    session: sessions.SessionInfo | None = None

    @property
    def profile_complete(self) -> bool:
        return not self.missing_profile_fields


def _principal_of(session: Session, account: Account, row: Business | None, profile: Profile | None) -> Principal:
    """The principal of an account from its rows already read (the business's, its profile's) and its grants."""
    # Without a business row nothing is switched on yet, whatever the apps' defaults say.
    settings = business.view_of(row) if row is not None else replace(business.view_of(None), enabled_apps=())
    granted = grants.granted_roles(session, account.id)
    missing = missing_profile_fields(account, profile, settings.required_profile_fields)
    return Principal(account.id, account.full_name, account.email, settings, granted, missing)


def _principal_in(session: Session, account_id: int) -> Principal | None:
    account = session.get(Account, account_id)
    if account is None:
        return None
    return _principal_of(session, account, session.get(Business, BUSINESS_ID), session.get(Profile, account_id))


def principal_for_account(account_id: int) -> Principal | None:
    """The principal of an account (one read transaction); None when there is no such account."""
    with db.read_session() as session:
        return _principal_in(session, account_id)


def principal_for_token(token: object) -> Principal | None:
    """The principal behind a session cookie's token, or None without a live session.

    One read transaction finds the session and everything the principal holds; a dead session is
    then deleted, and a live one's last use noted, as sessions.confirm does for every check.
    """
    with db.read_session() as session:
        # The business's row and the profile come with the session's own statement: two statements in all.
        found = sessions.lookup(session, token, also=_BUSINESS_AND_PROFILE)
        if found is None:
            return None
        row, account, business_row, profile = found
        principal = _principal_of(session, account, business_row, profile)
    info = sessions.confirm(row, account)
    if info is None:
        return None
    return replace(principal, session=info)


def _decide(app: ChildApp, principal: Principal, role: str | None) -> AccessDecision:
    if app.key not in principal.business.enabled_apps:
        return AccessDecision(False, NOT_ENABLED)
    if app.key not in principal.grants and app.key not in principal.business.apps_for_everyone:
        return AccessDecision(False, NOT_GRANTED)
    if not principal.profile_complete:
        return AccessDecision(False, PROFILE_INCOMPLETE)
    held = principal.grants.get(app.key)
    held = held if app.role_rank(held) >= 0 else app.default_role
    if role is not None and (app.role_rank(role) < 0 or app.role_rank(held) < app.role_rank(role)):
        return AccessDecision(False, ROLE_TOO_LOW, role=held)
    return AccessDecision(True, role=held)


def _principal(who: Principal | int) -> Principal | None:
    return who if isinstance(who, Principal) else principal_for_account(who)


def decide(who: Principal | int, key: object, *, role: str | None = None) -> AccessDecision:
    """Whether the principal (or account) may open the app now, with at least `role` when given.

    An unknown key is NOT_ENABLED (no such app is on); a role the app does not declare is never reached.
    """
    app = registry.get_app(key)
    principal = _principal(who)
    if app is None or principal is None:
        return AccessDecision(False, NOT_ENABLED)
    return _decide(app, principal, role)


def can_open(who: Principal | int, key: object, *, role: str | None = None) -> AccessDecision:
    """decide(), by its older name: services and tests ask it with an account id."""
    return decide(who, key, role=role)


def app_access(who: Principal | int) -> list[tuple[ChildApp, AccessDecision]]:
    """Every registered app with this principal's decision, in switcher order."""
    principal = _principal(who)
    if principal is None:
        return [(app, AccessDecision(False, NOT_ENABLED)) for app in registry.all_apps()]
    return [(app, _decide(app, principal, None)) for app in registry.all_apps()]


def landing_path(account_id: int, requested: str) -> str:
    """Where a sign-in lands: the page asked for, or, for plain "/", the business's default landing app
    when this account can open it now (otherwise home)."""
    if requested != "/":
        return requested
    principal = principal_for_account(account_id)
    app = registry.get_app(principal.business.default_landing_app) if principal is not None else None
    if app is None or not _decide(app, principal, None).allowed:
        return "/"
    return app.route


def accessible_apps(who: Principal | int) -> list[ChildApp]:
    """The apps the principal (or account) can open now, in switcher order: what the switcher and home show."""
    return [app for app, decision in app_access(who) if decision.allowed]
