"""Small widgets and helpers the forms share: optional dates, field labels, invalid marks,
buttons that Enter never presses, and the question before discarding typed work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from danvan_desktop.ui.prompts import Choice, Prompter

DATE_FORMAT = "dd/MM/yyyy"
# A widget at fault carries the property invalid=true; the dialogs' style sheet draws it red.
# Spin boxes and combos only get a tint: a style-sheet border would drop their arrows.
INVALID_STYLE = """
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {
    border: 2px solid #c62828; background: #fdecea;
}
QAbstractSpinBox[invalid="true"], QComboBox[invalid="true"], QCheckBox[invalid="true"] {
    background: #f6c9c4;
}
"""
REQUIRED_MARK = ' <span style="color:#c62828">*</span>'


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def field_label(text: str, *, required: bool = False) -> QLabel:
    """A form label; required fields get a red star (the legend under the form explains it)."""
    label = QLabel(text + (REQUIRED_MARK if required else ""))
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def set_invalid(widget: QWidget, message: str | None) -> None:
    """Mark (message given) or unmark (None) a widget as being at fault."""
    widget.setProperty("invalid", message is not None)
    widget.setToolTip(message or "")
    # A dynamic property does not restyle by itself.
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def is_invalid(widget: QWidget) -> bool:
    return bool(widget.property("invalid"))


def plain_buttons(buttons: Sequence[QPushButton]) -> None:
    """No button may be the dialog's default: Enter in a field must never save or close."""
    for button in buttons:
        button.setAutoDefault(False)
        button.setDefault(False)


def long_text_edit(min_lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)  # Tab moves on, as in every other field
    line = edit.fontMetrics().lineSpacing()
    edit.setMinimumHeight(line * min_lines + 12)
    edit.setMaximumHeight(line * max(min_lines * 2, 6) + 12)
    return edit


def enter_moves_on(dialog: QDialog, event: QKeyEvent) -> bool:
    """Enter (without Ctrl) in a one-line field moves to the next field; on a focused button it
    presses it. Returns True when handled. Multi-line fields keep Enter for themselves."""
    if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return False
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if modifiers != Qt.KeyboardModifier.NoModifier:
        return False
    focus = dialog.focusWidget()
    if isinstance(focus, QPushButton):
        focus.click()
    else:
        dialog.focusNextChild()
    return True


class OptionalDateEdit(QWidget):
    """A date that may stay empty: a check box turns the date on; empty shows "chưa có".

    A QDateEdit alone always holds some date, so "not known yet" would be saved as a made-up day.
    """

    changed = Signal()

    _EMPTY = QDate(1900, 1, 1)  # the shown-as-empty sentinel, never a real date here

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox()
        self.check.setToolTip("Đánh dấu để nhập ngày; bỏ đánh dấu để để trống.")
        self.check.setAccessibleName(f"{accessible_name}: có ngày")
        self.edit = QDateEdit()
        self.edit.setDisplayFormat(DATE_FORMAT)
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDate(self._EMPTY)
        self.edit.setSpecialValueText("chưa có")
        self.edit.setAccessibleName(accessible_name)
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("00/00/00000") + 40)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.setFocusProxy(self.check)
        self.check.toggled.connect(self._on_toggled)
        self.edit.dateChanged.connect(self.changed)
        self.set_date(None)

    def _on_toggled(self, on: bool) -> None:
        if on and self.edit.date() == self._EMPTY:
            self.edit.setDate(QDate.currentDate())
        elif not on:
            self.edit.setDate(self._EMPTY)
        self.edit.setEnabled(on)
        self.changed.emit()

    def date(self) -> dt.date | None:
        if not self.check.isChecked() or self.edit.date() == self._EMPTY:
            return None
        return from_qdate(self.edit.date())

    def set_date(self, value: dt.date | None) -> None:
        self.check.setChecked(value is not None)
        self.edit.setDate(self._EMPTY if value is None else to_qdate(value))
        self.edit.setEnabled(value is not None)


def confirm_close(prompter: Prompter, dialog: QDialog, title: str, text: str) -> bool:
    """Ask before closing a dialog with typed work: True when it may close now. "Lưu" runs the
    dialog's accept(), which closes it only if the save went through."""
    answer = prompter.save_discard_cancel(dialog, title, text)
    if answer is Choice.SAVE:
        dialog.accept()
        return False
    return answer is Choice.DISCARD


class ChoiceBox(QComboBox):
    """A combo box of (label, value) pairs; `value()` is typed, not a QVariant."""

    def __init__(
        self, choices: Sequence[tuple[str, object]], tooltip: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._values: list[object] = []
        self.setToolTip(tooltip)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.set_choices(choices)

    def set_choices(self, choices: Sequence[tuple[str, object]]) -> None:
        """Replace the items, keeping the chosen value when it is still offered."""
        kept = self.value() if self._values else None
        self.blockSignals(True)
        self.clear()
        self._values = [value for _, value in choices]
        for label, _ in choices:
            self.addItem(label)
        self.setCurrentIndex(self._values.index(kept) if kept in self._values else 0)
        self.blockSignals(False)

    def value(self) -> object:
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def set_value(self, value: object) -> None:
        self.setCurrentIndex(self._values.index(value))
