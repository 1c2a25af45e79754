"""/apps/communities: the entry page of Communities."""

import reflex as rx

from portal_app.apps.communities.service import APP_KEY
from portal_app.apps.registry import get_app
from portal_app.shell.ui.app_frame import entry_page


def communities_page() -> rx.Component:
    return entry_page(
        get_app(APP_KEY),
        coming_next="When you join a community, its conversations appear here.",
    )
