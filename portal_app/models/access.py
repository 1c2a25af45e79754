"""Which child apps each account may open."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.models.types import UTCDateTime


class AppGrant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("account_id", "app_key", name="uq_appgrant_account_app"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    app_key: str = Field(max_length=64)
    granted_at: datetime = Field(sa_type=UTCDateTime)
