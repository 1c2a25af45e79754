"""What the email change tests do again and again: give an account a password, read codes and links from the outbox."""

from __future__ import annotations

import re

from sqlmodel import col, select, update

from portal_app.accounts import passwords
from portal_app.accounts.models import Account
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db

PASSWORD = "plum-velvet-orbit-42"
IP = "203.0.113.9"


def give_password(account_id: int, password: str = PASSWORD) -> None:
    """Set the account's password through the real hashing, as a signup would have."""
    with db.write_session() as session:
        session.exec(
            update(Account).where(Account.id == account_id).values(password_hash=passwords.hash_password(password))
        )


def emails_to(address: str) -> list[OutboxEmail]:
    with db.read_session() as session:
        return list(
            session.exec(select(OutboxEmail).where(OutboxEmail.to_email == address).order_by(col(OutboxEmail.id)))
        )


def code_in(email: OutboxEmail) -> str:
    """The code of an email, read the way a person would: from its subject."""
    return re.match(r"(\d{6})\D", email.subject).group(1)


def latest_code(address: str) -> str:
    return code_in(emails_to(address)[-1])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def undo_link_in(email: OutboxEmail) -> str:
    """The "This wasn't me" link of an email-changed notice (the same in its text and HTML)."""
    match = re.search(r"(https?://\S+/profile/undo-email\?token=[\w%-]+)", email.text_body)
    assert match, email.text_body
    assert match.group(1) in email.html_body
    return match.group(1)


def undo_token_in(email: OutboxEmail) -> str:
    return undo_link_in(email).split("token=", 1)[1]


def account(account_id: int) -> Account:
    with db.read_session() as session:
        return session.get(Account, account_id)
