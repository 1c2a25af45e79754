"""What Communities says about a person: the home card and the timeline's labels, from the app's own tables."""

from __future__ import annotations

from portal_app.apps.communities.groups import APP_KEY, my_groups
from portal_app.apps.registry import SummaryCard

__all__ = ["ACTIVITY_KINDS", "APP_KEY", "summary"]

ACTIVITY_KINDS = {
    "community_joined": "Joined a community",
    "post_published": "Posted in a community",
    "comment_added": "Commented in a community",
}
SUMMARY_LINES = 3


def summary(account_id: int) -> SummaryCard:
    """The groups the person is in, and those with posts new since their last visit."""
    groups = [group for group in my_groups(account_id) if group.status == "active"]
    if not groups:
        return SummaryCard(headline="No communities yet", details=("Communities you join will appear here.",))
    busy = [group for group in groups if group.new_posts]
    details = tuple(
        f"{group.name}: {group.new_posts} new post{'s' if group.new_posts != 1 else ''}"
        for group in busy[:SUMMARY_LINES]
    ) or ("Nothing new since your last visit.",)
    return SummaryCard(
        headline="Member of 1 community" if len(groups) == 1 else f"Member of {len(groups)} communities",
        details=details,
        count=len(groups),
    )
