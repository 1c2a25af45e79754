"""Shortcuts the account tests share: go through the real services, read codes from the outbox."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlmodel import col, select

from portal_app.accounts import code_login, signup, tickets
from portal_app.accounts.models import Account
from portal_app.email.models import OutboxEmail
from portal_app.kernel import db
from tests.support.browser import TEST_BROWSER, redeem_bound

PASSWORD = "plum-velvet-orbit-42"
IP = "203.0.113.5"


def latest_email(to: str) -> OutboxEmail:
    with db.read_session() as session:
        return session.exec(
            select(OutboxEmail).where(OutboxEmail.to_email == to).order_by(col(OutboxEmail.id).desc())
        ).first()


def open_invitation_entry(to: str, device: str = TEST_BROWSER) -> bool:
    """Open the newest invitation's "enter this code on the login page" link in a browser, as the login page
    does (only that browser may then enter the invitation's code)."""
    url = re.search(r"\S+/login\?\S+", latest_email(to).text_body).group(0)
    query = parse_qs(urlsplit(url).query)
    assert query["method"] == ["code"] and query["email"] == [to]
    return code_login.open_entry_link(email=query["email"][0], token=query["entry"][0], device=device)


def latest_code(to: str) -> str:
    """The code of the newest email to this address, read the way a person would: from its subject."""
    return re.match(r"(\d{6}) ", latest_email(to).subject).group(1)


def begin_signup(email: str, *, full_name: str = "Ada Lovelace", password: str = PASSWORD, ip: str = IP) -> str:
    """Start a signup and redeem its ticket; returns the flow token the signup cookie would carry."""
    ticket = signup.start_signup(full_name=full_name, email=email, password=password, ip=ip)
    grant = redeem_bound(ticket, user_agent="pytest", ip=ip)
    assert grant is not None and grant.name == tickets.SIGNUP_COOKIE
    return grant.value


def sign_up(email: str, *, full_name: str = "Ada Lovelace", password: str = PASSWORD, ip: str = IP) -> str:
    """A whole signup; returns the session ticket."""
    flow = begin_signup(email, full_name=full_name, password=password, ip=ip)
    return signup.verify_signup(flow, latest_code(email))


def accounts_for(email: str) -> list[Account]:
    with db.read_session() as session:
        return list(session.exec(select(Account).where(Account.email == email).order_by(col(Account.id))))
