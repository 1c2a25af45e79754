"""Who is asking: the live session behind the HttpOnly cookie, checked against the database every time."""

from __future__ import annotations

from portal_app import db
from portal_app.accounts import sessions
from portal_app.models import Account

NOT_SIGNED_IN = "not signed in"


def signed_in_account(session_token: object) -> tuple[sessions.SessionInfo, Account]:
    """The live session behind the cookie and its account; PermissionError when there is none."""
    info = sessions.current_session(session_token)
    if info is not None:
        with db.read_session() as session:
            account = session.get(Account, info.account_id)
        if account is not None:
            return info, account
    raise PermissionError(NOT_SIGNED_IN)
