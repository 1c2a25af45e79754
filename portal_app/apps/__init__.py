"""Child apps: one package each under portal_app/apps/<name>/, registered with the shell (see registry.py).

docs/extending.md walks through adding one; apps/notes is a small complete example.
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


def add_child_app_pages(app) -> None:
    """Add every registered child app's pages to the Reflex app, each behind the session and access checks."""
    # Imported here: the registry and services import this package and must not pull in Reflex.
    from portal_app.apps.frame import child_app_page
    from portal_app.apps.guard import AppAccessState
    from portal_app.apps.registry import all_apps
    from portal_app.states.session import SessionState

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
