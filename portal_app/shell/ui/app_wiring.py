"""Every registered child app, added to the Reflex app: its pages behind the session and access checks,
its owner pages behind the staff check (with the generated settings page), its public pages, and its
periodic tasks."""

from __future__ import annotations

from portal_app.admin.ui.apps_page import app_admin_page, app_settings_page
from portal_app.admin.ui.apps_state import AppAdminState, AppSettingsAdminState
from portal_app.apps.registry import all_apps, resolve
from portal_app.kernel.tasks import periodic
from portal_app.shell.ui.app_frame import child_app_page, public_page
from portal_app.shell.ui.app_guard import AppAccessState
from portal_app.shell.ui.base_state import PortalState
from portal_app.shell.ui.page_load import in_one_event
from portal_app.shell.ui.session_state import SessionState


def add_child_apps(app) -> None:
    """Add every registered child app's pages, owner pages and periodic tasks to the Reflex app."""

    for child in all_apps():
        for page in child.pages:
            content = resolve(page.page)
            extra_load = [resolve(page.on_load)] if page.on_load else []

            def render(child=child, content=content):
                return child_app_page(child, content())

            render.__name__ = content.__name__
            # Reflex groups a page's compiled components by the page function's module: named after the
            # app's own module, each app's pages get their own JS chunk (not one shared by every app's
            # pages, charts and icons included; docs/benchmarks.md, "Page weight and load").
            render.__module__ = content.__module__
            app.add_page(
                render,
                route=page.route,
                title=page.title,
                on_load=in_one_event(
                    page.route,
                    [
                        SessionState.require_account,
                        (AppAccessState.open_app, (child.key, page.shows_summary)),
                        *extra_load,
                    ],
                ),
            )
        for page in child.public_pages:
            content = resolve(page.page)
            extra_load = [resolve(page.on_load)] if page.on_load else []

            def render_public(content=content):
                return public_page(content())

            render_public.__name__ = f"public_{content.__name__}"
            render_public.__module__ = content.__module__
            app.add_page(
                render_public,
                route=page.route,
                title=page.title,
                on_load=in_one_event(page.route, [PortalState.load_business_name, *extra_load]),
            )
        for page in child.admin_pages:
            extra_load = [resolve(page.on_load)] if page.on_load else []
            app.add_page(
                app_admin_page(child, resolve(page.page)),
                route=page.route,
                title=f"Admin: {page.title}",
                on_load=in_one_event(page.route, [(AppAdminState.open_admin, (child.key,)), *extra_load]),
            )
        if child.settings:
            app.add_page(
                app_settings_page(child),
                route=f"{child.admin_route}/settings",
                title=f"Admin: {child.title} settings",
                on_load=AppSettingsAdminState.load(child.key),
            )
        for task in child.tasks:
            app.register_lifespan_task(periodic(f"{child.key}_{task.name}", task.every_seconds, resolve(task.run)))
