"""A group's channels as staff arrange them: add, rename, move up and down, delete.

A channel's address is made from its name when it is added and kept when it is renamed, so links to
it keep working. The General channel (groups.GENERAL) is where posts go when no channel is named: it
can be renamed and moved, never deleted. Deleting another channel keeps what members wrote: its posts
move to General (with their comments and likes), so a change of structure never destroys a
conversation; a moderator deletes a post itself when that is what is wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portal_app.apps import audit, fields
from portal_app.apps.communities.groups import APP_KEY, GENERAL, live_topic
from portal_app.apps.communities.models import Channel, CommunityGroup, Post
from portal_app.apps.communities.owner import group_by_slug
from portal_app.kernel import db, live
from portal_app.kernel.errors import FieldError, FormErrors

MAX_CHANNEL_NAME = 60
MAX_CHANNELS = 30
# Addresses the group's own pages use after /apps/communities/<group>/: a channel there would be
# shadowed by the page (the fixed segment wins), so a name that makes one gets "-2".
RESERVED_CHANNEL_SLUGS = frozenset({"members", "moderation", "post", "search", "new", "settings"})
DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class ChannelItem:
    slug: str
    name: str
    posts: int
    is_general: bool


def _ordered(session: Session, group: CommunityGroup) -> list[Channel]:
    return list(
        session.exec(
            select(Channel).where(Channel.group_id == group.id).order_by(col(Channel.position), col(Channel.id))
        )
    )


def _channel(session: Session, group: CommunityGroup, slug: object) -> Channel:
    if not fields.is_slug(slug):
        raise LookupError("not a channel slug")
    channel = session.exec(select(Channel).where(Channel.group_id == group.id, Channel.slug == slug)).first()
    if channel is None:
        raise LookupError("no such channel in this group")
    return channel


def _clean_name(session: Session, group: CommunityGroup, name: object, *, field: str, keep: Channel | None) -> str:
    """A channel name no other channel of the group has (letter case aside)."""
    try:
        text = fields.one_line(
            name, field, max_length=MAX_CHANNEL_NAME, missing="Give the channel a name.", what="channel name"
        )
    except FieldError as error:
        raise FormErrors({field: error.message}) from None
    for channel in _ordered(session, group):
        if channel is not keep and channel.name.casefold() == text.casefold():
            raise FormErrors({field: f"This group already has a channel called {channel.name}."})
    return text


def _free_slug(session: Session, group: CommunityGroup, name: str) -> str:
    base = fields.slug_from(name) or "channel"
    taken = set(session.exec(select(Channel.slug).where(Channel.group_id == group.id)))
    candidate, number = base, 1
    while candidate in taken or candidate in RESERVED_CHANNEL_SLUGS:
        number += 1
        suffix = f"-{number}"
        candidate = base[: fields.SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return candidate


def channels(group_slug: object) -> tuple[ChannelItem, ...]:
    """The group's channels in their order, with how many posts each holds (one grouped read)."""
    with db.read_session() as session:
        group = group_by_slug(session, group_slug)
        counts = dict(
            session.exec(
                select(Post.channel_id, func.count()).where(Post.group_id == group.id).group_by(Post.channel_id)
            ).all()
        )
        return tuple(
            ChannelItem(channel.slug, channel.name, counts.get(channel.id, 0), channel.slug == GENERAL[0])
            for channel in _ordered(session, group)
        )


def _changed(group_id: int) -> None:
    live.publish(live_topic(group_id), {"change": "channels"})


def add_channel(actor: audit.Actor, group_slug: object, name: object) -> str:
    """A new channel at the end of the group's list; its slug. FormErrors({"channel_name": ...})."""
    with db.write_session() as session:
        group = group_by_slug(session, group_slug, lock=True)
        text = _clean_name(session, group, name, field="channel_name", keep=None)
        existing = _ordered(session, group)
        if len(existing) >= MAX_CHANNELS:
            raise FormErrors({"channel_name": f"A group has at most {MAX_CHANNELS} channels. Delete one first."})
        slug = _free_slug(session, group, text)
        position = max((channel.position for channel in existing), default=-1) + 1
        session.add(Channel(group_id=group.id, slug=slug, name=text, position=position))
        audit.record(session, actor, APP_KEY, "channel_added", target=f"{group.slug}/{slug}", detail={"name": text})
        group_id = group.id
    _changed(group_id)
    return slug


def rename_channel(actor: audit.Actor, group_slug: object, channel_slug: object, name: object) -> bool:
    """A new name for a channel (its address stays); False when the name is what it was."""
    with db.write_session() as session:
        group = group_by_slug(session, group_slug, lock=True)
        channel = _channel(session, group, channel_slug)
        text = _clean_name(session, group, name, field="rename", keep=channel)
        if text == channel.name:
            return False
        old, channel.name = channel.name, text
        session.add(channel)
        audit.record(
            session,
            actor,
            APP_KEY,
            "channel_renamed",
            target=f"{group.slug}/{channel.slug}",
            detail={"from": old, "to": text},
        )
        group_id = group.id
    _changed(group_id)
    return True


def move_channel(actor: audit.Actor, group_slug: object, channel_slug: object, direction: object) -> bool:
    """Swap a channel with its neighbour above or below; False when it is already first (or last)."""
    if direction not in DIRECTIONS:
        raise LookupError("not a direction")
    with db.write_session() as session:
        group = group_by_slug(session, group_slug, lock=True)
        channel = _channel(session, group, channel_slug)
        ordered = _ordered(session, group)
        index = next(i for i, row in enumerate(ordered) if row.id == channel.id)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(ordered):
            return False
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered):
            if row.position != position:
                row.position = position
                session.add(row)
        audit.record(
            session, actor, APP_KEY, "channel_moved", target=f"{group.slug}/{channel.slug}", detail={"to": other}
        )
        group_id = group.id
    _changed(group_id)
    return True


def delete_channel(actor: audit.Actor, group_slug: object, channel_slug: object) -> int:
    """Delete a channel (never General); its posts move to General. How many posts moved."""
    with db.write_session() as session:
        group = group_by_slug(session, group_slug, lock=True)
        channel = _channel(session, group, channel_slug)
        if channel.slug == GENERAL[0]:
            raise FormErrors({"channels": "The General channel stays: posts go there when no channel is chosen."})
        general = _channel(session, group, GENERAL[0])
        moved = session.exec(select(func.count()).where(Post.channel_id == channel.id)).one()
        if moved:
            session.exec(update(Post).where(Post.channel_id == channel.id).values(channel_id=general.id))
        session.delete(channel)
        audit.record(
            session,
            actor,
            APP_KEY,
            "channel_deleted",
            target=f"{group.slug}/{channel.slug}",
            detail={"name": channel.name, "posts_moved_to_general": moved},
        )
        group_id = group.id
    _changed(group_id)
    return moved


__all__ = [
    "MAX_CHANNELS",
    "MAX_CHANNEL_NAME",
    "RESERVED_CHANNEL_SLUGS",
    "ChannelItem",
    "add_channel",
    "channels",
    "delete_channel",
    "move_channel",
    "rename_channel",
]
