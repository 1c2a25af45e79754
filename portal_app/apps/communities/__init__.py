"""Communities: the groups a person belongs to and the conversations in them.

Only its entry page for now (what it is, and the person's summary); groups and posts come in the
app's own issue.
"""

from portal_app.apps.communities import service
from portal_app.apps.registry import AppPage, ChildApp, register

register(
    ChildApp(
        key=service.APP_KEY,
        title="Communities",
        icon="users",
        route="/apps/communities",
        description="The groups you belong to, where members ask questions and share what they learn.",
        pages=(
            AppPage(
                route="/apps/communities",
                title="Communities",
                page="portal_app.apps.communities.ui.communities_page:communities_page",
                shows_summary=True,
            ),
        ),
        summary=service.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=20,
        demo_accounts=("main",),
    )
)
