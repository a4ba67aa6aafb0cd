"""What a database file holds, read with plain sqlite3 so that tests compare states without
trusting the code under test: every table's rows, and the models with their events keyed by
UUID (local ids replaced by what travels: UUIDs and unit codes)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

Rows = dict[str, list[tuple[Any, ...]]]


def _connect(path: Path) -> sqlite3.Connection:
    # A plain connection recovers the WAL left by a killed process, as the app would on start.
    return sqlite3.connect(path)


def integrity(path: Path) -> str:
    """`PRAGMA integrity_check`: "ok", or SQLite's list of what is damaged."""
    connection = _connect(path)
    try:
        return "\n".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()


def table_rows(path: Path, skip: Mapping[str, Collection[str]] | None = None) -> Rows:
    """Every row of every table, columns in table order minus `skip[table]`, rows sorted.
    A table named in `skip` with "*" is left out whole."""
    skip = skip or {}
    connection = _connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        rows: Rows = {}
        for name in names:
            left_out = set(skip.get(name, ()))
            if "*" in left_out:
                continue
            columns = [
                row[1]
                for row in connection.execute(f'PRAGMA table_info("{name}")')
                if row[1] not in left_out
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            found = connection.execute(f'SELECT {listed} FROM "{name}"').fetchall()
            rows[name] = sorted(found, key=repr)
        return rows
    finally:
        connection.close()


def digest(rows: Rows) -> str:
    return hashlib.sha256(repr(sorted(rows.items())).encode("utf-8")).hexdigest()


def _names(row: sqlite3.Row) -> list[str]:
    return row.keys()  # a Row iterates over its values, not its column names


def models_state(path: Path) -> dict[str, dict[str, Any]]:
    """Every model (tombstones too) by UUID: all its columns, whatever they are, with the unit
    as (directory, code) and its events (all columns) by UUID, local ids left out."""
    connection = _connect(path)
    connection.row_factory = sqlite3.Row
    try:
        units = {
            row["id"]: (row["directory"], row["code"])
            for row in connection.execute("SELECT id, directory, code FROM unit")
        }
        models: dict[str, dict[str, Any]] = {}
        uuid_of: dict[int, str] = {}
        for row in connection.execute("SELECT * FROM model"):
            item = {key: row[key] for key in _names(row) if key not in ("id", "unit_id")}
            item["unit"] = units[row["unit_id"]]
            item["events"] = {}
            models[row["uuid"]] = item
            uuid_of[row["id"]] = row["uuid"]
        event_uuid = {
            row["id"]: row["uuid"] for row in connection.execute("SELECT id, uuid FROM model_event")
        }
        for row in connection.execute("SELECT * FROM model_event"):
            item = {
                key: row[key]
                for key in _names(row)
                if key not in ("id", "model_id", "replaces_id", "owner_unit_id")
            }
            item["replaces"] = event_uuid.get(row["replaces_id"])
            item["owner_unit"] = units.get(row["owner_unit_id"])
            models[uuid_of[row["model_id"]]]["events"][row["uuid"]] = item
        return models
    finally:
        connection.close()
