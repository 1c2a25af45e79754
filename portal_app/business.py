"""Reading and creating the business row that every page and email shows."""

from __future__ import annotations

from dataclasses import dataclass

from portal_app import db
from portal_app.models import BUSINESS_ID, Business
from portal_app.models.business import DEFAULT_REQUIRED_PROFILE_FIELDS, PRODUCT_APP_KEYS

DEFAULT_NAME = "Client Portal"


@dataclass(frozen=True)
class BusinessView:
    name: str
    allow_duplicate_contacts: bool = False
    magic_links_enabled: bool = True
    support_email: str = ""
    logo_url: str = ""
    brand_color: str = "#3e63dd"
    enabled_apps: tuple[str, ...] = tuple(PRODUCT_APP_KEYS)
    apps_for_everyone: tuple[str, ...] = ()
    required_profile_fields: tuple[str, ...] = tuple(DEFAULT_REQUIRED_PROFILE_FIELDS)
    default_landing_app: str = "home"


def get_business() -> BusinessView:
    """The business settings every page and service reads (defaults when the row does not exist yet)."""
    with db.read_session() as session:
        business = session.get(Business, BUSINESS_ID)
    if business is None:
        return BusinessView(name=DEFAULT_NAME)
    return BusinessView(
        name=business.name,
        allow_duplicate_contacts=business.allow_duplicate_contacts,
        magic_links_enabled=business.magic_links_enabled,
        support_email=business.support_email,
        logo_url=business.logo_url,
        brand_color=business.brand_color,
        enabled_apps=tuple(business.enabled_apps or ()),
        apps_for_everyone=tuple(business.apps_for_everyone or ()),
        required_profile_fields=tuple(business.required_profile_fields or ()),
        default_landing_app=business.default_landing_app,
    )


def set_allow_duplicate_contacts(allowed: bool) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        if business is None:
            raise LookupError("no business row: run the portal once or seed the demo first")
        business.allow_duplicate_contacts = allowed
        session.add(business)
