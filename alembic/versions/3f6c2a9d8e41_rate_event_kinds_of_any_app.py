"""Rate event kinds long enough for any app's: `code_failure:client:app:<key>` with a 32-character app key

A wrong code for an app's confirmation (e.g. Affiliate Manager's payout details) records the kind
`code_failure:client:app:affiliates` (34 characters); the column held 32, so PostgreSQL refused the insert
and the handler failed (SQLite ignores lengths). 96 holds every kind the portal makes (throttle.record
refuses a longer one).

Revision ID: 3f6c2a9d8e41
Revises: be19fdddeff4
Create Date: 2026-12-05 08:05:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "3f6c2a9d8e41"
down_revision: Union[str, Sequence[str], None] = "be19fdddeff4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("rateevent") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=32), type_=sa.String(length=96), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("rateevent") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=96), type_=sa.String(length=32), existing_nullable=False)
