"""The business that runs this portal: one row, edited by the owner."""

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

DEFAULT_REQUIRED_PROFILE_FIELDS = ["full_name", "email", "phone"]

BUSINESS_ID = 1


class Business(SQLModel, table=True):
    id: int = Field(default=BUSINESS_ID, primary_key=True)
    name: str = Field(max_length=200)
    support_email: str = Field(default="", max_length=320)
    # Off: one account per email. On: every verified signup makes a distinct account.
    allow_duplicate_contacts: bool = False
    # Emails carry a one-click sign-in link next to the code.
    magic_links_enabled: bool = True
    # Branding shown in the top bar and emails.
    logo_url: str = Field(default="", max_length=500)
    brand_color: str = Field(default="#3e63dd", max_length=7)
    # Child apps switched on for this business (keys of the app registry). Whoever creates the row
    # passes the apps that declare themselves enabled by default (registry.default_enabled_keys()).
    enabled_apps: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Apps every account may open without a grant of its own.
    apps_for_everyone: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Profile fields a person must fill in before any child app opens.
    required_profile_fields: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REQUIRED_PROFILE_FIELDS), sa_column=Column(JSON, nullable=False)
    )
    # Where a signed-in person lands: "home" or an app key.
    default_landing_app: str = Field(default="home", max_length=64)
    # The business's time zone (IANA name): dates it sets, such as a lesson that unlocks on 3 December,
    # start at midnight there.
    time_zone: str = Field(default="UTC", max_length=64)
