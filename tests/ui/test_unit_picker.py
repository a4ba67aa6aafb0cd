"""The unit picker: search as you type, keyboard choice, both lists told apart."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from danvan_desktop.domain import Directory, UnitLevel
from danvan_desktop.services.units import UnitInfo
from tests.ui.typing_helpers import press, type_text

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.unit_picker import UnitPicker, UnitResultsModel

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform warns whenever a window's size hints change (the results list
    # opening); not our doing.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def picker(qtbot: QtBot, blank_context: UiContext) -> UnitPicker:
    widget = UnitPicker(blank_context)
    qtbot.addWidget(widget)
    widget.resize(600, 260)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def search(qtbot: QtBot, picker: UnitPicker, text: str) -> list[UnitInfo]:
    """Type `text` and wait for the debounced search (no sleeping)."""
    with qtbot.waitSignal(picker.resultsReady, timeout=3000):
        type_text(picker.line_edit(), text)
    return picker.results_model().units()


def shown_rows(picker: UnitPicker) -> list[tuple[str, str]]:
    model = picker.results_model()
    return [
        (model.index(row, 0).data(), model.index(row, 1).data()) for row in range(model.rowCount())
    ]


def test_unaccented_name_lists_both_lists_with_their_labels(
    qtbot: QtBot, picker: UnitPicker
) -> None:
    search(qtbot, picker, "ngoc chien")
    rows = shown_rows(picker)
    assert ("Xã Ngọc Chiến (03820) — Tỉnh Sơn La", "từ 1/7/2025") in rows
    assert ("Xã Ngọc Chiến (03820) — Huyện Mường La", "trước 1/7/2025") in rows
    assert rows[0][1] == "từ 1/7/2025"  # the unit in force comes first
    assert picker.results_visible()


def test_search_by_code(qtbot: QtBot, picker: UnitPicker) -> None:
    units = search(qtbot, picker, "03820")
    assert {(u.code, u.directory) for u in units} == {
        ("03820", Directory.CURRENT),
        ("03820", Directory.LEGACY),
    }


def test_enter_picks_the_highlighted_unit_and_emits(qtbot: QtBot, picker: UnitPicker) -> None:
    search(qtbot, picker, "ngoc chien")
    with qtbot.waitSignal(picker.unitChanged) as signal:
        press(picker.line_edit(), Qt.Key.Key_Return)
    unit = picker.unit()
    assert unit is not None
    assert (unit.code, unit.directory) == ("03820", Directory.CURRENT)
    assert signal.args == [unit]
    assert picker.line_edit().text() == "Xã Ngọc Chiến (03820) — Tỉnh Sơn La"
    assert not picker.results_visible()


def test_down_then_enter_picks_the_pre_2025_unit(qtbot: QtBot, picker: UnitPicker) -> None:
    search(qtbot, picker, "ngoc chien")
    press(picker.line_edit(), Qt.Key.Key_Down)
    press(picker.line_edit(), Qt.Key.Key_Down)  # stays on the last row
    press(picker.line_edit(), Qt.Key.Key_Up)
    press(picker.line_edit(), Qt.Key.Key_Down)
    press(picker.line_edit(), Qt.Key.Key_Enter)
    unit = picker.unit()
    assert unit is not None
    assert unit.directory is Directory.LEGACY
    assert unit.parent_name == "Huyện Mường La"


def test_enter_before_the_pause_searches_at_once(qtbot: QtBot, picker: UnitPicker) -> None:
    type_text(picker.line_edit(), "03820")
    press(picker.line_edit(), Qt.Key.Key_Return)
    unit = picker.unit()
    assert unit is not None
    assert unit.directory is Directory.CURRENT


def test_click_on_a_result_picks_it(qtbot: QtBot, picker: UnitPicker) -> None:
    search(qtbot, picker, "ngoc chien")
    view = picker.results_view()
    rect = view.visualRect(picker.results_model().index(1, 0))
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center()
    )
    unit = picker.unit()
    assert unit is not None
    assert unit.directory is Directory.LEGACY


def test_typing_over_a_choice_starts_a_new_search(qtbot: QtBot, picker: UnitPicker) -> None:
    search(qtbot, picker, "ngoc chien")
    press(picker.line_edit(), Qt.Key.Key_Return)
    with qtbot.waitSignal(picker.unitChanged) as signal:
        units = search(qtbot, picker, "mường la")  # typed with diacritics this time
    assert signal.args == [None]
    assert picker.line_edit().text() == "mường la"
    assert picker.unit() is None
    assert picker.is_pending()
    assert any(u.code == "120" and u.directory is Directory.LEGACY for u in units)


def test_escape_gives_up_the_search_and_restores_the_choice(
    qtbot: QtBot, picker: UnitPicker
) -> None:
    search(qtbot, picker, "03820")
    press(picker.line_edit(), Qt.Key.Key_Return)
    chosen = picker.unit()
    search(qtbot, picker, "son la")
    assert picker.unit() is None
    press(picker.line_edit(), Qt.Key.Key_Escape)
    assert picker.unit() == chosen
    assert not picker.results_visible()


def test_backspace_clears_a_choice_at_once(qtbot: QtBot, picker: UnitPicker) -> None:
    search(qtbot, picker, "03820")
    press(picker.line_edit(), Qt.Key.Key_Return)
    with qtbot.waitSignal(picker.unitChanged) as signal:
        press(picker.line_edit(), Qt.Key.Key_Backspace)
    assert signal.args == [None]
    assert picker.line_edit().text() == ""
    assert not picker.is_pending()


def test_input_method_commit_replaces_a_choice(
    qtbot: QtBot, picker: UnitPicker, blank_context: UiContext
) -> None:
    """Unikey/ibus deliver text as an input-method commit, not key presses."""
    picker.set_unit(blank_context.services.units.by_code("14", Directory.CURRENT))
    picker.line_edit().setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString("Mường La")
    with qtbot.waitSignal(picker.resultsReady, timeout=3000):
        QApplication.sendEvent(picker.line_edit(), event)
    assert picker.line_edit().text() == "Mường La"
    assert any(u.code == "120" for u in picker.results_model().units())


def test_no_result_and_too_short_say_so(qtbot: QtBot, picker: UnitPicker) -> None:
    assert search(qtbot, picker, "zzqq") == []
    assert "Không tìm thấy" in picker.status_text()
    assert not picker.results_visible()
    picker.set_unit(None)
    assert search(qtbot, picker, "x") == []
    assert "hai chữ cái" in picker.status_text()


def test_directory_filter(qtbot: QtBot, picker: UnitPicker) -> None:
    picker.set_directory(Directory.LEGACY)
    units = search(qtbot, picker, "ngoc chien")
    assert [u.directory for u in units] == [Directory.LEGACY]


def test_set_unit_emits_only_on_change(
    qtbot: QtBot, picker: UnitPicker, blank_context: UiContext
) -> None:
    province = blank_context.services.units.by_code("14", Directory.CURRENT)
    received: list[Any] = []
    picker.unitChanged.connect(received.append)
    picker.set_unit(province)
    picker.set_unit(province)
    picker.set_unit(None)
    assert received == [province, None]
    assert province.level is UnitLevel.PROVINCE


def test_results_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, blank_context: UiContext
) -> None:
    model = UnitResultsModel()
    qtmodeltester.check(model)
    model.set_units(blank_context.services.units.search("son la", limit=10))
    qtmodeltester.check(model)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Danh mục"
    model.set_units([])
    qtmodeltester.check(model)
