"""/apps/courses: the entry page of Membership Courses."""

import reflex as rx

from portal_app.apps.courses.service import APP_KEY
from portal_app.apps.registry import get_app
from portal_app.shell.ui.app_frame import entry_page


def courses_page() -> rx.Component:
    return entry_page(
        get_app(APP_KEY),
        coming_next="When the business enrols you in a course, its lessons and your progress appear here.",
    )
