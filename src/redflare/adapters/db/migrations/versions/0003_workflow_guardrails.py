"""workflow guardrails

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:35:45.073518
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import redflare.adapters.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("credits_limit", redflare.adapters.db.types.Credits(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workflows", schema=None) as batch_op:
        batch_op.drop_column("credits_limit")
        batch_op.drop_column("call_limit")
