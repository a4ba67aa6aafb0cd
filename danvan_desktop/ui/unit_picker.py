"""Choosing a unit from the directory by typing part of its name (no diacritics needed) or code.

The results list sits inside the widget, under the line edit, instead of in a popup window: a
popup takes the keyboard focus away from the line edit, and Vietnamese input methods (Unikey,
EVKey, ibus) deliver their text to the focused widget, so typing could land nowhere. Here the
line edit keeps the focus; Up/Down/Enter/Escape are read from it by an event filter.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.domain import LEVEL_LABELS, Directory, search_terms
from danvan_desktop.services.units import UnitInfo

from danvan_desktop.ui.context import UiContext

_ModelIndex = QModelIndex | QPersistentModelIndex
# Keys held with these are shortcuts (Ctrl+A, Alt+B), not text: they never start a new search.
_SHORTCUT_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier

HINT = "Chưa chọn đơn vị."


class UnitResultsModel(QAbstractTableModel):
    """The units found by one search: the unit's label, and which list it comes from."""

    HEADERS = ("Đơn vị", "Danh mục")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._units: list[UnitInfo] = []

    def set_units(self, units: list[UnitInfo]) -> None:
        self.beginResetModel()
        self._units = list(units)
        self.endResetModel()

    def unit_at(self, row: int) -> UnitInfo:
        return self._units[row]

    def units(self) -> list[UnitInfo]:
        return list(self._units)

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._units)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._units):
            return None
        unit = self._units[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return unit.label if index.column() == 0 else unit.directory_label
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{unit.label}\n{LEVEL_LABELS[unit.level]} — danh mục {unit.directory_label}"
        if role == Qt.ItemDataRole.UserRole:
            return unit
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class UnitPicker(QWidget):
    """A line edit that searches the unit directory as you type, with the results under it."""

    # The chosen UnitInfo, or None when the choice is cleared (also when set_unit changes it).
    unitChanged = Signal(object)
    # After every search, with the number of units found; lets tests wait without sleeping.
    resultsReady = Signal(int)
    # The results list opened (True) or closed (False); a dialog may fit its height to it.
    resultsVisibleChanged = Signal(bool)

    SEARCH_DELAY_MS = 200  # long enough not to search on every key, short enough not to feel slow
    RESULT_LIMIT = 50
    VISIBLE_ROWS = 7

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._unit: UnitInfo | None = None
        # What was chosen before the user started typing over it; Escape brings it back.
        self._before_edit: UnitInfo | None = None
        self._directory: Directory | None = None

        self._edit = QLineEdit(self)
        self._edit.setPlaceholderText("Gõ tên không dấu hoặc mã, ví dụ: ngoc chien hoặc 03820")
        self._edit.setClearButtonEnabled(True)
        self._edit.textEdited.connect(self._on_text_edited)
        self._edit.installEventFilter(self)
        self.setFocusProxy(self._edit)

        self._model = UnitResultsModel(self)
        self._view = QTreeView(self)
        self._view.setModel(self._model)
        self._view.setRootIsDecorated(False)
        self._view.setUniformRowHeights(True)
        self._view.setHeaderHidden(True)
        self._view.setAllColumnsShowFocus(True)
        self._view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # The line edit keeps the focus (see the module docstring); the list is driven from it.
        self._view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self._view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        row_height = self._view.fontMetrics().height() + 8
        self._view.setFixedHeight(row_height * self.VISIBLE_ROWS + 2 * self._view.frameWidth())
        self._view.clicked.connect(self._on_result_clicked)
        self._view.hide()

        self._status = QLabel(self)
        self._status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = self._status.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self._status.setFont(font)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._edit)
        layout.addWidget(self._view)
        layout.addWidget(self._status)
        # Never taller than needed: the room the results list leaves when it closes must go to
        # the dialog's stretch, not open a gap under this field.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._show_status()

    # -- public API --------------------------------------------------------------------------

    def unit(self) -> UnitInfo | None:
        return self._unit

    def set_unit(self, unit: UnitInfo | None) -> None:
        self._timer.stop()
        self._hide_results()
        self._before_edit = None
        self._edit.setText(unit.label if unit is not None else "")
        self._edit.setCursorPosition(0)  # show the start of a long label, not its end
        changed = unit != self._unit
        self._unit = unit
        self._show_status()
        if changed:
            self.unitChanged.emit(unit)

    def set_directory(self, directory: Directory | None) -> None:
        """Search only one list (None: all of them)."""
        self._directory = directory
        if self._unit is None and self._edit.text().strip():
            self.search_now()

    def is_pending(self) -> bool:
        """Text was typed but no unit was chosen from the results."""
        return self._unit is None and bool(self._edit.text().strip())

    def line_edit(self) -> QLineEdit:
        return self._edit

    def results_view(self) -> QTreeView:
        return self._view

    def results_model(self) -> UnitResultsModel:
        return self._model

    def status_text(self) -> str:
        """The line under the field: the chosen unit's level and list, or what to do next."""
        return self._status.text()

    def results_visible(self) -> bool:
        return not self._view.isHidden()

    def search_now(self) -> None:
        """Run the search for the current text at once (the timer calls this after a pause)."""
        self._timer.stop()
        text = self._edit.text().strip()
        units: list[UnitInfo] = []
        if self._searchable(text):
            units = self._context.services.units.search(
                text, directory=self._directory, limit=self.RESULT_LIMIT
            )
        self._model.set_units(units)
        if units:
            self._view.setCurrentIndex(self._model.index(0, 0))
            self._view.scrollToTop()
            self._set_results_visible(True)
        else:
            self._set_results_visible(False)
        self._show_status()
        self.resultsReady.emit(len(units))

    # -- behaviour ---------------------------------------------------------------------------

    @staticmethod
    def _searchable(text: str) -> bool:
        # One letter matches thousands of names and stalls the window; a code digit is fine.
        return text.isdigit() or len("".join(search_terms(text))) >= 2

    def _on_text_edited(self, text: str) -> None:
        # Typing over a choice starts a new search: the old choice no longer stands.
        if self._unit is not None:
            self._before_edit = self._unit
            self._unit = None
            self.unitChanged.emit(None)
        if not text.strip():
            self._timer.stop()
            self._model.set_units([])
            self._hide_results()
            self._show_status()
            self.resultsReady.emit(0)
            return
        self._timer.start()
        self._show_status()

    def _on_result_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.set_unit(self._model.unit_at(index.row()))
            self._edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _hide_results(self) -> None:
        self._set_results_visible(False)

    def _set_results_visible(self, visible: bool) -> None:
        if visible == self.results_visible():
            return
        self._view.setVisible(visible)
        self.resultsVisibleChanged.emit(visible)

    def _move_current(self, step: int) -> None:
        rows = self._model.rowCount()
        if not rows:
            return
        self._set_results_visible(True)
        current = self._view.currentIndex()
        row = current.row() + step if current.isValid() else 0
        row = max(0, min(rows - 1, row))
        self._view.setCurrentIndex(self._model.index(row, 0))

    def _pick_current(self) -> bool:
        if self._timer.isActive():
            self.search_now()
        current = self._view.currentIndex()
        if self.results_visible() and current.isValid():
            self.set_unit(self._model.unit_at(current.row()))
            return True
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._edit:
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self._on_key(event)
            if (
                event.type() == QEvent.Type.InputMethod
                and isinstance(event, QInputMethodEvent)
                and (event.commitString() or event.preeditString())
            ):
                self._start_typing_over_choice()
            if event.type() == QEvent.Type.FocusOut:
                # Leaving the field closes the list; coming back and pressing ↓ reopens it.
                self._hide_results()
        return super().eventFilter(watched, event)

    def _start_typing_over_choice(self) -> None:
        """The label of a chosen unit is not a search: typing starts afresh instead of adding
        letters to "Xã Ngọc Chiến (03820) — Tỉnh Sơn La"."""
        if self._unit is not None:
            self._edit.clear()  # no textEdited: the key that follows emits it

    def _on_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        text = event.text()
        if text and text.isprintable() and not event.modifiers() & _SHORTCUT_MODIFIERS:
            self._start_typing_over_choice()
            return False
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and self._unit is not None:
            # One key removes the whole choice, as in a combo box.
            self._edit.clear()
            self._on_text_edited("")
            return True
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            if self._timer.isActive():
                self.search_now()
            if not self.results_visible():
                self._move_current(0)
            else:
                self._move_current(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp) and self.results_visible():
            step = self.VISIBLE_ROWS - 1
            self._move_current(step if key == Qt.Key.Key_PageDown else -step)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._pick_current():
                return True
            # Enter on a half-typed search must not press the dialog's OK button.
            return self.is_pending()
        if key == Qt.Key.Key_Escape and (self.results_visible() or self.is_pending()):
            # First Escape gives up the search and brings the earlier choice back;
            # the next one reaches the dialog.
            self.set_unit(self._before_edit)
            return True
        return False

    def _show_status(self) -> None:
        text = self._edit.text().strip()
        if self._unit is not None:
            unit = self._unit
            message = f"{LEVEL_LABELS[unit.level]} — danh mục {unit.directory_label}"
        elif not text:
            message = HINT
        elif self._timer.isActive():
            message = ""
        elif not self._searchable(text):
            message = "Gõ ít nhất hai chữ cái của tên, hoặc mã đơn vị."
        elif not self._model.rowCount():
            message = f"Không tìm thấy đơn vị nào khớp với “{text}”."
        elif self._model.rowCount() >= self.RESULT_LIMIT:
            message = f"Hiện {self.RESULT_LIMIT} đơn vị đầu tiên; gõ thêm để thu hẹp."
        else:
            message = "Chọn bằng ↑ ↓ và Enter, hoặc bấm chuột."
        self._status.setText(message)
