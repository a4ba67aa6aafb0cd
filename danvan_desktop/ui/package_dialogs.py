"""Sync package screens: export for the level above, import from units below (verify →
preview → apply, many files at once), feedback down to the units below, and the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.services.errors import UserError
from danvan_desktop.services.packages import ApplyResult, ExportResult, PackagePreview
from danvan_desktop.sync.apply import COUNT_KEYS, COUNT_LABELS

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.operations import Operation, run_operation
from danvan_desktop.ui.widgets import plain_buttons

PACKAGE_FILTER = "Gói dữ liệu Dân vận khéo (*.dvk)"
REFUSED_COLOR = QColor("#c62828")
DONE_COLOR = QColor("#2e7d32")


def default_folder() -> Path:
    """Where files are written unless the user picks another folder."""
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def _when(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%d/%m/%Y %H:%M") if value else ""


def _item(text: str, *, color: QColor | None = None, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if color is not None:
        item.setForeground(color)
    if tip:
        item.setToolTip(tip)
    return item


def _table(headers: Sequence[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class ExportPackageDialog(QDialog):
    """ "Xuất gói gửi cấp trên": what goes in, to whom, where the file is written."""

    exported = Signal(object)  # ExportResult

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        services = context.services
        installation = services.installation.get()
        self.setWindowTitle("Xuất gói gửi cấp trên")
        target = installation.reports_to
        counts = services.models.count()
        exports = services.packages.exports()
        last = exports[0] if exports else None
        lines = [
            f"<b>Đơn vị gửi:</b> {installation.unit.name} ({installation.unit.code})",
            f"<b>Gửi đến:</b> {target.name} ({target.code})" if target else "<b>Gửi đến:</b> —",
            f"<b>Số mô hình:</b> {counts}; mô hình đã xóa cũng được gửi để cấp trên xóa theo",
        ]
        if last is not None:
            received = (
                f"cấp trên đã nhận lúc {_when(last.acknowledged_at)}"
                if last.acknowledged_at
                else "cấp trên chưa xác nhận đã nhận"
            )
            lines.append(f"<b>Lần xuất trước:</b> số {last.sequence}, {_when(last.created_at)}, "
                         f"{received}")  # fmt: skip
        else:
            lines.append("<b>Lần xuất trước:</b> chưa xuất lần nào")
        try:
            fingerprint = services.packages.own_key().fingerprint
            lines.append(
                f"<b>Dấu vân tay khoá ký:</b> {fingerprint} (đọc cho cấp trên khi họ gọi điện "
                "xác nhận)"
            )
        except UserError as error:  # a damaged key file: say so here, export will refuse
            lines.append(f"<b>Khoá ký:</b> {error}")
        self.summary = QLabel("<br>".join(lines), self)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.folder_edit = QLineEdit(str(default_folder()), self)
        self.folder_edit.setToolTip("Thư mục ghi tệp (ví dụ ổ USB); tên tệp được đặt tự động")
        browse = QPushButton("Chọn thư mục…", self)
        browse.clicked.connect(self._browse)
        self.result_label = QLabel("", self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("Xuất gói", self)
        self.close_button = QPushButton("Đóng", self)
        plain_buttons([browse, self.export_button, self.close_button])
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.reject)

        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Lưu vào thư mục:", self))
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(folder_row)
        layout.addWidget(
            QLabel(
                "Tệp .dvk có thể chép vào USB, gửi qua Zalo hoặc thư điện tử. Gửi lại nhiều lần "
                "không sao: cấp trên không bị trùng dữ liệu.",
                self,
            )
        )
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self.resize(640, 300)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def export(self) -> None:
        folder = Path(self.folder_edit.text().strip())
        if not folder.is_dir():
            self._context.prompter.error(
                self,
                "Xuất gói gửi cấp trên",
                f"Thư mục {folder} không tồn tại. Hãy chọn thư mục khác (ví dụ ổ USB).",
            )
            return
        packages = self._context.services.packages
        self.export_button.setEnabled(False)
        run_operation(
            self._context,
            self,
            lambda _progress: packages.export_package(folder),
            self._done,
            title="Xuất gói gửi cấp trên",
            text="Đang xuất gói dữ liệu…",
            on_finished=lambda: self.export_button.setEnabled(True),
        )

    def _done(self, result: ExportResult) -> None:
        c = result.counts
        self.result_label.setText(
            f"Đã xuất tệp <b>{result.path.name}</b> (số {result.sequence}): {c['models']} mô "
            f"hình, {c['tombstones']} mô hình đã xóa.<br>Trong thư mục {result.path.parent}"
            f"<br>Ký bằng khoá có dấu vân tay {result.fingerprint}"
        )
        self.exported.emit(result)


class ImportPackagesDialog(QDialog):
    """Pick files or a folder; every file is verified and previewed in one table; the good ones
    are applied together (after a backup) and the refused ones listed with their reasons."""

    applied = Signal()

    HEADERS = ("Tệp", "Đơn vị gửi", "Số", "Ngày xuất", "Dấu vân tay khoá",
               *(COUNT_LABELS[k] for k in COUNT_KEYS), "Tình trạng")  # fmt: skip

    def __init__(
        self, context: UiContext, paths: Sequence[Path] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._paths: list[Path] = []
        self.previews: list[PackagePreview] = []
        self.results: list[ApplyResult] = []
        self.apply_operation: Operation[list[ApplyResult]] | None = None
        self.setWindowTitle("Nhập gói từ cấp dưới")
        add_files = QPushButton("Thêm tệp…", self)
        add_folder = QPushButton("Thêm cả thư mục…", self)
        add_files.clicked.connect(self._pick_files)
        add_folder.clicked.connect(self._pick_folder)
        self.table = _table(self.HEADERS, self)
        self.table.itemSelectionChanged.connect(self._show_details)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(130)
        self.summary_label = QLabel("Chọn các tệp .dvk các đơn vị cấp dưới gửi lên.", self)
        self.summary_label.setWordWrap(True)
        self.apply_button = QPushButton("Nhập các tệp hợp lệ", self)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.close_button = QPushButton("Đóng", self)
        self.close_button.clicked.connect(self.reject)
        plain_buttons([add_files, add_folder, self.apply_button, self.close_button])
        top = QHBoxLayout()
        top.addWidget(add_files)
        top.addWidget(add_folder)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary_label, 1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("Chi tiết tệp đang chọn:", self))
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        self.resize(1100, 520)
        if paths:
            self.add_paths(paths)

    def _pick_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Chọn gói dữ liệu", "", PACKAGE_FILTER)
        if names:
            self.add_paths([Path(n) for n in names])

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục chứa các gói")
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Add files (or folders) and preview everything again; nothing is written."""
        self._paths.extend(p for p in paths if p not in self._paths)
        packages = self._context.services.packages
        chosen = list(self._paths)
        run_operation(
            self._context,
            self,
            lambda _progress: packages.preview(chosen),
            self._show_previews,
            title="Kiểm tra gói dữ liệu",
            text="Đang kiểm tra các tệp…",
        )

    def _show_previews(self, previews: list[PackagePreview]) -> None:
        self.previews = previews
        self.results = []
        self._fill()

    def _status(self, index: int, preview: PackagePreview) -> tuple[str, QColor | None]:
        if self.results:
            result = self.results[index]
            if result.status == "applied":
                return "Đã nhập", DONE_COLOR
            if result.status == "already":
                return "Đã nhập từ trước", None
            return "Bị từ chối", REFUSED_COLOR
        if not preview.ok:
            return "Bị từ chối", REFUSED_COLOR
        if preview.already_imported is not None:
            return "Đã nhập từ trước", None
        if preview.key_changed:
            return "Khoá ký đã đổi, cần xác nhận", REFUSED_COLOR
        if preview.refusals:
            return "Hợp lệ, có mô hình bị từ chối", REFUSED_COLOR
        return "Hợp lệ", None

    def _fill(self) -> None:
        self.table.setRowCount(len(self.previews))
        for row, p in enumerate(self.previews):
            status, color = self._status(row, p)
            when = p.created_at.astimezone().strftime("%d/%m/%Y") if p.created_at else ""
            source = f"{p.source_name} ({p.source_code})" if p.source_code else ""
            cells = [
                p.path.name,
                source,
                str(p.sequence) if p.ok else "",
                when,
                p.fingerprint,
                *((str(p.counts[k]) if p.ok else "") for k in COUNT_KEYS),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, _item(text))
            tip = p.error or " ".join([*p.notes, p.key_note]).strip()
            self.table.setItem(row, len(cells), _item(status, color=color, tip=tip))
        good = [p for p in self.previews if p.ok and p.already_imported is None]
        refused = [p for p in self.previews if not p.ok]
        if self.results:
            applied = sum(1 for r in self.results if r.status == "applied")
            text = f"Đã nhập {applied} tệp (đã sao lưu cơ sở dữ liệu trước khi nhập)."
        else:
            text = f"{len(self.previews)} tệp: {len(good)} sẵn sàng nhập"
            already = len(self.previews) - len(good) - len(refused)
            if already:
                text += f", {already} đã nhập từ trước"
            if refused:
                text += f", {len(refused)} bị từ chối (xem lý do bên dưới)"
            changed = sum(1 for p in good if p.key_changed)
            if changed:
                text += f"; {changed} tệp có khoá ký đã đổi, sẽ hỏi xác nhận khi nhập"
            text += "."
        self.summary_label.setText(text)
        self.apply_button.setEnabled(bool(good) and not self.results)
        if self.previews:
            self.table.selectRow(next((i for i, p in enumerate(self.previews) if not p.ok), 0))
        self._show_details()

    def _show_details(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.previews):
            self.details.setPlainText("")
            return
        p = self.previews[rows[0].row()]
        lines = [p.error] if p.error else []
        lines += [p.key_note] if p.key_note else []
        lines += p.notes
        lines += [f"Mô hình “{name}” bị từ chối: {reason}." for name, reason in p.refusals]
        if self.results and self.results[rows[0].row()].message and not p.error:
            lines.append(self.results[rows[0].row()].message)
        if not lines and p.ok:
            lines.append(
                f"Tệp hợp lệ, chữ ký số đúng (khoá {p.fingerprint}), mã kiểm tra SHA-256 khớp: "
                + p.sha256
            )
        self.details.setPlainText("\n".join(lines))

    def _accepted_keys(self) -> set[str]:
        """Ask, unit by unit, about files signed by another key than the one remembered; the
        codes of the units whose new key the person accepts."""
        accepted: set[str] = set()
        asked: set[str] = set()
        for p in self.previews:
            if not (p.ok and p.already_imported is None and p.key_changed):
                continue
            if p.source_code in asked:
                continue
            asked.add(p.source_code)
            unit = f"{p.source_name} ({p.source_code})"
            text = (
                f"Tệp “{p.path.name}” của {unit} được ký bằng một khoá khác với khoá đã ghi nhận "
                f"của đơn vị này.\n\n"
                # each on its own line at the same indent, so the groups line up to compare
                f"Dấu vân tay đã ghi nhận:\n        {p.known_fingerprint}\n"
                f"Dấu vân tay trong tệp (khoá mới):\n        {p.fingerprint}\n\n"
                f"Hãy gọi điện cho {p.source_name}, nhờ cán bộ đọc dấu vân tay khoá ký của đơn "
                "vị (ở cửa sổ “Xuất gói gửi cấp trên”). Chỉ chấp nhận khi dấu vân tay họ đọc "
                "khớp với dấu vân tay trong tệp (đơn vị cài lại máy sẽ có khoá mới). Nếu không "
                "chấp nhận, các tệp của đơn vị này không được nhập; các tệp khác vẫn được nhập."
            )
            if self._context.prompter.confirm(
                self, "Khoá ký của đơn vị đã đổi", text, ok_text="Chấp nhận khoá mới"
            ):
                accepted.add(p.source_code)
        return accepted

    def apply(self) -> None:
        packages = self._context.services.packages
        previews = list(self.previews)
        accepted = self._accepted_keys()
        self.apply_button.setEnabled(False)
        # Cancelling is safe: the runner refuses the commit of the file being applied, so it
        # leaves nothing; files of the batch finished before Hủy stay imported, whole.
        self.apply_operation = run_operation(
            self._context,
            self,
            lambda _progress: packages.apply(previews, accept_keys=accepted),
            self._show_results,
            title="Nhập gói dữ liệu",
            text="Đang sao lưu và nhập dữ liệu…",
            cancellable=True,
            on_cancelled=self._apply_stopped,
        )

    def _apply_stopped(self) -> None:
        self._context.prompter.info(
            self,
            "Nhập gói dữ liệu",
            "Đã dừng nhập. Tệp đang nhập dở không được ghi gì vào cơ sở dữ liệu; "
            "bảng dưới đây được kiểm tra lại để cho biết tệp nào đã nhập, tệp nào chưa.",
        )
        self.add_paths([])  # preview again: what is in the database now

    def _show_results(self, results: list[ApplyResult]) -> None:
        self.results = results
        self._fill()
        self.applied.emit()


class FeedbackDialog(QDialog):
    """ "Gửi phản hồi xuống cơ sở": one file per chosen unit below, with this level's decisions
    on its models and the list of its files received here."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setWindowTitle("Gửi phản hồi xuống cơ sở")
        packages = context.services.packages
        self.units = QListWidget(self)
        for unit in packages.feedback_targets():
            item = QListWidgetItem(f"{unit.name} ({unit.code})", self.units)
            item.setData(Qt.ItemDataRole.UserRole, unit.id)
            item.setCheckState(Qt.CheckState.Checked)
        self.folder_edit = QLineEdit(str(default_folder()), self)
        browse = QPushButton("Chọn thư mục…", self)
        browse.clicked.connect(self._browse)
        self.result_label = QLabel("", self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.export_button = QPushButton("Xuất tệp phản hồi", self)
        self.export_button.clicked.connect(self.export)
        close = QPushButton("Đóng", self)
        close.clicked.connect(self.reject)
        plain_buttons([browse, self.export_button, close])
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Lưu vào thư mục:", self))
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Mỗi đơn vị được chọn nhận một tệp gồm các quyết định của đơn vị này (công "
                "nhận, tiêu biểu, khen thưởng) trên mô hình của họ và xác nhận các tệp đã nhận.",
                self,
            )
        )
        layout.addWidget(self.units, 1)
        layout.addLayout(folder_row)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self.resize(620, 420)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def chosen_ids(self) -> list[int]:
        return [
            int(self.units.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.units.count())
            if self.units.item(i).checkState() == Qt.CheckState.Checked
        ]

    def export(self) -> None:
        ids = self.chosen_ids()
        if not ids:
            self._context.prompter.error(
                self, "Gửi phản hồi", "Hãy chọn ít nhất một đơn vị cấp dưới."
            )
            return
        folder = Path(self.folder_edit.text().strip())
        packages = self._context.services.packages
        run_operation(
            self._context,
            self,
            lambda _progress: packages.export_feedback(folder, ids),
            self._done,
            title="Gửi phản hồi xuống cơ sở",
        )

    def _done(self, results: list[ExportResult]) -> None:
        names = "<br>".join(r.path.name for r in results)
        self.result_label.setText(f"Đã xuất {len(results)} tệp phản hồi:<br>{names}")
        layout = self.layout()
        if layout is not None:
            layout.activate()  # room for the new lines now, not on the next event


class PackageHistoryDialog(QDialog):
    """ "Lịch sử nhận gói" (and the files this unit sent, with whether they were received)."""

    IMPORT_HEADERS = ("Lúc nhập", "Người nhập", "Đơn vị gửi", "Số", "Ngày xuất", "Tệp",
                      *(COUNT_LABELS[k] for k in COUNT_KEYS))  # fmt: skip
    EXPORT_HEADERS = ("Lúc xuất", "Số", "Tệp", "Gửi đến", "Mô hình", "Cấp trên đã nhận")

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lịch sử nhận và gửi gói dữ liệu")
        packages = context.services.packages
        self.imports = _table(self.IMPORT_HEADERS, self)
        entries = packages.history()
        self.imports.setRowCount(len(entries))
        for row, e in enumerate(entries):
            cells = [_when(e.imported_at), e.imported_by, e.source, str(e.sequence),
                     _when(e.package_created_at), e.file_name,
                     *(str(e.counts.get(k, 0)) for k in COUNT_KEYS)]  # fmt: skip
            for column, text in enumerate(cells):
                self.imports.setItem(row, column, _item(text, tip=f"SHA-256: {e.sha256}"))
        self.exports = _table(self.EXPORT_HEADERS, self)
        sent = packages.exports()
        self.exports.setRowCount(len(sent))
        for row, x in enumerate(sent):
            ack = _when(x.acknowledged_at) if x.acknowledged_at else "chưa xác nhận"
            cells = [_when(x.created_at), str(x.sequence), x.file_name, x.target,
                     str(x.counts.get("models", 0)), ack]  # fmt: skip
            for column, text in enumerate(cells):
                color = DONE_COLOR if x.acknowledged_at and column == len(cells) - 1 else None
                self.exports.setItem(row, column, _item(text, color=color))
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.imports, f"Gói đã nhận ({len(entries)})")
        self.tabs.addTab(self.exports, f"Gói đã gửi ({len(sent)})")
        close = QPushButton("Đóng", self)
        plain_buttons([close])
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.resize(1000, 420)
