"""Alembic environment: always run from `danvan_desktop.db.migrate` on a live connection."""

from __future__ import annotations

from alembic import context

from danvan_desktop.db.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through danvan_desktop.db.migrate, with a connection")

# render_as_batch: SQLite cannot ALTER most things; batch mode copies the table instead.
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
