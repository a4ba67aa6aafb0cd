"""The one API the window and the command line call. Nothing here knows about Qt."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from danvan_desktop.db.engine import Database
from danvan_desktop.db.migrate import ForeignDatabaseError, upgrade
from danvan_desktop.paths import backup_dir
from danvan_desktop.services.audit import AuditService
from danvan_desktop.services.backups import BackupService, check_before_open
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.installation import Installation, InstallationService
from danvan_desktop.services.models import ModelService
from danvan_desktop.services.packages import PackageService, ensure_own_key
from danvan_desktop.services.reports import ReportService
from danvan_desktop.services.units import UnitService, load_directory

__all__ = ["Installation", "Services", "UserError", "open_services"]


@dataclass
class Services:
    db: Database
    units: UnitService
    models: ModelService
    installation: InstallationService
    reports: ReportService
    packages: PackageService
    audit: AuditService
    backups: BackupService

    @property
    def db_path(self) -> Path:
        return self.db.path

    def close(self) -> None:
        self.db.close()


def open_services(path: Path) -> Services:
    """Open (creating or upgrading as needed) the database file at `path`."""
    if path.exists() and path.is_dir():
        raise UserError(f"“{path}” là một thư mục, không phải tệp cơ sở dữ liệu.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"Không tạo được thư mục {path.parent}: {error.strerror}.") from error
    check_before_open(path)  # a damaged file is refused before anything writes to it
    db = Database(path)
    try:
        upgrade(db, backup_dir(path))
        with db.session() as session:
            load_directory(session)
    except ForeignDatabaseError as error:
        db.close()
        raise UserError(str(error)) from error
    except (DatabaseError, sqlite3.DatabaseError) as error:
        db.close()
        raise UserError(
            f"Không mở được tệp {path}: tệp hỏng hoặc không phải cơ sở dữ liệu "
            f"({error.__class__.__name__}). Hãy chọn tệp khác hoặc khôi phục từ bản sao lưu."
        ) from error
    try:
        ensure_own_key(path)  # the installation's signing key pair is made at first open
    except UserError:
        db.close()
        raise
    units = UnitService(db)
    installation = InstallationService(db, units)
    models = ModelService(db)
    packages = PackageService(db, units, installation)
    models.decision_owner = packages.decision_owner
    return Services(
        db=db,
        units=units,
        models=models,
        installation=installation,
        reports=ReportService(db, units),
        packages=packages,
        audit=AuditService(db),
        backups=BackupService(db, installation.staff_name),
    )
