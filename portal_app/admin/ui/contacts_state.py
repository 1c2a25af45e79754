"""/admin/contacts: search clients, open one, grant and revoke apps, disable and re-enable, invite."""

from __future__ import annotations

import asyncio

import reflex as rx

from portal_app.admin import contacts
from portal_app.admin.business_settings import is_checked
from portal_app.admin.paging import clean_page_number
from portal_app.admin.ui.base_state import AdminState, when
from portal_app.apps import registry
from portal_app.kernel.errors import FieldError
from portal_app.shell.ui.base_state import form_text, parse_id

NO_INVITE_ERRORS = {"email": "", "full_name": "", "apps": ""}
GONE = "That account no longer exists."


class AdminContactsState(AdminState):
    loaded: bool = False
    query: str = ""
    rows: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    # The open account ("" when none).
    detail_id: str = ""
    detail_name: str = ""
    detail_email: str = ""
    detail_status: str = ""
    detail_disabled: bool = False
    detail_facts: list[dict[str, str]] = []
    # Each app: key, title, granted ("yes" or ""), role, and the app's roles as "lowest,...,highest".
    detail_apps: list[dict[str, str]] = []
    detail_activity: list[dict[str, str]] = []
    # The email's sign-in locks now: {"what", "until"}.
    detail_locks: list[dict[str, str]] = []
    message: str = ""
    error: str = ""
    invite_errors: dict[str, str] = NO_INVITE_ERRORS
    invite_notice: str = ""
    # Changes after each invitation sent, so the form starts empty again.
    invite_version: int = 0

    def _clear_detail(self) -> None:
        self.detail_id = self.detail_name = self.detail_email = self.detail_status = ""
        self.detail_disabled = False
        self.detail_facts, self.detail_apps, self.detail_activity = [], [], []
        self.detail_locks = []

    def _clear_page(self) -> None:
        self.loaded = False
        self.query = ""
        self.rows = []
        self.page = self.pages = 1
        self.total = 0
        self._clear_detail()
        self.message = self.error = self.invite_notice = ""
        self.invite_errors = dict(NO_INVITE_ERRORS)

    async def _show_results(self, number: int) -> None:
        found = await asyncio.to_thread(contacts.search, self.query, number)
        self.rows = [
            {
                "id": str(row.id),
                "name": row.full_name,
                "email": row.email,
                "status": row.status,
                "created": f"{row.created_at:%Y-%m-%d}",
                "apps": ", ".join(row.app_titles) or "None",
            }
            for row in found.items
        ]
        self.page, self.pages, self.total = found.number, found.pages, found.total
        self.loaded = True

    async def _show_detail(self, account_id: int) -> bool:
        detail = await asyncio.to_thread(contacts.contact_detail, account_id)
        if detail is None:
            self._clear_detail()
            return False
        self.detail_id = str(detail.id)
        self.detail_name, self.detail_email, self.detail_status = detail.full_name, detail.email, detail.status
        self.detail_disabled = detail.disabled_at is not None
        self.detail_facts = [
            {"label": "Account", "value": f"#{detail.id}"},
            {"label": "Created", "value": when(detail.created_at)},
            {"label": "Invited", "value": when(detail.invited_at) if detail.invited_at else "No (signed up)"},
            {"label": "Email verified", "value": when(detail.email_verified_at)},
            {"label": "Last login", "value": when(detail.last_login_at)},
            {"label": "Password", "value": "Set" if detail.has_password else "None (signs in with emailed codes)"},
            {"label": "Phone", "value": detail.phone or "Not given"},
            {"label": "Address", "value": detail.address or "Not given"},
            {"label": "Time zone", "value": detail.time_zone or "Not given"},
            {"label": "Language", "value": detail.language or "Not given"},
            {
                "label": "Profile",
                "value": f"Missing: {', '.join(detail.missing_fields)}" if detail.missing_fields else "Complete",
            },
            {"label": "Disabled", "value": when(detail.disabled_at) if detail.disabled_at else "No"},
        ]
        self.detail_apps = [
            {
                "key": app.key,
                "title": app.title,
                "granted": "yes" if app.granted else "",
                "role": app.role,
                "roles": ",".join(app.roles),
            }
            for app in detail.apps
        ]
        current_locks = await asyncio.to_thread(contacts.sign_in_locks, detail.id)
        self.detail_locks = [
            {"what": lock.what, "until": f"until {lock.until:%-d %B %Y, %H:%M} UTC"} for lock in current_locks
        ]
        self.detail_activity = [
            {"at": when(row.occurred_at), "app": row.app_key, "summary": row.summary} for row in detail.activity
        ]
        return True

    @rx.event
    async def load(self):
        self._clear_page()
        if await self._staff() is None:
            return self._refuse()
        await self._load_business_name()
        await self._show_results(1)
        opened = parse_id(self.router.url.query_parameters.get("account", ""))
        if opened is not None:
            await self._show_detail(opened)

    @rx.event
    async def search(self, form_data: dict):
        if await self._staff() is None:
            return self._refuse()
        self.query = contacts.clean_query(form_text(form_data, "query"))
        await self._show_results(1)

    @rx.event
    async def go_to_page(self, page: int):
        if await self._staff() is None:
            return self._refuse()
        await self._show_results(clean_page_number(page))

    @rx.event
    async def open_account(self, account_id: str):
        if await self._staff() is None:
            return self._refuse()
        self.message = self.error = ""
        target = parse_id(account_id)
        if target is None or not await self._show_detail(target):
            self.error = GONE

    @rx.event
    async def close_account(self):
        if await self._staff() is None:
            return self._refuse()
        self.message = self.error = ""
        self._clear_detail()

    async def _change(self, account_id, change, done: str, unchanged: str):
        """Run one audited change on an account, then show the account and the list as they now are."""
        staff = await self._staff()
        if staff is None:
            return self._refuse()
        self.message = self.error = ""
        target = parse_id(account_id)
        if target is None:
            self.error = GONE
            return
        try:
            changed = await asyncio.to_thread(change, staff.actor, target)
        except LookupError:
            self.error = GONE
            self._clear_detail()
            return
        except ValueError:
            self.error = "That app does not exist."
            return
        self.message = done if changed else unchanged
        await self._show_detail(target)
        await self._show_results(self.page)

    @rx.event
    async def grant_app(self, account_id: str, app_key: str):
        title = registry.app_choices().get(app_key, "") if isinstance(app_key, str) else ""
        return await self._change(
            account_id,
            lambda actor, target: contacts.set_app_access(actor, target, app_key, granted=True),
            f"{title} granted.",
            f"The account already had {title}.",
        )

    @rx.event
    async def set_role(self, account_id: str, app_key: str, role: str):
        """Change the role of an existing grant (the select beside a granted app that has roles)."""
        app = registry.get_app(app_key)
        if app is None or app.role_rank(role) < 0:
            self.error = "Choose one of the app's roles."
            return
        return await self._change(
            account_id,
            lambda actor, target: contacts.set_app_access(actor, target, app.key, granted=True, role=role),
            f"{app.title}: the role is now {role}.",
            f"The role in {app.title} was already {role}.",
        )

    @rx.event
    async def revoke_app(self, account_id: str, app_key: str):
        title = registry.app_choices().get(app_key, "") if isinstance(app_key, str) else ""
        return await self._change(
            account_id,
            lambda actor, target: contacts.set_app_access(actor, target, app_key, granted=False),
            f"{title} revoked.",
            f"The account did not have {title}.",
        )

    @rx.event
    async def disable_account(self, account_id: str):
        return await self._change(
            account_id,
            lambda actor, target: contacts.set_disabled(actor, target, disabled=True),
            "Account disabled and signed out everywhere.",
            "The account was already disabled.",
        )

    @rx.event
    async def lift_locks(self, account_id: str):
        return await self._change(
            account_id,
            contacts.lift_sign_in_locks,
            "Sign-in locks lifted: the person can use codes and their password again.",
            "There was no sign-in lock to lift.",
        )

    @rx.event
    async def enable_account(self, account_id: str):
        return await self._change(
            account_id,
            lambda actor, target: contacts.set_disabled(actor, target, disabled=False),
            "Account enabled again.",
            "The account was already enabled.",
        )

    @rx.event
    async def invite(self, form_data: dict):
        staff = await self._staff()
        if staff is None:
            return self._refuse()
        self.invite_errors = dict(NO_INVITE_ERRORS)
        self.invite_notice = ""
        data = form_data if isinstance(form_data, dict) else {}
        apps = [key for key in registry.app_choices() if is_checked(data.get(f"apps.{key}"))]
        try:
            result = await asyncio.to_thread(
                contacts.invite,
                staff.actor,
                email=form_text(form_data, "email"),
                full_name=form_text(form_data, "full_name"),
                app_keys=apps,
            )
        except FieldError as error:
            field = error.field if error.field in NO_INVITE_ERRORS else "apps"
            self.invite_errors = {**NO_INVITE_ERRORS, field: contacts.describe_invite_problem(error)}
            return
        self.invite_version += 1
        self.invite_notice = f"Invited {result.full_name} <{result.email}>. The invitation email is on its way."
        await self._show_results(1)
        await self._show_detail(result.account_id)
