"""The person's profile (what every child app may use), an email change under way, and the links that undo one."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime


class Profile(SQLModel, table=True):
    """Details beyond the account's name and email; one row per account, made at its first save."""

    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    # E.164 ("+442079460958"), or "" when not given.
    phone: str = Field(default="", max_length=16)
    address_line1: str = Field(default="", max_length=200)
    address_line2: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    postal_code: str = Field(default="", max_length=20)
    # ISO 3166-1 alpha-2 ("GB"), or "".
    country: str = Field(default="", max_length=2)
    # IANA name ("Europe/London"), or "".
    time_zone: str = Field(default="", max_length=64)
    # BCP 47 tag ("en", "pt"), or "".
    language: str = Field(default="", max_length=16)
    # Email notifications per child app: {"<app key>": false}. An app not listed sends email.
    email_notifications: dict[str, bool] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # When the required fields were first all filled in ("Profile completed" is recorded once).
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class EmailChange(SQLModel, table=True):
    """A new address the account asked to move to: first the person proves it is them (current password, or a
    code sent to the current address), then a code goes to the new address. One per account."""

    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    new_email: str = Field(max_length=320, index=True)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    # The page offers the code box until then; the code itself lives in EmailCode (purpose "email_change").
    expires_at: datetime = Field(sa_type=UTCDateTime)
    # The browser session that asked: only it sees the change and may prove, confirm or resend (it ends with it).
    session_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("usersession.id", ondelete="CASCADE"), nullable=True)
    )
    # When that session proved it is the account's owner; until then no code goes to the new address.
    identity_proven_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailChangeRevert(SQLModel, table=True):
    """The "This wasn't me" link sent to the address an account left: moves it back and signs everyone out.

    Single use, kept only as the SHA-256 of its token, dead after REVERT_LINK_LIFETIME (email_revert) or when
    an earlier change of the account is undone.
    """

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    old_email: str = Field(max_length=320)
    new_email: str = Field(max_length=320)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
