"""Consistent copies of the database file, taken with SQLite's online backup API (safe while
the app has the file open, WAL included)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path


def backup_to(source: Path, target: Path) -> Path:
    """Copy the live database `source` into a new file `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)  # a power cut mid-copy leaves a .part file, never a bad backup
    return target


def backup_name(reason: str, now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    return f"danvan-{stamp}-{reason}.sqlite3"


def take_backup(source: Path, backup_dir: Path, reason: str) -> Path:
    return backup_to(source, backup_dir / backup_name(reason))
