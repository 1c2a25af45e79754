"""The business's staff: their accounts, sign-ins and sessions, and the audit log of what they changed.

Staff accounts are separate from client accounts: another table, another cookie, another login page.
"""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime


class StaffAccount(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=320)
    name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set while the account may not sign in; its sessions end when it is set.
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffLoginChallenge(SQLModel, table=True):
    """Step 1 of a staff sign-in passed (the password) in one browser: its emailed code completes it there."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(
        sa_column=Column(Integer, ForeignKey("staffaccount.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    # SHA-256 of the browser-binding cookie of the page that passed step 1.
    device_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffTicket(SQLModel, table=True):
    """A one-time ticket, bound to one browser, that the admin HTTP route trades for the staff cookie."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    staff_id: int = Field(sa_column=Column(Integer, ForeignKey("staffaccount.id", ondelete="CASCADE"), nullable=False))
    device_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A signed-in staff browser. The token itself lives only in the HttpOnly staff cookie."""

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(
        sa_column=Column(Integer, ForeignKey("staffaccount.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    user_agent: str = Field(default="", max_length=512)
    ip: str = Field(default="", max_length=64)


class AuditEntry(SQLModel, table=True):
    """One change made in the admin area or with the `portal` command: who, what, to what, when."""

    __table_args__ = (Index("ix_auditentry_at_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    # The staff account that made the change; None for the command line.
    staff_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("staffaccount.id", ondelete="SET NULL"), index=True)
    )
    # Who, as shown in the list: the staff email at the time, or "cli".
    actor: str = Field(max_length=320)
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=400)
    # A short JSON object with what changed (never a secret).
    detail: str = Field(default="{}", max_length=4000)
