"""Communities' images: a post's image and a group's cover, stored through the SDK's apps/files.py (kind
sniffed from the bytes, size capped while copying) and served by routes.py to those who may see them.

A post's image is uploaded before the post exists (the composer keeps its name server-side), so an
image nobody posted stays behind when a person gives up: the periodic sweep removes files no post
or group names once they are a day old.
"""

from __future__ import annotations

import time
from typing import BinaryIO

from sqlmodel import col, select

from portal_app.apps import files
from portal_app.apps.communities.groups import APP_KEY, open_group
from portal_app.apps.communities.models import CommunityGroup, Post
from portal_app.kernel import db

MAX_IMAGE_BYTES = 5 * 1024 * 1024
ORPHAN_AGE_SECONDS = 24 * 3600


def store_image(source: BinaryIO, field: str = "image") -> files.StoredFile:
    """Keep an uploaded image (PNG, JPEG, GIF or WebP, up to 5 MB); FieldError(field) otherwise."""
    return files.store(APP_KEY, source, allowed=files.IMAGES, max_bytes=MAX_IMAGE_BYTES, field=field)


def post_image(account_id: int, post_id: object) -> files.ServedFile:
    """A post's image for someone who may read the post (a hidden post: its author and moderators);
    LookupError otherwise, the same for every reason."""
    if not db.is_row_id(post_id):
        raise LookupError("not a post id")
    with db.read_session() as session:
        post = session.get(Post, post_id)
        group = session.get(CommunityGroup, post.group_id) if post is not None else None
        if group is None or not post.image_file:
            raise LookupError("no such image")
        opened = open_group(session, account_id, group.slug)
        if post.hidden and post.author_id != account_id and not opened.at_least("moderator"):
            raise LookupError("no such image")
        name = post.image_file
    return files.served(APP_KEY, name)


def post_image_for_staff(post_id: object) -> files.ServedFile:
    """Any post's image, for the business's staff (the moderation queue shows what was reported)."""
    if not db.is_row_id(post_id):
        raise LookupError("not a post id")
    with db.read_session() as session:
        name = session.exec(select(Post.image_file).where(Post.id == post_id)).first()
    if not name:
        raise LookupError("no such image")
    return files.served(APP_KEY, name)


def cover(group_slug: object) -> files.ServedFile:
    """A group's cover (the caller checked the asker may open the app or is staff: every group's name
    and cover are listed to people with the app, private ones included)."""
    with db.read_session() as session:
        name = (
            session.exec(select(CommunityGroup.cover_file).where(CommunityGroup.slug == group_slug)).first()
            if isinstance(group_slug, str)
            else None
        )
    if not name:
        raise LookupError("no such cover")
    return files.served(APP_KEY, name)


def sweep_orphans(older_than_seconds: int = ORPHAN_AGE_SECONDS) -> int:
    """Remove stored files no post or group names, once they are old enough not to be a draft's. How many."""
    folder = files.app_folder(APP_KEY)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    candidates = {path.name: path for path in folder.iterdir() if path.is_file() and path.stat().st_mtime < cutoff}
    if not candidates:
        return 0
    names = list(candidates)
    with db.read_session() as session:
        used = set()
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            used.update(session.exec(select(Post.image_file).where(col(Post.image_file).in_(chunk))).all())
            used.update(
                session.exec(select(CommunityGroup.cover_file).where(col(CommunityGroup.cover_file).in_(chunk))).all()
            )
    removed = 0
    for name, path in candidates.items():
        if name not in used:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
