"""The person's profile (what every child app may use) and an email change waiting for its code."""

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
    """A new address the account asked to move to, waiting for the code sent there. One per account."""

    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    new_email: str = Field(max_length=320, index=True)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    # The page offers the code box until then; the code itself lives in EmailCode (purpose "email_change").
    expires_at: datetime = Field(sa_type=UTCDateTime)
