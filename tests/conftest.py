"""Fixtures: every test gets its own real SQLite file, copied from one built per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from danvan_desktop.domain import Directory
from danvan_desktop.services import Services, open_services

# GUI tests never need a display; `make test` sets this too, this makes plain `pytest` work.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STAFF = "Nguyễn Thị Hoa"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the unit directory loaded and nothing else."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    services = open_services(path)
    with services.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    services.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, template_db: Path) -> Path:
    path = tmp_path / "data" / "danvan.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def blank_services(db_path: Path) -> Iterator[Services]:
    """A database with the directory but no installation set up (first run)."""
    services = open_services(db_path)
    yield services
    services.close()


@pytest.fixture
def services(blank_services: Services) -> Services:
    """A commune installation: Xã Ngọc Chiến (03820), reporting to Tỉnh Sơn La (14)."""
    unit = blank_services.units.by_code("03820", Directory.CURRENT)
    province = blank_services.units.by_code("14", Directory.CURRENT)
    blank_services.installation.save(
        unit_id=unit.id, reports_to_id=province.id, staff_name=STAFF, staff_position="Cán bộ"
    )
    return blank_services
