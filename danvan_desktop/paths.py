"""Where files live. The one place that knows; tests pass their own paths in.

The default data folder is the one Qt's QStandardPaths.AppDataLocation gives for this
application (a UI test checks the two agree), computed here without Qt so that the command line,
which is part of the core, finds the same database as the window.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path

ORGANIZATION = "danvan"
APPLICATION = "danvan-desktop"
DB_FILE_NAME = "danvan.sqlite3"
DB_ENV = "DANVAN_DB"


def default_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    if sys.platform == "win32":
        base = Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / ORGANIZATION / APPLICATION


def database_path(
    explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] = os.environ
) -> Path:
    """`--db PATH` wins, then $DANVAN_DB, then the file in the user-data folder."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    if env.get(DB_ENV):
        return Path(env[DB_ENV]).expanduser().resolve()
    return default_data_dir(env) / DB_FILE_NAME


def backup_dir(db_path: Path) -> Path:
    """Backups sit beside the database they copy, so a redirected database takes its backups
    with it."""
    return db_path.parent / "backups"


def signing_key_path(db_path: Path) -> Path:
    """The installation's private Ed25519 key sits beside its database (owner-only
    permissions), so backups and a moved database keep the same identity."""
    return db_path.with_name(db_path.name + ".key")


def document_name(title: str, unit_name: str, suffix: str, today: dt.date | None = None) -> str:
    """“Danh sách mô hình - Xã Ngọc Chiến - 25-11-2026.xlsx”: Vietnamese, as a person names a
    file; characters Windows forbids in names become “-”."""
    stamp = (today or dt.date.today()).strftime("%d-%m-%Y")
    name = f"{title} - {unit_name} - {stamp}{suffix}"
    return "".join("-" if ch in '\\/:*?"<>|' else ch for ch in name)
