"""The Reflex app, built by asking each feature and each registered child app for its pages, HTTP routes and tasks.

A feature is a folder of portal_app: its pages declare themselves in its ui/ package
(shell/ui/pages.py), its HTTP routes come from its routes.py (`routes()`), its background work
from its tasks.py (`tasks()`). Child apps declare theirs in the app registry (apps/registry.py).
"""

import importlib
import importlib.util
import pkgutil

import reflex as rx
from starlette.applications import Starlette

import portal_app.schema  # noqa: F401  (every table, for `reflex db` migrations)
from portal_app.apps.http import LandingParamsMiddleware, child_app_routes
from portal_app.kernel.collector import full_collections_on_a_timer
from portal_app.kernel.settings import get_settings
from portal_app.kernel.web.event_guard import EventShapeGuard
from portal_app.kernel.web.middleware import PortalHeadersMiddleware
from portal_app.kernel.web.page_paths import PagesWithoutRedirect
from portal_app.shell.ui.app_wiring import add_child_apps
from portal_app.shell.ui.page_load import in_one_event
from portal_app.shell.ui.pages import declared_pages
from portal_app.shell.ui.state_binding import StateBoundToSession

# The features of the shell, each a folder of portal_app.
FEATURES = ("accounts", "home", "profile", "privacy", "admin", "email")

get_settings()  # a wrong environment variable stops start-up here with a SettingsError naming it


def _feature_module(feature: str, name: str):
    module = f"portal_app.{feature}.{name}"
    return importlib.import_module(module) if importlib.util.find_spec(module) is not None else None


def _import_feature_pages() -> None:
    for feature in FEATURES:
        ui = _feature_module(feature, "ui")
        if ui is not None:
            for module in pkgutil.iter_modules(ui.__path__):
                importlib.import_module(f"{ui.__name__}.{module.name}")


def _feature_routes() -> list:
    return [
        route for feature in FEATURES if (module := _feature_module(feature, "routes")) for route in module.routes()
    ]


def _feature_tasks() -> list:
    return [task for feature in FEATURES if (module := _feature_module(feature, "tasks")) for task in module.tasks()]


# In the head of every page, for search results and link previews (the favicon is assets/favicon.ico).
DESCRIPTION = "Sign in to your client portal: your account, and the apps the business has opened for you."

app = rx.App(
    stylesheets=["/portal.css"],
    head_components=[rx.el.meta(name="description", content=DESCRIPTION)],
    api_transformer=[
        Starlette(routes=[*_feature_routes(), *child_app_routes()]),
        PortalHeadersMiddleware,
        PagesWithoutRedirect,
        LandingParamsMiddleware,
    ],
)
app.add_middleware(EventShapeGuard())
app.add_middleware(StateBoundToSession())

_import_feature_pages()
for declared in declared_pages():
    app.add_page(
        declared.render,
        route=declared.route,
        title=declared.title,
        on_load=in_one_event(declared.route, declared.on_load),
    )
add_child_apps(app)
for task in _feature_tasks():
    app.register_lifespan_task(task)
app.register_lifespan_task(full_collections_on_a_timer)
