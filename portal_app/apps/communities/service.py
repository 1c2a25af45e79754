"""What Communities knows about a person, read from their timeline."""

from __future__ import annotations

from portal_app.apps.registry import SummaryCard
from portal_app.timeline import service as activity

APP_KEY = "communities"
ACTIVITY_KINDS = {
    "community_joined": "Joined a community",
    "post_published": "Posted in a community",
}


def summary(account_id: int) -> SummaryCard:
    counts = activity.counts_by_kind(account_id, APP_KEY)
    joined = counts.get("community_joined", 0)
    if joined == 0:
        return SummaryCard(headline="No communities yet", details=("Communities you join will appear here.",))
    posts = counts.get("post_published", 0)
    return SummaryCard(
        headline="Member of 1 community" if joined == 1 else f"Member of {joined} communities",
        details=("1 post published" if posts == 1 else f"{posts} posts published",),
        count=joined,
    )
