"""The business time zone (dates the business sets start at midnight there); existing businesses get UTC.

Revision ID: 8c7186b87535
Revises: 67579e68b1cc
Create Date: 2026-12-04 21:29:00.196518

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal_app.kernel.db_types  # the UTCDateTime column type


# revision identifiers, used by Alembic.
revision: str = "8c7186b87535"
down_revision: Union[str, Sequence[str], None] = "67579e68b1cc"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="UTC")
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
