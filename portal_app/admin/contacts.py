"""The business's clients as the admin area sees them: search, one account's details, and the changes staff make.

Every change is written with its audit entry in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, or_, select

from portal_app.accounts import disabling, invitations, locks
from portal_app.accounts.models import Account
from portal_app.accounts.validation import normalize_email
from portal_app.admin import audit
from portal_app.admin.paging import Page, last_page_if_beyond
from portal_app.apps import grants, registry
from portal_app.apps.models import AppGrant
from portal_app.kernel import db
from portal_app.kernel.errors import FieldError
from portal_app.profile import service as profile_service
from portal_app.profile.choices import LANGUAGES
from portal_app.timeline.models import Activity

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
RECENT_ACTIVITY = 15

INVITED = "Invited"
ACTIVE = "Active"
DISABLED = "Disabled"


def status_of(account: Account) -> str:
    """Disabled, Invited (not signed in yet) or Active."""
    if account.disabled_at is not None:
        return DISABLED
    if account.invited_at is not None and account.email_verified_at is None and account.last_login_at is None:
        return INVITED
    return ACTIVE


def clean_query(raw: object) -> str:
    """Search text: trimmed, bounded; anything that is not text searches for everything."""
    if not isinstance(raw, str):
        return ""
    text = " ".join(raw.split())
    return text[:MAX_QUERY_LENGTH] if text.isprintable() else ""


@dataclass(frozen=True)
class ContactRow:
    id: int
    full_name: str
    email: str
    status: str
    created_at: datetime
    app_titles: tuple[str, ...]


def _titles(keys) -> tuple[str, ...]:
    return tuple(title for key, title in registry.app_choices().items() if key in set(keys))


def search(query: object = "", page: int = 1, per_page: int = PER_PAGE) -> Page[ContactRow]:
    """Accounts whose name or email contains the text, any case; newest first."""
    text = clean_query(query)
    statement = select(Account)
    counting = select(func.count()).select_from(Account)
    if text:
        pattern = (
            f"%{text.lower().replace(chr(92), chr(92) * 2).replace('%', chr(92) + '%').replace('_', chr(92) + '_')}%"
        )
        matches = or_(
            func.lower(Account.full_name).like(pattern, escape="\\"),
            func.lower(Account.email).like(pattern, escape="\\"),
        )
        statement = statement.where(matches)
        counting = counting.where(matches)
    with db.read_session() as session:
        total = session.exec(counting).one()
        number = last_page_if_beyond(page, total, per_page)
        accounts = session.exec(
            statement.order_by(col(Account.id).desc()).offset((number - 1) * per_page).limit(per_page)
        ).all()
        grants: dict[int, list[str]] = {}
        for account_id, key in session.exec(
            select(AppGrant.account_id, AppGrant.app_key).where(col(AppGrant.account_id).in_([a.id for a in accounts]))
        ):
            grants.setdefault(account_id, []).append(key)
    rows = tuple(
        ContactRow(a.id, a.full_name, a.email, status_of(a), a.created_at, _titles(grants.get(a.id, ())))
        for a in accounts
    )
    return Page(items=rows, number=number, total=total, per_page=per_page)


@dataclass(frozen=True)
class AppAccess:
    key: str
    title: str
    granted: bool
    # The grant's role ("" without a grant or for an app without roles), and the app's roles, lowest first.
    role: str = ""
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivityRow:
    occurred_at: datetime
    app_key: str
    summary: str


@dataclass(frozen=True)
class ContactDetail:
    id: int
    full_name: str
    email: str
    status: str
    created_at: datetime
    invited_at: datetime | None
    email_verified_at: datetime | None
    last_login_at: datetime | None
    disabled_at: datetime | None
    has_password: bool
    # From the profile: phone (E.164), address on one line, time zone, language; "" when not given.
    phone: str
    address: str
    time_zone: str
    language: str
    # Labels of the required profile fields still empty.
    missing_fields: tuple[str, ...]
    apps: tuple[AppAccess, ...]
    activity: tuple[ActivityRow, ...]


def contact_detail(account_id: int) -> ContactDetail | None:
    """One account's profile basics, apps and recent activity; None when there is no such account."""
    with db.read_session() as session:
        account = session.get(Account, account_id)
        if account is None:
            return None
        granted = grants.granted_roles(session, account_id)
        activity = session.exec(
            select(Activity)
            .where(Activity.account_id == account_id)
            .order_by(col(Activity.occurred_at).desc(), col(Activity.id).desc())
            .limit(RECENT_ACTIVITY)
        ).all()
    profile = profile_service.profile_for_apps(account_id)
    address = profile.address if profile is not None else None
    return ContactDetail(
        id=account.id,
        full_name=account.full_name,
        email=account.email,
        status=status_of(account),
        created_at=account.created_at,
        invited_at=account.invited_at,
        email_verified_at=account.email_verified_at,
        last_login_at=account.last_login_at,
        disabled_at=account.disabled_at,
        has_password=account.password_hash is not None,
        phone=profile.phone if profile is not None else "",
        address=_one_line(address),
        time_zone=profile.time_zone if profile is not None else "",
        language=LANGUAGES.get(profile.language, profile.language) if profile is not None else "",
        missing_fields=tuple(profile_service.missing_required_fields(account_id)),
        apps=tuple(
            AppAccess(app.key, app.title, app.key in granted, granted.get(app.key) or "", app.roles)
            for app in registry.all_apps()
        ),
        activity=tuple(ActivityRow(row.occurred_at, row.app_key, row.summary) for row in activity),
    )


def _one_line(address) -> str:
    if address is None or address.is_empty:
        return ""
    parts = (address.line1, address.line2, address.city, address.postal_code, address.country_name or address.country)
    return ", ".join(part for part in parts if part)


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(f"no account with id {account_id}")
    return account


def _target(account: Account) -> str:
    return f"account {account.id} <{account.email}>"


def set_app_access(actor: audit.Actor, account_id: int, app_key: object, *, granted: bool, role: object = None) -> bool:
    """Grant (with a role, for an app that has roles) or revoke one app, audited; False when nothing changed.

    Raises ValueError for an app or a role the portal does not know, LookupError for a missing account.
    """
    key = grants.check_app_key(app_key)
    # No role: a new grant gets the app's lowest, an existing one keeps its own.
    role = grants.check_role(key, role) if granted and role not in (None, "") else None
    with db.write_session() as session:
        account = _account(session, account_id)
        if granted:
            changed = grants.grant_app(session, account_id=account.id, app_key=key, role=role)
        else:
            changed = grants.revoke_app(session, account_id=account.id, app_key=key)
        if changed:
            audit.record(
                session,
                actor,
                action="app_granted" if granted else "app_revoked",
                target=_target(account),
                detail={"app": key, "role": role} if role else {"app": key},
            )
    return changed


def set_disabled(actor: audit.Actor, account_id: int, *, disabled: bool) -> bool:
    """Disable (signing it out everywhere) or re-enable an account, audited; False when nothing changed.

    Raises LookupError for a missing account.
    """
    with db.write_session() as session:
        account = _account(session, account_id)
        changed = disabling.set_disabled(session, account.id, disabled=disabled)
        if changed:
            audit.record(
                session, actor, action="account_disabled" if disabled else "account_enabled", target=_target(account)
            )
    return changed


def sign_in_locks(account_id: int) -> list[locks.CurrentLock]:
    """What holds the account's email back from signing in right now (code entry, password login; from one
    network or everywhere). Raises LookupError for a missing account."""
    with db.read_session() as session:
        account = _account(session, account_id)
    return locks.current(account.email)


def lift_sign_in_locks(actor: audit.Actor, account_id: int) -> bool:
    """Lift every sign-in lock on the account's email (audited, and in the email's security log); False when
    there was none. Raises LookupError for a missing account."""
    with db.read_session() as session:
        account = _account(session, account_id)
    if not locks.current(account.email):
        return False
    return lift_locks_on_email(actor, account.email) >= 0


def lift_locks_on_email(actor: audit.Actor, email: object) -> int:
    """`portal unlock EMAIL`: lift the email's sign-in locks (also a staff address's), audited; how many
    rate events went. FieldError("email") for anything that is not an email address."""
    address = normalize_email(email)
    gone = locks.lift(address, by=actor.label)
    with db.write_session() as session:
        audit.record(session, actor, action="sign_in_locks_lifted", target=address, detail={"events": gone})
    return gone


def invite(actor: audit.Actor, *, email: object, full_name: object, app_keys: object) -> invitations.InviteResult:
    """Create an invited account with these apps and email its invitation, audited in the same transaction.

    Raises FieldError: "email", "full_name" or "apps" (see invitations.invite).
    """
    if not isinstance(app_keys, (list, tuple)):
        raise FieldError("apps", "Choose at least one app.")

    def record(session: Session, account: Account) -> None:
        audit.record(
            session,
            actor,
            action="account_invited",
            target=_target(account),
            detail={"name": account.full_name, "apps": [key for key in registry.app_choices() if key in app_keys]},
        )

    return invitations.invite(email=email, full_name=full_name, app_keys=list(app_keys), also=record)


def describe_invite_problem(error: FieldError) -> str:
    """The invitation form's sentence for a refused field (the services word them for the command line)."""
    if error.field == "email":
        if error.message.startswith("an account already exists"):
            return f"An account already exists for{error.message.removeprefix('an account already exists for')}."
        return "Enter a valid email address, like name@example.com."
    if error.field == "full_name":
        return "Enter the person's full name, at most 100 characters."
    return "Choose at least one app."
