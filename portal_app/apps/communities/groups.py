"""Groups and who belongs: creating groups and channels, joining (at once for a public group, after a
moderator's approval for a private one), leaving, approving, banning, and the person's view of them.

Who may read a group: anyone who may open the app, for a public group; its active members only, for
a private one; never someone banned from it. open_group() says so for every other service, so a
private group's posts cannot reach a non-member by any path that goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.apps import audit, fields
from portal_app.apps.communities.models import (
    GROUP_ROLES,
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    POSTING,
    VISIBILITIES,
    Channel,
    CommunityGroup,
    GroupMember,
    Post,
)
from portal_app.apps.models import AppGrant
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.timeline import service as activity

APP_KEY = "communities"
GENERAL = ("general", "General")
# One refusal for every reason a group is not open to someone, so it says nothing of what exists.
NOT_OPEN = "no such group open to this person"


def live_topic(group_id: int) -> str:
    """The live channel of one group: its open feed and post pages follow it. Events say only that
    something changed; each page reloads under its own access check, so nothing a follower may not
    read travels this way."""
    return f"communities:group:{group_id}"


def rank(role: str | None) -> int:
    return GROUP_ROLES.index(role) if role in GROUP_ROLES else -1


# Roles the app's grant can carry (lowest first): a "moderator" or "admin" grant is that in every group.
APP_ROLES = ("member", "moderator", "admin")
_GRANT_ROLES_THAT_MODERATE = ("moderator", "admin")


@dataclass(frozen=True)
class Opened:
    """A group as one person may see it: the group, their membership (None when they have none) and the
    role their grant of the app gives them everywhere (None, or "member" for most people)."""

    group: CommunityGroup
    membership: GroupMember | None
    grant_role: str | None = None

    @property
    def active(self) -> bool:
        return self.membership is not None and self.membership.status == "active"

    @property
    def rank(self) -> int:
        """The higher of their role in the group (an active membership) and their grant's moderating role."""
        in_group = rank(self.membership.role) if self.active else -1
        granted = rank(self.grant_role) if self.grant_role in _GRANT_ROLES_THAT_MODERATE else -1
        return max(in_group, granted)

    @property
    def role(self) -> str | None:
        return GROUP_ROLES[self.rank] if self.rank >= 0 else None

    def at_least(self, role: str) -> bool:
        return self.rank >= rank(role)

    @property
    def may_post(self) -> bool:
        if not self.active or self.group.archived:
            return False
        return self.group.posting == "everyone" or self.at_least("admin")


def open_group(session: Session, account_id: int, slug: object) -> Opened:
    """The group at `slug` when this person may read it; LookupError otherwise (the same for a group that
    does not exist, a private group they are not in, and one they are banned from)."""
    if not fields.is_slug(slug):
        raise LookupError("not a group slug")
    row = session.exec(
        select(CommunityGroup, GroupMember, AppGrant.role)
        .outerjoin(GroupMember, and_(GroupMember.group_id == CommunityGroup.id, GroupMember.account_id == account_id))
        .outerjoin(AppGrant, and_(AppGrant.account_id == account_id, AppGrant.app_key == APP_KEY))
        .where(CommunityGroup.slug == slug)
    ).first()
    if row is None:
        raise LookupError(NOT_OPEN)
    group, membership, grant_role = row
    if membership is not None and membership.status == "banned":
        raise LookupError(NOT_OPEN)
    opened = Opened(group, membership, grant_role)
    # A private group: its members, and the app's moderators and admins (their grant says so).
    if group.visibility == "private" and not opened.active and not opened.at_least("moderator"):
        raise LookupError(NOT_OPEN)
    return opened


# --- the owner's side ----------------------------------------------------------------------------------------


def _choice(value: object, choices: tuple[str, ...], field: str, message: str) -> str:
    if value not in choices:
        raise FieldError(field, message)
    return value


def clean_group_fields(
    *, name: object, slug: object, description: object, visibility: object, posting: object
) -> dict[str, str]:
    """Every field of a group's form, checked; FormErrors naming each refused field."""
    checks = {
        "name": lambda: fields.one_line(
            name, "name", max_length=MAX_NAME_LENGTH, missing="Give the group a name.", what="name"
        ),
        "slug": lambda: fields.slug(slug.strip() if isinstance(slug, str) else slug, "slug"),
        "description": lambda: fields.written(
            description, "description", max_length=MAX_DESCRIPTION_LENGTH, what="description"
        ),
        "visibility": lambda: _choice(visibility, VISIBILITIES, "visibility", "Choose public or private."),
        "posting": lambda: _choice(posting, POSTING, "posting", "Choose who may post: everyone or admins."),
    }
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except FieldError as error:
            errors[field] = error.message
    if errors:
        raise FormErrors(errors)
    return values


def create_group(
    actor: audit.Actor,
    *,
    name: object,
    slug: object = "",
    description: object = "",
    visibility: object = "public",
    posting: object = "everyone",
    owner_account_id: int | None = None,
) -> str:
    """A new group with its General channel; its slug (from the name when none is given). FormErrors per
    refused field."""
    if not (isinstance(slug, str) and slug.strip()):
        slug = fields.slug_from(name) or "group" if isinstance(name, str) else "group"
    values = clean_group_fields(name=name, slug=slug, description=description, visibility=visibility, posting=posting)
    with db.write_session() as session:
        if session.exec(select(CommunityGroup.id).where(CommunityGroup.slug == values["slug"])).first() is not None:
            raise FormErrors({"slug": f"Another group already uses the address {values['slug']}."})
        now = clock.now()
        position = session.exec(select(func.coalesce(func.max(CommunityGroup.position), -1))).one() + 1
        group = CommunityGroup(
            slug=values["slug"],
            name=values["name"],
            description=values["description"],
            visibility=values["visibility"],
            posting=values["posting"],
            position=position,
            created_at=now,
        )
        session.add(group)
        session.flush()
        session.add(Channel(group_id=group.id, slug=GENERAL[0], name=GENERAL[1], position=0))
        if owner_account_id is not None:
            session.add(GroupMember(group_id=group.id, account_id=owner_account_id, role="owner", joined_at=now))
        audit.record(session, actor, APP_KEY, "group_created", target=group.slug, detail={"name": group.name})
        return group.slug


# --- the member's side ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCard:
    slug: str
    name: str
    description: str
    visibility: str
    # The person's place in it: "active", "pending" (waiting for approval) or "" (not a member).
    status: str
    role: str
    # Posts since the person last opened the group (members only).
    new_posts: int


def my_groups(account_id: int) -> list[GroupCard]:
    """Groups the person is in (or waiting to join), with the posts new since their last visit."""
    with db.read_session() as session:
        rows = session.exec(
            select(CommunityGroup, GroupMember)
            .join(GroupMember, GroupMember.group_id == CommunityGroup.id)
            .where(
                GroupMember.account_id == account_id,
                col(GroupMember.status).in_(("active", "pending")),
                col(CommunityGroup.archived).is_(False),
            )
            .order_by(CommunityGroup.position, CommunityGroup.id)
        ).all()
        # New posts in every group the person is active in, in one grouped read (ix_post_group_feed).
        new_posts = dict(
            session.exec(
                select(Post.group_id, func.count())
                .join(GroupMember, GroupMember.group_id == Post.group_id)
                .where(
                    GroupMember.account_id == account_id,
                    GroupMember.status == "active",
                    Post.created_at > func.coalesce(GroupMember.last_seen_at, GroupMember.joined_at),
                    col(Post.hidden).is_(False),
                    Post.author_id != account_id,
                )
                .group_by(Post.group_id)
            ).all()
        )
    cards = [
        GroupCard(
            group.slug,
            group.name,
            group.description,
            group.visibility,
            member.status,
            member.role,
            new_posts.get(group.id, 0) if member.status == "active" else 0,
        )
        for group, member in rows
    ]
    return cards


def groups_to_join(account_id: int) -> list[GroupCard]:
    """Groups the person is not in (nor banned from): public ones to join, private ones to ask for."""
    with db.read_session() as session:
        mine = select(GroupMember.group_id).where(GroupMember.account_id == account_id)
        rows = session.exec(
            select(CommunityGroup)
            .where(col(CommunityGroup.archived).is_(False), col(CommunityGroup.id).not_in(mine))
            .order_by(CommunityGroup.position, CommunityGroup.id)
        ).all()
    return [GroupCard(g.slug, g.name, g.description, g.visibility, "", "", 0) for g in rows]


def join(account_id: int, slug: object) -> str:
    """Join a public group at once, or ask to join a private one; the membership's status.

    LookupError for no such group (or an archived one); a person banned from it gets "banned" and
    nothing changes.
    """
    if not fields.is_slug(slug):
        raise LookupError("not a group slug")
    with db.write_session() as session:
        group = session.exec(select(CommunityGroup).where(CommunityGroup.slug == slug)).first()
        if group is None or group.archived:
            raise LookupError("no such group")
        member = session.exec(
            select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.account_id == account_id)
        ).first()
        if member is not None:
            return member.status
        now = clock.now()
        status = "active" if group.visibility == "public" else "pending"
        inserted = db.insert_if_absent(
            session,
            GroupMember,
            key={"group_id": group.id, "account_id": account_id},
            values={"role": "member", "status": status, "joined_at": now},
        )
        if inserted and status == "active":
            activity.record(
                session, account_id=account_id, app_key=APP_KEY, kind="community_joined", summary=group.name, at=now
            )
        return status


def leave(account_id: int, slug: object) -> bool:
    """Leave a group (or withdraw a request); an owner cannot leave their own group. False when not in it."""
    if not fields.is_slug(slug):
        raise LookupError("not a group slug")
    with db.write_session() as session:
        row = session.exec(
            select(GroupMember)
            .join(CommunityGroup, CommunityGroup.id == GroupMember.group_id)
            .where(CommunityGroup.slug == slug, GroupMember.account_id == account_id)
        ).first()
        if row is None or row.status == "banned":
            return False
        if row.role == "owner":
            raise FormErrors({"group": "The owner cannot leave the group. Make someone else its owner first."})
        session.delete(row)
        return True


def set_member_status(moderator_id: int, slug: object, account_id: object, status: object) -> None:
    """A moderator (or higher) approves a request ("active"), or bans ("banned") or reinstates a member.

    LookupError unless the moderator may read the group and the person has a membership there;
    FormErrors when the moderator's role is not high enough, or the target's role is as high.
    """
    if status not in ("active", "banned") or not db.is_row_id(account_id):
        raise LookupError("not a membership change")
    with db.write_session() as session:
        opened = open_group(session, moderator_id, slug)
        if not opened.at_least("moderator"):
            raise FormErrors({"member": "Only the group's moderators can do that."})
        member = session.exec(
            select(GroupMember).where(GroupMember.group_id == opened.group.id, GroupMember.account_id == account_id)
        ).first()
        if member is None:
            raise LookupError("not in this group")
        if rank(member.role) >= opened.rank:
            raise FormErrors({"member": "You cannot change the membership of someone with your role or higher."})
        was = member.status
        member.status = status
        session.add(member)
        now = clock.now()
        if status == "active" and was == "pending":
            activity.record(
                session,
                account_id=account_id,
                app_key=APP_KEY,
                kind="community_joined",
                summary=opened.group.name,
                at=now,
            )


def mark_seen(account_id: int, slug: object, when: datetime | None = None) -> None:
    """The person opened the group: what they see now is no longer new."""
    if not fields.is_slug(slug):
        return
    with db.write_session() as session:
        member = session.exec(
            select(GroupMember)
            .join(CommunityGroup, CommunityGroup.id == GroupMember.group_id)
            .where(CommunityGroup.slug == slug, GroupMember.account_id == account_id, GroupMember.status == "active")
        ).first()
        if member is not None:
            member.last_seen_at = when or clock.now()
            session.add(member)


@dataclass(frozen=True)
class MemberItem:
    account_id: int
    name: str
    role: str
    status: str


@dataclass(frozen=True)
class MemberList:
    group_name: str
    # Whether the person asking moderates the group (and so sees requests and bans).
    moderator: bool
    members: tuple[MemberItem, ...]


def members(account_id: int, slug: object) -> MemberList:
    """A group's member list for someone who may read the group: active members by role, then name; its
    moderators also see who is waiting to join and who is banned."""
    with db.read_session() as session:
        opened = open_group(session, account_id, slug)
        statuses = ("active", "pending", "banned") if opened.at_least("moderator") else ("active",)
        rows = session.exec(
            select(GroupMember, Account.full_name)
            .join(Account, Account.id == GroupMember.account_id)
            .where(GroupMember.group_id == opened.group.id, col(GroupMember.status).in_(statuses))
            .order_by(GroupMember.status, Account.full_name, Account.id)
        ).all()
    ordered = sorted(rows, key=lambda row: (statuses.index(row[0].status), -rank(row[0].role), row[1]))
    return MemberList(
        group_name=opened.group.name,
        moderator=opened.at_least("moderator"),
        members=tuple(MemberItem(member.account_id, name, member.role, member.status) for member, name in ordered),
    )


def decline(moderator_id: int, slug: object, account_id: object) -> None:
    """A moderator turns down a request to join (the person may ask again later)."""
    if not db.is_row_id(account_id):
        raise LookupError("not an account id")
    with db.write_session() as session:
        opened = open_group(session, moderator_id, slug)
        if not opened.at_least("moderator"):
            raise FormErrors({"member": "Only the group's moderators can do that."})
        member = session.exec(
            select(GroupMember).where(
                GroupMember.group_id == opened.group.id,
                GroupMember.account_id == account_id,
                GroupMember.status == "pending",
            )
        ).first()
        if member is None:
            raise LookupError("no request from this person")
        session.delete(member)
