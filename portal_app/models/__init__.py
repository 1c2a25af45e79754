"""Every table of the portal. Importing this package registers them all with SQLModel."""

from portal_app.models.access import AppGrant
from portal_app.models.accounts import (
    Account,
    AccountChoice,
    AccountPreference,
    EmailCode,
    LoginTicket,
    PendingSignup,
    RateEvent,
    UserSession,
)
from portal_app.models.activity import PORTAL_APP_KEY, Activity
from portal_app.models.business import BUSINESS_ID, Business
from portal_app.models.email import OutboxEmail
from portal_app.models.notes import Note
from portal_app.models.profile import EmailChange, Profile
from portal_app.models.staff import AuditEntry, StaffAccount, StaffLoginChallenge, StaffSession, StaffTicket

__all__ = [
    "Activity",
    "PORTAL_APP_KEY",
    "Account",
    "AccountChoice",
    "AccountPreference",
    "AppGrant",
    "BUSINESS_ID",
    "Business",
    "EmailCode",
    "LoginTicket",
    "OutboxEmail",
    "PendingSignup",
    "RateEvent",
    "UserSession",
    "AuditEntry",
    "EmailChange",
    "Note",
    "Profile",
    "StaffAccount",
    "StaffLoginChallenge",
    "StaffSession",
    "StaffTicket",
]
