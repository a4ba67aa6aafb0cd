"""Backups and recovery for the window and the command line: take one (to the backup folder or
a chosen place), list them, show what one holds next to the current data, and restore one.

A restore first checks the backup completely (zip CRCs, SQLite integrity_check, facts against
backup.json, a schema this version knows), then backs up the current state (or, when the
current file is damaged, moves it aside), puts the copy in place with one atomic rename, opens
it and records the restore in its audit log. Until the rename nothing has changed.

The module-level functions work on a database path without an open Services, because recovery
is needed exactly when the database cannot be opened.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.db import backup as core
from danvan_desktop.db.backup import BackupError, BackupInfo, DatabaseFacts
from danvan_desktop.db.engine import Database
from danvan_desktop.paths import backup_dir, document_name
from danvan_desktop.services import audit
from danvan_desktop.services.errors import UserError

if TYPE_CHECKING:  # services/__init__ imports this module
    from danvan_desktop.services import Services

__all__ = [
    "BackupInfo",
    "BackupService",
    "DamagedDatabaseError",
    "ListedBackup",
    "RestorePreview",
    "RestoreResult",
    "check_before_open",
    "list_backups",
    "preview_restore",
    "restore",
]

BACKUP_FILTER = f"Bản sao lưu Dân vận khéo (*{core.BACKUP_SUFFIX});;Mọi tệp (*)"


class DamagedDatabaseError(UserError):
    """The database file fails SQLite's check; the window offers the newest good backup."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(
            f"Không mở được tệp {path}: tệp hỏng hoặc không phải cơ sở dữ liệu "
            f"({core.short_problem(problems)}). Dữ liệu có thể khôi phục từ bản "
            "sao lưu: mở phần mềm Dân vận khéo, hoặc chạy “danvan backup restore --latest”."
        )
        self.path = path
        self.problems = problems


def check_before_open(path: Path) -> None:
    """PRAGMA quick_check on an existing file; raises DamagedDatabaseError when it fails."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    problems = core.check_database(path)
    if problems:
        raise DamagedDatabaseError(path, problems)


def _user_error(error: BackupError) -> UserError:
    return UserError(str(error))


def _format_date(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%H:%M ngày %d/%m/%Y")


@dataclass(frozen=True)
class ListedBackup:
    """One file in the backup folder: what it holds, or why it cannot be read."""

    path: Path
    info: BackupInfo | None
    problem: str | None = None


def list_backups(db_path: Path) -> list[ListedBackup]:
    """The automatic backups of this database, newest first."""
    listed = []
    for path in core.automatic_backups(backup_dir(db_path)):
        try:
            listed.append(ListedBackup(path, core.read_backup(path)))
        except BackupError as error:
            listed.append(ListedBackup(path, None, str(error)))
    return listed


@dataclass
class RestorePreview:
    """What a backup holds, checked, next to what the database holds now."""

    info: BackupInfo
    backup: DatabaseFacts
    current: DatabaseFacts | None  # None: no database yet, or a damaged one
    current_problem: str | None
    warnings: list[str] = field(default_factory=list)

    @property
    def other_unit(self) -> bool:
        current = self.current
        return (
            current is not None
            and current.unit_code is not None
            and self.backup.unit_code is not None
            and (current.unit_code, current.unit_directory)
            != (self.backup.unit_code, self.backup.unit_directory)
        )

    def lines(self) -> list[tuple[str, str, str]]:
        """(what, in the backup, now) for the preview table."""
        current = self.current
        now_unit = now_models = now_revision = ""
        if current is not None:
            now_unit = _unit_text(current.unit_name, current.unit_code)
            now_models = str(current.models)
            now_revision = current.schema_revision or ""
        elif self.current_problem:
            now_unit = self.current_problem
        b = self.backup
        return [
            ("Đơn vị", _unit_text(b.unit_name, b.unit_code), now_unit),
            ("Số mô hình", str(b.models), now_models),
            ("Thời điểm sao lưu", _format_date(self.info.created_at), ""),
            ("Lý do", self.info.reason_label, ""),
            ("Phiên bản lược đồ", b.schema_revision or "", now_revision),
            ("Khoá ký của đơn vị", "có" if self.info.has_key else "không có", ""),
        ]

    def summary(self) -> str:
        b = self.backup
        return (
            f"Bản sao lưu lúc {_format_date(self.info.created_at)} ({self.info.reason_label}): "
            f"{_unit_text(b.unit_name, b.unit_code)}, {b.models} mô hình."
        )


def _unit_text(name: str | None, code: str | None) -> str:
    return "(chưa thiết lập đơn vị)" if name is None else f"{name} ({code})"


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from danvan_desktop.db.migrate import MIGRATIONS

    return {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def _current_facts(db_path: Path) -> tuple[DatabaseFacts | None, str | None]:
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return None, "chưa có dữ liệu"
    problems = core.check_database(db_path)
    if problems:
        return None, "tệp dữ liệu hiện tại bị hỏng"
    try:
        return core.database_facts(db_path), None
    except sqlite3.DatabaseError:
        return None, "tệp dữ liệu hiện tại bị hỏng"


def _checked(db_path: Path, unpacked: core.Unpacked) -> RestorePreview:
    info, facts = unpacked.info, unpacked.facts
    if facts.schema_revision is None:
        raise UserError(
            f"Tệp {info.path.name} không phải bản sao lưu của phần mềm Dân vận khéo. "
            "Dữ liệu hiện tại không bị thay đổi."
        )
    if facts.schema_revision not in _known_revisions():
        raise UserError(
            f"Tệp {info.path.name} được tạo bởi phiên bản phần mềm mới hơn (lược đồ "
            f"{facts.schema_revision}). Hãy cập nhật phần mềm Dân vận khéo rồi khôi phục lại. "
            "Dữ liệu hiện tại không bị thay đổi."
        )
    current, problem = _current_facts(db_path)
    preview = RestorePreview(info, facts, current, problem)
    if preview.other_unit and current is not None:
        preview.warnings.append(
            f"Bản sao lưu là dữ liệu của {_unit_text(facts.unit_name, facts.unit_code)}, khác "
            f"đơn vị của máy này ({_unit_text(current.unit_name, current.unit_code)}). Sau khi "
            "khôi phục, phần mềm sẽ làm việc với tư cách đơn vị trong bản sao lưu."
        )
    if current is not None and facts.models < current.models:
        preview.warnings.append(
            f"Bản sao lưu có {facts.models} mô hình, ít hơn hiện nay ({current.models}): những "
            "thay đổi sau thời điểm sao lưu sẽ không còn (dữ liệu hiện tại vẫn được sao lưu "
            "trước khi khôi phục)."
        )
    return preview


def preview_restore(db_path: Path, archive: Path) -> RestorePreview:
    """Unpack and check the backup (nothing changes), and compare it with the current data.
    Raises UserError for a broken, foreign or newer backup."""
    try:
        unpacked = core.unpack(archive, db_path.parent)
    except BackupError as error:
        raise _user_error(error) from None
    try:
        return _checked(db_path, unpacked)
    finally:
        unpacked.database.unlink(missing_ok=True)


@dataclass
class RestoreResult:
    services: Services
    preview: RestorePreview
    pre_restore_backup: Path | None  # the state before, backed up
    moved_aside: Path | None  # the damaged file, renamed


def restore(
    db_path: Path,
    archive: Path,
    *,
    actor: str | None,
    current: Services | None = None,
    allow_other_unit: bool = False,
    progress: Callable[[str], None] = lambda _text: None,
) -> RestoreResult:
    """Replace the database at `db_path` by the backup `archive` and open it.

    `current` (the open services of that file, if any) is closed just before the file is
    replaced; if anything fails before that, nothing has changed and `current` stays usable.
    `actor` None: the staff member named in the restored data (the current file is damaged).
    """
    from danvan_desktop.services import open_services

    progress("Đang kiểm tra bản sao lưu…")
    try:
        unpacked = core.unpack(archive, db_path.parent)
    except BackupError as error:
        raise _user_error(error) from None
    try:
        preview = _checked(db_path, unpacked)
        if preview.other_unit and not allow_other_unit:
            raise UserError(
                preview.warnings[0] + " Chưa khôi phục: hãy xác nhận việc khôi phục dữ liệu "
                "của đơn vị khác."
            )
        pre_backup = moved = None
        if preview.current is not None:
            progress("Đang sao lưu dữ liệu hiện tại…")
            pre_backup = core.take_backup(
                db_path, backup_dir(db_path), core.REASON_RESTORE, protect=archive
            )
        elif db_path.is_file() and db_path.stat().st_size > 0:
            moved = core.move_aside(db_path)  # damaged: kept for a specialist, never overwritten
        progress("Đang khôi phục…")
        if current is not None:
            current.close()
        core.replace_database(db_path, unpacked)
    finally:
        unpacked.database.unlink(missing_ok=True)
    services = open_services(db_path)
    try:
        with services.db.session() as session:
            audit.record(
                session,
                audit.AuditAction.RESTORE,
                actor=actor if actor is not None else services.installation.staff_name(),
                subject=f"Khôi phục từ bản sao lưu {archive.name}",
                details={
                    "file": str(archive),
                    "created_at": preview.info.created_at.isoformat(),
                    "reason": preview.info.reason,
                    "models": preview.backup.models,
                    "pre_restore_backup": str(pre_backup) if pre_backup else None,
                    "moved_aside": str(moved) if moved else None,
                },
            )
    except BaseException:
        services.close()
        raise
    return RestoreResult(services, preview, pre_backup, moved)


def latest_good_backup(db_path: Path) -> RestorePreview | None:
    """The newest automatic backup that passes every check, or None."""
    for listed in list_backups(db_path):
        if listed.info is None:
            continue
        try:
            return preview_restore(db_path, listed.path)
        except UserError:
            continue
    return None


class BackupService:
    """Backups of the open database."""

    def __init__(self, db: Database, staff_name: Callable[[], str]) -> None:
        self._db = db
        self._staff_name = staff_name

    @property
    def folder(self) -> Path:
        return backup_dir(self._db.path)

    def take_automatic(self, reason: str) -> Path:
        return core.take_backup(self._db.path, self.folder, reason)

    def take_daily(self, now: dt.datetime | None = None) -> Path | None:
        """The day's backup, unless an automatic one was already taken today."""
        return core.take_daily_backup(self._db.path, self.folder, now)

    def save_to(self, target: Path) -> BackupInfo:
        """A backup written to a place the user chose (a USB stick); recorded in the log."""
        try:
            info = core.write_backup(self._db.path, target, core.REASON_MANUAL, automatic=False)
        except OSError as error:
            raise UserError(
                f"Không ghi được bản sao lưu vào {target}: {error.strerror or error}. "
                "Hãy kiểm tra USB hoặc thư mục đã chọn còn chỗ trống và cho phép ghi."
            ) from None
        with self._db.session() as session:
            audit.record(
                session,
                audit.AuditAction.BACKUP,
                actor=self._staff_name(),
                subject=f"Sao lưu ra tệp {target.name}",
                details={"file": str(target), "models": info.models},
            )
        return info

    def list(self) -> list[ListedBackup]:
        return list_backups(self._db.path)

    def preview(self, archive: Path) -> RestorePreview:
        return preview_restore(self._db.path, archive)

    def suggested_name(self, unit_name: str, today: dt.date | None = None) -> str:
        """“Sao lưu - Xã Ngọc Chiến - 25-11-2026.dvbak”."""
        return document_name("Sao lưu", unit_name, core.BACKUP_SUFFIX, today)
