"""Alembic environment: always run from `danvan_desktop.db.migrate` on a live connection."""

from __future__ import annotations

from alembic import context

from danvan_desktop.db.schema import Base, is_search_table

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through danvan_desktop.db.migrate, with a connection")

# render_as_batch: SQLite cannot ALTER most things; batch mode copies the table instead.


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    # The search index (FTS5 and its shadow tables) is made by raw SQL, not by the ORM.
    return not (type_ == "table" and is_search_table(name))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
