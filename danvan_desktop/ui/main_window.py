"""The main window: the list of models with its filter bar, and the actions on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QByteArray, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.domain import (
    FIELD_LABELS,
    NEW_LABELS,
    STATUS_ACTIONS,
    STATUS_LABELS,
    SUBJECT_LABELS,
    Field,
    Period,
    Status,
    SubjectType,
)
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.models import ModelFilter, ModelRow

from danvan_desktop.ui import office
from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.model_table import COLUMN_OF_KEY, ModelTableModel, ModelTableView
from danvan_desktop.ui.widgets import ChoiceBox

# Typing pauses this long before the list is searched, so each key press does not query.
SEARCH_DELAY_MS = 200
SEARCH_PLACEHOLDER = "Tìm theo tên, người, thôn bản… (gõ không dấu được)"

UNIT_ALL = "all"
UNIT_OWN = "own"
UNIT_SUBTREE = "subtree"
UNIT_CHOICES: tuple[tuple[str, str], ...] = (
    (UNIT_ALL, "Tất cả đơn vị"),
    (UNIT_OWN, "Đơn vị này"),
    (UNIT_SUBTREE, "Đơn vị này và cấp dưới"),
)
ERROR_TITLE = "Không thực hiện được"
NAMES_IN_QUESTION = 5  # models named in the delete question; the rest are counted


class MainWindow(QMainWindow):
    # Emitted after the list was re-queried for a new filter (tests wait on it).
    filter_applied = Signal()
    # Emitted with the window that takes this one's place (after a restore: new data).
    replaced = Signal(object)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._services = context.services
        self._subtree_cache: dict[int, tuple[int, ...]] = {}
        self._dialogs: dict[tuple[str, int], QDialog] = {}
        self._report_window: QMainWindow | None = None
        self._audit_window: QMainWindow | None = None

        self.table = ModelTableView(self)
        self.model = ModelTableModel(self._services.models, self.table)
        self.table.setModel(self.model)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.doubleClicked.connect(lambda _index: self.open_current())

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)

        self._build_filter_bar()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()

        central = QWidget(self)
        self._central = central
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addLayout(self._filter_layout)
        layout.addWidget(self.table, 1)
        self.setCentralWidget(central)

        self.resize(1280, 720)
        self._restore_layout()
        # Enabling sorting sorts once by the (restored) indicator; the model skips a no-op sort.
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.selectionModel().currentChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self._update_identity()
        self._update_count()
        self._update_actions()
        self.table.setFocus()

    # -- building -------------------------------------------------------------------------

    def _build_filter_bar(self) -> None:
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setToolTip(
            "Gõ một vài chữ trong tên mô hình, họ tên người, thôn bản hoặc tên đơn vị.\n"
            "Không phân biệt chữ hoa, chữ thường, có dấu hay không dấu."
        )
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        # Enter searches at once instead of waiting for the pause.
        self.search_box.returnPressed.connect(self.apply_filter)

        self.period_box = ChoiceBox(self._period_choices(), "Giai đoạn đăng ký", self)
        self.field_box = ChoiceBox(
            [("Tất cả lĩnh vực", None), *((label, f) for f, label in FIELD_LABELS.items())],
            "Lĩnh vực",
            self,
        )
        self.subject_box = ChoiceBox(
            [("Tập thể và cá nhân", None), *((lbl, s) for s, lbl in SUBJECT_LABELS.items())],
            "Tập thể hay cá nhân",
            self,
        )
        self.status_box = ChoiceBox(
            [("Mọi trạng thái", None), *((lbl, s) for s, lbl in STATUS_LABELS.items())],
            "Trạng thái",
            self,
        )
        self.new_box = ChoiceBox(
            [("Mới và duy trì", None), (NEW_LABELS[True], True), (NEW_LABELS[False], False)],
            "Mô hình mới hay duy trì",
            self,
        )
        self.unit_box = ChoiceBox(self._unit_choices(), "Đơn vị đăng ký", self)
        self.filter_boxes: tuple[ChoiceBox, ...] = (
            self.period_box,
            self.field_box,
            self.subject_box,
            self.status_box,
            self.new_box,
            self.unit_box,
        )
        for box in self.filter_boxes:
            box.currentIndexChanged.connect(lambda _index: self.apply_filter())

        self.clear_button = QPushButton("Xóa lọc", self)
        self.clear_button.setToolTip("Bỏ mọi điều kiện lọc và tìm kiếm, hiện tất cả mô hình")
        self.clear_button.clicked.connect(self.clear_filters)
        self.count_label = QLabel(self)
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        bottom = QHBoxLayout()
        for box in self.filter_boxes:
            bottom.addWidget(box)
        bottom.addWidget(self.clear_button)
        bottom.addStretch(1)
        self._filter_layout = QVBoxLayout()
        self._filter_layout.addLayout(top)
        self._filter_layout.addLayout(bottom)

    def _build_actions(self) -> None:
        self.add_action = QAction("Thêm mô hình", self)
        self.add_action.setShortcut(QKeySequence.StandardKey.New)
        self.add_action.setToolTip("Đăng ký một mô hình, điển hình mới (Ctrl+N)")
        self.add_action.triggered.connect(self.add_model)

        self.open_action = QAction("Mở/Sửa", self)
        self.open_action.setShortcuts(
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        )
        self.open_action.setToolTip("Xem và sửa mô hình đang chọn (Enter hoặc bấm đúp)")
        self.open_action.triggered.connect(self.open_current)

        self.delete_action = QAction("Xóa", self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setToolTip("Xóa các mô hình đang chọn (phím Delete)")
        self.delete_action.triggered.connect(self.delete_selected)

        # Enter and Delete belong to the list only: in the search box they edit the text.
        for action in (self.open_action, self.delete_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.table.addAction(action)

        self.refresh_action = QAction("Làm mới", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.refresh)

        self.setup_action = QAction("Cài đặt đơn vị…", self)
        self.setup_action.setToolTip("Đơn vị của máy này, đơn vị cấp trên, cán bộ phụ trách")
        self.setup_action.triggered.connect(self.open_setup)

        self.print_action = QAction("In phiếu đăng ký…", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.setToolTip("Xem trước và in phiếu đăng ký của các mô hình đang chọn")
        self.print_action.triggered.connect(
            lambda: office.preview_forms(self.context, self, self.selected_ids())
        )
        self.pdf_action = QAction("Xuất phiếu đăng ký ra PDF…", self)
        self.pdf_action.triggered.connect(
            lambda: office.export_forms_pdf(self.context, self, self.selected_ids())
        )
        self.blank_form_action = QAction("In phiếu đăng ký để trống…", self)
        self.blank_form_action.triggered.connect(
            lambda: office.preview_blank_form(self.context, self)
        )
        self.print_settings_action = QAction("Thiết lập in ấn…", self)
        self.print_settings_action.setToolTip("Tiêu đề, kính gửi, người ký trên phiếu và biểu")
        self.print_settings_action.triggered.connect(
            lambda: office.open_print_settings(self.context, self)
        )
        self.excel_import_action = QAction("Nhập mô hình từ Excel…", self)
        self.excel_import_action.triggered.connect(
            lambda: office.open_excel_import(self.context, self, lambda _ids: self.refresh())
        )
        self.excel_template_action = QAction("Tải mẫu nhập Excel…", self)
        self.excel_template_action.triggered.connect(
            lambda: office.save_excel_template(self.context, self)
        )
        self.excel_export_action = QAction("Xuất danh sách ra Excel…", self)
        self.excel_export_action.setToolTip("Các mô hình đang hiển thị, theo bộ lọc hiện tại")
        self.excel_export_action.triggered.connect(
            lambda: office.export_list_excel(self.context, self, self.current_filter())
        )

        self.backup_action = QAction("Sao lưu…", self)
        self.backup_action.setToolTip("Lưu một bản sao toàn bộ dữ liệu ra USB hoặc thư mục khác")
        self.backup_action.triggered.connect(self.save_backup)
        self.restore_action = QAction("Khôi phục…", self)
        self.restore_action.setToolTip("Xem và khôi phục dữ liệu từ một bản sao lưu")
        self.restore_action.triggered.connect(self.open_restore)

        self.report_action = QAction("Thống kê", self)
        self.report_action.setToolTip("Số liệu theo đơn vị, lĩnh vực, loại hình; biểu đồ")
        self.report_action.triggered.connect(self.open_report)

        self.package_export_action = QAction("Xuất gói gửi cấp trên…", self)
        self.package_export_action.setToolTip("Một tệp .dvk chứa mọi mô hình, để gửi cấp trên")
        self.package_export_action.triggered.connect(self.export_package)
        self.package_import_action = QAction("Nhập gói từ cấp dưới…", self)
        self.package_import_action.setToolTip("Kiểm tra, xem trước rồi nhập các tệp .dvk")
        self.package_import_action.triggered.connect(self.import_packages)
        self.package_history_action = QAction("Lịch sử nhận gói", self)
        self.package_history_action.triggered.connect(self.open_package_history)
        self.feedback_action = QAction("Gửi phản hồi xuống cơ sở…", self)
        self.feedback_action.setToolTip("Gửi các quyết định của đơn vị này xuống cấp dưới")
        self.feedback_action.triggered.connect(self.send_feedback)
        self.audit_action = QAction("Nhật ký thay đổi", self)
        self.audit_action.setToolTip("Ai đã thêm, sửa, xóa, nhập gì và lúc nào")
        self.audit_action.triggered.connect(self.open_audit_log)

        self.quit_action = QAction("Thoát", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)

        # The next steps of the selected model; rebuilt whenever the selection changes.
        self.status_menu = QMenu("Chuyển trạng thái", self)
        self.status_menu.setToolTipsVisible(True)

    def _build_menus_and_toolbar(self) -> None:
        file_menu = self.menuBar().addMenu("&Tệp")
        file_menu.addAction(self.excel_import_action)
        file_menu.addAction(self.excel_template_action)
        file_menu.addAction(self.excel_export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.setup_action)
        file_menu.addAction(self.print_settings_action)
        file_menu.addAction(self.audit_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        model_menu = self.menuBar().addMenu("&Mô hình")
        model_menu.addAction(self.add_action)
        model_menu.addAction(self.open_action)
        model_menu.addMenu(self.status_menu)
        model_menu.addAction(self.delete_action)
        model_menu.addSeparator()
        model_menu.addAction(self.print_action)
        model_menu.addAction(self.pdf_action)
        model_menu.addAction(self.blank_form_action)
        model_menu.addSeparator()
        model_menu.addAction(self.refresh_action)
        self.report_menu = self.menuBar().addMenu("&Báo cáo")
        self.report_menu.addAction(self.report_action)
        self.package_menu = self.menuBar().addMenu("&Gửi nhận")
        self.package_menu.addAction(self.package_export_action)
        self.package_menu.addAction(self.package_import_action)
        self.package_menu.addAction(self.feedback_action)
        self.package_menu.addSeparator()
        self.package_menu.addAction(self.package_history_action)

        toolbar = QToolBar("Thanh công cụ", self)
        toolbar.setObjectName("main_toolbar")  # saveState() needs a name
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setMovable(False)
        toolbar.addAction(self.add_action)
        toolbar.addAction(self.open_action)
        self.status_button = QToolButton(self)
        self.status_button.setText("Chuyển trạng thái")
        self.status_button.setToolTip("Ghi bước tiếp theo của mô hình đang chọn")
        self.status_button.setMenu(self.status_menu)
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        toolbar.addWidget(self.status_button)
        toolbar.addAction(self.delete_action)
        toolbar.addAction(self.print_action)
        toolbar.addSeparator()
        toolbar.addAction(self.report_action)
        toolbar.addAction(self.excel_import_action)
        toolbar.addAction(self.excel_export_action)
        toolbar.addSeparator()
        toolbar.addAction(self.setup_action)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        self.unit_label = QLabel(self)
        self.db_label = QLabel(self)
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.db_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().addWidget(self.unit_label)
        self.statusBar().addPermanentWidget(self.db_label, 1)
        self.db_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    # -- filter ---------------------------------------------------------------------------

    def _period_choices(self) -> list[tuple[str, Period | None]]:
        periods: list[Period] = []
        with self._user_errors():
            periods = self._services.models.periods()
        return [("Tất cả giai đoạn", None), *((f"Giai đoạn {p.label}", p) for p in periods)]

    def _unit_choices(self) -> list[tuple[str, object]]:
        """This unit, this unit and below, all — then each unit below that has models, as a
        tree (indented by depth), so a province can look at one commune at a time."""
        choices: list[tuple[str, object]] = [(label, key) for key, label in UNIT_CHOICES]
        if not self._services.installation.is_set_up():
            return choices
        with self._user_errors():
            for unit, depth in self._services.packages.units_below_with_models():
                choices.append((f"{'   ' * depth}└ {unit.name} ({unit.code})", unit.id))
        return choices

    def _unit_ids(self, choice: object) -> tuple[int, ...] | None:
        if choice == UNIT_ALL or not self._services.installation.is_set_up():
            return None
        if isinstance(choice, int):  # one unit below and everything under it
            if choice not in self._subtree_cache:
                self._subtree_cache[choice] = tuple(self._services.units.subtree_ids(choice))
            return self._subtree_cache[choice]
        unit_id = self._services.installation.get().unit.id
        if choice == UNIT_OWN:
            return (unit_id,)
        if unit_id not in self._subtree_cache:
            self._subtree_cache[unit_id] = tuple(self._services.units.subtree_ids(unit_id))
        return self._subtree_cache[unit_id]

    def current_filter(self) -> ModelFilter:
        period = self.period_box.value()
        field = self.field_box.value()
        subject = self.subject_box.value()
        status = self.status_box.value()
        is_new = self.new_box.value()
        return ModelFilter(
            text=self.search_box.text(),
            period=period if isinstance(period, Period) else None,
            field=field if isinstance(field, Field) else None,
            subject_type=subject if isinstance(subject, SubjectType) else None,
            status=status if isinstance(status, Status) else None,
            is_new=is_new if isinstance(is_new, bool) else None,
            unit_ids=self._unit_ids(self.unit_box.value()),
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        with self._user_errors():
            self.model.set_filter(self.current_filter())
        self._update_count()
        self.filter_applied.emit()

    def clear_filters(self) -> None:
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        for box in self.filter_boxes:
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.apply_filter()

    def refresh(self) -> None:
        """Read the list again after a change; the selection stays on the same models."""
        self.period_box.set_choices(self._period_choices())
        self.unit_box.set_choices(self._unit_choices())
        with self._user_errors():
            # Always re-queries, so it doubles as the refresh.
            self.model.set_filter(self.current_filter())
        self._update_count()
        self._update_actions()

    def _update_count(self) -> None:
        # Counted, not the list's rows: the list reads its ids a page at a time.
        total = shown = 0
        with self._user_errors():
            total = self._services.models.count(ModelFilter())
            shown = self._services.models.count(self.model.filter)
        self.count_label.setText(f"Hiển thị {_number(shown)} / {_number(total)} mô hình")

    def _update_identity(self) -> None:
        installation = None
        with self._user_errors():
            if self._services.installation.is_set_up():
                installation = self._services.installation.get()
        if installation is None:
            self.unit_label.setText("Chưa thiết lập đơn vị")
            self.setWindowTitle("")
        else:
            unit = installation.unit
            self.unit_label.setText(f"Đơn vị: {unit.label}")
            self.setWindowTitle(unit.name)
        self.db_label.setText(f"Dữ liệu: {self._services.db_path}")
        self.db_label.setToolTip(str(self._services.db_path))

    # -- selection and actions ------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        return self.table.selected_ids()

    def _single_selected(self) -> ModelRow | None:
        """The model the one-model actions apply to: the current row when one is selected."""
        ids = self.selected_ids()
        if len(ids) != 1:
            return None
        row = self.model.row_of(ids[0])
        return None if row is None else self.model.row_data(row)

    def _update_actions(self) -> None:
        count = len(self.selected_ids())
        self.open_action.setEnabled(count == 1)
        self.delete_action.setEnabled(count >= 1)
        self.print_action.setEnabled(count >= 1)
        self.pdf_action.setEnabled(count >= 1)
        self._fill_status_menu(self.status_menu)
        self.status_button.setEnabled(not self.status_menu.isEmpty())
        self.status_menu.setEnabled(not self.status_menu.isEmpty())

    def status_actions(self) -> list[QAction]:
        """The status steps offered for the selection (what the toolbar menu lists)."""
        return [a for a in self.status_menu.actions() if not a.isSeparator()]

    def _fill_status_menu(self, menu: QMenu) -> None:
        menu.clear()
        row = self._single_selected()
        if row is None:
            return
        steps: list[Status] = []
        with self._user_errors():
            steps = self._services.models.allowed_steps(row.id)
        for status in steps:
            action = menu.addAction(STATUS_ACTIONS[status] + "…")
            action.setData(status.value)
            action.setToolTip(f"Ghi bước “{STATUS_LABELS[status]}” cho “{row.name}”")
            action.triggered.connect(
                lambda _checked=False, s=status, i=row.id: self.record_status(i, s)
            )

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction(self.open_action)
        steps = menu.addMenu("Chuyển trạng thái")
        self._fill_status_menu(steps)
        steps.setEnabled(not steps.isEmpty())
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.addSeparator()
        menu.addAction(self.add_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- dialogs --------------------------------------------------------------------------

    def _show_dialog(self, key: tuple[str, int], make: Callable[[], QDialog]) -> QDialog | None:
        """Open a non-blocking dialog, or bring back the one already open for the same thing."""
        existing = self._dialogs.get(key)
        if existing is not None:
            existing.raise_()
            existing.activateWindow()
            return existing
        dialog: QDialog | None = None
        with self._user_errors():
            dialog = make()
        if dialog is None:
            return None
        self._dialogs[key] = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._dialog_closed(key))
        dialog.open()
        return dialog

    def _dialog_closed(self, key: tuple[str, int]) -> None:
        self._dialogs.pop(key, None)
        self.refresh()

    def open_dialogs(self) -> list[QDialog]:
        return list(self._dialogs.values())

    def add_model(self) -> None:
        from danvan_desktop.ui.model_form import ModelFormDialog  # loaded when first needed

        def make() -> QDialog:
            dialog = ModelFormDialog(self.context, None, self)
            dialog.changed.connect(self._model_saved)
            return dialog

        # One "new" form at a time: a second Ctrl+N brings the first back.
        self._show_dialog(("new", 0), make)

    def open_current(self) -> None:
        model_id = self.table.current_id()
        if model_id is None or not self.table.selectionModel().hasSelection():
            return
        self.open_model(model_id)

    def open_model(self, model_id: int) -> None:
        from danvan_desktop.ui.model_form import ModelFormDialog

        def make() -> QDialog:
            dialog = ModelFormDialog(self.context, model_id, self)
            dialog.changed.connect(self._model_saved)
            return dialog

        self._show_dialog(("model", model_id), make)

    def _model_saved(self, model_id: int) -> None:
        self.refresh()
        if self.model.row_of(model_id, fetch=True) is not None:
            self.table.select_ids([model_id], model_id)

    def record_status(self, model_id: int, status: Status) -> None:
        from danvan_desktop.ui.event_dialog import EventDialog

        self._show_dialog(
            ("event", model_id), lambda: EventDialog(self.context, model_id, status, self)
        )

    def open_setup(self) -> None:
        from danvan_desktop.ui.setup_dialog import SetupDialog

        def make() -> QDialog:
            dialog = SetupDialog(self.context, self, first_run=False)
            dialog.accepted.connect(self._setup_changed)
            return dialog

        self._show_dialog(("setup", 0), make)

    def open_report(self) -> None:
        """The statistics window: one, brought forward if already open."""
        from danvan_desktop.ui.report_view import ReportWindow

        if self._report_window is None:
            self._report_window = ReportWindow(self.context, self)
            self._report_window.openModel.connect(self.open_model)
        self._report_window.show()
        self._report_window.raise_()
        self._report_window.activateWindow()

    def open_audit_log(self) -> None:
        """The audit log window: one, brought forward (and re-read) if already open."""
        from danvan_desktop.ui.audit_view import AuditWindow

        if self._audit_window is None:
            window = AuditWindow(self.context, self._selected_model, self)
            window.openModel.connect(self.open_model_by_uuid)
            self._audit_window = window
        else:
            assert isinstance(self._audit_window, AuditWindow)
            self._audit_window.refresh()
        self._audit_window.show()
        self._audit_window.raise_()
        self._audit_window.activateWindow()

    def _selected_model(self) -> tuple[str, str] | None:
        """(uuid, name) of the model selected in the list, for “chỉ mô hình đang chọn”."""
        model_id = self.table.current_id()
        if model_id is None or not self.table.selectionModel().hasSelection():
            return None
        record = self._services.models.get(model_id)
        return record.uuid, record.data.name

    def open_model_by_uuid(self, uuid: str) -> None:
        with self._user_errors():
            record = self._services.models.get_by_uuid(uuid)
            if record.deleted:
                raise UserError(
                    f"Mô hình “{record.data.name}” đã bị xóa; lịch sử của nó vẫn còn trong nhật ký."
                )
            self.open_model(record.id)

    def export_package(self) -> None:
        from danvan_desktop.ui.package_dialogs import ExportPackageDialog

        self._show_dialog(("package_export", 0), lambda: ExportPackageDialog(self.context, self))

    def import_packages(self) -> None:
        from danvan_desktop.ui.package_dialogs import ImportPackagesDialog

        def make() -> QDialog:
            dialog = ImportPackagesDialog(self.context, parent=self)
            dialog.applied.connect(self.refresh)
            return dialog

        self._show_dialog(("package_import", 0), make)

    def open_package_history(self) -> None:
        from danvan_desktop.ui.package_dialogs import PackageHistoryDialog

        self._show_dialog(("package_history", 0), lambda: PackageHistoryDialog(self.context, self))

    def send_feedback(self) -> None:
        from danvan_desktop.ui.package_dialogs import FeedbackDialog

        self._show_dialog(("package_feedback", 0), lambda: FeedbackDialog(self.context, self))

    def save_backup(self) -> None:
        from danvan_desktop.ui.backup_dialogs import save_backup

        save_backup(self.context, self)

    def open_restore(self) -> None:
        from danvan_desktop.ui.backup_dialogs import RestoreDialog

        self._show_dialog(("restore", 0), lambda: RestoreDialog(self.context, self))

    def _setup_changed(self) -> None:
        self._subtree_cache.clear()
        self._update_identity()
        # refresh() follows from the dialog's finished signal.

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        rows: dict[int, ModelRow] = {}
        with self._user_errors():
            rows = self.model.snapshots(ids)
        names = [f"“{rows[i].name}”" for i in ids if i in rows]
        if not names:
            self.refresh()
            return
        if len(names) == 1:
            question = f"Xóa mô hình {names[0]}?"
        else:
            shown = ", ".join(names[:NAMES_IN_QUESTION])
            rest = len(names) - NAMES_IN_QUESTION
            more = f" và {rest} mô hình khác" if rest > 0 else ""
            question = f"Xóa {len(names)} mô hình: {shown}{more}?"
        question += (
            "\n\nMô hình đã xóa không còn trong danh sách và các báo cáo, nhưng vẫn được ghi "
            "lại để báo việc xóa lên cấp trên trong lần gửi dữ liệu sau."
        )
        if not self.context.prompter.confirm(self, "Xóa mô hình", question, ok_text="Xóa"):
            return
        by = self._services.installation.staff_name()
        with self._user_errors():
            for model_id in ids:
                if model_id in rows:
                    self._services.models.delete(model_id, by=by)
        self.refresh()

    # -- errors, layout -------------------------------------------------------------------

    @contextmanager
    def _user_errors(self, title: str = ERROR_TITLE) -> Iterator[None]:
        """Show a UserError as the message it is; anything else is a bug for the excepthook."""
        try:
            yield
        except UserError as error:
            self.context.prompter.error(self, title, str(error))

    def _restore_layout(self) -> None:
        settings = self.context.settings
        header = self.table.horizontalHeader()
        header.setSortIndicator(COLUMN_OF_KEY[self.model.sort_key], Qt.SortOrder.AscendingOrder)
        geometry = settings.bytes("main_window/geometry")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = settings.bytes("main_window/state")
        if not state.isEmpty():
            self.restoreState(state)
        header_state = settings.bytes("main_window/header")
        # Without saved widths the columns are fitted to the window when it is first shown.
        self._fit_on_show = header_state.isEmpty() or not header.restoreState(header_state)

    def save_layout(self) -> None:
        settings = self.context.settings
        settings.set_bytes("main_window/geometry", QByteArray(self.saveGeometry()))
        settings.set_bytes("main_window/state", QByteArray(self.saveState()))
        settings.set_bytes(
            "main_window/header", QByteArray(self.table.horizontalHeader().saveState())
        )
        settings.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._fit_on_show:
            self._fit_on_show = False
            # The layout has not run yet; give the table the room it is about to get.
            layout = self._central.layout()
            if layout is not None:
                layout.activate()
            self.table.fit_columns()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Each open form asks about its unsaved changes; one answered "Quay lại" keeps the
        # whole app open, so quitting never drops typed work.
        for dialog in list(self._dialogs.values()):
            dialog.close()
        if any(dialog.isVisible() for dialog in self._dialogs.values()):
            event.ignore()
            return
        self.save_layout()
        super().closeEvent(event)


def _number(value: int) -> str:
    """Thousands separated with dots, as written in Vietnamese: 100.000."""
    return f"{value:,}".replace(",", ".")
