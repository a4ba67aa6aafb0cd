"""Backups and recovery on real database files and real zip archives: rotation, the daily
backup, consistency while the app writes, the preview, restore (models and signing key), damaged
databases moved aside, broken backups refused, and the command line."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.cli import main
from danvan_desktop.db import backup as core
from danvan_desktop.db.schema import AuditEntry, Model
from danvan_desktop.domain import Directory
from danvan_desktop.paths import backup_dir, signing_key_path
from danvan_desktop.services import Services, UserError, open_services
from danvan_desktop.services.backups import (
    DamagedDatabaseError,
    latest_good_backup,
    preview_restore,
    restore,
)
from tests.helpers import sample_model

STAFF = "Nguyễn Thị Hoa"


def add_models(services: Services, count: int, prefix: str = "Mô hình") -> list[int]:
    unit_id = services.installation.get().unit.id
    data = [sample_model(unit_id, name=f"{prefix} {i}") for i in range(count)]
    return services.models.create_many(data, by=STAFF)


def db_count(path: Path) -> int:
    return core.database_facts(path).models


def damage(path: Path) -> None:
    """Overwrite a few pages in the middle of the file, as a bad sector or a torn write would."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(max(4096, size // 3) // 4096 * 4096)
        handle.write(b"\xff" * 8192)


def stamp(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, 0)


@pytest.fixture
def key_bytes(services: Services) -> bytes:
    """The installation's signing key file (made at first open, or written here)."""
    path = signing_key_path(services.db_path)
    if not path.exists():
        core.write_key(path, b"-----BEGIN PRIVATE KEY-----\ntest\n-----END PRIVATE KEY-----\n")
    return path.read_bytes()


# -- writing backups ------------------------------------------------------------------------


def test_backup_is_one_zip_with_manifest_database_and_key(
    services: Services, key_bytes: bytes
) -> None:
    add_models(services, 3)
    path = services.backups.take_automatic(core.REASON_EXCEL)
    assert path.parent == backup_dir(services.db_path)
    assert path.name.endswith("-truoc-nhap-excel.dvbak")
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == {"backup.json", "danvan.sqlite3", "signing.key"}
        manifest = json.loads(archive.read("backup.json"))
        assert archive.read("signing.key") == key_bytes
    assert manifest["format_version"] == 1
    assert manifest["unit"] == {"code": "03820", "name": "Xã Ngọc Chiến", "directory": "2025"}
    assert manifest["models"] == 3
    assert manifest["reason"] == "truoc-nhap-excel" and manifest["automatic"] is True
    info = core.read_backup(path)
    assert (info.unit_label, info.models, info.reason_label) == (
        "Xã Ngọc Chiến (03820)",
        3,
        "trước nhập Excel",
    )
    # nothing left behind beside the database
    leftovers = [p.name for p in services.db_path.parent.iterdir() if ".danvan-" in p.name]
    assert leftovers == []


def test_rotation_keeps_the_newest_30_automatic_backups_and_nothing_else_is_touched(
    services: Services,
) -> None:
    folder = backup_dir(services.db_path)
    folder.mkdir()
    for day in range(1, 25):  # 34 older automatic backups (their content does not matter here)
        (folder / core.automatic_name(core.REASON_DAILY, stamp(day))).write_bytes(b"old")
    for hour in range(10):
        (folder / core.automatic_name(core.REASON_PACKAGE, stamp(25, hour))).write_bytes(b"old")
    mine = folder / "Sao lưu - Xã Ngọc Chiến - 01-03-2026.dvbak"  # saved there by hand
    mine.write_bytes(b"keep")
    other = folder / "ghi chú.txt"
    other.write_text("keep", encoding="utf-8")
    assert len(core.automatic_backups(folder)) == 34

    newest = core.take_backup(services.db_path, folder, core.REASON_EXCEL, now=stamp(28))

    kept = core.automatic_backups(folder)
    assert len(kept) == 30
    assert kept[0] == newest
    # the 5 oldest went: days 1..5
    gone = {core.automatic_name(core.REASON_DAILY, stamp(day)) for day in range(1, 6)}
    assert not gone & {p.name for p in folder.iterdir()}
    assert (folder / core.automatic_name(core.REASON_DAILY, stamp(6))).exists()
    assert mine.read_bytes() == b"keep" and other.read_text(encoding="utf-8") == "keep"


def test_restoring_the_oldest_backup_does_not_rotate_it_away(services: Services) -> None:
    add_models(services, 2)
    folder = backup_dir(services.db_path)
    oldest = core.take_backup(services.db_path, folder, core.REASON_DAILY, now=stamp(1))
    for day in range(2, 31):
        (folder / core.automatic_name(core.REASON_DAILY, stamp(day))).write_bytes(b"old")
    result = restore(services.db_path, oldest, actor=STAFF, current=services)
    result.services.close()
    assert oldest.exists()  # still listed, can be restored again
    assert len(core.automatic_backups(folder)) == 31


def test_daily_backup_once_per_day(services: Services) -> None:
    first = services.backups.take_daily(now=stamp(2, 8))
    assert first is not None and first.name.endswith("-hang-ngay.dvbak")
    assert services.backups.take_daily(now=stamp(2, 17)) is None
    assert services.backups.take_daily(now=stamp(3, 8)) is not None
    # any automatic backup of the day counts (an import in the morning)
    services.backups.take_automatic(core.REASON_EXCEL)
    assert services.backups.take_daily() is None
    assert len(core.automatic_backups(backup_dir(services.db_path))) == 3


def test_backup_while_the_app_writes_holds_exactly_the_committed_data(
    services: Services,
) -> None:
    add_models(services, 5)
    wal = Path(f"{services.db_path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the committed rows are still in the WAL
    with services.db.session() as session:  # a write in progress, not committed
        before = session.scalar(select(Model).limit(1))
        assert before is not None
        session.add(
            Model(
                **{
                    c.key: getattr(before, c.key)
                    for c in Model.__table__.columns
                    if c.key not in ("id", "uuid")
                },
                uuid="00000000-0000-4000-8000-000000000001",
            )
        )
        session.flush()
        path = services.backups.take_automatic(core.REASON_MANUAL)
    info = core.read_backup(path)
    assert info.models == 5  # the 5 committed, not the one being written
    unpacked = core.unpack(path, services.db_path.parent)
    try:
        connection = sqlite3.connect(unpacked.database)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.close()
    finally:
        unpacked.database.unlink()
    assert services.models.count() == 6  # the write went on after the backup


# -- preview and restore ----------------------------------------------------------------------


def test_preview_shows_what_the_backup_holds_next_to_the_current_data(
    services: Services,
) -> None:
    add_models(services, 4)
    path = services.backups.take_automatic(core.REASON_PACKAGE)
    add_models(services, 2, "Sau sao lưu")
    preview = services.backups.preview(path)
    assert (preview.backup.unit_code, preview.backup.models) == ("03820", 4)
    assert preview.current is not None and preview.current.models == 6
    assert not preview.other_unit
    rows = {what: (backed_up, now) for what, backed_up, now in preview.lines()}
    assert rows["Số mô hình"] == ("4", "6")
    assert rows["Đơn vị"] == ("Xã Ngọc Chiến (03820)", "Xã Ngọc Chiến (03820)")
    assert rows["Lý do"][0] == "trước nhập gói"
    assert any("ít hơn hiện nay" in w for w in preview.warnings)
    assert "4 mô hình" in preview.summary()


def test_restore_brings_back_models_and_key_after_backing_up_the_current_state(
    services: Services, key_bytes: bytes
) -> None:
    db_path = services.db_path
    ids = add_models(services, 5)
    saved = services.backups.save_to(db_path.parent / "usb" / "Sao lưu.dvbak")
    for model_id in ids[:3]:
        services.models.delete(model_id, by=STAFF)
    key_path = signing_key_path(db_path)
    key_path.unlink()  # the key is lost too
    assert services.models.count() == 2

    result = restore(db_path, saved.path, actor="Lò Văn Pọm", current=services)
    try:
        assert result.services.models.count() == 5
        assert result.services.installation.get().unit.code == "03820"
        assert key_path.read_bytes() == key_bytes
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
        # the state before the restore was backed up first, and can be restored in turn
        assert result.pre_restore_backup is not None
        assert result.pre_restore_backup.name.endswith("-truoc-khoi-phuc.dvbak")
        assert core.read_backup(result.pre_restore_backup).models == 2
        with result.services.db.session() as session:
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "restore")
            ).all()
        assert len(entries) == 1 and entries[0].actor == "Lò Văn Pọm"
        assert "Sao lưu.dvbak" in entries[0].subject
        assert not list(db_path.parent.glob(".danvan-*"))  # no temporary file left
    finally:
        result.services.close()


def test_restore_of_another_units_backup_needs_consent(services: Services, tmp_path: Path) -> None:
    other_path = tmp_path / "other" / "danvan.sqlite3"
    other = open_services(other_path)
    try:
        unit = other.units.by_code("14", Directory.CURRENT)
        other.installation.save(unit_id=unit.id, reports_to_id=None, staff_name="Cầm Thị Hương")
        archive = other.backups.save_to(tmp_path / "tinh.dvbak").path
    finally:
        other.close()
    before = services.db_path.read_bytes()
    preview = preview_restore(services.db_path, archive)
    assert preview.other_unit
    assert "Tỉnh Sơn La (14)" in preview.warnings[0] and "khác" in preview.warnings[0]
    with pytest.raises(UserError, match="đơn vị khác"):
        restore(services.db_path, archive, actor=STAFF, current=services)
    assert services.db_path.read_bytes() == before
    assert services.models.count() == 0  # the current services still work


def broken_backups(good: Path, folder: Path) -> dict[str, Path]:
    """Backups damaged in the ways files really get damaged."""
    folder.mkdir(exist_ok=True)
    data = good.read_bytes()
    truncated = folder / "cut.dvbak"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = folder / "garbage.dvbak"
    garbage.write_bytes(b"not a zip at all" * 100)
    flipped = folder / "flipped.dvbak"
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("danvan.sqlite3")
        offset = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw = bytearray(data)
    for i in range(offset + 5000, offset + 5200):
        raw[i] ^= 0x55
    flipped.write_bytes(bytes(raw))
    newer = folder / "newer.dvbak"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(newer, "w") as dst:
        manifest = json.loads(src.read("backup.json"))
        manifest["format_version"] = 99
        dst.writestr("backup.json", json.dumps(manifest))
        dst.writestr("danvan.sqlite3", src.read("danvan.sqlite3"))
    foreign = folder / "foreign.dvbak"
    with zipfile.ZipFile(foreign, "w") as dst:
        dst.writestr("readme.txt", "hello")
    return {
        "cut": truncated,
        "garbage": garbage,
        "flipped": flipped,
        "newer": newer,
        "foreign": foreign,
    }


def test_broken_backups_are_refused_and_the_database_is_unchanged(
    services: Services, tmp_path: Path
) -> None:
    add_models(services, 3)
    good = services.backups.save_to(tmp_path / "good.dvbak").path
    with services.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = services.db_path.read_bytes()
    expected = {
        "cut": "không dùng được",
        "garbage": "không dùng được",
        "flipped": "không dùng được",
        "newer": "phiên bản phần mềm mới hơn",
        "foreign": "không phải bản sao lưu",
    }
    for name, path in broken_backups(good, tmp_path / "broken").items():
        with pytest.raises(UserError, match=expected[name]) as caught:
            restore(services.db_path, path, actor=STAFF, current=services)
        assert "\n" not in str(caught.value) and path.name in str(caught.value), name
        assert services.db_path.read_bytes() == before, name
        assert not list(services.db_path.parent.glob(".danvan-*")), name
        assert not core.automatic_backups(backup_dir(services.db_path)), name
    assert services.models.count() == 3


def test_backup_from_a_newer_schema_is_refused(services: Services, tmp_path: Path) -> None:
    copy = tmp_path / "newer" / "danvan.sqlite3"
    core.backup_to(services.db_path, copy)
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    archive = core.write_backup(copy, tmp_path / "newer.dvbak", "thu-cong", automatic=False).path
    with pytest.raises(UserError, match="phiên bản phần mềm mới hơn"):
        preview_restore(services.db_path, archive)


# -- damaged databases ----------------------------------------------------------------------


def test_damaged_database_is_refused_at_open_untouched(services: Services) -> None:
    add_models(services, 30)
    db_path = services.db_path
    services.close()
    damage(db_path)
    before = db_path.read_bytes()
    with pytest.raises(DamagedDatabaseError) as caught:
        open_services(db_path)
    assert "danvan backup restore --latest" in str(caught.value)
    assert db_path.read_bytes() == before


def test_move_aside_never_overwrites(tmp_path: Path) -> None:
    db_path = tmp_path / "danvan.sqlite3"
    db_path.write_bytes(b"damaged")
    Path(f"{db_path}-wal").write_bytes(b"wal")
    now = dt.datetime(2026, 3, 5, 7, 30, 0)
    earlier = tmp_path / "danvan.sqlite3.hong-20260305-073000"
    earlier.write_bytes(b"an earlier damaged file")
    moved = core.move_aside(db_path, now)
    assert moved.name == "danvan.sqlite3.hong-20260305-073000-2"
    assert moved.read_bytes() == b"damaged"
    assert Path(f"{moved}-wal").read_bytes() == b"wal"
    assert earlier.read_bytes() == b"an earlier damaged file"
    assert not db_path.exists() and not Path(f"{db_path}-wal").exists()


def test_restore_over_a_damaged_database_moves_it_aside(
    services: Services, key_bytes: bytes
) -> None:
    add_models(services, 30)
    db_path = services.db_path
    services.backups.take_automatic(core.REASON_DAILY)
    services.close()
    damage(db_path)
    damaged = db_path.read_bytes()
    preview = latest_good_backup(db_path)
    assert preview is not None and preview.current is None
    result = restore(db_path, preview.info.path, actor=None)
    try:
        assert result.services.models.count() == 30
        assert result.moved_aside is not None and result.moved_aside.read_bytes() == damaged
        assert result.pre_restore_backup is None
        with result.services.db.session() as session:
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "restore")).one()
        assert entry.actor == STAFF  # the staff member named in the restored data
    finally:
        result.services.close()


def test_latest_good_backup_skips_broken_ones(services: Services) -> None:
    add_models(services, 2)
    good = services.backups.take_automatic(core.REASON_DAILY)
    newest = backup_dir(services.db_path) / core.automatic_name(
        core.REASON_EXCEL, dt.datetime.now() + dt.timedelta(hours=1)
    )
    newest.write_bytes(good.read_bytes()[:1000])  # newer, but cut short
    preview = latest_good_backup(services.db_path)
    assert preview is not None and preview.info.path == good


# -- the command line ---------------------------------------------------------------------------


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_cli_create_list_and_check(services: Services, tmp_path: Path) -> None:
    add_models(services, 7)
    db = str(services.db_path)
    code, out, err = run("backup", "create", "--db", db)
    assert code == 0, err
    assert "Đã sao lưu 7 mô hình của Xã Ngọc Chiến (03820)" in out
    usb = tmp_path / "usb"
    usb.mkdir()
    code, out, err = run("backup", "create", "--db", db, "--out", str(usb))
    assert code == 0, err
    saved = list(usb.iterdir())
    assert len(saved) == 1 and saved[0].name.startswith("Sao lưu - Xã Ngọc Chiến - ")
    code, out, _ = run("backup", "list", "--db", db)
    assert code == 0 and "sao lưu thủ công" in out and "Xã Ngọc Chiến (03820)" in out
    code, out, _ = run("backup", "list", "--db", db, "--json")
    listed = json.loads(out)
    assert [(b["models"], b["unit_code"]) for b in listed] == [(7, "03820")]
    code, out, err = run("check", "--db", db)
    assert code == 0, err
    assert "Số mô hình: 7" in out and "tệp dữ liệu tốt" in out and "Bản sao lưu mới nhất" in out


def test_cli_check_reports_damage_and_how_to_restore(services: Services) -> None:
    add_models(services, 30)
    services.backups.take_automatic(core.REASON_DAILY)
    db_path = services.db_path
    services.close()
    damage(db_path)
    code, out, err = run("check", "--db", str(db_path))
    assert code == 1
    assert err.startswith("Lỗi: ") and "bị hỏng" in err and err.count("\n") == 1
    assert "danvan backup restore --latest" in err
    code, out, err = run("check", "--db", str(db_path), "--json")
    assert code == 1 and json.loads(out[: out.rindex("}") + 1])["ok"] is False

    code, out, err = run("backup", "restore", "--latest", "--yes", "--db", str(db_path))
    assert code == 0, err
    assert "Tệp dữ liệu hỏng đã được đổi tên" in out
    assert run("check", "--db", str(db_path))[0] == 0
    assert db_count(db_path) == 30


def test_cli_restore_asks_and_a_no_changes_nothing(services: Services, tmp_path: Path) -> None:
    add_models(services, 3)
    db = str(services.db_path)
    archive = services.backups.save_to(tmp_path / "a.dvbak").path
    add_models(services, 2, "Sau")
    services.close()
    code, out, _ = run("backup", "restore", str(archive), "--db", db, stdin="không\n")
    assert code == 1 and "Đã hủy" in out and "Số mô hình: 3 (hiện nay: 5)" in out
    assert db_count(Path(db)) == 5
    code, out, err = run("backup", "restore", str(archive), "--db", db, stdin="có\n")
    assert code == 0, err
    assert "Đã khôi phục" in out and "trước khi khôi phục đã được sao lưu" in out
    assert db_count(Path(db)) == 3


def test_cli_restore_is_recorded_under_the_staff_member_of_the_current_data(
    services: Services, tmp_path: Path
) -> None:
    archive = services.backups.save_to(tmp_path / "a.dvbak").path  # set up by Nguyễn Thị Hoa
    setup = services.installation.get()
    services.installation.save(
        unit_id=setup.unit.id,
        reports_to_id=setup.reports_to.id if setup.reports_to else None,
        staff_name="Lò Văn Pọm",
    )
    db_path = services.db_path
    services.close()
    code, _, err = run("backup", "restore", str(archive), "--yes", "--db", str(db_path))
    assert code == 0, err
    restored = open_services(db_path)
    try:
        with restored.db.session() as session:
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "restore")).one()
            assert entry.actor == "Lò Văn Pọm"  # who restored, not who set up the backup
    finally:
        restored.close()


def test_cli_restore_refused_while_the_app_holds_the_database(
    services: Services, tmp_path: Path
) -> None:
    archive = services.backups.save_to(tmp_path / "a.dvbak").path
    db_path = services.db_path
    with core.hold_lock(db_path):  # what the window's QLockFile looks like to the core
        code, _, err = run("backup", "restore", str(archive), "--yes", "--db", str(db_path))
    assert code == 1 and "Phần mềm đang mở trên cơ sở dữ liệu này" in err
    assert not core.lock_path(db_path).exists()


def test_a_stale_lock_left_by_a_dead_process_is_taken_over(services: Services) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    lock = core.lock_path(services.db_path)
    lock.write_text(f"{finished.stdout.strip()}\npython3\n{os.uname().nodename}\n")
    assert core.lock_holder(services.db_path) is None
    with core.hold_lock(services.db_path):
        assert core.lock_holder(services.db_path) == os.getpid()
