"""The outbox: every email, written in the same transaction as whatever it carries."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime


class OutboxEmail(SQLModel, table=True):
    __table_args__ = (Index("ix_outboxemail_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_email: str = Field(index=True, max_length=320)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str
    template: str = Field(max_length=64)
    # pending -> sent | failed. "failed" is final: a permanent error or the retry window ran out.
    status: str = Field(default="pending", max_length=16)
    backend: str = Field(default="", max_length=32)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    # A sender loop owns the message while claimed_until is in the future.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=2000)
    provider_message_id: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
