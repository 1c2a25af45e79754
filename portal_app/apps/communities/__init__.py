"""Communities: the groups a person belongs to and the conversations in them.

Its tables and services are here (groups.py: groups, channels, membership and who may read what;
posts.py: the feed, posts, comments and likes; the home card from them); its pages: My groups
(join or ask to join), a group's feed with a composer and likes, a post with its comments.
Moderation pages, search, image uploads, admin pages and live updates come next.
"""

from portal_app.apps.communities import service
from portal_app.apps.registry import AdminPage, AppPage, ChildApp, register

_PAGES = "portal_app.apps.communities.ui.communities_page"
_STATE = "portal_app.apps.communities.ui.communities_state:CommunitiesState"

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
                page=f"{_PAGES}:communities_page",
                on_load=f"{_STATE}.load_groups",
            ),
            AppPage(
                route="/apps/communities/[group]",
                title="Group",
                page=f"{_PAGES}:group_page",
                on_load=f"{_STATE}.load_group",
            ),
            AppPage(
                route="/apps/communities/[group]/members",
                title="Group members",
                page=f"{_PAGES}:members_page",
                on_load=f"{_STATE}.load_members",
            ),
            AppPage(
                route="/apps/communities/[group]/moderation",
                title="Moderation queue",
                page=f"{_PAGES}:queue_page",
                on_load=f"{_STATE}.load_queue",
            ),
            AppPage(
                route="/apps/communities/[group]/post/[post]",
                title="Post",
                page=f"{_PAGES}:post_page",
                on_load=f"{_STATE}.load_post",
            ),
        ),
        admin_pages=(
            AdminPage(
                route="/admin/apps/communities",
                title="Communities",
                page="portal_app.apps.communities.ui.owner_page:communities_owner_page",
                on_load="portal_app.apps.communities.ui.owner_page:CommunitiesOwnerState.load",
            ),
        ),
        summary=service.summary,
        activity_kinds=service.ACTIVITY_KINDS,
        order=20,
        demo_accounts=("main",),
        demo_data="portal_app.apps.communities.demo_groups:add_demo_groups",
    )
)
