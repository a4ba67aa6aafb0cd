"""The model form: register a model or edit one, laid out like the paper registration form, and
follow the steps of its life.

load() fills the widgets from the service, check() builds a ModelData and validates it (naming
every field at fault), save() writes it; accept() checks everything before writing anything.
"""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    LONG_TEXT_FIELDS,
    MODEL_FIELD_LABELS,
    MODEL_FIELD_NAMES,
    NEW_LABELS,
    STATUS_ACTIONS,
    STATUS_LABELS,
    SUBJECT_LABELS,
    YEAR_MAX,
    YEAR_MIN,
    Field,
    FieldError,
    Kind,
    ModelData,
    Status,
    SubjectType,
    ValidationError,
    clean_model,
    validate_model,
)
from danvan_desktop.services.errors import ConflictError, UserError
from danvan_desktop.services.models import EventInfo, ModelRecord

from danvan_desktop.ui.audit_view import AuditLogView
from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.event_dialog import EventDialog
from danvan_desktop.ui.labels import date_text, datetime_text
from danvan_desktop.ui.widgets import (
    INVALID_STYLE,
    OptionalDateEdit,
    confirm_close,
    enter_moves_on,
    field_label,
    is_invalid,
    long_text_edit,
    plain_buttons,
    set_invalid,
)

GEOMETRY_KEY = "model_form/geometry"
DEFAULT_PERIOD = (2025, 2030)
REQUIRED = frozenset({"name", "unit_id", "person_name", "period_start", "period_end"})

# The sections of the paper form and the long texts in each (section I is built by hand).
SECTION_TITLES = {
    "general": "I. Thông tin chung",
    "content": "II. Nội dung đăng ký",
    "organisation": "III. Tổ chức thực hiện",
    "results": "IV. Kết quả",
}
EVENT_COLUMNS = (
    "Ngày",
    "Bước",
    "Cơ quan quyết định",
    "Số, ngày quyết định",
    "Khen thưởng",
    "Người ghi",
    "Ghi chú",
    "Sửa / hủy",
)
EVENT_COLUMN_MAX = 240  # px; the full text is in the tooltip and the line under the table


class ModelFormDialog(QDialog):
    """Register (`model_id` None) or edit a model."""

    changed = Signal(int)  # model id, after every successful write

    def __init__(
        self, context: UiContext, model_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._services = context.services
        self._model_id = model_id
        self._record: ModelRecord | None = None
        self._revision: int | None = None  # the revision the fields were loaded from
        self._baseline = ModelData()
        self._event_dialog: EventDialog | None = None
        self._event_rows: list[EventInfo] = []
        self.read_only = False  # a model received from a unit below
        self.action_buttons: dict[Status, QPushButton] = {}
        self.setStyleSheet(INVALID_STYLE)
        self.setSizeGripEnabled(True)

        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.setStyleSheet("color: #444;")

        self._build_fields()
        self.form_page = self._build_form_page()
        self.lifecycle_page = self._build_lifecycle_page()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form_page, "Phiếu đăng ký")
        self.tabs.addTab(self.lifecycle_page, "Quá trình thực hiện")
        # The model's own entries of the audit log, newest first.
        self.history = AuditLogView(context.services.audit, compact=True)
        self.tabs.addTab(self.history, "Lịch sử")

        self.save_button = QPushButton("Lưu")
        self.save_button.setToolTip("Lưu, tiếp tục sửa (Ctrl+S)")
        self.save_close_button = QPushButton("Lưu và đóng")
        self.save_close_button.setToolTip("Lưu rồi đóng (Ctrl+Enter)")
        self.close_button = QPushButton("Đóng")
        self.close_button.setToolTip("Đóng; nếu có thay đổi chưa lưu sẽ được hỏi (Esc)")
        plain_buttons([self.save_button, self.save_close_button, self.close_button])
        self.save_button.clicked.connect(self.save_and_stay)
        self.save_close_button.clicked.connect(self.accept)
        self.close_button.clicked.connect(self.reject)
        legend = QLabel('<span style="color:#c62828">*</span> bắt buộc nhập')
        buttons = QHBoxLayout()
        buttons.addWidget(legend)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.save_close_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_and_stay)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.accept)

        self._set_tab_order()
        self._connect_changes()
        self.load()
        self._restore_geometry()
        self.name_edit.setFocus()

    # -- building -----------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Ví dụ: Du lịch cộng đồng ở bản Pá Khoang")
        self.kind_combo = _combo({k.value: v for k, v in KIND_LABELS.items()})
        self.subject_combo = _combo({k.value: v for k, v in SUBJECT_LABELS.items()})
        self.person_name_edit = QLineEdit()
        self.person_position_edit = QLineEdit()
        self.person_unit_edit = QLineEdit()
        self.field_combo = _combo({k.value: v for k, v in FIELD_LABELS.items()})
        self.unit_combo = QComboBox()
        self.village_edit = QLineEdit()
        self.ethnic_check = QCheckBox(MODEL_FIELD_LABELS["ethnic_minority_area"])
        self.period_start_spin = _year_spin()
        self.period_end_spin = _year_spin()
        self.new_combo = QComboBox()
        for value, label in NEW_LABELS.items():
            self.new_combo.addItem(label, value)
        self.registered_on_edit = OptionalDateEdit(MODEL_FIELD_LABELS["registered_on"])
        self.texts: dict[str, QPlainTextEdit] = {
            name: long_text_edit() for name in LONG_TEXT_FIELDS
        }
        self.start_date_edit = OptionalDateEdit(MODEL_FIELD_LABELS["start_date"])
        self.evaluation_date_edit = OptionalDateEdit(MODEL_FIELD_LABELS["evaluation_date"])
        self.texts["resources"].setPlaceholderText(
            "Kinh phí, cơ sở vật chất, nhân lực, ngày công, xã hội hóa…"
        )
        # field name -> the widget marked and focused when that field is at fault
        self.widgets: dict[str, QWidget] = {
            "name": self.name_edit,
            "kind": self.kind_combo,
            "subject_type": self.subject_combo,
            "person_name": self.person_name_edit,
            "person_position": self.person_position_edit,
            "person_unit": self.person_unit_edit,
            "field": self.field_combo,
            "unit_id": self.unit_combo,
            "village": self.village_edit,
            "ethnic_minority_area": self.ethnic_check,
            "period_start": self.period_start_spin,
            "period_end": self.period_end_spin,
            "is_new": self.new_combo,
            "registered_on": self.registered_on_edit.edit,
            "start_date": self.start_date_edit.edit,
            "evaluation_date": self.evaluation_date_edit.edit,
            **self.texts,
        }

    def _label(self, name: str) -> QLabel:
        return field_label(MODEL_FIELD_LABELS[name], required=name in REQUIRED)

    def _build_form_page(self) -> QScrollArea:
        general = QFormLayout()
        general.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        general.addRow(self._label("name"), self.name_edit)
        general.addRow(self._label("kind"), self.kind_combo)
        general.addRow(self._label("subject_type"), self.subject_combo)
        general.addRow(self._label("person_name"), self.person_name_edit)
        general.addRow(self._label("person_position"), self.person_position_edit)
        general.addRow(self._label("person_unit"), self.person_unit_edit)
        general.addRow(self._label("field"), self.field_combo)
        general.addRow(self._label("unit_id"), self.unit_combo)
        general.addRow(self._label("village"), self.village_edit)
        general.addRow("", self.ethnic_check)
        period = QHBoxLayout()
        period.addWidget(self.period_start_spin)
        period.addSpacing(12)
        period.addWidget(field_label("đến năm", required=True))
        period.addWidget(self.period_end_spin)
        period.addStretch(1)
        general.addRow(self._label("period_start"), period)
        general.addRow(self._label("is_new"), self.new_combo)
        general.addRow(self._label("registered_on"), self.registered_on_edit)
        self._general_form = general

        organisation = _text_form(
            self,
            ("lead_forces", "coordinating_forces", "participating_forces", "resources"),
        )
        dates = QHBoxLayout()
        dates.addWidget(self._label("start_date"))
        dates.addWidget(self.start_date_edit)
        dates.addSpacing(24)
        dates.addWidget(self._label("evaluation_date"))
        dates.addWidget(self.evaluation_date_edit)
        dates.addStretch(1)
        organisation.addRow(dates)
        organisation.addRow(self._label("schedule"), self.texts["schedule"])

        self.sections: dict[str, QGroupBox] = {}
        forms = {
            "general": general,
            "content": _text_form(self, ("situation", "goals", "content", "target_area")),
            "organisation": organisation,
            "results": _text_form(self, ("outputs", "sustainability", "notes")),
        }
        page = QWidget()
        column = QVBoxLayout(page)
        for key, form in forms.items():
            box = QGroupBox(SECTION_TITLES[key])
            box.setLayout(form)
            column.addWidget(box)
            self.sections[key] = box
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        self.scroll_area = scroll
        return scroll

    def _build_lifecycle_page(self) -> QWidget:
        page = QWidget()
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.setWordWrap(True)
        self.events_table = QTableWidget(0, len(EVENT_COLUMNS))
        self.events_table.setHorizontalHeaderLabels(list(EVENT_COLUMNS))
        self.events_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.events_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.events_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.events_table.setTabKeyNavigation(False)  # Tab leaves the table, as in the form
        self.events_table.setWordWrap(False)
        self.events_table.verticalHeader().setVisible(False)
        header = self.events_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.events_table.itemSelectionChanged.connect(self._update_correct_button)
        self.events_table.itemDoubleClicked.connect(lambda _item: self.correct_selected_event())

        self.actions_box = QHBoxLayout()
        self.correct_button = QPushButton("Sửa / hủy bước…")
        self.correct_button.setToolTip(
            "Sửa hoặc hủy bước đang chọn; bước cũ vẫn được giữ lại kèm lý do."
        )
        plain_buttons([self.correct_button])
        self.correct_button.clicked.connect(self.correct_selected_event)
        self.new_model_note = QLabel()
        self.new_model_note.setWordWrap(True)
        self.event_details = QLabel()  # the whole of the selected step, cut nowhere
        self.event_details.setWordWrap(True)
        self.event_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        actions_row = QHBoxLayout()
        self.actions_label = QLabel("Chuyển sang bước:")
        actions_row.addWidget(self.actions_label)
        actions_row.addLayout(self.actions_box)
        actions_row.addStretch(1)
        actions_row.addWidget(self.correct_button)

        layout = QVBoxLayout(page)
        layout.addWidget(self.status_label)
        layout.addWidget(self.new_model_note)
        layout.addWidget(self.events_table, 1)
        layout.addWidget(self.event_details)
        layout.addLayout(actions_row)
        return page

    def _set_tab_order(self) -> None:
        """Down the paper form, whatever order the widgets happened to be made in."""
        chain: list[QWidget] = [
            self.name_edit,
            self.kind_combo,
            self.subject_combo,
            self.person_name_edit,
            self.person_position_edit,
            self.person_unit_edit,
            self.field_combo,
            self.unit_combo,
            self.village_edit,
            self.ethnic_check,
            self.period_start_spin,
            self.period_end_spin,
            self.new_combo,
            self.registered_on_edit.check,
            self.registered_on_edit.edit,
            *(self.texts[n] for n in ("situation", "goals", "content", "target_area")),
            *(
                self.texts[n]
                for n in ("lead_forces", "coordinating_forces", "participating_forces")
            ),
            self.texts["resources"],
            self.start_date_edit.check,
            self.start_date_edit.edit,
            self.evaluation_date_edit.check,
            self.evaluation_date_edit.edit,
            self.texts["schedule"],
            *(self.texts[n] for n in ("outputs", "sustainability", "notes")),
            self.save_button,
            self.save_close_button,
            self.close_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect_changes(self) -> None:
        for widget in self.widgets.values():
            if isinstance(widget, (QLineEdit, QPlainTextEdit)):
                widget.textChanged.connect(self._on_edited)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._on_edited)
            elif isinstance(widget, QSpinBox):
                widget.valueChanged.connect(self._on_edited)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(self._on_edited)
        for dates in (self.registered_on_edit, self.start_date_edit, self.evaluation_date_edit):
            dates.changed.connect(self._on_edited)
        self.subject_combo.currentIndexChanged.connect(self._show_person_rows)

    # -- load / check / save ------------------------------------------------------------------

    @property
    def model_id(self) -> int | None:
        return self._model_id

    @property
    def revision(self) -> int | None:
        return self._revision

    def load(self) -> None:
        """Fill every widget from the stored model (or with the defaults of a new one)."""
        self._fill_units()
        if self._model_id is None:
            self._record = None
            self._revision = None
            data = ModelData(
                unit_id=self.unit_combo.itemData(0) if self.unit_combo.count() else None,
                period_start=DEFAULT_PERIOD[0],
                period_end=DEFAULT_PERIOD[1],
                registered_on=dt.date.today(),
            )
        else:
            record = self._services.models.get(self._model_id)
            self._record = record
            self._revision = record.revision
            data = record.data
            if data.unit_id is not None and self.unit_combo.findData(data.unit_id) < 0:
                # A model of a unit outside this installation's list (e.g. imported).
                self.unit_combo.addItem(f"{record.unit_name} ({record.unit_code})", data.unit_id)
        self._fill(data)
        for widget in self.widgets.values():
            set_invalid(widget, None)
        self._baseline = self._current()
        self._set_read_only(self._received_from_below())
        self._show_record()
        self._on_edited()

    def _received_from_below(self) -> bool:
        record = self._record
        if record is None or record.data.unit_id is None:
            return False
        return self._services.packages.decision_owner(record.data.unit_id) is not None

    def _set_read_only(self, read_only: bool) -> None:
        """A model received from a unit below is that unit's: shown, not edited here; this
        level records only its own decisions (on the lifecycle tab)."""
        self.read_only = read_only
        for widget in self.widgets.values():
            if isinstance(widget, (QLineEdit, QPlainTextEdit)):
                widget.setReadOnly(read_only)
            else:
                widget.setEnabled(not read_only)
        self.save_button.setVisible(not read_only)
        self.save_close_button.setVisible(not read_only)

    def _fill_units(self) -> None:
        self.unit_combo.clear()
        try:
            own = self._services.installation.get().unit
        except UserError:
            return  # not set up: only the model's own unit will be offered
        for unit in [own, *self._services.units.children(own.id)]:
            self.unit_combo.addItem(unit.label, unit.id)

    def _fill(self, data: ModelData) -> None:
        self.name_edit.setText(data.name)
        _select(self.kind_combo, data.kind.value)
        _select(self.subject_combo, data.subject_type.value)
        self.person_name_edit.setText(data.person_name)
        self.person_position_edit.setText(data.person_position)
        self.person_unit_edit.setText(data.person_unit)
        _select(self.field_combo, data.field.value)
        _select(self.unit_combo, data.unit_id)
        self.village_edit.setText(data.village)
        self.ethnic_check.setChecked(data.ethnic_minority_area)
        self.period_start_spin.setValue(data.period_start or DEFAULT_PERIOD[0])
        self.period_end_spin.setValue(data.period_end or DEFAULT_PERIOD[1])
        _select(self.new_combo, data.is_new)
        self.registered_on_edit.set_date(data.registered_on)
        self.start_date_edit.set_date(data.start_date)
        self.evaluation_date_edit.set_date(data.evaluation_date)
        for name, edit in self.texts.items():
            edit.setPlainText(getattr(data, name))
        self._show_person_rows()

    def collect(self) -> ModelData:
        """The record exactly as the widgets hold it (not yet normalised)."""
        unit = self.unit_combo.currentData()
        texts = {name: edit.toPlainText() for name, edit in self.texts.items()}
        return ModelData(
            name=self.name_edit.text(),
            kind=Kind(self.kind_combo.currentData()),
            subject_type=SubjectType(self.subject_combo.currentData()),
            person_name=self.person_name_edit.text(),
            person_position=self.person_position_edit.text(),
            person_unit=self.person_unit_edit.text(),
            field=Field(self.field_combo.currentData()),
            unit_id=int(unit) if unit is not None else None,
            village=self.village_edit.text(),
            ethnic_minority_area=self.ethnic_check.isChecked(),
            period_start=self.period_start_spin.value(),
            period_end=self.period_end_spin.value(),
            is_new=bool(self.new_combo.currentData()),
            registered_on=self.registered_on_edit.date(),
            start_date=self.start_date_edit.date(),
            evaluation_date=self.evaluation_date_edit.date(),
            **texts,
        )

    def _current(self) -> ModelData:
        # Compared after cleaning, so NFD vs NFC or a trailing space is not a "change".
        return clean_model(self.collect())

    def has_changes(self) -> bool:
        return self._current() != self._baseline

    def check(self) -> ModelData:
        """The cleaned record; raises ValidationError naming every field at fault."""
        return validate_model(self.collect(), today=dt.date.today())

    def save(self) -> bool:
        """Check every field, then write. On refusal explain and stay. True when written."""
        for widget in self.widgets.values():
            set_invalid(widget, None)
        try:
            data = self.check()
        except ValidationError as error:
            self._refuse(error.errors)
            return False
        by = self._services.installation.staff_name()
        models = self._services.models
        try:
            if self._model_id is None:
                self._model_id = models.create(data, by=by)
            else:
                assert self._revision is not None
                models.update(self._model_id, data, expected_revision=self._revision, by=by)
        except ValidationError as error:  # the service judges with the same rules
            self._refuse(error.errors)
            return False
        except ConflictError as error:
            self._context.prompter.error(self, "Mô hình đã bị sửa ở nơi khác", str(error))
            return False
        except UserError as error:
            self._context.prompter.error(self, "Chưa lưu được", str(error))
            return False
        self.load()
        assert self._model_id is not None
        self.changed.emit(self._model_id)
        return True

    def _refuse(self, errors: list[FieldError]) -> None:
        """One message naming every field at fault; the widgets marked, the first focused."""
        order = {name: index for index, name in enumerate(MODEL_FIELD_NAMES)}
        errors = sorted(errors, key=lambda e: order.get(e.field, len(order)))
        for error in errors:
            widget = self.widgets.get(error.field)
            if widget is not None and not is_invalid(widget):
                set_invalid(widget, error.message)
        lines = "\n".join(f"• {error}" for error in errors)
        self._context.prompter.error(
            self,
            "Chưa lưu được",
            f"Chưa lưu được vì còn {len(errors)} chỗ cần sửa:\n{lines}",
        )
        first = next((self.widgets[e.field] for e in errors if e.field in self.widgets), None)
        if first is not None:
            self.tabs.setCurrentWidget(self.form_page)
            self.scroll_area.ensureWidgetVisible(first)
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- showing the record -------------------------------------------------------------------

    def _show_record(self) -> None:
        record = self._record
        name = record.data.name if record is not None else ""
        if record is None:
            self.setWindowTitle("Đăng ký mô hình mới[*]")
            self.info_label.setText(
                "Mô hình mới, chưa lưu. Người đăng ký: "
                f"{self._services.installation.staff_name() or '—'}."
            )
        else:
            self.setWindowTitle(f"Sửa mô hình: {name}[*]")
            info = (
                f"Mã: {record.uuid[:8]} · Phiên bản {record.revision} · "
                f"Trạng thái: {STATUS_LABELS[record.status]} · "
                f"Tạo: {record.created_by or '—'}, {datetime_text(record.created_at)} · "
                f"Sửa lần cuối: {record.updated_by or '—'}, {datetime_text(record.updated_at)}"
            )
            if record.deleted:
                info += " · Mô hình này đã bị xóa."
            if self.read_only:
                info += (
                    f"<br><b>Mô hình của {record.unit_name}, nhận qua gói dữ liệu: chỉ xem.</b> "
                    "Đơn vị này chỉ ghi quyết định của mình (công nhận, tiêu biểu, khen thưởng) "
                    "ở thẻ “Quá trình thực hiện”."
                )
            self.info_label.setText(info)
            self.info_label.setToolTip(f"Mã đầy đủ: {record.uuid}")
        self._show_lifecycle()
        self.history.show_model(record.uuid if record is not None else None)

    def _show_lifecycle(self) -> None:
        record = self._record
        while self.actions_box.count():
            old = self.actions_box.takeAt(0)
            widget = old.widget() if old is not None else None
            if widget is not None:
                widget.deleteLater()
        self.action_buttons = {}
        self.events_table.setRowCount(0)
        self._event_rows = []
        if record is None:
            self.status_label.setText(f"Trạng thái: <b>{STATUS_LABELS[Status.REGISTERED]}</b>")
            self.new_model_note.setText(
                f"Khi lưu, mô hình sẽ bắt đầu ở bước “{STATUS_LABELS[Status.REGISTERED]}”. "
                "Các bước tiếp theo (triển khai, công nhận, khen thưởng…) được ghi sau khi lưu."
            )
            self.new_model_note.show()
            self.actions_label.hide()
            self.correct_button.setEnabled(False)
            self.events_table.resizeColumnsToContents()
            return
        self.new_model_note.hide()
        self.actions_label.show()
        self.status_label.setText(f"Trạng thái hiện tại: <b>{STATUS_LABELS[record.status]}</b>")
        previous: QWidget = self.close_button
        for status in self._services.models.allowed_steps(record.id):
            button = QPushButton(STATUS_ACTIONS[status] + "…")
            button.setToolTip(f"Ghi nhận bước “{STATUS_LABELS[status]}”")
            plain_buttons([button])
            button.clicked.connect(lambda _=False, s=status: self.record_step(s))
            button.setEnabled(not record.deleted)
            self.actions_box.addWidget(button)
            self.action_buttons[status] = button
            QWidget.setTabOrder(previous, button)
            previous = button
        QWidget.setTabOrder(previous, self.correct_button)

        events = sorted(record.events, key=lambda e: (e.event_date, e.id))
        self._event_rows = events
        self.events_table.setRowCount(len(events))
        grey = QBrush(QColor("#888888"))
        for row, event in enumerate(events):
            void = ""
            if event.is_void:
                void = (
                    f"Đã hủy/sửa bởi {event.voided_by or '—'} lúc "
                    f"{datetime_text(event.voided_at)}: {event.void_reason}"
                )
            elif event.replaces_id is not None:
                void = "Bản sửa của một bước trước"
            decision = event.decision_number
            if event.decision_date is not None:
                decision += f" ngày {date_text(event.decision_date)}"
            values = (
                date_text(event.event_date),
                STATUS_LABELS[event.status],
                event.deciding_body,
                decision.strip(),
                " ".join(p for p in (event.commendation_form, event.commendation_level) if p),
                event.recorded_by,
                event.note.replace("\n", " "),
                void,
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if event.is_void:
                    font = QFont(item.font())
                    font.setStrikeOut(column != len(values) - 1)  # the reason stays legible
                    item.setFont(font)
                    item.setForeground(grey)
                self.events_table.setItem(row, column, item)
        self.events_table.resizeColumnsToContents()
        for column in range(len(EVENT_COLUMNS)):
            width = min(self.events_table.columnWidth(column), EVENT_COLUMN_MAX)
            self.events_table.setColumnWidth(column, width)
        self._update_correct_button()

    def _show_person_rows(self) -> None:
        individual = self.subject_combo.currentData() == SubjectType.INDIVIDUAL.value
        for widget in (self.person_name_edit, self.person_position_edit, self.person_unit_edit):
            self._general_form.setRowVisible(widget, individual)

    def _on_edited(self) -> None:
        self.setWindowModified(self.has_changes())
        sender = self.sender()
        # The mark on a field goes once the user changes it.
        if isinstance(sender, QWidget) and is_invalid(sender):
            set_invalid(sender, None)

    # -- the lifecycle ------------------------------------------------------------------------

    @property
    def event_dialog(self) -> EventDialog | None:
        """The step dialog currently open, if any."""
        return self._event_dialog

    def selected_event(self) -> EventInfo | None:
        rows = self.events_table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._event_rows[rows[0].row()]

    def _update_correct_button(self) -> None:
        event = self.selected_event()
        self.event_details.setText(_event_details(event) if event is not None else "")
        deleted = self._record is not None and self._record.deleted
        self.correct_button.setEnabled(event is not None and not event.is_void and not deleted)

    def record_step(self, status: Status) -> None:
        if self._model_id is not None:
            self._open_event_dialog(EventDialog(self._context, self._model_id, status, self))

    def correct_selected_event(self) -> None:
        event = self.selected_event()
        if self._model_id is None or event is None or event.is_void:
            return
        self._open_event_dialog(
            EventDialog(self._context, self._model_id, event.status, self, correcting=event)
        )

    def _open_event_dialog(self, dialog: EventDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.recorded.connect(self._on_step_recorded)
        dialog.finished.connect(self._on_event_dialog_finished)
        self._event_dialog = dialog
        dialog.open()  # window-modal, no nested event loop

    def _on_event_dialog_finished(self) -> None:
        self._event_dialog = None

    def _on_step_recorded(self, model_id: int) -> None:
        before = self._revision
        if not self.has_changes():
            self.load()  # nothing typed to keep: show the model as it now is
        else:
            record = self._services.models.get(model_id)
            # A step bumps the revision. Keep the user's typing, and keep checking conflicts:
            # follow the revision only when our own step is the one change since loading.
            if before is not None and record.revision == before + 1:
                self._revision = record.revision
            self._record = record
            self._show_record()
        self.tabs.setCurrentWidget(self.lifecycle_page)
        self.changed.emit(model_id)

    # -- closing ------------------------------------------------------------------------------

    def save_and_stay(self) -> None:
        self.save()

    def accept(self) -> None:
        if self.save():
            super().accept()

    def reject(self) -> None:
        """Esc, the close button and the window's [x] all come here."""
        if self.has_changes():
            name = self.name_edit.text().strip()
            what = f"Mô hình “{name}”" if name else "Mô hình này"
            text = f"{what} có thay đổi chưa lưu. Lưu lại trước khi đóng?"
            if not confirm_close(self._context.prompter, self, "Chưa lưu", text):
                return
        super().reject()

    def done(self, result: int) -> None:
        self._context.settings.set_bytes(GEOMETRY_KEY, self.saveGeometry())
        super().done(result)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not enter_moves_on(self, event):
            super().keyPressEvent(event)

    def _restore_geometry(self) -> None:
        saved: QByteArray = self._context.settings.bytes(GEOMETRY_KEY)
        if not saved.isEmpty() and self.restoreGeometry(saved):
            return
        screen = self.screen().availableGeometry()
        self.resize(min(1040, screen.width() - 40), min(720, screen.height() - 60))


def _combo(items: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    for value, label in items.items():
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def _year_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(YEAR_MIN, YEAR_MAX)
    spin.setGroupSeparatorShown(False)
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance("20300") + 40)
    return spin


def _text_form(dialog: ModelFormDialog, names: tuple[str, ...]) -> QFormLayout:
    """Long texts with their label above, full width, as on paper."""
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    for name in names:
        form.addRow(dialog._label(name), dialog.texts[name])
    return form


def _event_details(event: EventInfo) -> str:
    """Everything about one step, for the line under the table."""
    parts = [f"{STATUS_LABELS[event.status]} ngày {date_text(event.event_date)}"]
    if event.deciding_body:
        parts.append(event.deciding_body)
    if event.decision_number:
        parts.append(f"quyết định số {event.decision_number}")
    if event.decision_date is not None:
        parts.append(f"ngày quyết định {date_text(event.decision_date)}")
    if event.commendation_form:
        parts.append(f"{event.commendation_form} {event.commendation_level}".strip())
    parts.append(f"ghi bởi {event.recorded_by or '—'} lúc {datetime_text(event.recorded_at)}")
    text = ", ".join(parts) + "."
    if event.note:
        text += f" Ghi chú: {event.note}"
    if event.is_void:
        text += (
            f" — Đã hủy/sửa bởi {event.voided_by or '—'} lúc {datetime_text(event.voided_at)}."
            f" Lý do: {event.void_reason}"
        )
    return text
