"""Preview of an Excel import: rows to add, duplicates, rows in error; the import runs only
when the user presses "Nhập".

The preview is computed by the core (services.excel.importer); this dialog only shows it and
passes the user's two choices (add duplicates anyway, import only the valid rows) back. Reading
and checking the workbook (seconds for 10,000 rows) and the import itself run on the operation
runner's worker; the dialog stays responsive and shows progress only when it is slow.
"""

from __future__ import annotations

from pathlib import Path

from shiboken6 import isValid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.domain import FIELD_LABELS
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.excel.importer import (
    ImportPreview,
    ImportResult,
    ImportRow,
    apply_import,
    preview_import,
    write_error_workbook,
)

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.operations import Operation, Progress, run_operation
from danvan_desktop.ui.widgets import plain_buttons

TITLE = "Nhập mô hình từ Excel"


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    table.setUpdatesEnabled(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.setUpdatesEnabled(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    table.resizeColumnsToContents()
    return table


def _period(row: ImportRow) -> str:
    return f"{row.data.period_start}–{row.data.period_end}"


class ExcelImportDialog(QDialog):
    """Opened with the chosen workbook; `imported` carries the ids of the models added."""

    imported = Signal(list)

    def __init__(self, context: UiContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._path = Path(path)
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
        self.operation: Operation[ImportPreview] | Operation[ImportResult] | None = None
        self.setWindowTitle(TITLE)
        self.resize(900, 560)

        layout = QVBoxLayout(self)
        self.file_label = QLabel(f"Tệp: {self._path.name}")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.file_label)
        layout.addWidget(self.summary_label)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.allow_duplicates = QCheckBox("Vẫn thêm các dòng trùng")
        self.valid_only = QCheckBox("Chỉ nhập các dòng hợp lệ (bỏ qua các dòng lỗi)")
        layout.addWidget(self.allow_duplicates)
        layout.addWidget(self.valid_only)

        buttons = QHBoxLayout()
        self.save_errors_button = QPushButton("Lưu danh sách lỗi…")
        self.import_button = QPushButton("Nhập")
        self.close_button = QPushButton("Đóng")
        plain_buttons([self.save_errors_button, self.import_button, self.close_button])
        buttons.addWidget(self.save_errors_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.allow_duplicates.toggled.connect(self._update_buttons)
        self.valid_only.toggled.connect(self._update_buttons)
        self.save_errors_button.clicked.connect(self._ask_save_errors)
        self.import_button.clicked.connect(self.run_import)
        self.close_button.clicked.connect(self.reject)

        self._load()

    # -- preview -------------------------------------------------------------------------------

    def _load(self) -> None:
        self.summary_label.setText(f"Đang đọc và kiểm tra tệp {self._path.name}…")
        self._update_buttons()
        services, path = self._context.services, self._path

        def work(progress: Progress) -> ImportPreview:
            return preview_import(services, path)

        self.operation = run_operation(
            self._context,
            self,
            work,
            self._loaded,
            title=TITLE,
            text=f"Đang đọc và kiểm tra tệp {self._path.name}…",
            on_failure=self._not_loaded,
        )

    def _loaded(self, preview: ImportPreview) -> None:
        if not isValid(self):  # closed and deleted while the file was read
            return
        self.preview = preview
        self._fill(preview)
        self._update_buttons()

    def _not_loaded(self, error: UserError) -> None:
        if isValid(self):
            self.preview = None
            self.summary_label.setText(str(error))
            self._update_buttons()

    def _fill(self, preview: ImportPreview) -> None:
        skipped = []
        if preview.blank_rows:
            skipped.append(f"{preview.blank_rows} dòng trống")
        if preview.skipped_total_rows:
            skipped.append("dòng tổng cộng")
        if preview.after_total_rows:
            skipped.append(f"{preview.after_total_rows} dòng dưới dòng tổng cộng")
        extra = f" (bỏ qua {', '.join(skipped)})" if skipped else ""
        text = f"Trang “{preview.sheet}”: {preview.summary()}{extra}."
        if preview.errors:
            text += (
                " Còn lỗi thì chưa nhập được: hãy sửa tệp rồi mở lại, "
                "hoặc chọn chỉ nhập các dòng hợp lệ."
            )
        self.summary_label.setText(text)

        def unit_field(row: ImportRow) -> list[str]:
            return [row.unit_code, FIELD_LABELS[row.data.field], _period(row)]

        self.add_table = _table(
            ["Dòng", "Tên mô hình", "Mã đơn vị", "Lĩnh vực", "Giai đoạn"],
            [[str(r.row), r.data.name, *unit_field(r)] for r in preview.to_add],
        )
        self.duplicate_table = _table(
            ["Dòng", "Tên mô hình", "Mã đơn vị", "Giai đoạn", "Trùng với"],
            [
                [str(r.row), r.data.name, r.unit_code, _period(r), r.duplicate_of]
                for r in preview.duplicates
            ],
        )
        self.error_table = _table(
            ["Dòng", "Cột", "Giá trị", "Cách sửa"],
            [[str(i.row), i.column, i.value[:200], i.message] for i in preview.errors],
        )
        self.tabs.addTab(self.add_table, f"Sẽ thêm ({len(preview.to_add)})")
        self.tabs.addTab(self.duplicate_table, f"Trùng ({len(preview.duplicates)})")
        self.tabs.addTab(self.error_table, f"Lỗi ({len(preview.error_rows)} dòng)")
        if preview.errors:
            self.tabs.setCurrentWidget(self.error_table)

    def _rows_to_import(self) -> int:
        preview = self.preview
        if preview is None:
            return 0
        return len(preview.models(allow_duplicates=self.allow_duplicates.isChecked()))

    def _update_buttons(self) -> None:
        preview = self.preview
        has_errors = bool(preview and preview.errors)
        self.valid_only.setEnabled(has_errors)
        self.allow_duplicates.setEnabled(bool(preview and preview.duplicates))
        self.save_errors_button.setEnabled(has_errors)
        blocked = has_errors and not self.valid_only.isChecked()
        count = self._rows_to_import()
        self.import_button.setEnabled(preview is not None and not blocked and count > 0)
        self.import_button.setText(f"Nhập {count} mô hình" if count else "Nhập")

    # -- actions -------------------------------------------------------------------------------

    def _ask_save_errors(self) -> None:
        path = self._context.prompter.save_path(
            self,
            "Lưu danh sách lỗi",
            self._path.with_name(self._path.stem + " - lỗi.xlsx"),
            "Sổ tính Excel (*.xlsx)",
        )
        if path is not None:
            self.save_errors(path)

    def save_errors(self, path: Path) -> Operation[Path] | None:
        """Save a copy of the workbook with the bad cells marked (on the worker: it reads and
        writes the whole workbook); `result` of the operation is where."""
        preview = self.preview
        if preview is None:
            return None

        def work(progress: Progress) -> Path:
            return write_error_workbook(preview, path)

        def saved(where: Path) -> None:
            self._context.prompter.info(
                self if isValid(self) else None, TITLE, f"Đã lưu danh sách lỗi vào {where}."
            )

        return run_operation(
            self._context, self, work, saved, title=TITLE, text="Đang lưu danh sách lỗi…"
        )

    def run_import(self) -> None:
        preview = self.preview
        if preview is None or not self.import_button.isEnabled():
            return
        services = self._context.services
        valid_only = self.valid_only.isChecked()
        allow_duplicates = self.allow_duplicates.isChecked()

        # Cancellable: apply_import writes every model in one transaction, and the runner
        # refuses that commit once Hủy is pressed, so a cancelled import adds nothing (the
        # backup taken first stays, harmlessly).
        def work(progress: Progress) -> ImportResult:
            return apply_import(
                services, preview, valid_only=valid_only, allow_duplicates=allow_duplicates
            )

        self._set_working(True)
        self.operation = run_operation(
            self._context,
            self,
            work,
            self._imported,
            title=TITLE,
            text=f"Đang nhập {self._rows_to_import()} mô hình (có sao lưu trước khi nhập)…",
            cancellable=True,
            on_failure=self._import_failed,
            on_cancelled=self._import_cancelled,
        )

    def _set_working(self, working: bool) -> None:
        for widget in (self.import_button, self.valid_only, self.allow_duplicates):
            widget.setEnabled(not working)
        if not working:
            self._update_buttons()

    def _import_failed(self, error: UserError) -> None:
        if isValid(self):
            self._set_working(False)
        self._context.prompter.error(self if isValid(self) else None, TITLE, str(error))

    def _import_cancelled(self) -> None:
        if isValid(self):
            self._set_working(False)
        self._context.prompter.info(
            self if isValid(self) else None, TITLE, "Đã dừng nhập; chưa thêm mô hình nào."
        )

    def _imported(self, result: ImportResult) -> None:
        added = list(result.added_ids)
        message = f"Đã nhập {len(added)} mô hình từ {self._path.name}."
        if not isValid(self):  # the models are in; still say so
            self._context.prompter.info(None, TITLE, message)
            return
        self.import_result = result
        self.imported.emit(added)
        self._context.prompter.info(self, TITLE, message)
        self.accept()
