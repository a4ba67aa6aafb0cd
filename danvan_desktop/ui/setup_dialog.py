"""Who this installation is: the first-run set-up and, later, the settings screen.

The form follows load / check / save: `accept()` checks every field and names each one at fault
before anything is written, then saves through `services.installation` in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.domain import LEVEL_LABELS, UnitLevel, normalize_line
from danvan_desktop.services import Installation, UserError
from danvan_desktop.services.units import UnitInfo

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.unit_picker import UnitPicker

GEOMETRY_KEY = "setup_dialog/geometry"
LINE_MAX = 255  # the installation service refuses longer names; say so before it does

# The names the messages give the fields; the form's labels say the same.
UNIT_LABEL = "Đơn vị sử dụng phần mềm"
REPORTS_TO_LABEL = "Gửi báo cáo lên"
STAFF_NAME_LABEL = "Họ và tên cán bộ"
STAFF_POSITION_LABEL = "Chức vụ"

WELCOME = (
    "<p><b>Chào mừng anh/chị đến với phần mềm quản lý mô hình, điển hình "
    "“Dân vận khéo”.</b></p>"
    "<p>Trước khi bắt đầu, hãy cho biết máy này nhập số liệu cho <b>đơn vị nào</b>, gửi báo "
    "cáo lên <b>đơn vị nào</b> và <b>ai là cán bộ phụ trách</b>. Tên đơn vị được in trên phiếu "
    "đăng ký và ghi vào tệp gửi lên cấp trên; họ tên cán bộ được ghi vào lịch sử cập nhật. "
    "Sau này có thể sửa lại trong mục Cài đặt.</p>"
    "<p>Bấm “Thoát” nếu chưa muốn thiết lập: phần mềm sẽ đóng lại.</p>"
)


@dataclass(frozen=True)
class Problem:
    """One field at fault: the widget to focus and the message that names it."""

    widget: QWidget
    message: str


class _WrappedHeight(QObject):
    """Keeps a word-wrapped label's minimum height at what its current width needs.

    A top-level dialog's minimum size ignores height-for-width, so when a results list opens
    the layout squeezes the other fields instead of growing the dialog; a real minimum height on
    the wrapped labels makes the dialog grow."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QLabel):
            height = watched.heightForWidth(watched.width())
            if height > 0 and height != watched.minimumHeight():
                watched.setMinimumHeight(height)
        return False


def _wrapped(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    keeper = _WrappedHeight(label)
    label.installEventFilter(keeper)
    return label


def _fit_height(dialog: QDialog, changed: QWidget | None = None) -> None:
    """Keep the width the user chose but give back the room a closed results list left: the
    layout only ever grows a window, so without this a gap would stay above the buttons."""
    # Each level's layout would otherwise update one event-loop turn after the one below it;
    # activating them from the changed widget up makes the new size known at once.
    widget: QWidget | None = changed or dialog
    while widget is not None:
        layout = widget.layout()
        if layout is not None:
            layout.activate()
        widget = None if widget is dialog else widget.parentWidget()
    height = dialog.minimumSizeHint().height()
    if dialog.height() > height:
        dialog.resize(dialog.width(), height)


def _fit_height_when_results_close(dialog: QDialog, picker: UnitPicker) -> None:
    def on_visible_changed(visible: bool) -> None:
        if not visible:
            _fit_height(dialog, picker)

    picker.resultsVisibleChanged.connect(on_visible_changed)


def _error_label() -> QLabel:
    label = _wrapped(QLabel())
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #b00020;")  # the usual error red, readable on light themes
    label.hide()
    return label


def _hint_label(text: str) -> QLabel:
    label = _wrapped(QLabel(text))
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _pending_problem(picker: UnitPicker, field: str) -> Problem | None:
    if picker.is_pending():
        text = picker.line_edit().text().strip()
        return Problem(
            picker, f"{field}: “{text}” chưa được chọn — hãy chọn một đơn vị trong danh sách."
        )
    return None


class AddUnitDialog(QDialog):
    """A unit that is not in the official lists, e.g. "Đảng ủy Khối các cơ quan tỉnh"."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._added: UnitInfo | None = None
        self.setWindowTitle("Thêm đơn vị ngoài danh mục")

        intro = _hint_label(
            "Dùng cho cơ quan, tổ chức không có trong danh mục đơn vị hành chính, ví dụ "
            "Đảng ủy Khối các cơ quan tỉnh, Ủy ban MTTQ, các đoàn thể."
        )
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("ví dụ: DUK-SL")
        self.code_edit.setMaxLength(20)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("ví dụ: Đảng ủy Khối các cơ quan tỉnh")
        self.level_combo = QComboBox()
        for level, label in LEVEL_LABELS.items():
            self.level_combo.addItem(label, level)
        self.level_combo.setCurrentIndex(self.level_combo.findData(UnitLevel.OTHER))
        self.parent_picker = UnitPicker(context)
        _fit_height_when_results_close(self, self.parent_picker)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Mã đơn vị:", self.code_edit)
        form.addRow("&Tên đơn vị:", self.name_edit)
        form.addRow("&Cấp:", self.level_combo)
        form.addRow("Đơn vị cấp &trên:", self.parent_picker)

        self.error_label = _error_label()
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("Thêm đơn vị")
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        self.setMinimumWidth(560)

    def added_unit(self) -> UnitInfo | None:
        return self._added

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def accept(self) -> None:
        pending = _pending_problem(self.parent_picker, "Đơn vị cấp trên")
        if pending is not None:
            self._show_error(pending.message)
            self.parent_picker.setFocus()
            return
        level = self.level_combo.currentData()
        try:
            self._added = self._context.services.units.add_custom(
                code=self.code_edit.text(),
                name=self.name_edit.text(),
                parent_id=self._parent_id(),
                level=level if isinstance(level, UnitLevel) else UnitLevel.OTHER,
            )
        except UserError as error:
            # The service names the fields ("Mã đơn vị: …"); show its sentence as it is.
            self._show_error(str(error))
            return
        super().accept()

    def _parent_id(self) -> int | None:
        parent = self.parent_picker.unit()
        return parent.id if parent is not None else None

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()


class SetupDialog(QDialog):
    """Which unit this installation is, which unit it reports to, and who the staff member is.

    In first-run mode Cancel means the application closes; the caller reads `exec()`/`result()`.
    """

    def __init__(
        self, context: UiContext, parent: QWidget | None = None, *, first_run: bool = False
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._first_run = first_run
        self._loaded: Installation | None = None
        self._saved: Installation | None = None
        self._add_dialog: AddUnitDialog | None = None
        # The reports-to unit follows the chosen unit's parent until the user picks it by hand.
        self._reports_to_by_hand = False
        self._filling = False

        self.setWindowTitle("Thiết lập đơn vị" if first_run else "Cài đặt")

        # -- the unit ---------------------------------------------------------------------
        self.unit_picker = UnitPicker(context)
        self.unit_picker.unitChanged.connect(self._on_unit_changed)
        self.add_unit_button = QPushButton("Thêm đơn vị ngoài danh mục…")
        self.add_unit_button.setAutoDefault(False)  # Enter in a field must not open it
        self.add_unit_button.clicked.connect(self.open_add_unit_dialog)
        self.add_unit_button.setToolTip(
            "Cơ quan, tổ chức không có trong danh mục đơn vị hành chính, "
            "ví dụ Đảng ủy Khối các cơ quan tỉnh."
        )
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_unit_button)
        add_row.addStretch(1)

        self.reports_to_picker = UnitPicker(context)
        self.reports_to_picker.unitChanged.connect(self._on_reports_to_changed)
        # One line only: a word-wrapped label inside a form squeezes the results lists.
        reports_hint = _hint_label(
            "Tự điền theo danh mục; có thể chọn huyện cũ, tỉnh hoặc cơ quan khác."
        )
        reports_hint.setWordWrap(False)
        self.reports_to_picker.setToolTip(
            "Mặc định là đơn vị cấp trên trong danh mục. Có thể chọn đơn vị khác, ví dụ huyện "
            "(danh mục trước 1/7/2025) hoặc tỉnh. Chỉ để trống với đơn vị cấp cao nhất."
        )

        unit_box = QGroupBox("Đơn vị")
        unit_form = QFormLayout(unit_box)
        unit_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        unit_form.addRow("Đơn &vị sử dụng phần mềm:", self.unit_picker)
        unit_form.addRow("", add_row)
        unit_form.addRow("Gửi &báo cáo lên:", self.reports_to_picker)
        unit_form.addRow("", reports_hint)

        # -- the staff member -------------------------------------------------------------
        self.staff_name_edit = QLineEdit()
        self.staff_name_edit.setPlaceholderText("ví dụ: Nguyễn Thị Hoa")
        self.staff_name_edit.setMaxLength(LINE_MAX)
        self.staff_position_edit = QLineEdit()
        self.staff_position_edit.setPlaceholderText("ví dụ: Trưởng Ban Dân vận Đảng ủy xã")
        self.staff_position_edit.setMaxLength(LINE_MAX)
        staff_box = QGroupBox("Cán bộ phụ trách")
        staff_form = QFormLayout(staff_box)
        staff_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        staff_form.addRow("&Họ và tên:", self.staff_name_edit)
        staff_form.addRow("C&hức vụ:", self.staff_position_edit)

        # -- messages and buttons ---------------------------------------------------------
        self.error_label = _error_label()
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        cancel = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        ok.setText("Bắt đầu sử dụng" if first_run else "Lưu")
        cancel.setText("Thoát" if first_run else "Hủy")
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        for box in (unit_box, staff_box):
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        layout = QVBoxLayout(self)
        if first_run:
            welcome = _wrapped(QLabel(WELCOME))
            welcome.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(welcome)
        layout.addWidget(unit_box)
        layout.addWidget(staff_box)
        layout.addWidget(self.error_label)
        # The results lists open and close; the spare room goes here, not between the fields.
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        self.setMinimumWidth(680)

        for picker in (self.unit_picker, self.reports_to_picker):
            _fit_height_when_results_close(self, picker)

        self.load()
        geometry = context.settings.bytes(GEOMETRY_KEY)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        self.unit_picker.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The saved height may include a results list that was open when the dialog closed.
        QTimer.singleShot(0, self, lambda: _fit_height(self))

    # -- load / check / save -----------------------------------------------------------------

    def load(self) -> None:
        """Fill the form from the saved installation (settings mode)."""
        installation = self._context.services.installation
        if self._first_run or not installation.is_set_up():
            return
        current = installation.get()
        self._loaded = current
        self._filling = True
        try:
            self.unit_picker.set_unit(current.unit)
            self.reports_to_picker.set_unit(current.reports_to)
        finally:
            self._filling = False
        # A reports-to unit other than the directory's parent was chosen by hand: keep it.
        self._reports_to_by_hand = current.reports_to != self._directory_parent(current.unit)
        self.staff_name_edit.setText(current.staff_name)
        self.staff_position_edit.setText(current.staff_position)

    def check(self) -> list[Problem]:
        """Every field at fault, in the order of the form; empty when the form can be saved."""
        problems: list[Problem] = []
        unit = self.unit_picker.unit()
        reports_to = self.reports_to_picker.unit()
        pending = _pending_problem(self.unit_picker, UNIT_LABEL)
        if pending is not None:
            problems.append(pending)
        elif unit is None:
            problems.append(
                Problem(
                    self.unit_picker,
                    f"{UNIT_LABEL}: chưa chọn — gõ tên hoặc mã rồi chọn trong danh sách.",
                )
            )
        pending = _pending_problem(self.reports_to_picker, REPORTS_TO_LABEL)
        if pending is not None:
            problems.append(pending)
        elif unit is not None and reports_to is not None and reports_to.id == unit.id:
            problems.append(
                Problem(
                    self.reports_to_picker, f"{REPORTS_TO_LABEL}: không thể là chính đơn vị này."
                )
            )
        elif unit is not None and reports_to is None and unit.parent_id is not None:
            problems.append(
                Problem(
                    self.reports_to_picker,
                    f"{REPORTS_TO_LABEL}: chưa chọn — chỉ đơn vị cấp cao nhất mới được để trống.",
                )
            )
        staff_name = normalize_line(self.staff_name_edit.text())
        if not staff_name:
            problems.append(Problem(self.staff_name_edit, f"{STAFF_NAME_LABEL}: bắt buộc nhập."))
        elif len(staff_name) > LINE_MAX:
            problems.append(
                Problem(self.staff_name_edit, f"{STAFF_NAME_LABEL}: tối đa {LINE_MAX} ký tự.")
            )
        if len(normalize_line(self.staff_position_edit.text())) > LINE_MAX:
            problems.append(
                Problem(
                    self.staff_position_edit, f"{STAFF_POSITION_LABEL}: tối đa {LINE_MAX} ký tự."
                )
            )
        return problems

    def accept(self) -> None:
        problems = self.check()
        if problems:
            self._show_errors([p.message for p in problems])
            problems[0].widget.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        unit = self.unit_picker.unit()
        assert unit is not None  # check() refused an empty unit
        if not self._confirm_unit_change(unit):
            return
        reports_to = self.reports_to_picker.unit()
        try:
            self._saved = self._context.services.installation.save(
                unit_id=unit.id,
                reports_to_id=reports_to.id if reports_to is not None else None,
                staff_name=self.staff_name_edit.text(),
                staff_position=self.staff_position_edit.text(),
            )
        except UserError as error:
            self._show_errors([str(error)])
            return
        self._show_errors([])
        super().accept()

    def saved_installation(self) -> Installation | None:
        """What accept() saved, for the caller to refresh its window title and lists."""
        return self._saved

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def done(self, result: int) -> None:
        # Every way out (OK, Cancel, Escape, the window's close button) passes here.
        self._context.settings.set_bytes(GEOMETRY_KEY, QByteArray(self.saveGeometry()))
        super().done(result)

    # -- custom units ------------------------------------------------------------------------

    def open_add_unit_dialog(self) -> AddUnitDialog:
        """Open the small "add a unit" dialog (window-modal, not blocking; tests drive it)."""
        dialog = AddUnitDialog(self._context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_add_unit_finished)
        self._add_dialog = dialog
        dialog.open()
        return dialog

    def add_unit_dialog(self) -> AddUnitDialog | None:
        return self._add_dialog

    def _on_add_unit_finished(self, result: int) -> None:
        dialog = self._add_dialog
        self._add_dialog = None
        if dialog is None or result != QDialog.DialogCode.Accepted:
            return
        added = dialog.added_unit()
        if added is not None:
            self.unit_picker.set_unit(added)
            self.staff_name_edit.setFocus()

    # -- behaviour ---------------------------------------------------------------------------

    def _directory_parent(self, unit: UnitInfo | None) -> UnitInfo | None:
        if unit is None or unit.parent_id is None:
            return None
        return self._context.services.units.get(unit.parent_id)

    def _on_unit_changed(self, unit: UnitInfo | None) -> None:
        if self._reports_to_by_hand:
            return
        self._filling = True
        try:
            self.reports_to_picker.set_unit(self._directory_parent(unit))
        finally:
            self._filling = False

    def _on_reports_to_changed(self, _unit: UnitInfo | None) -> None:
        if not self._filling:
            self._reports_to_by_hand = True

    def _confirm_unit_change(self, unit: UnitInfo) -> bool:
        """Changing the unit of an installation that already holds models needs a yes."""
        if self._loaded is None or self._loaded.unit.id == unit.id:
            return True
        count = self._context.services.models.count()
        if count == 0:
            return True
        return self._context.prompter.confirm(
            self,
            "Đổi đơn vị sử dụng",
            f"Máy này đã có {count} mô hình. Đổi đơn vị sử dụng từ “{self._loaded.unit.label}” "
            f"sang “{unit.label}”?\n\nCác mô hình đã nhập vẫn giữ đơn vị đăng ký cũ; từ nay mô "
            "hình mới và tệp gửi lên cấp trên sẽ mang đơn vị mới.",
            ok_text="Đổi đơn vị",
        )

    def _show_errors(self, messages: list[str]) -> None:
        if not messages:
            self.error_label.clear()
            self.error_label.hide()
            return
        if len(messages) == 1:
            self.error_label.setText(f"Chưa lưu được. {messages[0]}")
        else:
            lines = "\n".join(f"• {m}" for m in messages)
            self.error_label.setText(f"Chưa lưu được vì còn {len(messages)} chỗ cần sửa:\n{lines}")
        self.error_label.show()
