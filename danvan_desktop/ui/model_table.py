"""The list of models: a table model that holds row ids and fetches row snapshots lazily.

Modelled on Anki's browser table: the database sorts and filters (`ModelService.ids`), the model
keeps only the ordered ids, and the few rows on screen are read in blocks through
`ModelService.rows` into a bounded cache. Nothing here loads every row, so 100,000 models cost
one list of ints. The ids themselves are read a page at a time (Qt's canFetchMore/fetchMore, as
the view scrolls near the end): a common search word matches tens of thousands of models, and
the list shows its first rows without sorting all of them into Python.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    NEW_LABELS,
    STATUS_LABELS,
    SUBJECT_LABELS,
    Period,
    Status,
    SubjectType,
)
from danvan_desktop.services.models import ModelFilter, ModelRow, ModelService, SortKey

from danvan_desktop.ui.labels import date_text, datetime_text

# Rows are read this many at a time; a screen shows ~30, so one query serves several scrolls.
BLOCK_SIZE = 200
# Snapshots kept at most; older blocks are dropped and read again if scrolled back to.
CACHE_ROWS = 4000
# Ids read per page: the first page is what a search waits for; scrolling reads the next ones.
PAGE_SIZE = 1000

ID_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


def _subject_text(row: ModelRow) -> str:
    if row.subject_type is SubjectType.INDIVIDUAL and row.person_name:
        return f"{SUBJECT_LABELS[row.subject_type]}: {row.person_name}"
    return SUBJECT_LABELS[row.subject_type]


@dataclass(frozen=True)
class Column:
    header: str
    tooltip: str
    sort_key: SortKey
    text: Callable[[ModelRow], str]
    # The widest text usually seen, for the first width (the user's own widths are saved);
    # "" for the name column, which takes the room left over.
    sample: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "Tên mô hình",
        "Tên mô hình, điển hình “Dân vận khéo”",
        SortKey.NAME,
        lambda r: r.name,
        "",
    ),
    Column(
        "Loại hình",
        "Mô hình hay điển hình",
        SortKey.KIND,
        lambda r: KIND_LABELS[r.kind],
        "Điển hình",
    ),
    Column(
        "Tập thể/Cá nhân",
        "Tập thể, hoặc cá nhân kèm họ tên người được đăng ký",
        SortKey.SUBJECT,
        _subject_text,
        "Cá nhân: Lò Văn Pọm",
    ),
    Column(
        "Lĩnh vực",
        "Lĩnh vực của mô hình",
        SortKey.FIELD,
        lambda r: FIELD_LABELS[r.field],
        "Quốc phòng – an ninh",
    ),
    Column(
        "Đơn vị",
        "Đơn vị đăng ký mô hình",
        SortKey.UNIT,
        lambda r: r.unit_name,
        "Xã Ngọc Chiến",
    ),
    Column(
        "Thôn/bản", "Thôn, bản, tổ dân phố", SortKey.VILLAGE, lambda r: r.village, "Xóm Đồng Tâm"
    ),
    Column(
        "Giai đoạn",
        "Giai đoạn (hoặc năm) đăng ký",
        SortKey.PERIOD,
        lambda r: Period(r.period_start, r.period_end).label,
        "2025–2030",
    ),
    Column(
        "Mới/Duy trì",
        "Mô hình mới trong giai đoạn, hay duy trì từ giai đoạn trước",
        SortKey.IS_NEW,
        lambda r: NEW_LABELS[r.is_new],
        "Duy trì",
    ),
    Column(
        "Trạng thái",
        "Bước hiện tại: đăng ký, triển khai, công nhận, tiêu biểu, khen thưởng",
        SortKey.STATUS,
        lambda r: STATUS_LABELS[r.status],
        "Đang triển khai",
    ),
    Column(
        "Ngày đăng ký",
        "Ngày đăng ký mô hình",
        SortKey.REGISTERED_ON,
        lambda r: date_text(r.registered_on),
        "28/12/2025",
    ),
    Column(
        "Cập nhật",
        "Lần sửa gần nhất (giờ máy tính này)",
        SortKey.UPDATED_AT,
        lambda r: datetime_text(r.updated_at),
        "28/12/2025 23:59",
    ),
)
COLUMN_OF_KEY: dict[SortKey, int] = {c.sort_key: i for i, c in enumerate(COLUMNS)}
_STOPPED_BRUSH = QBrush(QColor("#808080"))
_MISSING_TEXT = "(mô hình đã bị xóa — hãy làm mới danh sách)"


class ModelTableModel(QAbstractTableModel):
    """Models matching a filter, in a sort order chosen in SQL.

    Every re-query (filter, sort, refresh) is a model reset: the ids change wholesale, so
    resetting is both exact and cheaper than computing moves. `ModelTableView` keeps the
    selection across resets by id.
    """

    def __init__(
        self,
        models: ModelService,
        parent: QWidget | None = None,
        *,
        flt: ModelFilter | None = None,
        sort_key: SortKey = SortKey.NAME,
        descending: bool = False,
    ) -> None:
        super().__init__(parent)
        self._models = models
        self._filter = flt or ModelFilter()
        self._sort_key = sort_key
        self._descending = descending
        self._ids: list[int] = models.ids(self._filter, sort_key, descending, limit=PAGE_SIZE)
        self._complete = len(self._ids) < PAGE_SIZE  # every matching id is in `_ids`
        self._row_of: dict[int, int] | None = None  # built on demand, dropped on reset
        # id -> snapshot, or None for an id whose model vanished since the ids were read.
        self._cache: OrderedDict[int, ModelRow | None] = OrderedDict()

    # -- what the window asks -------------------------------------------------------------

    @property
    def filter(self) -> ModelFilter:
        return self._filter

    @property
    def sort_key(self) -> SortKey:
        return self._sort_key

    @property
    def descending(self) -> bool:
        return self._descending

    def ids(self) -> Sequence[int]:
        """The ids read so far (every match once the view scrolled to the end)."""
        return self._ids

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, model_id: int, *, fetch: bool = False) -> int | None:
        """The row of a model among the ids read; `fetch`: read the rest of the ids when it is
        not among them (going to the model just saved, which may sort anywhere)."""
        if self._row_of is None:
            self._row_of = {model_id: row for row, model_id in enumerate(self._ids)}
        row = self._row_of.get(model_id)
        if row is None and fetch and not self._complete:
            self._fetch_ids(None)
            row = self._row_of.get(model_id) if self._row_of is not None else None
        return row

    def row_data(self, row: int) -> ModelRow | None:
        """The snapshot shown on `row` (None if the model was deleted meanwhile)."""
        model_id = self._ids[row]
        if model_id not in self._cache:
            self._fetch_block(row)
        else:
            self._cache.move_to_end(model_id)
        return self._cache.get(model_id)

    def snapshots(self, ids: Iterable[int]) -> dict[int, ModelRow]:
        """Snapshots of specific models (for naming them in a question), bypassing the cache."""
        return self._models.rows(list(ids))

    # -- changing what is shown -----------------------------------------------------------

    def set_filter(self, flt: ModelFilter) -> None:
        self._requery(flt, self._sort_key, self._descending)

    def set_sort(self, key: SortKey, descending: bool = False) -> None:
        if (key, descending) != (self._sort_key, self._descending):
            self._requery(self._filter, key, descending)

    def refresh(self) -> None:
        """Read the ids and rows again (after an edit, a delete, an import)."""
        self._requery(self._filter, self._sort_key, self._descending)

    def _requery(self, flt: ModelFilter, key: SortKey, descending: bool) -> None:
        # The same list read again keeps as many rows as were read, so the view stays where
        # the user had scrolled; a new filter or order starts from its first page.
        same = (flt, key, descending) == (self._filter, self._sort_key, self._descending)
        limit = max(PAGE_SIZE, len(self._ids)) if same else PAGE_SIZE
        # Query first: if it raises, the model is left as it was, not half reset.
        ids = self._models.ids(flt, key, descending, limit=limit)
        self.beginResetModel()
        self._filter, self._sort_key, self._descending = flt, key, descending
        self._ids = ids
        self._complete = len(ids) < limit
        self._row_of = None
        self._cache.clear()
        self.endResetModel()

    def _fetch_ids(self, limit: int | None) -> None:
        """Append the next `limit` ids (None: all the rest) as inserted rows."""
        more = self._models.ids(
            self._filter, self._sort_key, self._descending, offset=len(self._ids), limit=limit
        )
        self._complete = limit is None or len(more) < limit
        # Another program writing meanwhile can shift the pages; an id is never listed twice.
        known = set(self._ids)
        more = [model_id for model_id in more if model_id not in known]
        if not more:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._ids.extend(more)
        if self._row_of is not None:
            self._row_of.update((model_id, first + i) for i, model_id in enumerate(more))
        self.endInsertRows()

    def _fetch_block(self, row: int) -> None:
        start = (row // BLOCK_SIZE) * BLOCK_SIZE
        block = self._ids[start : start + BLOCK_SIZE]
        found = self._models.rows(block)
        for model_id in block:
            self._cache[model_id] = found.get(model_id)
            self._cache.move_to_end(model_id)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    # -- QAbstractTableModel --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: AnyIndex) -> None:
        if self.canFetchMore(parent):
            self._fetch_ids(PAGE_SIZE)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            return None
        row = self.row_data(index.row())
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            # A stopped model is still listed but should not read like a live one.
            if row is None or row.status is Status.STOPPED:
                return _STOPPED_BRUSH
            return None
        if row is None:
            return _MISSING_TEXT if index.column() == 0 else ""
        text = column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 0:
                return _row_tooltip(row)
            return text or None
        return text

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{COLUMNS[section].tooltip}\nBấm vào để sắp xếp theo cột này."
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.set_sort(COLUMNS[column].sort_key, order == Qt.SortOrder.DescendingOrder)


def _row_tooltip(row: ModelRow) -> str:
    lines = [row.name, f"{KIND_LABELS[row.kind]} — {_subject_text(row)}"]
    lines.append(f"{FIELD_LABELS[row.field]} — {STATUS_LABELS[row.status]}")
    place = row.unit_name + (f", {row.village}" if row.village else "")
    lines.append(place)
    if row.ethnic_minority_area:
        lines.append("Vùng đồng bào dân tộc thiểu số")
    return "\n".join(lines)


class ModelTableView(QTableView):
    """The table of models: whole-row, extended selection, kept by id across every reset."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setCornerButtonEnabled(False)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: the view never measures 100,000 rows.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        self._kept_ids: list[int] = []
        self._kept_current: int | None = None

    def table_model(self) -> ModelTableModel:
        model = self.model()
        assert isinstance(model, ModelTableModel)
        return model

    def setModel(self, model: Any) -> None:
        assert isinstance(model, ModelTableModel)
        super().setModel(model)
        model.modelAboutToBeReset.connect(self._keep_selection)
        model.modelReset.connect(self._restore_selection)
        self.fit_columns()

    def fit_columns(self, total: int | None = None) -> None:
        """First widths from the font: each column as wide as its header or its usual text,
        the name column taking what is left of `total` (the viewport width by default)."""
        cells = self.fontMetrics()
        heads = self.horizontalHeader().fontMetrics()
        # Room for the cell margins and, in the header, the sort arrow.
        widths = [
            max(cells.horizontalAdvance(c.sample) + 12, heads.horizontalAdvance(c.header) + 22)
            for c in COLUMNS
        ]
        total = self.viewport().width() if total is None else total
        widths[0] = max(total - sum(widths[1:]) - 2, heads.horizontalAdvance("M") * 22)
        for i, width in enumerate(widths):
            self.setColumnWidth(i, width)

    def selected_ids(self) -> list[int]:
        """Selected models in display order; read from the selection ranges, not per index."""
        model = self.table_model()
        rows: set[int] = set()
        selection = self.selectionModel().selection()
        for i in range(selection.size()):
            rng = selection.at(i)
            rows.update(range(rng.top(), rng.bottom() + 1))
        return [model.id_at(r) for r in sorted(rows)]

    def current_id(self) -> int | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        return self.table_model().id_at(index.row())

    def select_ids(self, ids: Iterable[int], current: int | None = None) -> None:
        model = self.table_model()
        rows = sorted(r for r in (model.row_of(i) for i in ids) if r is not None)
        selection = QItemSelection()
        last_column = model.columnCount() - 1
        # Contiguous rows become one range, so "select all" restores in one step.
        start = prev = None
        for row in [*rows, None]:
            if row is not None and prev is not None and row == prev + 1:
                prev = row
                continue
            if start is not None and prev is not None:
                selection.select(model.index(start, 0), model.index(prev, last_column))
            start = prev = row
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(selection, flags)
        current_row = model.row_of(current) if current is not None else None
        if current_row is None and rows:
            current_row = rows[0]
        if current_row is not None:
            self.selectionModel().setCurrentIndex(
                model.index(current_row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
            self.scrollTo(model.index(current_row, 0))

    def _keep_selection(self) -> None:
        self._kept_ids = self.selected_ids()
        self._kept_current = self.current_id()

    def _restore_selection(self) -> None:
        if self._kept_ids or self._kept_current is not None:
            self.select_ids(self._kept_ids, self._kept_current)
        self._kept_ids, self._kept_current = [], None
