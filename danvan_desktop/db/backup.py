"""Backups: one file a person can carry, and putting one back.

A backup is a zip (suffix BACKUP_SUFFIX) holding
- `backup.json`: format version, when, why, the unit, the number of live models, the schema
  revision and the app version — enough to show what it holds without unpacking the database;
- `danvan.sqlite3`: a consistent copy taken with SQLite's online backup API (safe while the app
  has the file open; what is still in the WAL is included), switched to rollback-journal mode
  so it is one self-contained file;
- `signing.key`: the installation's private signing key, when there is one.

Automatic backups (before an import, a restore, a migration; once a day) go to the backup folder
with sortable names; after each one the newest KEEP_AUTOMATIC are kept and older automatic ones
deleted. Nothing else in the folder is ever touched.

Plain functions over paths and sqlite3: no Qt, no sessions (the engine may be closed, or the
file damaged, when these run).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import sqlite3
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from danvan_desktop import __version__
from danvan_desktop.paths import signing_key_path

FORMAT = "danvan-backup"
FORMAT_VERSION = 1
BACKUP_SUFFIX = ".dvbak"
MANIFEST = "backup.json"
DB_MEMBER = "danvan.sqlite3"
KEY_MEMBER = "signing.key"
KEEP_AUTOMATIC = 30
SQLITE_HEADER = b"SQLite format 3\x00"

# Why an automatic backup was taken: the slug in its file name, and how it is shown.
REASON_EXCEL = "truoc-nhap-excel"
REASON_PACKAGE = "truoc-nhap-goi"
REASON_RESTORE = "truoc-khoi-phuc"
REASON_UPGRADE = "truoc-nang-cap"
REASON_DAILY = "hang-ngay"
REASON_MANUAL = "thu-cong"
REASON_LABELS = {
    REASON_EXCEL: "trước nhập Excel",
    REASON_PACKAGE: "trước nhập gói",
    REASON_RESTORE: "trước khôi phục",
    REASON_UPGRADE: "trước nâng cấp",
    REASON_DAILY: "hằng ngày",
    REASON_MANUAL: "sao lưu thủ công",
}

_AUTOMATIC_NAME = re.compile(
    r"^danvan-(?P<date>\d{8})-(?P<time>\d{6})-(?P<micro>\d{6})-(?P<reason>[a-z0-9-]+)"
    + re.escape(BACKUP_SUFFIX)
    + "$"
)


class BackupError(Exception):
    """A backup file that cannot be used; the message is a Vietnamese sentence."""


def reason_label(reason: str) -> str:
    """“trước nâng cấp” also for “truoc-nang-cap-0002” (the revision upgraded from)."""
    if reason in REASON_LABELS:
        return REASON_LABELS[reason]
    for slug, label in REASON_LABELS.items():
        if reason.startswith(slug + "-"):
            return f"{label} ({reason[len(slug) + 1 :]})"
    return reason


# ---------------------------------------------------------------------------------------------
# Facts about a database file


@dataclass(frozen=True)
class DatabaseFacts:
    schema_revision: str | None
    unit_code: str | None
    unit_name: str | None
    unit_directory: str | None
    models: int
    staff_name: str | None = None  # the staff member set up in it


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def database_facts(path: Path) -> DatabaseFacts:
    """What a database file holds, read without changing it. Raises sqlite3.DatabaseError when
    it is not a database."""
    connection = _connect_read_only(path)
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        code = name = directory = None
        if {"setting", "unit"} <= tables:
            row = connection.execute(
                "SELECT u.code, u.name, u.directory FROM setting s "
                "JOIN unit u ON u.id = CAST(s.value AS INTEGER) "
                "WHERE s.key = 'installation.unit_id'"
            ).fetchone()
            if row:
                code, name, directory = row
        staff = None
        if "setting" in tables:
            row = connection.execute(
                "SELECT value FROM setting WHERE key = 'installation.staff_name'"
            ).fetchone()
            staff = row[0] if row and row[0] else None
        models = 0
        if "model" in tables:
            (models,) = connection.execute(
                "SELECT count(*) FROM model WHERE NOT deleted"
            ).fetchone()
        return DatabaseFacts(revision, code, name, directory, int(models), staff)
    finally:
        connection.close()


def check_database(path: Path, *, full: bool = False) -> list[str]:
    """The problems SQLite finds in the file (PRAGMA quick_check, or integrity_check when
    `full`); [] for a good file. Read-only: never changes the file."""
    if not path.exists():
        return [f"Không có tệp {path}."]
    if path.stat().st_size == 0:
        return []  # an empty file is a new database, not a damaged one
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return ["Tệp không phải cơ sở dữ liệu SQLite."]
        connection = _connect_read_only(path)
        try:
            pragma = "integrity_check" if full else "quick_check"
            rows = [str(r[0]) for r in connection.execute(f"PRAGMA {pragma}")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    except OSError as error:
        return [f"Không đọc được tệp: {error.strerror}."]
    return [] if rows == ["ok"] else rows


def short_problem(problems: list[str], limit: int = 160) -> str:
    """The first problem SQLite reported, on one line and cut to a readable length."""
    text = " ".join((problems[0] if problems else "không rõ lỗi").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def move_aside(path: Path, now: dt.datetime | None = None) -> Path:
    """Rename a damaged database (and its -wal, -shm) to `<name>.hong-YYYYmmdd-HHMMSS` beside
    it; never over an existing file. Returns the new path of the database."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.name}.hong-{stamp}")
    target, n = base, 1
    companions = ("-wal", "-shm")
    while target.exists() or any(Path(f"{target}{s}").exists() for s in companions):
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    os.rename(path, target)
    for suffix in companions:
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.rename(side, Path(f"{target}{suffix}"))
    return target


# ---------------------------------------------------------------------------------------------
# Writing a backup


@dataclass(frozen=True)
class BackupInfo:
    """What backup.json says (plus where the file is)."""

    path: Path
    created_at: dt.datetime
    reason: str
    automatic: bool
    unit_code: str | None
    unit_name: str | None
    unit_directory: str | None
    models: int
    schema_revision: str | None
    app_version: str
    format_version: int
    has_key: bool
    size: int

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)

    @property
    def unit_label(self) -> str:
        if self.unit_name is None:
            return "(chưa thiết lập đơn vị)"
        return f"{self.unit_name} ({self.unit_code})"


def backup_to(source: Path, target: Path) -> Path:
    """Copy the live database `source` into a new plain SQLite file `target`, in rollback-journal
    mode (one file, nothing beside it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # The copy keeps the source's WAL flag; a copy meant to travel is one file.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)  # a power cut mid-copy leaves a .part file, never a bad backup
    return target


def write_backup(
    source: Path,
    target: Path,
    reason: str,
    *,
    automatic: bool,
    now: dt.datetime | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> BackupInfo:
    """Write one backup file of the database `source` (and its signing key) at `target`."""
    created = (now or dt.datetime.now()).astimezone()
    target.parent.mkdir(parents=True, exist_ok=True)
    # The copy is made beside the database (its disk has room for one more), then packed.
    with tempfile.TemporaryDirectory(prefix=".danvan-backup-", dir=source.parent) as work:
        copy = backup_to(source, Path(work) / DB_MEMBER)
        facts = database_facts(copy)
        key_path = signing_key_path(source)
        key = key_path.read_bytes() if key_path.is_file() else None
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created.isoformat(timespec="seconds"),
            "reason": reason,
            "automatic": automatic,
            "unit": None
            if facts.unit_code is None
            else {
                "code": facts.unit_code,
                "name": facts.unit_name,
                "directory": facts.unit_directory,
            },
            "models": facts.models,
            "schema_revision": facts.schema_revision,
            "app_version": __version__,
            "database": {"name": DB_MEMBER, "size": copy.stat().st_size},
            "key": key is not None,
        }
        partial = target.with_name(target.name + ".part")
        try:
            with zipfile.ZipFile(partial, "w", compression, compresslevel=1) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
                archive.write(copy, DB_MEMBER)
                if key is not None:
                    archive.writestr(KEY_MEMBER, key)
            _fsync(partial)
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return read_backup(target)


def automatic_name(reason: str, now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    return f"danvan-{stamp}-{reason}{BACKUP_SUFFIX}"


def backup_name(reason: str, now: dt.datetime | None = None) -> str:  # the older name
    return automatic_name(reason, now)


def take_backup(
    source: Path,
    backup_dir: Path,
    reason: str,
    now: dt.datetime | None = None,
    *,
    protect: Path | None = None,
) -> Path:
    """An automatic backup of `source` into `backup_dir`, then the oldest automatic ones beyond
    KEEP_AUTOMATIC are deleted (never `protect`: the backup being restored). Returns the new
    file."""
    now = now or dt.datetime.now()
    target = backup_dir / automatic_name(reason, now)
    n = 1
    while target.exists():  # two in the same microsecond (a test's fixed clock)
        target = backup_dir / automatic_name(reason, now + dt.timedelta(microseconds=n))
        n += 1
    # Automatic backups stay on this disk, 30 of them: deflate at its fastest level halves
    # them for a fraction of the copy's time (see DECISIONS).
    write_backup(source, target, reason, automatic=True, now=now)
    rotate(backup_dir, protect=protect)
    return target


def automatic_backups(backup_dir: Path) -> list[Path]:
    """The automatic backups in the folder, newest first (by the time in their names)."""
    if not backup_dir.is_dir():
        return []
    found = [p for p in backup_dir.iterdir() if p.is_file() and _AUTOMATIC_NAME.match(p.name)]
    return sorted(found, key=lambda p: p.name[len("danvan-") : len("danvan-") + 22], reverse=True)


def automatic_backup_date(path: Path) -> dt.date | None:
    match = _AUTOMATIC_NAME.match(path.name)
    if match is None:
        return None
    return dt.datetime.strptime(match["date"], "%Y%m%d").date()


def rotate(backup_dir: Path, keep: int = KEEP_AUTOMATIC, protect: Path | None = None) -> list[Path]:
    """Delete the automatic backups beyond the newest `keep`; returns what was deleted."""
    kept = protect.resolve() if protect is not None else None
    old = [p for p in automatic_backups(backup_dir)[keep:] if p.resolve() != kept]
    for path in old:
        with suppress(FileNotFoundError):
            path.unlink()
    return old


def take_daily_backup(
    source: Path, backup_dir: Path, now: dt.datetime | None = None
) -> Path | None:
    """The day's backup, unless an automatic backup was already taken today."""
    now = now or dt.datetime.now()
    if any(automatic_backup_date(p) == now.date() for p in automatic_backups(backup_dir)):
        return None
    return take_backup(source, backup_dir, REASON_DAILY, now)


# ---------------------------------------------------------------------------------------------
# Reading a backup


def _broken(path: Path, why: str) -> BackupError:
    return BackupError(
        f"Tệp {path.name} không dùng được để khôi phục: {why} Dữ liệu hiện tại không bị thay đổi."
    )


def read_backup(path: Path) -> BackupInfo:
    """What a backup holds, from its backup.json (fast: the database is not unpacked).

    A plain SQLite file (a backup taken by an older version, or a copy of the database) is
    read directly."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise BackupError(f"Không tìm thấy tệp {path}.") from None
    except OSError as error:
        raise BackupError(f"Không đọc được tệp {path}: {error.strerror}.") from None
    if head == SQLITE_HEADER:
        try:
            facts = database_facts(path)
        except sqlite3.DatabaseError as error:
            raise _broken(path, f"cơ sở dữ liệu trong tệp bị hỏng ({error}).") from None
        created = dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
        match = re.match(r"^danvan-\d{8}-\d{6}-\d{6}-(?P<reason>[a-z0-9-]+)\.sqlite3$", path.name)
        return BackupInfo(
            path=path,
            created_at=created,
            reason=match["reason"] if match else REASON_MANUAL,
            automatic=match is not None,
            unit_code=facts.unit_code,
            unit_name=facts.unit_name,
            unit_directory=facts.unit_directory,
            models=facts.models,
            schema_revision=facts.schema_revision,
            app_version="",
            format_version=0,
            has_key=False,
            size=size,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST not in names or DB_MEMBER not in names:
                raise _broken(path, "đây không phải bản sao lưu của phần mềm Dân vận khéo.")
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            has_key = KEY_MEMBER in names
    except zipfile.BadZipFile:
        raise _broken(path, "tệp không phải bản sao lưu (không đọc được dạng nén zip).") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _broken(path, "phần mô tả backup.json bị hỏng.") from None
    except (OSError, zipfile.LargeZipFile, EOFError, zlib.error) as error:
        raise _broken(path, f"tệp bị hỏng ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _broken(path, "đây không phải bản sao lưu của phần mềm Dân vận khéo.")
    version = manifest.get("format_version")
    if not isinstance(version, int):
        raise _broken(path, "phần mô tả backup.json thiếu phiên bản định dạng.")
    if version > FORMAT_VERSION:
        raise BackupError(
            f"Tệp {path.name} được tạo bởi phiên bản phần mềm mới hơn "
            f"({manifest.get('app_version', '?')}). Hãy cập nhật phần mềm Dân vận khéo rồi "
            "khôi phục lại. Dữ liệu hiện tại không bị thay đổi."
        )
    try:
        unit = manifest.get("unit") or {}
        return BackupInfo(
            path=path,
            created_at=dt.datetime.fromisoformat(str(manifest["created_at"])),
            reason=str(manifest.get("reason", "")),
            automatic=bool(manifest.get("automatic", False)),
            unit_code=unit.get("code"),
            unit_name=unit.get("name"),
            unit_directory=unit.get("directory"),
            models=int(manifest.get("models", 0)),
            schema_revision=manifest.get("schema_revision"),
            app_version=str(manifest.get("app_version", "")),
            format_version=version,
            has_key=has_key,
            size=size,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _broken(path, "phần mô tả backup.json thiếu hoặc sai thông tin.") from None


@dataclass(frozen=True)
class Unpacked:
    """A backup's database unpacked to a temporary file and checked."""

    info: BackupInfo
    database: Path
    facts: DatabaseFacts
    key: bytes | None


def unpack(path: Path, folder: Path) -> Unpacked:
    """Unpack the backup's database into `folder` and check it: every zip member's CRC, then
    SQLite's integrity_check on the copy; the facts must match backup.json. Raises
    BackupError when anything is wrong."""
    info = read_backup(path)
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".danvan-khoi-phuc-", suffix=".sqlite3", dir=folder)
    os.close(fd)
    database = Path(name)
    key: bytes | None = None
    try:
        if info.format_version == 0:  # a plain SQLite file: copy it consistently
            database.unlink()
            backup_to(path, database)
        else:
            with zipfile.ZipFile(path) as archive:
                with archive.open(DB_MEMBER) as member, database.open("wb") as out:
                    shutil.copyfileobj(member, out, 1024 * 1024)  # the CRC is checked at EOF
                if info.has_key:
                    key = archive.read(KEY_MEMBER)
        _fsync(database)
        problems = check_database(database, full=True)
        if problems:
            raise _broken(path, f"cơ sở dữ liệu trong tệp bị hỏng ({short_problem(problems)}).")
        facts = database_facts(database)
        if info.format_version and (facts.models, facts.unit_code) != (
            info.models,
            info.unit_code,
        ):
            raise _broken(path, "nội dung không khớp với phần mô tả backup.json.")
    except (zipfile.BadZipFile, zlib.error) as error:  # a damaged stream fails either way
        database.unlink(missing_ok=True)
        raise _broken(path, f"tệp bị hỏng ({error}).") from None
    except (sqlite3.DatabaseError, OSError, EOFError) as error:
        database.unlink(missing_ok=True)
        raise _broken(path, f"tệp bị hỏng ({error}).") from None
    except BaseException:
        database.unlink(missing_ok=True)
        raise
    return Unpacked(info, database, facts, key)


# ---------------------------------------------------------------------------------------------
# Putting a backup in place


def replace_database(db_path: Path, unpacked: Unpacked) -> None:
    """Put the unpacked copy in place of `db_path` (whose engine must be closed) and bring its
    key back. The copy is in the same folder, so the final step is one atomic rename."""
    if unpacked.database.parent.resolve() != db_path.parent.resolve():
        raise ValueError("the unpacked copy must sit beside the database")
    # A WAL left beside the new file would be replayed into it: remove it first (the state it
    # held is in the pre-restore backup).
    if db_path.exists():  # the restored file keeps the permissions of the one it replaces
        os.chmod(unpacked.database, stat.S_IMODE(db_path.stat().st_mode))
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(unpacked.database, db_path)
    _fsync_dir(db_path.parent)
    if unpacked.key is not None:
        write_key(signing_key_path(db_path), unpacked.key)


def write_key(path: Path, key: bytes) -> None:
    """Write a private key file with owner-only permissions, atomically."""
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if sys.platform != "win32":  # directories cannot be opened for fsync there
        _fsync(folder)


# ---------------------------------------------------------------------------------------------
# Is the window open on this database?
#
# The window holds a QLockFile at `<db>.lock` (Qt writes: pid, process name, host name, machine
# id, boot id — one per line). The core cannot use Qt, so it reads that file: the lock is held
# when the process named in it is alive on this host. `hold_lock` writes the same format, so a
# window started meanwhile sees the command line's lock and refuses in turn.


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def lock_holder(db_path: Path) -> int | None:
    """The pid of the live process holding the database's lock, or None."""
    path = lock_path(db_path)
    try:
        lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        return None
    except PermissionError:  # Windows: Qt keeps the lock file open without sharing it
        return -1
    except OSError:
        return None
    try:
        pid = int(lines[0])
    except (IndexError, ValueError):
        return None
    host = lines[2] if len(lines) > 2 else ""
    if host and host != socket.gethostname():
        return pid  # held from another machine (a shared folder): cannot check, assume held
    return pid if _alive(pid, path) else None


def _alive(pid: int, lock: Path) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        # os.kill(pid, 0) would terminate the process on Windows. Qt keeps the lock file open
        # without sharing it for writing: if it opens for writing, nobody holds it.
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            return True
        os.close(fd)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _process_name() -> str:
    try:
        return os.path.basename(os.readlink("/proc/self/exe"))
    except OSError:
        return os.path.basename(sys.executable)


def _read_first_line(*paths: str) -> str:
    for name in paths:
        with suppress(OSError):
            return Path(name).read_text(encoding="ascii").strip()
    return ""


@contextmanager
def hold_lock(db_path: Path) -> Iterator[None]:
    """Hold the database's lock for the length of a command (a restore), in QLockFile's format.
    Raises DatabaseInUse when a live process holds it."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)  # restoring onto a new machine
    content = "\n".join(
        [
            str(os.getpid()),
            _process_name(),
            socket.gethostname(),
            _read_first_line("/etc/machine-id", "/var/lib/dbus/machine-id"),
            _read_first_line("/proc/sys/kernel/random/boot_id"),
            "",
        ]
    ).encode()
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = lock_holder(db_path)
            if holder is not None:
                raise DatabaseInUse(db_path, holder) from None
            path.unlink(missing_ok=True)  # stale: its process is gone
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        break
    else:
        raise DatabaseInUse(db_path, -1)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


class DatabaseInUse(Exception):
    def __init__(self, db_path: Path, pid: int) -> None:
        super().__init__(in_use_message(db_path))
        self.pid = pid


def in_use_message(db_path: Path) -> str:
    return (
        f"Phần mềm đang mở trên cơ sở dữ liệu này ({db_path}). Hãy đóng cửa sổ phần mềm "
        "Dân vận khéo đang mở rồi thử lại. Nếu chắc chắn không còn cửa sổ nào đang mở (ví dụ "
        f"sau khi máy tắt đột ngột), hãy xoá tệp {lock_path(db_path).name} cạnh tệp dữ liệu."
    )
