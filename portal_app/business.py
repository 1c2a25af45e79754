"""Reading and creating the business row that every page and email shows."""

from __future__ import annotations

from dataclasses import dataclass

from portal_app import db
from portal_app.models import BUSINESS_ID, Business

DEFAULT_NAME = "Client Portal"


@dataclass(frozen=True)
class BusinessView:
    name: str
    allow_duplicate_contacts: bool
    magic_links_enabled: bool


def get_business() -> BusinessView:
    with db.read_session() as session:
        business = session.get(Business, BUSINESS_ID)
    if business is None:
        return BusinessView(name=DEFAULT_NAME, allow_duplicate_contacts=False, magic_links_enabled=True)
    return BusinessView(
        name=business.name,
        allow_duplicate_contacts=business.allow_duplicate_contacts,
        magic_links_enabled=business.magic_links_enabled,
    )


def set_allow_duplicate_contacts(allowed: bool) -> None:
    with db.write_session() as session:
        business = session.get(Business, BUSINESS_ID)
        if business is None:
            raise LookupError("no business row: run the portal once or seed the demo first")
        business.allow_duplicate_contacts = allowed
        session.add(business)
