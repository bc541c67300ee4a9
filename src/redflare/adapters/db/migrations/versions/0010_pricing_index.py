"""SQLite: pricing reads a conversation's id, length, audio and whether it has turns from one index.

Process Conversations prices every conversation it is given (`batches.analysable`) before analysing it. On SQLite
each look-up went through the primary key's index to the table's row, a 2 KB row holding the transcript inline:
about 4 µs a conversation, 0.4 s of CPU for a 100,000-conversation run. This index holds exactly what pricing
reads, the has-turns test as the same expression the query writes, so the query (naming it: `INDEXED BY`, since
the planner prefers the unique key) never reads the row: 0.4 → 0.17 s there.

PostgreSQL gets nothing: it cannot answer an expression from an index without reading the row (no index-only
scan over expressions), and its query reads jsonb's stored length instead of the text.

The index is not in the models: SQLAlchemy does not reflect SQLite expression indexes (it warns and skips them),
so autogenerate neither sees nor drops it. A later `batch_alter_table("conversations")` (SQLite copies the table)
would lose it: such a migration must create it again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEX = "ix_conversations_pricing"  # named by batches._ANALYSABLE's SQLite query


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON conversations "
            "(id, duration_s, audio, (turns IS NOT NULL AND turns != '[]'))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
