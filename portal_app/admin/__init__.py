"""The business owner's area at /admin: staff sign-in, settings, contacts, dashboard, audit.

Services (staff, staff_login, staff_sessions, audit, contacts, dashboard, business_settings) never
import Reflex; states/ and pages/ are the UI. Every page and handler checks the staff session.
"""

from __future__ import annotations


def add_admin_pages(app) -> None:
    """Add the /admin pages to the Reflex app."""
    from portal_app.admin.pages.audit import admin_audit_page
    from portal_app.admin.pages.contacts import admin_contacts_page
    from portal_app.admin.pages.dashboard import admin_dashboard_page
    from portal_app.admin.pages.login import admin_login_page
    from portal_app.admin.pages.settings import admin_settings_page
    from portal_app.admin.states.audit import AdminAuditState
    from portal_app.admin.states.contacts import AdminContactsState
    from portal_app.admin.states.dashboard import AdminDashboardState
    from portal_app.admin.states.login import AdminLoginState
    from portal_app.admin.states.settings import AdminSettingsState

    app.add_page(admin_login_page, route="/admin/login", title="Admin sign-in", on_load=AdminLoginState.load)
    app.add_page(admin_dashboard_page, route="/admin", title="Admin: dashboard", on_load=AdminDashboardState.load)
    app.add_page(admin_contacts_page, route="/admin/contacts", title="Admin: contacts", on_load=AdminContactsState.load)
    app.add_page(admin_settings_page, route="/admin/settings", title="Admin: settings", on_load=AdminSettingsState.load)
    app.add_page(admin_audit_page, route="/admin/audit", title="Admin: audit log", on_load=AdminAuditState.load)


def admin_routes() -> list:
    """The admin area's own HTTP routes (its session cookie), mounted next to the portal's."""
    from portal_app.admin.routes import routes

    return routes()
