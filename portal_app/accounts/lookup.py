"""Read-only views of an account for the pages (never the model: it holds the password hash)."""

from __future__ import annotations

from dataclasses import dataclass

from portal_app.accounts.models import Account
from portal_app.kernel import db


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
