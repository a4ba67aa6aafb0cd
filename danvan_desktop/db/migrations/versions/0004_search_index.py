"""search index: FTS5 trigram table over model.search_text, kept in step by triggers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from danvan_desktop.db.schema import SEARCH_TABLE, create_search_index

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Fills the index from the rows already there; skipped where SQLite lacks FTS5 trigram.
    create_search_index(op.get_bind())


def downgrade() -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
