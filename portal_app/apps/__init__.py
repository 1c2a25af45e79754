"""Child apps: one package each under portal_app/apps/<name>/, registered with the shell (see registry.py).

docs/extending.md walks through adding one; apps/notes is a small complete example. This module
wires every registered app into the Reflex app: its pages (behind the session and access checks),
its owner pages (behind the staff check), its HTTP routes and its periodic tasks.
"""

from __future__ import annotations

import importlib


def resolve(reference: str):
    """The object an import path names: "package.module:attribute" or "package.module:Class.attribute"."""
    module_name, _, attribute_path = reference.partition(":")
    target = importlib.import_module(module_name)
    for attribute in attribute_path.split("."):
        target = getattr(target, attribute)
    return target


def child_app_routes() -> list:
    """Each app's HTTP routes, mounted under /api/apps/<key>/ (for webhooks and files)."""
    from starlette.routing import Mount

    from portal_app.apps.registry import all_apps

    return [Mount(app.api_route, routes=list(resolve(app.http_routes)())) for app in all_apps() if app.http_routes]


def add_child_apps(app) -> None:
    """Add every registered child app's pages, owner pages and periodic tasks to the Reflex app."""
    # Imported here: the registry and services import this package and must not pull in Reflex.
    from portal_app.admin.ui.apps_page import app_admin_page, app_settings_page
    from portal_app.admin.ui.apps_state import AppAdminState, AppSettingsAdminState
    from portal_app.apps.registry import all_apps
    from portal_app.apps.ui.frame import child_app_page
    from portal_app.apps.ui.guard import AppAccessState
    from portal_app.kernel.tasks import periodic
    from portal_app.shell.ui.session_state import SessionState

    for child in all_apps():
        for page in child.pages:
            content = resolve(page.page)
            extra_load = [resolve(page.on_load)] if page.on_load else []

            def render(child=child, content=content):
                return child_app_page(child, content())

            render.__name__ = content.__name__
            app.add_page(
                render,
                route=page.route,
                title=page.title,
                on_load=[SessionState.require_account, AppAccessState.open_app(child.key), *extra_load],
            )
        for page in child.admin_pages:
            extra_load = [resolve(page.on_load)] if page.on_load else []
            app.add_page(
                app_admin_page(child, resolve(page.page)),
                route=page.route,
                title=f"Admin: {page.title}",
                on_load=[AppAdminState.open_admin(child.key), *extra_load],
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
