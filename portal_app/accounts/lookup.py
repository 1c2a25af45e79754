"""Read-only views of an account for the pages (never the model: it holds the password hash)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from portal_app.accounts.models import Account
from portal_app.accounts.validation import normalize_email
from portal_app.kernel import db
from portal_app.kernel.errors import CommandError, FieldError


@dataclass(frozen=True)
class AccountView:
    id: int
    full_name: str
    email: str


def account_view(account_id: int) -> AccountView | None:
    with db.read_session() as session:
        account = session.get(Account, account_id)
    if account is None:
        return None
    return AccountView(id=account.id, full_name=account.full_name, email=account.email)


def account_named(identifier: str) -> Account:
    """The account an operator names by id or by email (the `portal` commands' EMAIL-OR-ID); an email
    several accounts share needs the id. Raises CommandError with what to type instead."""
    with db.read_session() as session:
        if identifier.isascii() and identifier.isdigit() and len(identifier) <= 18:
            account = session.get(Account, int(identifier))
            if account is None:
                raise CommandError(f"there is no account {identifier}")
            return account
        try:
            address = normalize_email(identifier)
        except FieldError:
            raise CommandError(f"{identifier!r} is neither an account id nor an email address") from None
        found = list(session.exec(select(Account).where(Account.email == address).order_by(col(Account.id))))
    if not found:
        raise CommandError(f"no account uses {address}")
    if len(found) > 1:
        ids = ", ".join(str(account.id) for account in found)
        raise CommandError(f"{len(found)} accounts use {address} (ids {ids}): give the account id instead")
    return found[0]
