"""Accounts and what proves who someone is: pending signups, emailed codes, sessions, tickets."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=320)
    # Set to the email when this account holds the address exclusively (duplicates off); the
    # unique index makes "one account per email" hold under concurrent verifications.
    exclusive_email: str | None = Field(default=None, unique=True, max_length=320)
    full_name: str = Field(max_length=100)
    password_hash: str | None = Field(default=None, max_length=255)
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the business created the account (`portal invite`) rather than its owner signing up.
    invited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set while the business has disabled the account: no session can be made or used for it.
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PendingSignup(SQLModel, table=True):
    """A signup waiting for its email to be verified: not an account yet."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=320)
    full_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    # SHA-256 of the token in the browser's HttpOnly "pending signup" cookie.
    flow_token_hash: str | None = Field(default=None, unique=True, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class EmailCode(SQLModel, table=True):
    """A 6-digit code sent by email, kept only as an HMAC bound to its purpose and email."""

    __table_args__ = (Index("ix_emailcode_purpose_email", "purpose", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=32)
    email: str = Field(max_length=320)
    code_hmac: str = Field(max_length=64)
    pending_signup_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("pendingsignup.id", ondelete="CASCADE"), index=True),
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    attempts: int = 0
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # SHA-256 of the magic-link token sent with this code: the link and the code are one
    # sign-in attempt, so using or voiding either ends both.
    link_token_hash: str | None = Field(default=None, unique=True, max_length=64)


class UserSession(SQLModel, table=True):
    """A signed-in browser. The token itself lives only in the HttpOnly cookie."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    token_hash: str = Field(unique=True, max_length=64)
    auth_method: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    user_agent: str = Field(default="", max_length=512)
    ip: str = Field(default="", max_length=64)
    # Which other accounts on the same email this browser may switch to without a new login:
    # "email" once the mailbox was proven (code, magic link, signup), else a JSON list of the
    # account ids whose password matched.
    peer_scope: str = Field(default="", max_length=2000)


class LoginTicket(SQLModel, table=True):
    """A one-time, short-lived ticket a page hands to the portal's HTTP route to set a cookie.

    kind "session": becomes a session cookie for account_id.
    kind "pending_signup": becomes the pending-signup cookie for pending_signup_id.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    kind: str = Field(max_length=32)
    account_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"))
    )
    pending_signup_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("pendingsignup.id", ondelete="CASCADE"))
    )
    account_choice_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("accountchoice.id", ondelete="CASCADE"))
    )
    auth_method: str = Field(default="", max_length=32)
    peer_scope: str = Field(default="", max_length=2000)
    next_path: str = Field(default="/", max_length=512)
    # SHA-256 of the browser-binding cookie of the page that asked for the ticket: only that
    # browser can redeem it (no login CSRF by sending someone a ticket link).
    device_hash: str | None = Field(default=None, max_length=64)
    # A switch between accounts keeps the sign-in's absolute end instead of starting a new one.
    session_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountChoice(SQLModel, table=True):
    """A proven sign-in that matched several accounts on one email, waiting for the person to pick one.

    The browser holds its token in the HttpOnly "account choice" cookie while /accounts is open.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, unique=True, max_length=64)
    email: str = Field(max_length=320)
    # "email": every account on the email (mailbox proven); else a JSON list of account ids.
    peer_scope: str = Field(max_length=2000)
    auth_method: str = Field(max_length=32)
    next_path: str = Field(default="/", max_length=512)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountPreference(SQLModel, table=True):
    """ "Remember my choice": the account a proven sign-in on this email goes to without asking."""

    email: str = Field(primary_key=True, max_length=320)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    updated_at: datetime = Field(sa_type=UTCDateTime)


class RateEvent(SQLModel, table=True):
    """One counted event (a code sent, a failed login...) for throttles shared by every worker."""

    __table_args__ = (Index("ix_rateevent_kind_key_at", "kind", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    # Room for `code_failure:client:app:<key>` with any app key (32 characters at most); throttle.record checks.
    kind: str = Field(max_length=96)
    key: str = Field(max_length=320)
    at: datetime = Field(sa_type=UTCDateTime)


class SecurityEvent(SQLModel, table=True):
    """One line of an account's security log (what /security shows the person, and staff on the contact
    page): sign-ins and by which method, failed attempts, password and email changes, locks and unlocks,
    sessions ended. Failed attempts against an email that no session proves keep the email and no account.
    The IP is kept as the client sent it (the place shown is looked up when read); no code or password."""

    __table_args__ = (
        Index("ix_securityevent_account_time", "account_id", "created_at"),
        Index("ix_securityevent_email_time", "email", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=True)
    )
    email: str = Field(default="", max_length=320)
    # What happened, e.g. "signed_in", "sign_in_failed", "password_changed", "email_changed", "locked",
    # "unlocked", "signed_out" (security_log.KINDS lists them with the words the page uses).
    kind: str = Field(max_length=40)
    # How: "password", "code", "magic_link", "signup", "staff"... ("" when it does not apply).
    method: str = Field(default="", max_length=32)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    # A short plain-text note for people ("from staff", "3 attempts", the old address...).
    detail: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
