"""A data download a person asked for: prepared in the background, then linked by email for a week."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime


class DataExport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    # SHA-256 of the link's token (set when it is ready); the token itself is only in the email.
    token_hash: str | None = Field(default=None, unique=True, max_length=64)
    # "waiting", "preparing" (claimed by a worker until `claimed_until`), "ready", "failed".
    status: str = Field(default="waiting", max_length=16)
    # The zip's name under PORTAL_DATA_DIR/exports/ once ready.
    file_name: str = Field(default="", max_length=100)
    size_bytes: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ready_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    downloads: int = 0
