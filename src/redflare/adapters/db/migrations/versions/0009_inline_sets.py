"""Small conversation sets live in their artifact row (Arrow IPC in `data`), with no file: `path` may be null.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
        batch_op.alter_column("path", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    # A set kept only in its row has no file to point at: it goes (its step's counts stay on the step).
    op.execute("DELETE FROM artifacts WHERE path IS NULL")
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.alter_column("path", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("data")
