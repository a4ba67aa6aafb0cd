"""Record one step of a model's life, or correct (or cancel) a step recorded earlier.

Also holds the small form helpers the model form shares with it (an optional date, marking a
widget at fault, Enter that does not close a dialog), so that the two dialogs behave alike.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.domain import (
    COMMENDATION_FORMS,
    COMMENDATION_LEVELS,
    DECIDED_STATUSES,
    EVENT_FIELD_LABELS,
    STATUS_LABELS,
    EventData,
    EventError,
    FieldError,
    Status,
    validate_event,
)
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.models import EventInfo

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.labels import date_text, datetime_text
from danvan_desktop.ui.widgets import (
    DATE_FORMAT,
    INVALID_STYLE,
    REQUIRED_MARK,
    OptionalDateEdit,
    confirm_close,
    enter_moves_on,
    field_label,
    from_qdate,
    long_text_edit,
    plain_buttons,
    set_invalid,
    to_qdate,
)


class EventDialog(QDialog):
    """Records a step (`correcting` None) or corrects one: the old step is kept, marked void
    with the reason, and the replacement (or nothing, to cancel the step) takes its place."""

    recorded = Signal(int)  # model id, after a step was written

    def __init__(
        self,
        context: UiContext,
        model_id: int,
        status: Status,
        parent: QWidget | None = None,
        *,
        correcting: EventInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._model_id = model_id
        self._status = status
        self._correcting = correcting
        self.new_status: Status | None = None  # the model's status after a successful write
        self.setStyleSheet(INVALID_STYLE)

        step = STATUS_LABELS[status]
        if correcting is None:
            self.setWindowTitle(f"Ghi nhận bước “{step}”")
        else:
            self.setWindowTitle(f"Sửa / hủy bước “{step}”")

        try:
            record = context.services.models.get(model_id)
        except UserError:
            record = None
        model_name = record.data.name if record is not None else ""
        # The latest step still in force: a new step dated before it would not become the
        # model's status (the status follows the latest date), so it is refused here.
        live = [e for e in (record.events if record else ()) if not e.is_void]
        self._latest = max(live, key=lambda e: (e.event_date, e.id)) if live else None
        header = QLabel(f"Mô hình: <b>{_html(model_name)}</b><br>Bước: <b>{step}</b>")
        header.setWordWrap(True)

        self.cancel_step: QCheckBox | None = None
        if correcting is not None:
            old = QLabel(_describe(correcting))
            old.setWordWrap(True)
            old.setStyleSheet("color: #555;")
            self.cancel_step = QCheckBox("Hủy bước này, không ghi bước thay thế")
            self.cancel_step.toggled.connect(self._on_cancel_toggled)

        self.event_date = QDateEdit()
        self.event_date.setDisplayFormat(DATE_FORMAT)
        self.event_date.setCalendarPopup(True)
        self.deciding_body = QLineEdit()
        self.deciding_body.setPlaceholderText("Ví dụ: Ban Thường vụ Đảng ủy xã")
        self.decision_number = QLineEdit()
        self.decision_number.setPlaceholderText("Ví dụ: 125-QĐ/ĐU")
        self.decision_date = OptionalDateEdit(EVENT_FIELD_LABELS["decision_date"])
        self.commendation_form = QComboBox()
        self.commendation_form.setEditable(True)
        self.commendation_form.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.commendation_form.addItems(COMMENDATION_FORMS)
        self.commendation_level = QComboBox()
        self.commendation_level.setEditable(True)
        self.commendation_level.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.commendation_level.addItems(COMMENDATION_LEVELS)
        self.note = long_text_edit(3)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Vì sao sửa hoặc hủy bước này")

        # field name (as in EventData / EVENT_FIELD_LABELS) -> the widget to mark and focus
        self._widgets: dict[str, QWidget] = {
            "event_date": self.event_date,
            "deciding_body": self.deciding_body,
            "decision_number": self.decision_number,
            "decision_date": self.decision_date.edit,
            "commendation_form": self.commendation_form,
            "commendation_level": self.commendation_level,
            "note": self.note,
            "reason": self.reason,
        }

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        if self.cancel_step is not None:
            form.addRow("", self.cancel_step)
        decided = status in DECIDED_STATUSES
        form.addRow(field_label(EVENT_FIELD_LABELS["event_date"], required=True), self.event_date)
        form.addRow(
            field_label(EVENT_FIELD_LABELS["deciding_body"], required=decided), self.deciding_body
        )
        form.addRow(field_label(EVENT_FIELD_LABELS["decision_number"]), self.decision_number)
        form.addRow(field_label(EVENT_FIELD_LABELS["decision_date"]), self.decision_date)
        form.addRow(
            field_label(EVENT_FIELD_LABELS["commendation_form"], required=True),
            self.commendation_form,
        )
        form.addRow(field_label(EVENT_FIELD_LABELS["commendation_level"]), self.commendation_level)
        # Returning a model for correction is only useful with what to correct.
        returned = status is Status.RETURNED
        note_label = "Nội dung cần sửa" if returned else EVENT_FIELD_LABELS["note"]
        form.addRow(field_label(note_label, required=returned), self.note)
        if correcting is not None:
            form.addRow(field_label(EVENT_FIELD_LABELS["reason"], required=True), self.reason)
        # Commendation only means something for the commendation step.
        commended = status is Status.COMMENDED
        form.setRowVisible(self.commendation_form, commended)
        form.setRowVisible(self.commendation_level, commended)
        self._form = form

        self.save_button = QPushButton("Ghi lại")
        self.save_button.setToolTip("Ghi lại (Ctrl+S hoặc Ctrl+Enter)")
        self.close_button = QPushButton("Hủy")
        self.close_button.setToolTip("Đóng, không ghi (Esc)")
        plain_buttons([self.save_button, self.close_button])
        self.save_button.clicked.connect(self.accept)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        legend = QLabel(f"{REQUIRED_MARK.strip()} bắt buộc nhập")
        legend.setTextFormat(Qt.TextFormat.RichText)
        buttons.addWidget(legend)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(header)
        if correcting is not None:
            layout.addWidget(old)
        layout.addLayout(form)
        layout.addLayout(buttons)

        for keys in (QKeySequence.StandardKey.Save, "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.accept)

        self._fill()
        self._initial = self._snapshot()
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())
        first = self.cancel_step if self.cancel_step is not None else self.event_date
        first.setFocus()

    # -- load / check / save -------------------------------------------------------------------

    def _fill(self) -> None:
        old = self._correcting
        if old is None:
            self.event_date.setDate(QDate.currentDate())
            self.commendation_form.setCurrentIndex(-1)
            self.commendation_level.setCurrentIndex(-1)
            return
        self.event_date.setDate(to_qdate(old.event_date))
        self.deciding_body.setText(old.deciding_body)
        self.decision_number.setText(old.decision_number)
        self.decision_date.set_date(old.decision_date)
        self.commendation_form.setCurrentText(old.commendation_form)
        self.commendation_level.setCurrentText(old.commendation_level)
        self.note.setPlainText(old.note)

    def collect(self) -> EventData | None:
        """The step as typed; None when the step is being cancelled without replacement."""
        if self.cancel_step is not None and self.cancel_step.isChecked():
            return None
        commended = self._status is Status.COMMENDED
        return EventData(
            status=self._status,
            event_date=from_qdate(self.event_date.date()),
            deciding_body=self.deciding_body.text(),
            decision_number=self.decision_number.text(),
            decision_date=self.decision_date.date(),
            commendation_form=self.commendation_form.currentText() if commended else "",
            commendation_level=self.commendation_level.currentText() if commended else "",
            note=self.note.toPlainText(),
        )

    def _snapshot(self) -> tuple[EventData | None, str]:
        return self.collect(), self.reason.text()

    def has_changes(self) -> bool:
        return self._snapshot() != self._initial

    def check(self) -> EventData | None:
        """The cleaned step; raises EventError naming every field at fault."""
        errors: list[FieldError] = []
        event = self.collect()
        if event is not None:
            try:
                event = validate_event(event, today=dt.date.today())
            except EventError as error:
                errors.extend(error.errors)
        latest = self._latest
        if (
            event is not None
            and self._correcting is None
            and latest is not None
            and event.event_date < latest.event_date
        ):
            errors.append(
                FieldError(
                    "event_date",
                    f"trước bước “{STATUS_LABELS[latest.status]}” ngày "
                    f"{date_text(latest.event_date)}; bước mới phải từ ngày đó trở đi.",
                )
            )
        if self._correcting is not None and not self.reason.text().strip():
            errors.append(FieldError("reason", "bắt buộc nhập lý do sửa."))
        if errors:
            raise EventError(errors)
        return event

    def save(self) -> bool:
        """Check, then write; on refusal say why and stay. True when written."""
        for widget in self._widgets.values():
            set_invalid(widget, None)
        try:
            event = self.check()
            by = self._context.services.installation.staff_name()
            models = self._context.services.models
            if self._correcting is None:
                assert event is not None
                self.new_status = models.add_event(self._model_id, event, by=by)
            else:
                self.new_status = models.correct_event(
                    self._correcting.id, event, reason=self.reason.text(), by=by
                )
        except EventError as error:
            self._refuse(error.errors)
            return False
        except UserError as error:
            self._context.prompter.error(self, "Chưa ghi được", str(error))
            return False
        self._initial = self._snapshot()
        self.recorded.emit(self._model_id)
        return True

    def _refuse(self, errors: list[FieldError]) -> None:
        lines = [f"• {EVENT_FIELD_LABELS.get(e.field, e.field)}: {e.message}" for e in errors]
        first: QWidget | None = None
        for error in errors:
            widget = self._widgets.get(error.field)
            if widget is not None:
                set_invalid(widget, error.message)
                first = first or widget
        self._context.prompter.error(
            self, "Chưa ghi được", "Chưa ghi được bước này vì:\n" + "\n".join(lines)
        )
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- closing ------------------------------------------------------------------------------

    def accept(self) -> None:
        if self.save():
            super().accept()

    def reject(self) -> None:
        if self.has_changes():
            text = "Bước này có thông tin chưa ghi lại. Ghi lại trước khi đóng?"
            if not confirm_close(self._context.prompter, self, "Chưa ghi", text):
                return
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not enter_moves_on(self, event):
            super().keyPressEvent(event)

    def _on_cancel_toggled(self, cancelling: bool) -> None:
        for name, widget in self._widgets.items():
            if name != "reason":
                widget.setEnabled(not cancelling)
        if not cancelling:
            # The date's own check box decides whether its edit is usable.
            self.decision_date.edit.setEnabled(self.decision_date.check.isChecked())
        self.decision_date.check.setEnabled(not cancelling)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _describe(event: EventInfo) -> str:
    """One line about the step being corrected."""
    parts = [f"Bước đang sửa: {STATUS_LABELS[event.status]}, ngày {date_text(event.event_date)}"]
    if event.deciding_body:
        parts.append(event.deciding_body)
    if event.decision_number:
        parts.append(f"số {event.decision_number}")
    parts.append(f"ghi bởi {event.recorded_by or '—'} lúc {datetime_text(event.recorded_at)}")
    return _html(", ".join(parts) + ".")
