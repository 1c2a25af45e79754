"""What the admin state tests share: a staff member, a client, and a snapshot of everything staff can change."""

from __future__ import annotations

import json

from sqlmodel import col, func, select

from portal_app.accounts import sessions
from portal_app.accounts.models import Account, UserSession
from portal_app.admin.models import AuditEntry, StaffSession
from portal_app.admin.staff_sessions import STAFF_COOKIE
from portal_app.admin.ui.apps_state import AppAdminState, AppSettingsAdminState
from portal_app.admin.ui.audit_state import AdminAuditState
from portal_app.admin.ui.base_state import AdminState
from portal_app.admin.ui.contacts_state import AdminContactsState
from portal_app.admin.ui.dashboard_state import AdminDashboardState
from portal_app.admin.ui.settings_state import AdminSettingsState
from portal_app.apps.models import AppGrant
from portal_app.apps.notes.ui.usage_page import NotesUsageState
from portal_app.business import service as business
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from portal_app.kernel.web.middleware import DEVICE_COOKIE
from portal_app.timeline.models import Activity
from tests.support.admin import BROWSER, make_account

# Every admin state with handlers behind the staff session (the login page's state is public).
ADMIN_STATES = (
    AdminState,
    AdminDashboardState,
    AdminContactsState,
    AdminSettingsState,
    AdminAuditState,
    AppAdminState,
    AppSettingsAdminState,
    NotesUsageState,
)
# The core's owner pages, and Notes' (its own page and the settings page every app with settings gets).
ADMIN_PAGES = (
    "/admin",
    "/admin/contacts",
    "/admin/settings",
    "/admin/audit",
    "/admin/apps/notes",
    "/admin/apps/notes/settings",
)
CLIENT_EMAIL = "ada.secret@client.example"
CLIENT_NAME = "Ada Secretname"
SUPPORT_EMAIL = "help@hidden-support.example"
# Text that only the admin data holds: none of it may reach a state without a staff session.
SECRETS = (CLIENT_EMAIL, CLIENT_NAME, SUPPORT_EMAIL, "account_invited", "app_granted")


def seed_client() -> int:
    """A client with an app, some activity and an audit entry, and a business with a support email."""
    from portal_app.admin import audit, contacts

    account_id = make_account(CLIENT_EMAIL, CLIENT_NAME)
    contacts.set_app_access(audit.CLI, account_id, "courses", granted=True)
    with db.write_session() as session:
        business.update_settings(session, {"support_email": SUPPORT_EMAIL})
    return account_id


def client_session_cookie(account_id: int) -> str:
    with db.write_session() as session:
        token = sessions.create_session(session, account_id=account_id, auth_method="password", user_agent="", ip="")
    return token


def staff_cookie(token: str) -> str:
    return f"{STAFF_COOKIE}={token}; {DEVICE_COOKIE}={BROWSER}"


def database_snapshot() -> dict:
    """Everything an admin handler could change."""
    with db.read_session() as session:
        counts = {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Account, AppGrant, Activity, AuditEntry, OutboxEmail, UserSession, StaffSession)
        }
        accounts = [
            (row.id, row.email, row.full_name, row.disabled_at)
            for row in session.exec(select(Account).order_by(col(Account.id)))
        ]
        grants = sorted(session.exec(select(AppGrant.account_id, AppGrant.app_key)).all())
        settings = business.settings_of(session.get(Business, BUSINESS_ID))
    return {"counts": counts, "accounts": accounts, "grants": grants, "settings": settings}


async def whole_state_text(client) -> str:
    """Every var of every state this tab holds, as text."""
    root = await client.root_state()
    return json.dumps(root.dict(), default=str)
