"""The Reflex app: pages, the portal's own HTTP routes, and its background tasks."""

import reflex as rx
from starlette.applications import Starlette

import portal_app.models  # noqa: F401  (every table, for `reflex db` migrations)
from portal_app.admin import add_admin_pages, admin_routes
from portal_app.apps import add_child_apps, child_app_routes
from portal_app.background import purge_loop
from portal_app.email import dev_mailbox
from portal_app.email.delivery import run_sender_loop
from portal_app.pages.accounts import accounts_page
from portal_app.pages.home import home_page
from portal_app.pages.login import login_page
from portal_app.pages.magic import magic_page
from portal_app.pages.security import security_page
from portal_app.pages.signup import signup_page
from portal_app.pages.verify import verify_page
from portal_app.profile import add_profile_pages
from portal_app.settings import get_settings
from portal_app.states.accounts import AccountChoiceState
from portal_app.states.login import LoginState
from portal_app.states.magic import MagicLinkState
from portal_app.states.security import SecurityState
from portal_app.states.session import SessionState
from portal_app.states.signup import SignupState, VerifyState
from portal_app.web import auth_routes
from portal_app.web.event_guard import EventShapeGuard
from portal_app.web.middleware import PortalHeadersMiddleware

get_settings()  # a wrong environment variable stops start-up here with a SettingsError naming it

app = rx.App(
    stylesheets=["/portal.css"],
    api_transformer=[Starlette(routes=[*auth_routes.routes(), *admin_routes(), *dev_mailbox.routes(), *child_app_routes()]), PortalHeadersMiddleware],
)
app.add_middleware(EventShapeGuard())

app.add_page(home_page, route="/", title="Home", on_load=SessionState.require_account)
app.add_page(signup_page, route="/signup", title="Sign up", on_load=SignupState.load)
app.add_page(verify_page, route="/verify", title="Verify your email", on_load=VerifyState.load)
app.add_page(login_page, route="/login", title="Log in", on_load=LoginState.load)
app.add_page(magic_page, route="/magic", title="Sign in", on_load=MagicLinkState.load)
app.add_page(accounts_page, route="/accounts", title="Choose an account", on_load=AccountChoiceState.load)
app.add_page(
    security_page, route="/security", title="Security", on_load=[SessionState.require_account, SecurityState.load]
)
add_profile_pages(app)
add_child_apps(app)
add_admin_pages(app)

app.register_lifespan_task(run_sender_loop)
app.register_lifespan_task(purge_loop)
