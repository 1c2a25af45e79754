"""Communities: the groups a person belongs to and the conversations in them.

Its tables and services are here (groups.py: groups, channels, membership and who may read what;
posts.py: the feed, posts, comments and likes; the home card from them); its pages are still the
entry page only, and the group and post pages, moderation and live updates come next.
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
