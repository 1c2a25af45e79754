""" "This wasn't me": the link in the notice an old address gets when the account's email changes.

Whoever moved the account may also know its password, so undoing the change does more than move it
back: every session of the account ends (and tickets not yet traded for one), the password is
removed, other accounts' password sign-ins stop reaching this one, changes and later "This wasn't me"
links are dropped, and the old address gets a fresh login code and link to get back in and set a new
password. The address the account left is told.

Opening /profile/undo-email only reads the link (link_status): mail scanners that fetch links, even
with JavaScript, change nothing; the page's button calls `revert`. A link works once, for
REVERT_LINK_LIFETIME; undoing a change voids the links of the account's later changes (so whoever made
them cannot undo the undo), never those of earlier ones.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from portal_app.accounts import choices, code_login, invitations, security_log, sessions, throttle
from portal_app.accounts.models import Account, AccountChoice, AccountPreference, LoginTicket, UserSession
from portal_app.business.models import BUSINESS_ID, Business
from portal_app.email import outbox
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.errors import FieldError
from portal_app.kernel.sessions import clean_ip
from portal_app.kernel.settings import get_settings
from portal_app.profile import email_change
from portal_app.profile.models import EmailChange, EmailChangeRevert

REVERTED_TEMPLATE = "email_change_reverted"
LEFT_ADDRESS_TEMPLATE = "email_change_reverted_notice"

LINK_USED = "This link was already used: the change was undone then. Links work once."
LINK_EXPIRED = "This link has expired. Links to undo an email change work for 7 days."
LINK_REPLACED = "This link no longer works: an earlier email change of this account was undone since."
LINK_UNKNOWN = "This link is not valid. Check that you copied all of it from the email."


class LinkState(enum.Enum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    # The old address now belongs to another account and duplicates are off: the account cannot go back.
    TAKEN = "taken"


@dataclass(frozen=True)
class LinkStatus:
    """What /profile/undo-email shows before anything is done."""

    state: LinkState
    message: str = ""
    old_email: str = ""
    new_email: str = ""
    changed_at: datetime | None = None


@dataclass(frozen=True)
class Reverted:
    """The change was undone: the account's email is `old_email` again; `left_email` is the address it left."""

    old_email: str
    left_email: str


def _support_sentence(session: Session) -> str:
    business = session.get(Business, BUSINESS_ID)
    support = business.support_email if business else ""
    return f"Write to {support} so we can help." if support else "Contact the business so they can help."


def address_taken_message(session: Session, old_email: str) -> str:
    return (
        f"{old_email} now belongs to another account, so this account can't move back to it. "
        f"{_support_sentence(session)}"
    )


def _row_for(session: Session, token: object) -> EmailChangeRevert | None:
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return None
    return session.exec(select(EmailChangeRevert).where(EmailChangeRevert.token_hash == token_hash)).first()


def _status_of(session: Session, row: EmailChangeRevert | None) -> LinkStatus:
    if row is None:
        return LinkStatus(LinkState.UNKNOWN, LINK_UNKNOWN)
    addresses = {"old_email": row.old_email, "new_email": row.new_email, "changed_at": row.created_at}
    if row.used_at is not None:
        return LinkStatus(LinkState.USED, LINK_USED, **addresses)
    if row.voided_at is not None:
        return LinkStatus(LinkState.EXPIRED, LINK_REPLACED, **addresses)
    if row.expires_at <= clock.now():
        return LinkStatus(LinkState.EXPIRED, LINK_EXPIRED, **addresses)
    if not email_change.duplicates_allowed(session) and email_change.used_by_another_account(
        session, account_id=row.account_id, email=row.old_email
    ):
        return LinkStatus(LinkState.TAKEN, address_taken_message(session, row.old_email), **addresses)
    return LinkStatus(LinkState.VALID, **addresses)


def link_status(token: object) -> LinkStatus:
    """The link's state, read-only: opening the page any number of times changes nothing."""
    with db.read_session() as session:
        return _status_of(session, _row_for(session, token))


def _withdraw_password_scopes(session: Session, account_id: int, emails: set[str]) -> None:
    """The password may be known to whoever made the change: sign-ins that proved it stop reaching this account.

    Sessions of other accounts on these addresses, and choices still open there, that list this account
    because its password matched, lose it. Scopes proven by the mailbox are untouched.
    """
    peer_sessions = session.exec(
        select(UserSession)
        .join(Account, col(Account.id) == UserSession.account_id)
        .where(col(Account.email).in_(emails), UserSession.account_id != account_id)
    ).all()
    open_choices = session.exec(
        select(AccountChoice).where(
            col(AccountChoice.email).in_(emails),
            col(AccountChoice.used_at).is_(None),
            AccountChoice.expires_at > clock.now(),
        )
    ).all()
    for row in [*peer_sessions, *open_choices]:
        ids = choices.ids_of_scope(row.peer_scope)
        if ids is not None and account_id in ids:
            row.peer_scope = choices.scope_of_ids(sorted(ids - {account_id}))
            session.add(row)


def _undo(session: Session, row: EmailChangeRevert, *, ip: str, user_agent: str) -> Reverted:
    account = session.get(Account, row.account_id)
    left_email = account.email
    allowed = email_change.duplicates_allowed(session)
    now = clock.now()
    account.email = row.old_email
    account.exclusive_email = None if allowed else row.old_email
    # Using the link proved the old mailbox.
    account.email_verified_at = now
    account.password_hash = None
    session.add(account)
    session.flush()
    ended = sessions.revoke_sessions(session, account.id)
    session.exec(delete(LoginTicket).where(LoginTicket.account_id == account.id, col(LoginTicket.used_at).is_(None)))
    session.exec(delete(EmailChange).where(EmailChange.account_id == account.id))
    session.exec(
        update(EmailChangeRevert)
        .where(
            EmailChangeRevert.account_id == account.id,
            col(EmailChangeRevert.id) > row.id,
            col(EmailChangeRevert.used_at).is_(None),
            col(EmailChangeRevert.voided_at).is_(None),
        )
        .values(voided_at=now)
    )
    session.exec(
        delete(AccountPreference).where(
            AccountPreference.account_id == account.id, AccountPreference.email != row.old_email
        )
    )
    _withdraw_password_scopes(session, account.id, {row.old_email, row.new_email, left_email})
    security_log.record(
        session,
        "email_change_reverted",
        account_id=account.id,
        email=row.old_email,
        ip=ip,
        user_agent=user_agent,
        detail=(
            f"back to {row.old_email} from {left_email} with the link sent to {row.old_email}; "
            f"{ended} session(s) signed out, password removed"
        ),
    )
    business = session.get(Business, BUSINESS_ID)
    support_email = business.support_email if business else ""
    # Like a request for a code (as an invitation's): the code is the address's newest, typed at the entry link.
    requested = throttle.record(session, code_login.CODE_REQUESTED, row.old_email)
    code_login.send_sign_in_code(
        session,
        email=row.old_email,
        lifetime=code_login.login_code_lifetime(),
        template=REVERTED_TEMPLATE,
        context={
            "full_name": account.full_name,
            "old_email": row.old_email,
            "left_email": left_email,
            "expires_minutes": get_settings().login_code_minutes,
            "support_email": support_email,
            "code_entry_url": invitations.code_entry_url(
                row.old_email, code_login.entry_token(row.old_email, requested.at)
            ),
        },
    )
    if left_email != row.old_email:
        outbox.enqueue(
            session,
            to=left_email,
            template=LEFT_ADDRESS_TEMPLATE,
            context={
                "full_name": account.full_name,
                "old_email": row.old_email,
                "left_email": left_email,
                "support_email": support_email,
            },
        )
    return Reverted(old_email=row.old_email, left_email=left_email)


def revert(token: object, *, ip: object = "", user_agent: object = "") -> Reverted:
    """Undo the change the link was sent for, once: see the module's docstring for everything that goes with it.

    Raises FieldError("link") when the link is used, expired, voided or unknown, or when the old address
    now belongs to another account exclusively (nothing changes then).
    """
    agent = user_agent[:512] if isinstance(user_agent, str) else ""
    try:
        with db.write_session() as session:
            row = _row_for(session, token)
            status = _status_of(session, row)
            if status.state is not LinkState.VALID:
                raise FieldError("link", status.message)
            claimed = session.exec(
                update(EmailChangeRevert)
                .where(
                    EmailChangeRevert.id == row.id,
                    col(EmailChangeRevert.used_at).is_(None),
                    col(EmailChangeRevert.voided_at).is_(None),
                    EmailChangeRevert.expires_at > clock.now(),
                )
                .values(used_at=clock.now())
            )
            if claimed.rowcount != 1:
                raise FieldError("link", LINK_USED)
            return _undo(session, row, ip=clean_ip(ip), user_agent=agent)
    except IntegrityError:
        # Another account took the old address exclusively between the check and the write.
        with db.read_session() as session:
            row = _row_for(session, token)
            message = address_taken_message(session, row.old_email) if row else LINK_UNKNOWN
        raise FieldError("link", message) from None
