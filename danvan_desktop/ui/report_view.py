"""The statistics screen: filters, the table of counts per unit, charts, and the models behind a
count.

The numbers come from `services.reports` (the core); this module only shows them. Clicking a
count lists exactly the models that make it up; double-clicking one emits `openModel(id)`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QMargins,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    Field,
    Kind,
    Period,
    Status,
)
from danvan_desktop.services.reports import (
    COUNT_GROUPS,
    COUNT_KEYS,
    COUNT_LABELS,
    ReportFilter,
    StatCounts,
    Statistics,
    StatRow,
)

from danvan_desktop.ui import office
from danvan_desktop.ui.context import UiContext

AnyIndex = QModelIndex | QPersistentModelIndex

# Roles the tests and the click handler read.
UNIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
MODEL_ID_ROLE = Qt.ItemDataRole.UserRole + 3

# A click never loads more than this many models into the list.
LIST_LIMIT = 1000
# The chart by unit shows the units with most models; more bars cannot be read.
CHART_UNITS = 15

# Column titles on screen: the group on the first line, a short title under it.
_SCREEN_TITLES: dict[str, str] = {
    "models": "Tổng số",
    "collective": "Tập thể",
    "individual": "Cá nhân",
    "economy": "Kinh tế",
    "culture_society": "VH – XH",
    "defense_security": "QP – AN",
    "political_system": "XD Đảng,\nHTCT",
    "other": "Khác",
    "new": "Mới",
    "continued": "Duy trì",
    "recognised": "Công nhận",
    "exemplary": "Tiêu biểu",
    "commended": "Khen thưởng",
}
_GROUP_OF: dict[str, str] = {
    key: title for title, keys in COUNT_GROUPS for key in keys if title != "Tổng số"
}
TOTAL_LABEL = "Tổng cộng"

# One colour per field and per status, the same on every chart.
_FIELD_COLOURS: dict[Field, str] = {
    Field.ECONOMY: "#2e7d32",
    Field.CULTURE_SOCIETY: "#1565c0",
    Field.DEFENSE_SECURITY: "#c62828",
    Field.POLITICAL_SYSTEM: "#ef6c00",
    Field.OTHER: "#757575",
}
_STATUS_COLOURS: dict[Status, str] = {
    Status.REGISTERED: "#90a4ae",
    Status.IMPLEMENTING: "#42a5f5",
    Status.RECOGNISED: "#66bb6a",
    Status.EXEMPLARY: "#ffa726",
    Status.COMMENDED: "#ab47bc",
    Status.RETURNED: "#8d6e63",
    Status.STOPPED: "#616161",
}


# The legend beside a pie has room for about 30 characters.
CHART_FIELD_LABELS: dict[Field, str] = {
    **FIELD_LABELS,
    Field.POLITICAL_SYSTEM: "Xây dựng Đảng, HTCT",
}


def number_text(value: int) -> str:
    """2665 → "2.665", the Vietnamese way."""
    return f"{value:,}".replace(",", ".")


class StatisticsTableModel(QAbstractTableModel):
    """One row per unit of the report, then the total; column 0 is the unit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stats: Statistics | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_statistics(self, stats: Statistics) -> None:
        self.beginResetModel()
        self._stats = stats
        self.endResetModel()

    def statistics(self) -> Statistics | None:
        return self._stats

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._stats is None:
            return 0
        return len(self._stats.rows) + 1

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(COUNT_KEYS)

    def is_total_row(self, row: int) -> bool:
        return self._stats is not None and row == len(self._stats.rows)

    def stat_row(self, row: int) -> StatRow | None:
        """The unit's row, or None for the total row."""
        if self._stats is None or not 0 <= row < len(self._stats.rows):
            return None
        return self._stats.rows[row]

    def _counts(self, row: int) -> StatCounts:
        assert self._stats is not None
        stat = self.stat_row(row)
        return self._stats.total if stat is None else stat.counts

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._stats is None:
            return None
        row, column = index.row(), index.column()
        stat = self.stat_row(row)
        key = COUNT_KEYS[column - 1] if column > 0 else None
        if role == Qt.ItemDataRole.DisplayRole:
            if key is not None:
                return number_text(self._counts(row).get(key))
            if stat is None:
                return TOTAL_LABEL
            return "    " * stat.depth + stat.unit_name
        if role == Qt.ItemDataRole.FontRole:
            if stat is None or stat.is_subtotal:
                return self._bold
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key is not None:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if stat is None:
                return QColor("#e3ecf7")
            if stat.is_subtotal:
                return QColor("#f1f4f8")
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if key is None:
                if stat is None:
                    return "Tổng cộng các đơn vị"
                text = f"{stat.unit_name} (mã {stat.unit_code})"
                return text + (" — cộng cả các đơn vị trực thuộc" if stat.is_subtotal else "")
            return f"{COUNT_LABELS[key]}: bấm để xem danh sách mô hình"
        if role == UNIT_ID_ROLE:
            return None if stat is None else stat.unit_id
        if role == KEY_ROLE:
            return key
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        key = COUNT_KEYS[section - 1] if section > 0 else None
        if role == Qt.ItemDataRole.DisplayRole:
            if key is None:
                return "Đơn vị"
            group = _GROUP_OF.get(key)
            return f"{group}\n{_SCREEN_TITLES[key]}" if group else _SCREEN_TITLES[key]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Đơn vị" if key is None else COUNT_LABELS[key]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    title_font = QFont()
    title_font.setPointSize(11)
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    return chart


def _pie(title: str, parts: list[tuple[str, int, str]]) -> QChart:
    chart = _chart(title)
    series = QPieSeries()
    total = sum(value for _, value, _ in parts)
    for label, value, colour in parts:
        share = f" ({value * 100 / total:.0f}%)" if total else ""
        piece = series.append(f"{label}: {number_text(value)}{share}", value)
        piece.setColor(QColor(colour))
        piece.setLabelVisible(False)
    series.setPieSize(0.85)
    chart.addSeries(series)
    if not total:
        chart.setTitle(f"{title} — không có mô hình")
    return chart


def _bars(title: str, parts: list[tuple[str, int]], colour: str) -> QChart:
    chart = _chart(title)
    chart.legend().hide()
    bars = QBarSet("Số mô hình")
    bars.setColor(QColor(colour))
    bars.setLabelColor(QColor("#202020"))
    # Horizontal bars are drawn bottom-up; reverse so the list reads from the top.
    ordered = list(reversed(parts))
    for _, value in ordered:
        bars.append(value)
    series = QHorizontalBarSeries()
    series.append(bars)
    # A commune has one bar: keep it a bar, not a block filling the chart.
    series.setBarWidth(0.7 if len(parts) > 3 else 0.3)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append([label for label, _ in ordered])
    # Unit names are the point of this chart: never cut them to "…".
    categories.setTruncateLabels(False)
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    values = QValueAxis()
    values.setLabelFormat("%d")
    top = max([value for _, value in parts] + [1])
    values.setRange(0, top * 1.15)
    values.applyNiceNumbers()
    if values.max() <= 5:
        values.setTickCount(int(values.max()) + 1)
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(values)
    return chart


def chart_parts(
    stats: Statistics, by_status: dict[Status, int]
) -> dict[str, list[tuple[str, int]]]:
    """The numbers each chart shows: (label, value) in display order."""
    total = stats.total
    fields = [(CHART_FIELD_LABELS[f], total.get(f.value)) for f in Field]
    subjects = [("Tập thể", total.collective), ("Cá nhân", total.individual)]
    statuses = [(STATUS_LABELS[s], by_status[s]) for s in tuple(Status)]
    # By unit: the units one level down (districts as subtotals, or communes); the reported
    # unit's own models count as one bar too when it has any.
    units = [(r.unit_name, r.counts.models) for r in stats.rows if r.depth == 1]
    own = stats.rows[0].counts.models if stats.rows else 0
    if own:
        units.append((stats.rows[0].unit_name, own))
    units = [u for u in units if u[1]]
    units.sort(key=lambda u: -u[1])
    return {"field": fields, "subject": subjects, "status": statuses, "unit": units}


class ReportWindow(QMainWindow):
    """Statistics of the installation's unit and the units below it."""

    openModel = Signal(int)  # Qt naming: the main window connects it to the model form

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._services = context.services
        self.setWindowTitle("Thống kê mô hình, điển hình “Dân vận khéo”")
        self.resize(1280, 800)

        self.toolbar = QToolBar("Thống kê", self)
        self.toolbar.setObjectName("report_toolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        refresh = self.toolbar.addAction("Làm mới")
        refresh.setToolTip("Tính lại số liệu từ dữ liệu hiện có")
        refresh.triggered.connect(self.refresh)
        self.print_action = self.toolbar.addAction("Xem trước và in…")
        self.print_action.setToolTip("Biểu thống kê khổ A4 ngang, in hoặc lưu PDF")
        self.print_action.triggered.connect(self._print)
        self.excel_action = self.toolbar.addAction("Xuất Excel…")
        self.excel_action.setToolTip("Biểu thống kê và danh sách mô hình, sẵn để in")
        self.excel_action.triggered.connect(
            lambda: office.export_report_excel(self._context, self, self.current_filter())
        )

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.title_label = QLabel(central)
        title_font = QFont()
        title_font.setPointSize(13)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)
        layout.addLayout(self._build_filters(central))

        self.tabs = QTabWidget(central)
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_table_tab(), "Bảng số liệu")
        self.tabs.addTab(self._build_charts_tab(), "Biểu đồ")
        self.setCentralWidget(central)

        self.charts: dict[str, QChartView] = {}
        self.chart_values: dict[str, list[tuple[str, int]]] = {}
        self.refresh()

    # -- building -----------------------------------------------------------------------------

    def _build_filters(self, parent: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        self.period_combo = QComboBox(parent)
        self.period_combo.addItem("Mọi giai đoạn", None)
        periods = self._services.models.periods()
        for period in periods:
            self.period_combo.addItem(f"Giai đoạn {period.label}", period)
        self.year_combo = QComboBox(parent)
        self.year_combo.addItem("Mọi năm", None)
        if periods:
            first = min(p.start for p in periods)
            last = max(p.end for p in periods)
            for year in range(last, first - 1, -1):
                self.year_combo.addItem(f"Năm {year}", year)
        self.status_combo = QComboBox(parent)
        self.status_combo.addItem("Mọi trạng thái", None)
        for status in tuple(Status):
            self.status_combo.addItem(STATUS_LABELS[status], status)
        self.kind_combo = QComboBox(parent)
        self.kind_combo.addItem("Mô hình và điển hình", None)
        for kind in Kind:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.ethnic_combo = QComboBox(parent)
        self.ethnic_combo.addItem("Mọi địa bàn", None)
        self.ethnic_combo.addItem("Vùng đồng bào DTTS", True)
        self.ethnic_combo.addItem("Ngoài vùng đồng bào DTTS", False)
        self.ethnic_combo.setToolTip("Vùng đồng bào dân tộc thiểu số")
        for label, combo in (
            ("Giai đoạn:", self.period_combo),
            ("Năm:", self.year_combo),
            ("Trạng thái:", self.status_combo),
            ("Loại hình:", self.kind_combo),
            ("Địa bàn:", self.ethnic_combo),
        ):
            caption = QLabel(label, parent)
            caption.setBuddy(combo)
            row.addWidget(caption)
            row.addWidget(combo)
            combo.currentIndexChanged.connect(self.refresh)
        row.addStretch(1)
        return row

    def _build_table_tab(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table_model = StatisticsTableModel(splitter)
        self.table = QTableView(splitter)
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumHeight(self.fontMetrics().height() * 3 + 10)
        self.table.clicked.connect(self.show_models_at)
        splitter.addWidget(self.table)

        panel = QWidget(splitter)
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 4, 0, 0)
        self.models_label = QLabel(
            "Bấm vào một ô số liệu để xem danh sách các mô hình được tính trong ô đó.", panel
        )
        self.models_label.setWordWrap(True)
        panel_layout.addWidget(self.models_label)
        self.models_list = QTableWidget(0, 4, panel)
        self.models_list.setHorizontalHeaderLabels(
            ["Tên mô hình, điển hình", "Loại hình", "Đơn vị", "Trạng thái"]
        )
        self.models_list.verticalHeader().hide()
        self.models_list.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.models_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.models_list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        list_header = self.models_list.horizontalHeader()
        list_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            list_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.models_list.setToolTip("Bấm đúp để mở mô hình")
        self.models_list.cellDoubleClicked.connect(self._open_listed)
        panel_layout.addWidget(self.models_list)
        splitter.addWidget(panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 200])
        return splitter

    def _build_charts_tab(self) -> QWidget:
        page = QWidget()
        self._charts_grid = QGridLayout(page)
        self._chart_slots: dict[str, tuple[int, int]] = {
            "field": (0, 0),
            "subject": (0, 1),
            "unit": (1, 0),
            "status": (1, 1),
        }
        return page

    # -- the numbers --------------------------------------------------------------------------

    def current_filter(self) -> ReportFilter:
        period = self.period_combo.currentData()
        year = self.year_combo.currentData()
        status = self.status_combo.currentData()
        kind = self.kind_combo.currentData()
        ethnic = self.ethnic_combo.currentData()
        # Qt hands enum members back as plain strings; turn them back into the enums.
        return ReportFilter(
            period=period if isinstance(period, Period) else None,
            year=int(year) if year is not None else None,
            status=Status(status) if status else None,
            kind=Kind(kind) if kind else None,
            ethnic_minority_area=bool(ethnic) if ethnic is not None else None,
        )

    def statistics(self) -> Statistics | None:
        return self.table_model.statistics()

    def _print(self) -> None:
        statistics = self.statistics()
        if statistics is not None:
            office.preview_report(self._context, self, statistics)

    def refresh(self) -> None:
        flt = self.current_filter()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            stats = self._services.reports.statistics(flt)
            by_status = self._services.reports.status_counts(flt)
        finally:
            QApplication.restoreOverrideCursor()
        self._flt = flt
        self.table_model.set_statistics(stats)
        described = flt.describe()
        self.title_label.setText(
            f"Thống kê mô hình, điển hình “Dân vận khéo” — {stats.unit.name}"
            + (f" ({described})" if described else "")
            + f": {number_text(stats.total.models)} mô hình"
        )
        self._clear_list()
        self._draw_charts(stats, by_status)

    def _draw_charts(self, stats: Statistics, by_status: dict[Status, int]) -> None:
        parts = chart_parts(stats, by_status)
        self.chart_values = parts
        charts = {
            "field": _pie(
                "Theo lĩnh vực",
                [
                    (label, value, _FIELD_COLOURS[f])
                    for (label, value), f in zip(parts["field"], Field, strict=True)
                ],
            ),
            "subject": _pie(
                "Tập thể và cá nhân",
                [
                    (parts["subject"][0][0], parts["subject"][0][1], "#1565c0"),
                    (parts["subject"][1][0], parts["subject"][1][1], "#ef6c00"),
                ],
            ),
            "status": _pie(
                "Theo trạng thái hiện tại",
                [
                    (label, value, _STATUS_COLOURS[s])
                    for (label, value), s in zip(parts["status"], tuple(Status), strict=True)
                ],
            ),
        }
        units = parts["unit"]
        unit_title = "Theo đơn vị"
        if len(units) > CHART_UNITS:
            unit_title = f"Theo đơn vị ({CHART_UNITS} đơn vị nhiều mô hình nhất)"
        charts["unit"] = _bars(unit_title, units[:CHART_UNITS], "#1565c0")
        for key, chart in charts.items():
            view = self.charts.get(key)
            if view is None:
                view = QChartView()
                view.setRenderHint(QPainter.RenderHint.Antialiasing)
                view.setMinimumSize(360, 260)
                self.charts[key] = view
                row, column = self._chart_slots[key]
                self._charts_grid.addWidget(view, row, column)
            old = view.chart()
            view.setChart(chart)
            if old is not None:
                old.deleteLater()

    # -- the models behind a count ------------------------------------------------------------

    def _clear_list(self) -> None:
        self.models_list.setRowCount(0)
        self.models_label.setText(
            "Bấm vào một ô số liệu để xem danh sách các mô hình được tính trong ô đó."
        )

    def show_models_at(self, index: QModelIndex) -> None:
        """List the models behind the clicked count."""
        key = index.data(KEY_ROLE)
        if not index.isValid() or key is None:
            return
        unit_id = index.data(UNIT_ID_ROLE)
        stat = self.table_model.stat_row(index.row())
        ids = self._services.reports.model_ids(self._flt, unit_id, key)
        where = TOTAL_LABEL.lower() if stat is None else stat.unit_name
        shown = ids[:LIST_LIMIT]
        text = f"{COUNT_LABELS[key]} — {where}: {number_text(len(ids))} mô hình"
        if len(ids) > len(shown):
            text += f" (hiện {number_text(len(shown))} mô hình đầu tiên)"
        text += ". Bấm đúp để mở."
        self.models_label.setText(text)
        rows = self._services.models.rows(shown)
        self.models_list.setRowCount(0)
        self.models_list.setRowCount(len(shown))
        for line, model_id in enumerate(shown):
            record = rows[model_id]
            values = (
                record.name,
                KIND_LABELS[record.kind],
                record.unit_name,
                STATUS_LABELS[record.status],
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(MODEL_ID_ROLE, model_id)
                self.models_list.setItem(line, column, item)

    def listed_model_ids(self) -> list[int]:
        ids: list[int] = []
        for line in range(self.models_list.rowCount()):
            item = self.models_list.item(line, 0)
            if item is not None:
                ids.append(int(item.data(MODEL_ID_ROLE)))
        return ids

    def _open_listed(self, line: int, _column: int) -> None:
        item = self.models_list.item(line, 0)
        if item is not None:
            self.openModel.emit(int(item.data(MODEL_ID_ROLE)))
