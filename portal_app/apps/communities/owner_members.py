"""A group's membership as staff manage it: find members (by status, name or email, a page at a time),
add a person by email, set their role in the group, approve a request, ban, reinstate, remove.

Staff outrank every role in a group, so nothing here compares ranks (the group's own moderators go
through groups.set_member_status, which does). Every change is audited and announced on the group's
live channel, so an open tab of someone banned or removed reloads under its own access check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal_app.accounts.models import Account
from portal_app.accounts.validation import normalize_email
from portal_app.apps import audit, grants
from portal_app.apps.communities.groups import APP_KEY, live_topic
from portal_app.apps.communities.models import GROUP_ROLES, MEMBER_STATUSES, CommunityGroup, GroupMember
from portal_app.apps.communities.owner import group_by_slug
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.kernel import clock, db, live
from portal_app.kernel.errors import FieldError, FormErrors
from portal_app.timeline import service as activity

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100
# What the list may be narrowed to: everyone, or one status.
STATUS_FILTERS = ("all", *MEMBER_STATUSES)
# A status change staff make, and the statuses it applies to.
STATUS_ACTIONS = {
    "approve": (("pending",), "active", "member_approved"),
    "ban": (("active", "pending"), "banned", "member_banned"),
    "reinstate": (("banned",), "active", "member_reinstated"),
}


@dataclass(frozen=True)
class MemberItem:
    account_id: int
    name: str
    email: str
    role: str
    status: str
    joined_at: datetime


@dataclass(frozen=True)
class MembersPage:
    group_slug: str
    group_name: str
    # How many memberships have each status (the whole group, whatever the filter).
    counts: dict[str, int]
    members: tuple[MemberItem, ...]
    # Where the next page starts, for `after` (None on the last page): the last member's name and id.
    next_after: tuple[str, int] | None


@dataclass(frozen=True)
class AccountChoice:
    account_id: int
    name: str


class SeveralAccounts(Exception):
    """More than one account uses the email: the caller asks which one to add."""

    def __init__(self, choices: tuple[AccountChoice, ...]) -> None:
        super().__init__("several accounts use this email")
        self.choices = choices


def _clean_query(query: object) -> str:
    return query.strip()[:MAX_QUERY_LENGTH] if isinstance(query, str) else ""


def _matching(text: str):
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        func.lower(Account.email).like(pattern, escape="\\"), func.lower(Account.full_name).like(pattern, escape="\\")
    )


def _position(after: object) -> tuple[str, int] | None:
    """A page position as members_page gave it; None for the first page. LookupError for anything else."""
    if after is None:
        return None
    if (
        isinstance(after, tuple)
        and len(after) == 2
        and isinstance(after[0], str)
        and db.is_row_id(after[1])
        and len(after[0]) <= 200
    ):
        return after
    raise LookupError("not a page position")


def members_page(
    group_slug: object, *, status: object = "all", query: object = "", after: object = None
) -> MembersPage:
    """One page of a group's members, by name (letter case aside) then account id, never OFFSET: those with
    `status` ("all" for every status) whose name or email contains `query`."""
    if status not in STATUS_FILTERS:
        raise LookupError("not a status filter")
    position = _position(after)
    text = _clean_query(query)
    sort_name = func.lower(Account.full_name)
    with db.read_session() as session:
        group = group_by_slug(session, group_slug)
        counts = dict.fromkeys(MEMBER_STATUSES, 0)
        counts.update(
            session.exec(
                select(GroupMember.status, func.count())
                .where(GroupMember.group_id == group.id)
                .group_by(GroupMember.status)
            ).all()
        )
        statement = (
            select(GroupMember, Account.full_name, Account.email, sort_name)
            .join(Account, Account.id == GroupMember.account_id)
            .where(GroupMember.group_id == group.id)
        )
        if status != "all":
            statement = statement.where(GroupMember.status == status)
        if text:
            statement = statement.where(_matching(text))
        if position is not None:
            statement = statement.where(tuple_(sort_name, Account.id) > tuple_(*position))
        rows = session.exec(statement.order_by(sort_name, Account.id).limit(PAGE_SIZE + 1)).all()
    page = rows[:PAGE_SIZE]
    last = page[-1] if page else None
    return MembersPage(
        group_slug=group.slug,
        group_name=group.name,
        counts=counts,
        members=tuple(
            MemberItem(member.account_id, name, email, member.role, member.status, member.joined_at)
            for member, name, email, _ in page
        ),
        next_after=(last[3], last[0].account_id) if len(rows) > PAGE_SIZE and last is not None else None,
    )


def _membership(session: Session, group: CommunityGroup, account_id: object) -> tuple[GroupMember, str]:
    """The person's membership of the group and their email; LookupError when they have none."""
    if not db.is_row_id(account_id):
        raise LookupError("not an account id")
    row = session.exec(
        select(GroupMember, Account.email)
        .join(Account, Account.id == GroupMember.account_id)
        .where(GroupMember.group_id == group.id, GroupMember.account_id == account_id)
    ).first()
    if row is None:
        raise LookupError("not in this group")
    return row


def _target(group: CommunityGroup, account_id: int) -> str:
    return f"{group.slug}/member/{account_id}"


def _joined(session: Session, group: CommunityGroup, account_id: int) -> None:
    activity.record(
        session, account_id=account_id, app_key=APP_KEY, kind="community_joined", summary=group.name, at=clock.now()
    )


def _may_open_app(session: Session, account_id: int) -> bool:
    """Whether the person can open Communities at all: the business has it on and gives it to them (or to
    everyone), and their account is not disabled. Their profile's required fields are theirs to fill."""
    row = session.get(Business, BUSINESS_ID)
    account = session.get(Account, account_id)
    if row is None or account is None or account.disabled_at is not None or APP_KEY not in (row.enabled_apps or ()):
        return False
    return APP_KEY in (row.apps_for_everyone or ()) or APP_KEY in grants.granted_keys(session, account_id)


@dataclass(frozen=True)
class Added:
    name: str
    # False when the person cannot open Communities yet (the page says where to give it).
    may_open_app: bool


def add_member(
    actor: audit.Actor, group_slug: object, *, email: object, role: object, account_id: object = None
) -> Added:
    """Make the account with `email` an active member with `role` (a request of theirs is approved).

    FormErrors: "email" (not an address, no account, already a member, banned), "role". SeveralAccounts
    when accounts share the email and `account_id` names none of them; LookupError without the group.
    """
    errors: dict[str, str] = {}
    if role not in GROUP_ROLES:
        errors["role"] = "Choose a role: member, moderator, admin or owner."
    address = ""
    if not isinstance(email, str) or not email.strip():
        errors["email"] = "Enter the email address of the person to add."
    else:
        try:
            address = normalize_email(email)
        except FieldError as error:
            errors["email"] = error.message
    if errors:
        raise FormErrors(errors)
    try:
        with db.write_session() as session:
            group = group_by_slug(session, group_slug, lock=True)
            accounts = session.exec(
                select(Account.id, Account.full_name).where(Account.email == address).order_by(col(Account.id))
            ).all()
            if not accounts:
                raise FormErrors({"email": "No account uses that email address."})
            chosen = [row for row in accounts if row[0] == account_id] if len(accounts) > 1 else list(accounts)
            if not chosen:
                raise SeveralAccounts(tuple(AccountChoice(row[0], row[1]) for row in accounts))
            person, name = chosen[0]
            member = session.exec(
                select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.account_id == person)
            ).first()
            if member is not None and member.status == "active":
                raise FormErrors({"email": f"{name} is already a member ({member.role})."})
            if member is not None and member.status == "banned":
                raise FormErrors({"email": f"{name} is banned from this group. Reinstate them in the list first."})
            if member is None:
                member = GroupMember(group_id=group.id, account_id=person, role=role, joined_at=clock.now())
            member.role, member.status = role, "active"
            session.add(member)
            _joined(session, group, person)
            audit.record(
                session,
                actor,
                APP_KEY,
                "member_added",
                target=_target(group, person),
                detail={"email": address, "role": role},
            )
            added = Added(name, _may_open_app(session, person))
            group_id = group.id
    except IntegrityError:
        # They joined (or asked to) in the same moment; the list now shows them as they are.
        raise FormErrors({"email": "That person joined the group a moment ago. Filter the list to see them."}) from None
    live.publish(live_topic(group_id), {"change": "members"})
    return added


def set_role(actor: audit.Actor, group_slug: object, account_id: object, role: object) -> bool:
    """Give a member (or someone waiting or banned) a role in the group; False when it is the one they have."""
    if role not in GROUP_ROLES:
        raise FormErrors({"role": "Choose a role: member, moderator, admin or owner."})
    with db.write_session() as session:
        group = group_by_slug(session, group_slug, lock=True)
        member, email = _membership(session, group, account_id)
        if member.role == role:
            return False
        old, member.role = member.role, role
        session.add(member)
        audit.record(
            session,
            actor,
            APP_KEY,
            "member_role_changed",
            target=_target(group, member.account_id),
            detail={"email": email, "from": old, "to": role},
        )
        group_id = group.id
    live.publish(live_topic(group_id), {"change": "members"})
    return True


def set_status(actor: audit.Actor, group_slug: object, account_id: object, action: object) -> None:
    """Approve a request, ban a member (or someone waiting), or reinstate someone banned.

    FormErrors({"member": ...}) when the membership is not in a state the action applies to (another tab
    changed it first); LookupError for an unknown action, group or membership.
    """
    if not isinstance(action, str) or action not in STATUS_ACTIONS:
        raise LookupError("not a membership action")
    applies_to, status, audit_action = STATUS_ACTIONS[action]
    with db.write_session() as session:
        group = group_by_slug(session, group_slug, lock=True)
        member, email = _membership(session, group, account_id)
        if member.status not in applies_to:
            raise FormErrors({"member": f"That membership is {member.status} now. The list shows it as stored."})
        was, member.status = member.status, status
        session.add(member)
        if was == "pending" and status == "active":
            _joined(session, group, member.account_id)
        audit.record(
            session, actor, APP_KEY, audit_action, target=_target(group, member.account_id), detail={"email": email}
        )
        group_id = group.id
    live.publish(live_topic(group_id), {"change": "members"})


def remove_member(actor: audit.Actor, group_slug: object, account_id: object) -> None:
    """Take someone out of the group (a request is declined); they may join or ask again later. Someone
    banned stays banned (FormErrors): removing the row would let them straight back in."""
    with db.write_session() as session:
        group = group_by_slug(session, group_slug, lock=True)
        member, email = _membership(session, group, account_id)
        if member.status == "banned":
            raise FormErrors({"member": "Removing someone banned would lift the ban. Reinstate them first."})
        action = "request_declined" if member.status == "pending" else "member_removed"
        session.delete(member)
        audit.record(
            session,
            actor,
            APP_KEY,
            action,
            target=_target(group, member.account_id),
            detail={"email": email, "role": member.role, "status": member.status},
        )
        group_id = group.id
    live.publish(live_topic(group_id), {"change": "members"})


__all__ = [
    "PAGE_SIZE",
    "STATUS_ACTIONS",
    "STATUS_FILTERS",
    "AccountChoice",
    "Added",
    "MemberItem",
    "MembersPage",
    "SeveralAccounts",
    "add_member",
    "members_page",
    "remove_member",
    "set_role",
    "set_status",
]
