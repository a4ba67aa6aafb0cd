"""Bring a database file to the current schema.

A new file is created from the ORM schema and stamped with the newest revision; an older file is
backed up first, then upgraded by the Alembic scripts shipped in `migrations/`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from danvan_desktop.db.backup import take_backup
from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import Base

MIGRATIONS = Path(__file__).with_name("migrations")


class ForeignDatabaseError(Exception):
    """The file is an SQLite database, but not one of ours."""


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database, backup_dir: Path) -> Path | None:
    """Create or upgrade the schema of `db`; returns the backup taken, if any."""
    with db.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if not tables:
            Base.metadata.create_all(connection)
            command.stamp(alembic_config(connection), "head")
            connection.commit()
            return None
        if "alembic_version" not in tables:
            raise ForeignDatabaseError(
                f"Tệp {db.path} không phải cơ sở dữ liệu của phần mềm Dân vận khéo."
            )
        current = current_revision(connection)
    if current == head_revision():
        return None
    backup = take_backup(db.path, backup_dir, f"truoc-nang-cap-{current}")
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return backup
