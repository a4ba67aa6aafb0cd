"""Bring a database file to the current schema.

A new file is created from the ORM schema and stamped with the newest revision; an older file is
backed up first, then upgraded by the Alembic scripts shipped in `migrations/`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from danvan_desktop.db.backup import take_backup
from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import Base

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest script's revision, known without loading Alembic (half a second of every start);
# a test keeps it equal to the head of the scripts. Alembic is imported only when a file is
# created or upgraded.
HEAD_REVISION = "0004"


class ForeignDatabaseError(Exception):
    """The file is an SQLite database, but not one of ours."""


class NewerDatabaseError(ForeignDatabaseError):
    """The file was written by a newer version of the app."""


def alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The head of the migration scripts, as Alembic reads it (slow: for tests and checks)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def _existing_tables(path: Path) -> set[str]:
    """The tables of an existing file, read without changing a byte of it (opening through the
    engine would switch it to WAL first)."""
    if not path.exists() or path.stat().st_size == 0:
        return set()
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}
    finally:
        connection.close()


def upgrade(db: Database, backup_dir: Path) -> Path | None:
    """Create or upgrade the schema of `db`; returns the backup taken, if any."""
    tables = _existing_tables(db.path)
    if tables and "alembic_version" not in tables:
        raise ForeignDatabaseError(
            f"Tệp {db.path} không phải cơ sở dữ liệu của phần mềm Dân vận khéo."
        )
    if not tables:
        from alembic import command

        with db.engine.begin() as connection:
            Base.metadata.create_all(connection)
            command.stamp(alembic_config(connection), "head")
        return None
    with db.engine.connect() as connection:
        current = current_revision(connection)
    if current == HEAD_REVISION:
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if current is not None and current not in known:
        raise NewerDatabaseError(
            f"Tệp {db.path} được tạo bởi phiên bản phần mềm mới hơn (lược đồ {current}). "
            "Hãy cập nhật phần mềm Dân vận khéo rồi mở lại."
        )
    backup = take_backup(db.path, backup_dir, f"truoc-nang-cap-{current or 'goc'}")
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return backup
