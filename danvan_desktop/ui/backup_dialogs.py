"""Backups in the window: “Sao lưu…” to a chosen place, “Khôi phục…” with a checked preview,
the day's automatic backup, and the offer to restore when the database is found damaged at
start.

Backups and restores run on the operation runner's worker (ui.operations); the start-up
recovery runs before there is a window, under the splash, with a busy cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.db import backup as core
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.backups import (
    BACKUP_FILTER,
    DamagedDatabaseError,
    ListedBackup,
    RestorePreview,
    RestoreResult,
    latest_good_backup,
    preview_restore,
    restore,
)
from danvan_desktop.services.errors import UserError

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.operations import Operation, Progress, run_operation
from danvan_desktop.ui.prompts import Prompter

if TYPE_CHECKING:
    from danvan_desktop.ui.main_window import MainWindow

SAVE_TITLE = "Sao lưu dữ liệu"
RESTORE_TITLE = "Khôi phục dữ liệu"
RECOVERY_TITLE = "Tệp dữ liệu bị hỏng"
# The day's backup waits this long after the window appears: the first moments are the user's.
DAILY_BACKUP_DELAY_MS = 3000


def _when(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%H:%M ngày %d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# Sao lưu…


def save_backup(context: UiContext, parent: QWidget | None) -> Operation[str] | None:
    """Ask where, then write one backup there (a USB stick); tells what was saved."""
    from danvan_desktop.ui.office import save_file

    def write(path: Path) -> str:
        info = context.services.backups.save_to(path)
        return (
            f"Đã sao lưu {info.models} mô hình của {info.unit_label} vào tệp:\n{info.path}\n\n"
            "Hãy cất tệp này ở nơi an toàn (USB, máy khác). Khi cần, dùng Tệp → Khôi phục… "
            "để đưa dữ liệu trở lại."
        )

    return save_file(
        context, parent, title=SAVE_TITLE, file_title="Sao lưu", file_filter=BACKUP_FILTER,
        suffix=core.BACKUP_SUFFIX, write=write, busy_text="Đang sao lưu dữ liệu…",
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The day's backup


def schedule_daily_backup(context: UiContext, window: QWidget) -> None:
    """A few seconds after the window appears, take the day's backup if none was taken today."""
    QTimer.singleShot(
        DAILY_BACKUP_DELAY_MS,
        window,
        lambda: take_daily_backup(context, window) if window.isVisible() else None,
    )


def take_daily_backup(context: UiContext, window: QWidget) -> Operation[Path | None]:
    services = context.services

    def done(path: Path | None) -> None:
        if path is not None and hasattr(window, "statusBar"):
            window.statusBar().showMessage(f"Đã sao lưu tự động hằng ngày: {path.name}", 10_000)

    def failed(error: UserError) -> None:
        context.prompter.error(window, "Sao lưu tự động", f"Không sao lưu tự động được: {error}")

    return run_operation(
        context,
        window,
        lambda _progress: services.backups.take_daily(),
        done,
        title="Sao lưu tự động",
        text="Đang sao lưu dữ liệu hằng ngày…",
        on_failure=failed,
    )


# ---------------------------------------------------------------------------------------------
# Khôi phục…


class RestoreDialog(QDialog):
    """The automatic backups, newest first (or a file chosen elsewhere); the chosen one is
    checked and shown next to the current data; “Khôi phục” asks once more, then restores and
    opens the main window again on the restored data."""

    # Emitted with the new main window after a restore (tests wait on it).
    restored = Signal(object)
    # Emitted after each preview attempt (tests wait on it).
    previewed = Signal()

    def __init__(self, context: UiContext, window: MainWindow) -> None:
        super().__init__(window)
        self.context = context
        self.window_ = window
        self.preview: RestorePreview | None = None
        self.setWindowTitle(RESTORE_TITLE)
        self.setMinimumSize(760, 560)

        intro = QLabel(
            "Chọn một bản sao lưu để xem nó chứa gì. Trước khi khôi phục, dữ liệu hiện tại "
            "được sao lưu lại, nên việc khôi phục luôn có thể quay lại được."
        )
        intro.setWordWrap(True)

        self.list = QTableWidget(0, 4, self)
        self.list.setHorizontalHeaderLabels(["Thời điểm", "Lý do", "Đơn vị", "Số mô hình"])
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.verticalHeader().setVisible(False)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.list.itemSelectionChanged.connect(self._selection_changed)

        self.other_button = QPushButton("Chọn tệp sao lưu khác…", self)
        self.other_button.setToolTip("Một bản sao lưu trên USB hoặc thư mục khác (.dvbak)")
        self.other_button.clicked.connect(self.choose_file)

        self.file_label = QLabel(self)
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QTableWidget(0, 3, self)
        self.facts.setHorizontalHeaderLabels(["", "Trong bản sao lưu", "Dữ liệu hiện tại"])
        self.facts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.facts.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.facts.verticalHeader().setVisible(False)
        facts_header = self.facts.horizontalHeader()
        facts_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        facts_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        facts_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.facts.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_facts()
        self.warning_label = QLabel(self)
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #b71c1c;")

        buttons = QDialogButtonBox(self)
        self.restore_button = buttons.addButton("Khôi phục", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        self.restore_button.setAutoDefault(False)
        close = buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        self.restore_button.clicked.connect(self.restore)
        close.clicked.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Bản sao lưu tự động</b> (mới nhất ở trên)"))
        row.addStretch(1)
        row.addWidget(self.other_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel("<b>Nội dung bản sao lưu đã chọn</b>"))
        layout.addWidget(self.file_label)
        layout.addWidget(self.facts)
        layout.addWidget(self.warning_label)
        layout.addWidget(buttons)

        self._listed: list[ListedBackup] = []
        self.load()

    # -- the list -------------------------------------------------------------------------

    def load(self) -> None:
        self._listed = self.context.services.backups.list()
        self.list.setRowCount(len(self._listed))
        for row, listed in enumerate(self._listed):
            info = listed.info
            if info is None:
                cells = [listed.path.name, "tệp hỏng, không dùng được", "", ""]
            else:
                cells = [
                    info.created_at.astimezone().strftime("%d/%m/%Y %H:%M"),
                    info.reason_label,
                    info.unit_label,
                    str(info.models),
                ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if info is None:
                    item.setForeground(QColor("#888888"))
                item.setToolTip(str(listed.path))
                self.list.setItem(row, column, item)
        if not self._listed:
            self.file_label.setText(
                "Chưa có bản sao lưu tự động nào. Bấm “Chọn tệp sao lưu khác…” để chọn một tệp "
                "sao lưu trên USB hoặc thư mục khác."
            )

    def _selection_changed(self) -> None:
        rows = {index.row() for index in self.list.selectionModel().selectedRows()}
        if len(rows) == 1:
            self.show_preview(self._listed[rows.pop()].path)

    def choose_file(self) -> None:
        from danvan_desktop.ui.office import documents_dir

        path = self.context.prompter.open_path(
            self, "Chọn tệp sao lưu", documents_dir(), BACKUP_FILTER
        )
        if path is not None:
            self.list.clearSelection()
            self.show_preview(path)

    # -- the preview ----------------------------------------------------------------------

    def show_preview(self, path: Path) -> Operation[RestorePreview]:
        """Unpack and check the backup on the worker, then show what it holds."""
        self.preview = None
        self.restore_button.setEnabled(False)
        self.file_label.setText(f"Đang kiểm tra {path.name}…")
        self.facts.setRowCount(0)
        self.warning_label.clear()
        db_path = self.context.services.db_path

        def failed(error: UserError) -> None:
            self.file_label.setText(f"Tệp: {path}")
            self.warning_label.setText(str(error))

        return run_operation(
            self.context,
            self,
            lambda _progress: preview_restore(db_path, path),
            self._show,
            title=RESTORE_TITLE,
            text="Đang kiểm tra bản sao lưu…",
            on_failure=failed,
            on_finished=self.previewed.emit,
        )

    def _show(self, preview: RestorePreview) -> None:
        self.preview = preview
        self.file_label.setText(f"Tệp: {preview.info.path}\nĐã kiểm tra: tệp nguyên vẹn.")
        lines = preview.lines()
        self.facts.setRowCount(len(lines))
        for row, (what, backed_up, now) in enumerate(lines):
            for column, text in enumerate((what, backed_up, now)):
                item = QTableWidgetItem(text)
                if column == 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.facts.setItem(row, column, item)
        self._fit_facts()
        self.warning_label.setText("\n".join(preview.warnings))
        self.restore_button.setEnabled(True)

    def _fit_facts(self) -> None:
        """Every fact visible at once, no scroll bar: the table is as tall as its rows."""
        self.facts.resizeRowsToContents()
        height = self.facts.horizontalHeader().height() + 2 * self.facts.frameWidth()
        rows = self.facts.rowCount()
        height += sum(self.facts.rowHeight(r) for r in range(rows))
        # Empty (nothing chosen yet): keep the room six facts take, so the dialog does not jump.
        height += max(0, 6 - rows) * self.facts.verticalHeader().defaultSectionSize()
        self.facts.setFixedHeight(height)

    # -- restoring ------------------------------------------------------------------------

    def restore(self) -> Operation[RestoreResult] | None:
        preview = self.preview
        if preview is None:
            return None
        question = (
            f"{preview.summary()}\n\nDữ liệu hiện tại sẽ được thay bằng dữ liệu trong bản sao "
            "lưu này. Trước đó, dữ liệu hiện tại được sao lưu tự động (lý do “trước khôi "
            "phục”), nên có thể quay lại."
        )
        if preview.warnings:
            question += "\n\nChú ý:\n" + "\n".join(f"• {w}" for w in preview.warnings)
        if not self.context.prompter.confirm(self, RESTORE_TITLE, question, ok_text="Khôi phục"):
            return None
        if not _close_other_windows(self.window_, keep=self):
            self.context.prompter.error(
                self,
                RESTORE_TITLE,
                "Chưa khôi phục: còn cửa sổ đang sửa dở. Hãy lưu hoặc đóng các cửa sổ đó rồi "
                "thử lại.",
            )
            return None
        return restore_in_window(
            self.context, self.window_, preview, parent=self, on_done=self._restored
        )

    def _restored(self, window: MainWindow) -> None:
        # Hidden, not finished: the old window (its parent) is going, with everything in it.
        self.hide()
        self.restored.emit(window)


def _close_other_windows(window: MainWindow, keep: QWidget) -> bool:
    """Close the main window's forms (each asks about unsaved work); False if one stays."""
    for dialog in window.open_dialogs():
        if dialog is not keep:
            dialog.close()
    return not any(d.isVisible() for d in window.open_dialogs() if d is not keep)


def restore_in_window(
    context: UiContext,
    window: MainWindow,
    preview: RestorePreview,
    *,
    parent: QWidget,
    on_done: Callable[[MainWindow], None] = lambda _window: None,
) -> Operation[RestoreResult]:
    """Restore on the worker (the window is disabled meanwhile), then swap the services and
    open the main window again on the restored data."""
    old = context.services
    actor = old.installation.staff_name()
    window.setEnabled(False)  # nothing may read the file while it is replaced

    def work(progress: Progress) -> RestoreResult:
        return restore(
            old.db_path,
            preview.info.path,
            actor=actor,
            current=old,
            allow_other_unit=True,  # the question named the other unit
            progress=progress.set_text,
        )

    def done(result: RestoreResult) -> None:
        context.services = result.services
        new = replace_main_window(window, context)
        lines = [f"Đã khôi phục. {result.preview.summary()}"]
        if result.pre_restore_backup is not None:
            lines.append(
                f"Dữ liệu trước khi khôi phục đã được sao lưu tại:\n{result.pre_restore_backup}"
            )
        context.prompter.info(new, RESTORE_TITLE, "\n\n".join(lines))
        on_done(new)

    def failed(error: UserError) -> None:
        window.setEnabled(True)
        context.prompter.error(parent, RESTORE_TITLE, str(error))

    return run_operation(
        context,
        parent,
        work,
        done,
        title=RESTORE_TITLE,
        text="Đang khôi phục dữ liệu…",
        on_failure=failed,
    )


def replace_main_window(old: MainWindow, context: UiContext) -> MainWindow:
    """A new main window on `context.services` in place of `old` (every part of the old one
    read the old data), at the same place and size."""
    from danvan_desktop.ui.main_window import MainWindow

    old.save_layout()
    new = MainWindow(context)
    new.setGeometry(old.geometry())
    if old.isVisible():
        new.show()
    old.replaced.emit(new)  # whoever held the old window holds the new one
    old.hide()
    old.deleteLater()
    return new


# ---------------------------------------------------------------------------------------------
# At start: the database is damaged


def recover_at_start(
    prompter: Prompter,
    error: DamagedDatabaseError,
    parent: QWidget | None = None,
    before_asking: Callable[[], object] = lambda: None,
) -> Services:
    """The file failed SQLite's check: move it aside (never overwritten), offer the newest good
    backup; on “no”, or without one, start from an empty database (first-run set-up follows).
    `before_asking` runs once the search for a good backup is over (the app closes its splash
    there, so the wait shows it). Raises UserError when even that fails."""
    path = error.path
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        moved = core.move_aside(path)
        preview = latest_good_backup(path)
    finally:
        QGuiApplication.restoreOverrideCursor()
        before_asking()
    damaged = (
        f"Tệp dữ liệu {path.name} bị hỏng ({core.short_problem(error.problems)}), có thể do "
        "mất điện hoặc ổ đĩa lỗi. Tệp hỏng đã được đổi tên để giữ lại, không bị xoá hay ghi "
        f"đè:\n{moved}"
    )
    if preview is not None:
        question = (
            f"{damaged}\n\nBản sao lưu còn tốt mới nhất:\n{preview.summary()}\n\n"
            "Khôi phục bản sao lưu này? Những thay đổi sau thời điểm sao lưu sẽ không còn.\n"
            "Nếu chọn “Hủy”, phần mềm bắt đầu với dữ liệu trống và bạn thiết lập lại đơn vị; "
            "vẫn có thể khôi phục sau bằng Tệp → Khôi phục…"
        )
        if prompter.confirm(parent, RECOVERY_TITLE, question, ok_text="Khôi phục"):
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                return restore(path, preview.info.path, actor=None).services
            finally:
                QGuiApplication.restoreOverrideCursor()
    else:
        prompter.error(
            parent,
            RECOVERY_TITLE,
            f"{damaged}\n\nKhông tìm thấy bản sao lưu tự động nào còn dùng được. Phần mềm bắt "
            "đầu với dữ liệu trống; nếu có bản sao lưu trên USB, hãy thiết lập đơn vị rồi dùng "
            "Tệp → Khôi phục…",
        )
    return open_services(path)
