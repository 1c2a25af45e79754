"""Every table of the portal's core. Importing this package registers them with SQLModel; each child app's
tables live in its own folder (portal_app/apps/<key>/models.py) and the app registry imports them."""

from portal_app.models.access import AppGrant, AppSettingValue
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
from portal_app.models.profile import EmailChange, Profile
from portal_app.models.staff import AuditEntry, StaffAccount, StaffLoginChallenge, StaffSession, StaffTicket

__all__ = [
    "Activity",
    "PORTAL_APP_KEY",
    "Account",
    "AccountChoice",
    "AccountPreference",
    "AppGrant",
    "AppSettingValue",
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
    "Profile",
    "StaffAccount",
    "StaffLoginChallenge",
    "StaffSession",
    "StaffTicket",
]
