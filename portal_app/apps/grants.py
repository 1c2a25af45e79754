"""The grants the business gives: which child apps an account may open, and with which role.

A grant, a revocation and its timeline entry are written in the caller's transaction, and the
app's own "granted"/"revoked" hooks run in it too (see hooks.py).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam
from sqlmodel import Session, select

from portal_app.apps import hooks, registry
from portal_app.apps.models import AppGrant
from portal_app.kernel import clock
from portal_app.timeline import service as activity
from portal_app.timeline.models import PORTAL_APP_KEY


def check_app_key(key: object) -> str:
    """The app key if the portal knows it; ValueError with the valid keys otherwise."""
    if registry.get_app(key) is None:
        raise ValueError(f"unknown app {str(key)[:40]!r}; choose from: {', '.join(registry.app_choices())}")
    return key


def check_role(app_key: str, role: object) -> str | None:
    """The role for a grant of this app: the given one if the app declares it, its default when None.

    ValueError names the app's roles; an app without roles takes no role.
    """
    app = registry.get_app(app_key)
    if role is None or role == "":
        return app.default_role
    if app.role_rank(role) < 0:
        roles = ", ".join(app.roles) if app.roles else "none (this app has no roles)"
        raise ValueError(f"unknown role {str(role)[:40]!r} for {app.title}; choose from: {roles}")
    return role


def _grant_row(session: Session, account_id: int, app_key: str) -> AppGrant | None:
    return session.exec(select(AppGrant).where(AppGrant.account_id == account_id, AppGrant.app_key == app_key)).first()


def grant_app(session: Session, *, account_id: int, app_key: str, role: str | None = None) -> bool:
    """Give the account access to an app inside the caller's transaction; False if nothing changed.

    A new grant (with `role`, or the app's lowest) goes on the account's timeline and runs the app's
    "granted" hook; for a grant that exists, a given role replaces its role and no role keeps it.
    """
    check_app_key(app_key)
    existing = _grant_row(session, account_id, app_key)
    if existing is not None and role is None:
        # Granting again without a role keeps the role the account has.
        return False
    role = check_role(app_key, role)
    if existing is not None:
        if existing.role == role:
            return False
        existing.role = role
        session.add(existing)
        return True
    now = clock.now()
    session.add(AppGrant(account_id=account_id, app_key=app_key, granted_at=now, role=role))
    activity.record(
        session,
        account_id=account_id,
        app_key=PORTAL_APP_KEY,
        kind="app_granted",
        summary=registry.get_app(app_key).title,
        at=now,
    )
    session.flush()
    hooks.fire(session, "granted", account_id, app_key=app_key)
    return True


def revoke_app(session: Session, *, account_id: int, app_key: str) -> bool:
    """Take an app's grant away inside the caller's transaction; False if the account had no grant.

    An app the business gives to everyone stays open: that is a business setting, not a grant.
    """
    check_app_key(app_key)
    existing = _grant_row(session, account_id, app_key)
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
    session.flush()
    hooks.fire(session, "revoked", account_id, app_key=app_key)
    return True


# Built once: every signed-in event's principal reads it (docs/extending.md, "Statements on a hot path").
_ROLES_OF = select(AppGrant.app_key, AppGrant.role).where(AppGrant.account_id == bindparam("account_id"))


def granted_roles(session: Session, account_id: int) -> dict[str, str | None]:
    """app key -> role of every grant the account itself has (not the apps the business gives everyone)."""
    return {key: role for key, role in session.exec(_ROLES_OF, params={"account_id": account_id})}


def granted_keys(session: Session, account_id: int) -> set[str]:
    """The app keys granted to the account itself (not those the business gives everyone)."""
    return set(granted_roles(session, account_id))


def app_titles(session: Session, account_id: int, *, among: Collection[str] | None = None) -> list[str]:
    """The titles of the apps the account was granted, in switcher order; with `among`, only the granted apps
    whose keys it holds (the apps the business has switched on, say)."""
    keys = granted_keys(session, account_id)
    if among is not None:
        keys &= set(among)
    return [app.title for app in registry.all_apps() if app.key in keys]
