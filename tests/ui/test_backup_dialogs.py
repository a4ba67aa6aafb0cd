"""Backups in the window: Tệp → Sao lưu…, Tệp → Khôi phục… with its preview, the day's backup,
one copy of the app per database, and the recovery offer for a damaged database at start."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QMenu, QTableWidget

from danvan_desktop import app as app_module
from danvan_desktop.db import backup as core
from danvan_desktop.db.schema import AuditEntry
from danvan_desktop.paths import backup_dir
from danvan_desktop.services import Services, open_services
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter

from danvan_desktop.ui.backup_dialogs import RestoreDialog, take_daily_backup
from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.operations import OperationRunner
from danvan_desktop.ui.settings import UiSettings

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def app_names(qapp: QApplication) -> Iterator[QApplication]:
    """start() sets the application's names and locale; put them back after."""
    saved = (qapp.organizationName(), qapp.applicationName(), qapp.applicationDisplayName())
    locale = QLocale()
    yield qapp
    qapp.setOrganizationName(saved[0])
    qapp.setApplicationName(saved[1])
    qapp.setApplicationDisplayName(saved[2])
    QLocale.setDefault(locale)


def add_models(services: Services, count: int, prefix: str = "Mô hình") -> list[int]:
    unit_id = services.installation.get().unit.id
    data = [sample_model(unit_id, name=f"{prefix} {i}") for i in range(count)]
    return services.models.create_many(data, by=STAFF)


def make_window(qtbot: QtBot, context: UiContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def open_restore(window: MainWindow) -> RestoreDialog:
    window.restore_action.trigger()
    dialogs = [d for d in window.open_dialogs() if isinstance(d, RestoreDialog)]
    assert len(dialogs) == 1
    return dialogs[0]


def test_menu_save_writes_a_backup_where_the_user_chose(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    add_models(context.services, 4)
    window = make_window(qtbot, context)
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    assert {window.backup_action, window.restore_action} <= set(file_menu.actions())
    target = tmp_path / "usb" / "Sao lưu tháng 3"  # typed without the suffix
    prompter.paths.append(target)
    window.backup_action.trigger()
    saved = target.with_name("Sao lưu tháng 3.dvbak")
    assert saved.exists()
    suggestion = prompter.path_suggestions[0].name
    assert suggestion == f"Sao lưu - Xã Ngọc Chiến - {dt.date.today():%d-%m-%Y}.dvbak"
    info = core.read_backup(saved)
    assert (info.unit_code, info.models) == ("03820", 4)
    assert "Đã sao lưu 4 mô hình của Xã Ngọc Chiến (03820)" in prompter.infos[0]
    with zipfile.ZipFile(saved) as archive:
        assert "danvan.sqlite3" in archive.namelist()


def test_restore_shows_the_preview_then_the_window_shows_the_restored_data(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    ids = add_models(context.services, 5)
    context.services.backups.take_automatic(core.REASON_EXCEL)
    for model_id in ids[:3]:
        context.services.models.delete(model_id, by=STAFF)
    old_services = context.services
    window = make_window(qtbot, context)
    window.refresh()
    assert window.model.rowCount() == 2

    dialog = open_restore(window)
    assert dialog.list.rowCount() == 1
    assert cell(dialog.list, 0, 1) == "trước nhập Excel"
    assert cell(dialog.list, 0, 3) == "5"
    assert not dialog.restore_button.isEnabled()
    dialog.list.selectRow(0)
    facts = {
        cell(dialog.facts, r, 0): (cell(dialog.facts, r, 1), cell(dialog.facts, r, 2))
        for r in range(dialog.facts.rowCount())
    }
    assert facts["Số mô hình"] == ("5", "2")
    assert facts["Đơn vị"][0] == "Xã Ngọc Chiến (03820)"
    assert dialog.restore_button.isEnabled()

    replaced: list[MainWindow] = []
    window.replaced.connect(replaced.append)
    prompter.answers.append(True)
    dialog.restore_button.click()

    assert "5 mô hình" in prompter.asked[0] and "trước khôi phục" in prompter.asked[0]
    assert len(replaced) == 1
    new = replaced[0]
    qtbot.addWidget(new)
    assert new.isVisible() and not window.isVisible()
    assert context.services is not old_services and new.context.services is context.services
    assert new.model.rowCount() == 5
    assert "5 / 5" in new.count_label.text()
    assert "Đã khôi phục" in prompter.infos[0]
    with context.services.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "restore")).one()
    assert entry.actor == STAFF
    reasons = [p.name for p in core.automatic_backups(backup_dir(context.services.db_path))]
    assert any(r.endswith("-truoc-khoi-phuc.dvbak") for r in reasons)
    context.services.close()


def test_a_broken_backup_file_is_refused_in_the_preview(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    add_models(context.services, 2)
    good = context.services.backups.save_to(tmp_path / "good.dvbak").path
    broken = tmp_path / "USB hỏng.dvbak"
    broken.write_bytes(good.read_bytes()[:2000])
    window = make_window(qtbot, context)
    dialog = open_restore(window)
    prompter.paths.append(broken)
    dialog.other_button.click()
    assert dialog.preview is None and not dialog.restore_button.isEnabled()
    assert "USB hỏng.dvbak không dùng được" in dialog.warning_label.text()
    assert "Dữ liệu hiện tại không bị thay đổi" in dialog.warning_label.text()
    assert context.services.models.count() == 2


def test_the_days_backup_is_taken_once(qtbot: QtBot, context: UiContext) -> None:
    window = make_window(qtbot, context)
    take_daily_backup(context, window)
    take_daily_backup(context, window)
    backups = core.automatic_backups(backup_dir(context.services.db_path))
    assert len(backups) == 1 and backups[0].name.endswith("-hang-ngay.dvbak")
    assert "Đã sao lưu tự động hằng ngày" in window.statusBar().currentMessage()


# -- start: one copy per database, recovery --------------------------------------------------


def _close(started: app_module.Started | int) -> None:
    if isinstance(started, app_module.Started):
        started.window.close()
        started.window.deleteLater()
        started.context.services.close()
        if started.lock is not None:
            started.lock.unlock()


def test_a_second_copy_on_the_same_database_is_refused(
    app_names: QApplication,
    services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
) -> None:
    first = app_module.take_database_lock(db_path)
    assert first is not None
    try:
        assert app_module.take_database_lock(db_path) is None  # a second QLockFile
        assert core.lock_holder(db_path) is not None  # the command line sees it too
        services.close()
        before = db_path.read_bytes()
        result = app_module.start(["--db", str(db_path)], settings=ui_settings, prompter=prompter)
        assert result == 1
        assert "Phần mềm đang mở trên cơ sở dữ liệu này" in prompter.errors[0]
        assert db_path.read_bytes() == before
    finally:
        first.unlock()
    assert core.lock_holder(db_path) is None
    started = app_module.start(["--db", str(db_path)], settings=ui_settings, prompter=prompter)
    try:
        assert isinstance(started, app_module.Started)
        assert started.lock is not None and started.lock.isLocked()
    finally:
        _close(started)


def test_the_window_refuses_while_the_command_line_restores(
    app_names: QApplication, services: Services, db_path: Path
) -> None:
    with core.hold_lock(db_path):  # what `danvan backup restore` holds while it works
        assert app_module.take_database_lock(db_path) is None
    lock = app_module.take_database_lock(db_path)
    assert lock is not None and lock.isLocked()
    lock.unlock()


def damaged_with_backup(services: Services, count: int) -> bytes:
    add_models(services, count)
    services.backups.take_automatic(core.REASON_DAILY)
    db_path = services.db_path
    services.close()
    size = db_path.stat().st_size
    with db_path.open("r+b") as handle:
        handle.seek(size // 3 // 4096 * 4096)
        handle.write(b"\xff" * 8192)
    return db_path.read_bytes()


def test_damaged_database_at_start_offers_the_newest_good_backup(
    app_names: QApplication,
    services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
) -> None:
    damaged = damaged_with_backup(services, 30)
    prompter.answers.append(True)
    started = app_module.start(["--db", str(db_path)], settings=ui_settings, prompter=prompter)
    try:
        assert isinstance(started, app_module.Started)
        question = prompter.asked[0]
        assert "bị hỏng" in question and "30 mô hình" in question and "hằng ngày" in question
        assert started.window.model.rowCount() == 30
        aside = list(db_path.parent.glob("danvan.sqlite3.hong-*"))
        assert [p.read_bytes() for p in aside if not p.name.endswith(("-wal", "-shm"))] == [damaged]
    finally:
        _close(started)


def test_damaged_database_at_start_refused_offer_starts_empty(
    app_names: QApplication,
    services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
) -> None:
    damaged_with_backup(services, 3)
    prompter.answers.append(False)
    set_up_asked: list[UiContext] = []

    def cancel(context: UiContext) -> bool:
        set_up_asked.append(context)
        return False

    result = app_module.start(
        ["--db", str(db_path)], settings=ui_settings, prompter=prompter, run_setup=cancel
    )
    assert result == 0 and len(set_up_asked) == 1  # first-run set-up on an empty database
    fresh = open_services(db_path)
    try:
        assert not fresh.installation.is_set_up()
        assert len(fresh.backups.list()) == 1  # the backup is still there for later
    finally:
        fresh.close()


def test_restore_runs_on_the_worker_thread(
    qtbot: QtBot,
    services: Services,
    prompter: ScriptedPrompter,
    ui_settings: UiSettings,
    threaded_runner: OperationRunner,
) -> None:
    context = UiContext(
        services=services, prompter=prompter, settings=ui_settings, runner=threaded_runner
    )
    add_models(services, 3)
    services.backups.take_automatic(core.REASON_PACKAGE)
    add_models(services, 2, "Sau")
    window = MainWindow(context)  # not qtbot's: the restore deletes it
    window.show()
    dialog = open_restore(window)
    with qtbot.waitSignal(dialog.previewed, timeout=10_000):
        dialog.list.selectRow(0)
    assert dialog.preview is not None and dialog.restore_button.isEnabled()
    prompter.answers.append(True)
    with qtbot.waitSignal(dialog.restored, timeout=20_000) as blocker:
        dialog.restore_button.click()
        assert not window.isEnabled()  # nothing reads the file while it is replaced
    new = blocker.args[0]
    qtbot.addWidget(new)
    assert isinstance(new, MainWindow) and new.model.rowCount() == 3
    context.services.close()
