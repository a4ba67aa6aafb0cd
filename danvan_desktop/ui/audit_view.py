"""The audit log on screen: the window “Nhật ký thay đổi” (filters, the table, the detail pane)
and the same table and pane on the model form's “Lịch sử” tab.

The table is a QAbstractTableModel over entry ids, as the model list is: the service filters in
SQL and returns ids newest first; the few rows on screen are read in blocks.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.services.audit import (
    ACTION_LABELS,
    AuditAction,
    AuditFilter,
    AuditInfo,
    AuditService,
)
from danvan_desktop.services.errors import UserError

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.labels import datetime_text
from danvan_desktop.ui.widgets import ChoiceBox, OptionalDateEdit, plain_buttons

BLOCK_SIZE = 200
CACHE_ROWS = 4000
SEARCH_DELAY_MS = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS: tuple[str, ...] = ("Thời gian", "Người thực hiện", "Thao tác", "Đối tượng")
# On a model's own history the subject is always that model: say what changed instead.
SUMMARY_HEADER = "Nội dung"
_MISSING_TEXT = "(không đọc được mục này)"

AnyIndex = QModelIndex | QPersistentModelIndex


def _cells(entry: AuditInfo, summary: bool) -> tuple[str, str, str, str]:
    last = entry.subject
    if summary:
        last = "; ".join(entry.detail_lines()) or entry.subject
    return (datetime_text(entry.at), entry.actor or "—", entry.action_label, last)


def entry_text(entry: AuditInfo) -> str:
    """What the detail pane shows: who, when, what, then each change “Trường: cũ → mới”."""
    lines = [
        f"{datetime_text(entry.at)} — {entry.actor or '—'} — {entry.action_label}",
        entry.subject,
    ]
    details = entry.detail_lines()
    if details:
        lines.append("")
        lines.extend(details)
    return "\n".join(lines)


class AuditTableModel(QAbstractTableModel):
    """Entries matching a filter, newest first (no filter: no rows, e.g. an unsaved model).
    Every re-query is a model reset."""

    def __init__(
        self,
        audit: AuditService,
        flt: AuditFilter | None = None,
        parent: QWidget | None = None,
        *,
        summary: bool = False,
    ) -> None:
        super().__init__(parent)
        self._audit = audit
        self._summary = summary  # last column: what changed, not the subject
        self._filter = flt
        self._ids: list[int] = audit.ids(flt) if flt is not None else []
        self._cache: OrderedDict[int, AuditInfo | None] = OrderedDict()

    @property
    def filter(self) -> AuditFilter | None:
        return self._filter

    def ids(self) -> Sequence[int]:
        return self._ids

    def set_filter(self, flt: AuditFilter | None) -> None:
        # Query first: a failure leaves the model as it was.
        ids = self._audit.ids(flt) if flt is not None else []
        self.beginResetModel()
        self._filter = flt
        self._ids = ids
        self._cache.clear()
        self.endResetModel()

    def refresh(self) -> None:
        self.set_filter(self._filter)

    def entry_at(self, row: int) -> AuditInfo | None:
        entry_id = self._ids[row]
        if entry_id not in self._cache:
            start = (row // BLOCK_SIZE) * BLOCK_SIZE
            block = self._ids[start : start + BLOCK_SIZE]
            found = self._audit.rows(block)
            for block_id in block:
                self._cache[block_id] = found.get(block_id)
            while len(self._cache) > CACHE_ROWS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(entry_id)
        return self._cache.get(entry_id)

    def row_of(self, entry_id: int) -> int | None:
        try:
            return self._ids.index(entry_id)
        except ValueError:
            return None

    # -- QAbstractTableModel --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        entry = self.entry_at(index.row())
        if entry is None:
            return _MISSING_TEXT if index.column() == 0 else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry_text(entry)
        return _cells(entry, self._summary)[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return SUMMARY_HEADER if self._summary and section == 3 else COLUMNS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class AuditLogView(QWidget):
    """The table and, beside it (or under it, `compact`), the detail pane of the current row."""

    openModel = Signal(str)  # the model's uuid; the main window opens its form

    def __init__(
        self,
        audit: AuditService,
        flt: AuditFilter | None = None,
        *,
        compact: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = AuditTableModel(audit, flt, self, summary=compact)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measures every row
        vertical.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        for column, sample in enumerate(
            ("28/12/2025 23:59", "Nguyễn Thị Hoa Hồng", "Đổi trạng thái")
        ):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.model.modelReset.connect(self._after_reset)

        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Chi tiết thay đổi")
        self.details.setPlaceholderText("Chọn một dòng để xem chi tiết: từng trường cũ → mới.")
        self.open_button = QPushButton("Mở mô hình", self)
        self.open_button.setToolTip("Mở phiếu của mô hình này (hoặc bấm đúp vào dòng)")
        self.open_button.clicked.connect(self.open_current)
        plain_buttons([self.open_button])
        self.open_button.setVisible(not compact)

        pane = QWidget(self)
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.addWidget(self.details, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        pane_layout.addLayout(buttons)

        self.splitter = QSplitter(Qt.Orientation.Vertical if compact else Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._after_reset()

    def set_filter(self, flt: AuditFilter | None) -> None:
        self.model.set_filter(flt)

    def show_model(self, uuid: str | None) -> None:
        """One model's own history (None: a model not saved yet, which has none)."""
        self.details.setPlaceholderText(
            "Chọn một dòng để xem chi tiết: từng trường cũ → mới."
            if uuid is not None
            else "Mô hình chưa được lưu nên chưa có lịch sử."
        )
        self.set_filter(AuditFilter(model_uuid=uuid) if uuid is not None else None)

    def refresh(self) -> None:
        self.model.refresh()

    def current_entry(self) -> AuditInfo | None:
        index = self.table.currentIndex()
        return self.model.entry_at(index.row()) if index.isValid() else None

    def _after_reset(self) -> None:
        # The newest entry is what one usually came to see.
        if self.model.rowCount():
            self.table.selectRow(0)
        self._show_current()

    def _show_current(self) -> None:
        entry = self.current_entry()
        self.details.setPlainText(entry_text(entry) if entry is not None else "")
        self.open_button.setEnabled(entry is not None and entry.model_uuid is not None)

    def open_current(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.model_uuid is not None:
            self.openModel.emit(entry.model_uuid)


# The main window's selected model: (uuid, name), or None when nothing is selected.
SelectedModel = Callable[[], tuple[str, str] | None]


class AuditWindow(QMainWindow):
    """“Nhật ký thay đổi”: every recorded change, filtered by model, person, date and kind."""

    openModel = Signal(str)  # a model's uuid
    filter_applied = Signal()  # after the table was re-queried (tests wait on it)

    def __init__(
        self,
        context: UiContext,
        selected_model: SelectedModel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._audit = context.services.audit
        self._selected_model = selected_model
        self._pinned: tuple[str, str] | None = None  # the model "chỉ mô hình đang chọn" holds
        self.setWindowTitle("Nhật ký thay đổi")
        self.resize(1200, 700)

        toolbar = QToolBar("Nhật ký", self)
        toolbar.setObjectName("audit_toolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.refresh_action = toolbar.addAction("Làm mới")
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.setToolTip("Đọc lại nhật ký (F5)")
        self.refresh_action.triggered.connect(self.refresh)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addLayout(self._build_filters(central))
        self.log = AuditLogView(self._audit, AuditFilter(), parent=central)
        self.log.openModel.connect(self.openModel)
        layout.addWidget(self.log, 1)
        self.setCentralWidget(central)
        self._fill_actors()
        self._update_count()

    def _build_filters(self, parent: QWidget) -> QVBoxLayout:
        self.search_box = QLineEdit(parent)
        self.search_box.setPlaceholderText(
            "Tìm theo tên mô hình, người thực hiện… (gõ không dấu được)"
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self.apply_filter)
        self.only_selected = QCheckBox("Chỉ mô hình đang chọn", parent)
        self.only_selected.setToolTip(
            "Chỉ các thay đổi của mô hình đang chọn trong danh sách chính"
        )
        self.only_selected.setEnabled(self._selected_model is not None)
        self.only_selected.toggled.connect(self._pin_selected)
        self.count_label = QLabel(parent)

        self.actor_box = ChoiceBox((), "Người thực hiện", parent)
        self.action_box = ChoiceBox((), "Loại thao tác", parent)
        self.action_box.set_choices(
            [("Mọi thao tác", None), *((label, a) for a, label in ACTION_LABELS.items())]
        )
        self.since_edit = OptionalDateEdit("Từ ngày", parent)
        self.until_edit = OptionalDateEdit("Đến ngày", parent)
        for box in (self.actor_box, self.action_box):
            box.currentIndexChanged.connect(lambda _index: self.apply_filter())
        for edit in (self.since_edit, self.until_edit):
            edit.changed.connect(self.apply_filter)
        self.clear_button = QPushButton("Xóa lọc", parent)
        self.clear_button.setToolTip("Bỏ mọi điều kiện lọc, hiện toàn bộ nhật ký")
        self.clear_button.clicked.connect(self.clear_filters)
        plain_buttons([self.clear_button])

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.only_selected)
        top.addWidget(self.count_label)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Người thực hiện:", parent))
        bottom.addWidget(self.actor_box)
        bottom.addWidget(QLabel("Thao tác:", parent))
        bottom.addWidget(self.action_box)
        bottom.addWidget(QLabel("Từ ngày:", parent))
        bottom.addWidget(self.since_edit)
        bottom.addWidget(QLabel("Đến ngày:", parent))
        bottom.addWidget(self.until_edit)
        bottom.addWidget(self.clear_button)
        bottom.addStretch(1)
        filters = QVBoxLayout()
        filters.addLayout(top)
        filters.addLayout(bottom)
        return filters

    def _fill_actors(self) -> None:
        self.actor_box.set_choices(
            [("Mọi người", None), *((name or "(không tên)", name) for name in self._audit.actors())]
        )

    def _pin_selected(self, on: bool) -> None:
        self._pinned = None
        if on:
            selected = self._selected_model() if self._selected_model is not None else None
            if selected is None:
                self.only_selected.blockSignals(True)
                self.only_selected.setChecked(False)
                self.only_selected.blockSignals(False)
                self._context.prompter.info(
                    self, "Nhật ký thay đổi", "Hãy chọn một mô hình trong danh sách chính trước."
                )
                return
            self._pinned = selected
        name = f": {self._pinned[1]}" if self._pinned else ""
        self.only_selected.setToolTip(f"Chỉ các thay đổi của mô hình đang chọn{name}")
        self.apply_filter()

    def current_filter(self) -> AuditFilter:
        actor = self.actor_box.value()
        action = self.action_box.value()
        return AuditFilter(
            model_uuid=self._pinned[0] if self._pinned else None,
            actor=actor if isinstance(actor, str) else None,
            since=self.since_edit.date(),
            until=self.until_edit.date(),
            action=action if isinstance(action, AuditAction) else None,
            text=self.search_box.text(),
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        if flt.since is not None and flt.until is not None and flt.until < flt.since:
            self.count_label.setText("“Đến ngày” phải sau “Từ ngày”")
            return
        try:
            self.log.set_filter(flt)
        except UserError as error:
            self._context.prompter.error(self, "Nhật ký thay đổi", str(error))
            return
        self._update_count()
        self.filter_applied.emit()

    def clear_filters(self) -> None:
        for widget in (self.search_box, self.actor_box, self.action_box, self.only_selected):
            widget.blockSignals(True)
        self.search_box.clear()
        self.actor_box.setCurrentIndex(0)
        self.action_box.setCurrentIndex(0)
        self.only_selected.setChecked(False)
        self._pinned = None
        for widget in (self.search_box, self.actor_box, self.action_box, self.only_selected):
            widget.blockSignals(False)
        for edit in (self.since_edit, self.until_edit):
            edit.blockSignals(True)
            edit.set_date(None)
            edit.blockSignals(False)
        self.apply_filter()

    def refresh(self) -> None:
        """Read the log again (new entries, new people)."""
        self._fill_actors()
        self.apply_filter()

    def _update_count(self) -> None:
        count = self.log.model.rowCount()
        self.count_label.setText(f"{count:,} mục".replace(",", "."))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._search_timer.stop()
        super().closeEvent(event)
