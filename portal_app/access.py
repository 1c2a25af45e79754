"""Which child apps an account may open: grants stored per account.

The product's apps are listed here until the child-app registry (issue 4) takes over this list.
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models import AppGrant

PRODUCT_APPS: dict[str, str] = {
    "courses": "Membership Courses",
    "communities": "Communities",
    "affiliates": "Affiliate Manager",
}


def check_app_key(key: object) -> str:
    """The app key if the portal knows it; ValueError with the valid keys otherwise."""
    if not isinstance(key, str) or key not in PRODUCT_APPS:
        raise ValueError(f"unknown app {key!r}; choose from: {', '.join(PRODUCT_APPS)}")
    return key


def grant_app(session: Session, *, account_id: int, app_key: str) -> bool:
    """Give the account access to an app inside the caller's transaction; False if it already had it."""
    check_app_key(app_key)
    existing = session.exec(
        select(AppGrant).where(AppGrant.account_id == account_id, AppGrant.app_key == app_key)
    ).first()
    if existing is not None:
        return False
    session.add(AppGrant(account_id=account_id, app_key=app_key, granted_at=clock.now()))
    return True


def app_titles(session: Session, account_id: int) -> list[str]:
    """The titles of the apps the account was granted, in the product's order."""
    keys = set(session.exec(select(AppGrant.app_key).where(AppGrant.account_id == account_id)))
    return [title for key, title in PRODUCT_APPS.items() if key in keys]
