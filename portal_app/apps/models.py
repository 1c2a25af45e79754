"""Which child apps each account may open (and with which role), and the apps' own settings."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal_app.kernel.db_types import UTCDateTime


class AppGrant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("account_id", "app_key", name="uq_appgrant_account_app"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    app_key: str = Field(max_length=64)
    granted_at: datetime = Field(sa_type=UTCDateTime)
    # One of the app's declared roles (lowest first); None for an app without roles.
    role: str | None = Field(default=None, max_length=32)


class AppSettingValue(SQLModel, table=True):
    """A setting an app declared, as the business changed it (a missing row means the declared default)."""

    __table_args__ = (UniqueConstraint("app_key", "key", name="uq_appsettingvalue_app_key"),)

    id: int | None = Field(default=None, primary_key=True)
    app_key: str = Field(max_length=64)
    key: str = Field(max_length=48)
    value: object = Field(sa_column=Column(JSON, nullable=True))
