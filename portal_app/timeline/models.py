"""The timeline of everything an account did with the business, the portal's own events and each app's."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime

# app_key of the portal's own events (account created, verified, profile completed, app granted).
PORTAL_APP_KEY = "portal"


class Activity(SQLModel, table=True):
    __table_args__ = (
        # Newest-first pages of one account's timeline, all apps or one app: both are index scans.
        Index("ix_activity_account_time", "account_id", "occurred_at", "id"),
        Index("ix_activity_account_app_time", "account_id", "app_key", "occurred_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False))
    app_key: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    summary: str = Field(max_length=300)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
