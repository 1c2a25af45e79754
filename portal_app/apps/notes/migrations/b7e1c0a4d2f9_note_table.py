"""Notes: the note table.

Revision ID: b7e1c0a4d2f9
Revises:
Create Date: 2026-12-02 03:30:00

Databases made before apps had migrations of their own already have this table (the core's
first revision made it): it is adopted as it is.
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

import portal_app.kernel.db_types  # the UTCDateTime column type
from alembic import op

revision: str = "b7e1c0a4d2f9"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("note"):
        return
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", portal_app.kernel.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index("ix_note_account_created", ["account_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index("ix_note_account_created")
    op.drop_table("note")
