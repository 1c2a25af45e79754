"""The business that runs this portal: one row, edited by the owner."""

from sqlmodel import Field, SQLModel

BUSINESS_ID = 1


class Business(SQLModel, table=True):
    id: int = Field(default=BUSINESS_ID, primary_key=True)
    name: str = Field(max_length=200)
    support_email: str = Field(default="", max_length=320)
    # Off: one account per email. On: every verified signup makes a distinct account.
    allow_duplicate_contacts: bool = False
    # Emails carry a one-click sign-in link next to the code.
    magic_links_enabled: bool = True
