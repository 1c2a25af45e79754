"""Magic links: the one-click sign-in sent with a login code, sharing that code's row, life and single use.

Opening /magic only reads the link's state (link_status), so mail scanners that fetch links, even
with JavaScript, neither use it up nor sign anyone in; the page's "Continue" calls use_magic_link.

The page names the address the link signs in, masked ("Continue as a***@example.com"): someone sent
another person's link (login CSRF: an attacker mails their own link to a victim, to watch what the
victim then does in the attacker's account) sees that it is not their address before continuing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlmodel import Session, col, select, update

from portal_app.accounts import code_budget, code_login
from portal_app.accounts.models import EmailCode
from portal_app.apps import hooks
from portal_app.kernel import clock, db, tokens
from portal_app.kernel.errors import FieldError

LINK_USED = "This link was already used. Send yourself a new one."
LINK_EXPIRED = "This link has expired. Send yourself a new one."
LINK_UNKNOWN = "This link is not valid. Log in to get a new one."


class LinkState(enum.Enum):
    VALID = "valid"
    USED = "used"
    # Also a link whose code was replaced by a newer one before it was used.
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LinkStatus:
    """What /magic shows; `email` (for USED and EXPIRED) lets it offer "Send a new link"."""

    status: LinkState
    email: str | None = None
    message: str = ""


def mask_email(email: str) -> str:
    """ "ann.smith@example.com" -> "a***@example.com": enough for its owner to recognise (or not), not the
    whole address for whoever holds the link."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if local and domain else "***"


def _row_for(session: Session, token: object) -> EmailCode | None:
    token_hash = tokens.hash_presented_token(token)
    if token_hash is None:
        return None
    return session.exec(
        select(EmailCode).where(EmailCode.link_token_hash == token_hash, EmailCode.purpose == code_login.LOGIN_PURPOSE)
    ).first()


def _status_of(row: EmailCode | None) -> LinkStatus:
    if row is None:
        return LinkStatus(LinkState.UNKNOWN, message=LINK_UNKNOWN)
    if row.used_at is not None:
        return LinkStatus(LinkState.USED, row.email, LINK_USED)
    if row.voided_at is not None or row.expires_at <= clock.now():
        return LinkStatus(LinkState.EXPIRED, row.email, LINK_EXPIRED)
    return LinkStatus(LinkState.VALID, row.email)


def link_status(token: object) -> LinkStatus:
    """The link's state, read-only: calling this any number of times changes nothing."""
    with db.read_session() as session:
        return _status_of(_row_for(session, token))


def use_magic_link(token: object, *, next_path: object = "/", origin: hooks.AccountOrigin | None = None) -> str:
    """Use the link once and sign in; returns a session ticket, or a chooser ticket for several accounts.

    Using the link uses its code too. Raises FieldError("link") when the link is used, expired,
    replaced by a newer code, unknown, or while code entry for its email is locked.
    """
    with db.write_session() as session:
        row = _row_for(session, token)
        status = _status_of(row)
        if status.status is not LinkState.VALID:
            raise FieldError("link", status.message)
        locked_until = code_budget.locked_until(session, row.email)
        if locked_until is not None:
            raise FieldError("link", code_budget.lock_message(locked_until))
        now = clock.now()
        claimed = session.exec(
            update(EmailCode)
            .where(
                EmailCode.id == row.id,
                col(EmailCode.used_at).is_(None),
                col(EmailCode.voided_at).is_(None),
                EmailCode.expires_at > now,
            )
            .values(used_at=now)
        )
        if claimed.rowcount != 1:
            raise FieldError("link", LINK_USED)
        ticket = code_login.sign_in_mailbox_owner(
            session, email=row.email, auth_method="magic_link", next_path=next_path, origin=origin
        )
        if ticket is None:
            raise FieldError("link", LINK_UNKNOWN)
        return ticket
