"""The Notes app's table: short notes a person keeps for themself."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime


class Note(SQLModel, table=True):
    __table_args__ = (
        # A person's notes, newest first, and their count: both read this index only.
        Index("ix_note_account_created", "account_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    text: str = Field(max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
