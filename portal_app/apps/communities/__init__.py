"""Communities: the groups a person belongs to and the conversations in them.

Its tables and services are here (groups.py: groups, channels, membership and who may read what;
posts.py: the feed, posts, comments and likes; the home card from them); its pages: My groups
(join or ask to join), a group's feed by channel with a composer (Markdown and an image), likes,
search, a post with its comments and replies, the member list and the group's moderation queue;
moderation.py, notices.py (reply and mention emails), images.py and routes.py (images and covers),
owner*.py (the admin pages' services). Pages follow their group live (kernel/live through the shell).
"""

from portal_app.apps.communities import service
from portal_app.apps.communities.groups import APP_ROLES
from portal_app.apps.registry import AdminPage, AppPage, ChildApp, PeriodicTask, register

_PAGES = "portal_app.apps.communities.ui.communities_page"
_STATE = "portal_app.apps.communities.ui.communities_state:CommunitiesState"

register(
    ChildApp(
        key=service.APP_KEY,
        title="Communities",
        deletion_removes=("your community posts, comments and likes (with the replies under them)",),
        icon="users",
        route="/apps/communities",
        description="The groups you belong to, where members ask questions and share what they learn.",
        pages=(
            AppPage(
                route="/apps/communities",
                title="Communities",
                page="portal_app.apps.communities.ui.groups_page:my_groups_page",
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
                # A channel's feed; the static pages beside it (members, moderation, post) win, and
                # those words are never channel slugs (owner_channels refuses them).
                route="/apps/communities/[group]/[channel]",
                title="Group",
                page=f"{_PAGES}:group_page",
                on_load=f"{_STATE}.load_group",
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
            # Under groups/, so no group slug can collide with the queue's fixed segment.
            AdminPage(
                route="/admin/apps/communities/groups/[group]",
                title="Community group",
                page="portal_app.apps.communities.ui.owner_group_page:communities_group_admin_page",
                on_load="portal_app.apps.communities.ui.owner_group_state:CommunitiesGroupAdminState.load",
            ),
            AdminPage(
                route="/admin/apps/communities/groups/[group]/members",
                title="Community group members",
                page="portal_app.apps.communities.ui.owner_members_page:communities_members_admin_page",
                on_load="portal_app.apps.communities.ui.owner_members_state:CommunitiesMembersAdminState.load",
            ),
            AdminPage(
                route="/admin/apps/communities/reports",
                title="Communities moderation queue",
                page="portal_app.apps.communities.ui.owner_reports_page:communities_reports_admin_page",
                on_load="portal_app.apps.communities.ui.owner_reports_state:CommunitiesReportsAdminState.load",
            ),
        ),
        summary=service.summary,
        # A grant's role: "moderator" or "admin" of every group (a group's own roles are on its members).
        roles=APP_ROLES,
        http_routes="portal_app.apps.communities.routes:routes",
        tasks=(
            PeriodicTask("thread_emails", 300, "portal_app.apps.communities.notices:send_waiting"),
            PeriodicTask("orphan_images", 6 * 3600, "portal_app.apps.communities.images:sweep_orphans"),
        ),
        activity_kinds=service.ACTIVITY_KINDS,
        order=20,
        demo_accounts=("main",),
        demo_data="portal_app.apps.communities.demo_groups:add_demo_groups",
    )
)
