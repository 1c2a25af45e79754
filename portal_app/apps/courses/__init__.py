"""Membership Courses: the courses and lessons that come with a membership.

Only its entry page for now (what it is, and the person's summary); enrolment and lessons come in
the app's own issue.
"""

from portal_app.apps.courses import service
from portal_app.apps.registry import AppPage, ChildApp, register

register(
    ChildApp(
        key=service.APP_KEY,
        title="Membership Courses",
        icon="graduation-cap",
        route="/apps/courses",
        description="The courses and lessons that come with your membership, and how far you got in each.",
        pages=(
            AppPage(
                route="/apps/courses",
                title="Membership Courses",
                page="portal_app.apps.courses.ui.courses_page:courses_page",
            ),
        ),
        summary=service.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=10,
        demo_accounts=("main",),
    )
)
