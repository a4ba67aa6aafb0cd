"""The database file: creation, migrations, PRAGMAs, refusing files that are not ours."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from danvan_desktop.db.engine import Database
from danvan_desktop.db.migrate import HEAD_REVISION, head_revision, upgrade
from danvan_desktop.db.schema import Base, is_search_table
from danvan_desktop.paths import backup_dir, database_path
from danvan_desktop.services import Services, UserError, open_services


def schema_differences(path: Path) -> list[object]:
    db = Database(path)
    try:
        with db.engine.connect() as connection:
            # The search index (FTS5 and its shadow tables) is raw SQL, not part of the ORM.
            opts = {
                "compare_type": True,
                "include_name": lambda name, type_, _parents: not (
                    type_ == "table" and is_search_table(name)
                ),
            }
            context = MigrationContext.configure(connection, opts=opts)
            return list(compare_metadata(context, Base.metadata))
    finally:
        db.close()


def test_new_file_is_created_and_stamped(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    services = open_services(path)
    services.close()
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == head_revision()
    assert schema_differences(path) == []
    assert not backup_dir(path).exists()  # nothing to back up in a new file


def test_migrations_from_an_empty_file_build_the_orm_schema(tmp_path: Path) -> None:
    """An older file (here: one from before the first revision) is backed up, then upgraded by
    the shipped scripts to exactly the schema the ORM declares."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    db = Database(path)
    backup = upgrade(db, backup_dir(path))
    db.close()
    assert backup is not None and backup.exists()
    with zipfile.ZipFile(backup) as archive:  # a backup is one zip holding the copy
        copy = Path(archive.extract("danvan.sqlite3", tmp_path / "unpacked"))
    with sqlite3.connect(copy) as connection:
        tables = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert tables == {"alembic_version"}  # the backup is the state before the upgrade
    assert schema_differences(path) == []


def test_pragmas_on_every_connection(services: Services) -> None:
    with services.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_foreign_file_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    before = path.read_bytes()
    with pytest.raises(UserError, match="không phải cơ sở dữ liệu"):
        open_services(path)
    assert path.read_bytes() == before


def test_garbage_file_refused_with_message(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError, match="tệp hỏng"):
        open_services(path)
    assert path.read_bytes() == b"this is not a database" * 100


def test_newer_file_asks_for_an_update(tmp_path: Path, db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(UserError, match="cập nhật phần mềm"):
        open_services(db_path)


def test_database_path_precedence(tmp_path: Path) -> None:
    env = {"DANVAN_DB": str(tmp_path / "env.sqlite3"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert database_path(tmp_path / "cli.sqlite3", env) == tmp_path / "cli.sqlite3"
    assert database_path(None, env) == tmp_path / "env.sqlite3"
    assert database_path(None, {"XDG_DATA_HOME": str(tmp_path / "xdg")}) == (
        tmp_path / "xdg" / "danvan" / "danvan-desktop" / "danvan.sqlite3"
    )


def test_directory_loaded_once(services: Services) -> None:
    from danvan_desktop.db.schema import Unit
    from danvan_desktop.services.units import load_directory

    with services.db.session() as session:
        assert load_directory(session) == 0
        assert session.query(Unit).count() == 3355 + 10810


def test_the_head_known_without_alembic_is_the_head_of_the_scripts() -> None:
    # The start reads HEAD_REVISION instead of loading Alembic; a new script must update it.
    assert head_revision() == HEAD_REVISION
