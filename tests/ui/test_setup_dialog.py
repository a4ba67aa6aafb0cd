"""The set-up dialog: first run, settings, custom units; real widgets over a real database."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from danvan_desktop.domain import Directory, UnitLevel
from danvan_desktop.services.units import UnitInfo
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter
from tests.ui.typing_helpers import press, type_text

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.setup_dialog import GEOMETRY_KEY, AddUnitDialog, SetupDialog
from danvan_desktop.ui.unit_picker import UnitPicker

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform warns whenever a window's size hints change (a results list
    # opening); not our doing.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

CADRE = "Lò Thị Hương"
PARTY_COMMITTEE = "Đảng ủy Khối các cơ quan tỉnh"


def make_dialog(qtbot: QtBot, context: UiContext, *, first_run: bool) -> SetupDialog:
    dialog = SetupDialog(context, first_run=first_run)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def choose(qtbot: QtBot, picker: UnitPicker, text: str, *, row: int = 0) -> UnitInfo:
    """Type into a picker, wait for its results, move down `row` rows and press Enter."""
    with qtbot.waitSignal(picker.resultsReady, timeout=3000):
        type_text(picker.line_edit(), text)
    for _ in range(row):
        press(picker.line_edit(), Qt.Key.Key_Down)
    press(picker.line_edit(), Qt.Key.Key_Return)
    unit = picker.unit()
    assert unit is not None, picker.status_text()
    return unit


def row_of(picker: UnitPicker, code: str, directory: Directory) -> int:
    units = picker.results_model().units()
    return next(i for i, u in enumerate(units) if (u.code, u.directory) == (code, directory))


def test_first_run_picks_the_commune_and_fills_the_province(
    qtbot: QtBot, blank_context: UiContext
) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    assert dialog.windowTitle() == "Thiết lập đơn vị"
    assert not blank_context.services.installation.is_set_up()

    unit = choose(qtbot, dialog.unit_picker, "ngoc chien")
    assert (unit.code, unit.directory) == ("03820", Directory.CURRENT)
    reports_to = dialog.reports_to_picker.unit()
    assert reports_to is not None
    assert (reports_to.name, reports_to.code, reports_to.directory) == (
        "Tỉnh Sơn La",
        "14",
        Directory.CURRENT,
    )

    type_text(dialog.staff_name_edit, CADRE)
    type_text(dialog.staff_position_edit, "Phó Trưởng Ban Dân vận")
    with qtbot.waitSignal(dialog.accepted):
        QTest.mouseClick(
            dialog.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    saved = blank_context.services.installation.get()
    assert saved.unit.id == unit.id
    assert saved.reports_to == reports_to
    assert (saved.staff_name, saved.staff_position) == (CADRE, "Phó Trưởng Ban Dân vận")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not blank_context.settings.bytes(GEOMETRY_KEY).isEmpty()


def test_first_run_finds_the_unit_by_code(qtbot: QtBot, blank_context: UiContext) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    unit = choose(qtbot, dialog.unit_picker, "03820")
    assert (unit.name, unit.directory) == ("Xã Ngọc Chiến", Directory.CURRENT)


def test_reports_to_changed_to_the_old_district(qtbot: QtBot, blank_context: UiContext) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    choose(qtbot, dialog.unit_picker, "03820")

    picker = dialog.reports_to_picker
    with qtbot.waitSignal(picker.resultsReady, timeout=3000):
        type_text(picker.line_edit(), "muong la")
    row = row_of(picker, "120", Directory.LEGACY)
    for _ in range(row):
        press(picker.line_edit(), Qt.Key.Key_Down)
    press(picker.line_edit(), Qt.Key.Key_Return)
    district = picker.unit()
    assert district is not None
    assert (district.name, district.directory) == ("Huyện Mường La", Directory.LEGACY)

    # A hand-picked reports-to unit stays when the unit is chosen again.
    dialog.unit_picker.set_unit(None)
    choose(qtbot, dialog.unit_picker, "ngoc chien")
    assert picker.unit() == district

    type_text(dialog.staff_name_edit, STAFF)
    dialog.accept()
    saved = blank_context.services.installation.get()
    assert saved.reports_to is not None
    assert (saved.reports_to.code, saved.reports_to.directory) == ("120", Directory.LEGACY)


def test_refused_without_staff_name_and_nothing_saved(
    qtbot: QtBot, blank_context: UiContext
) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    choose(qtbot, dialog.unit_picker, "ngoc chien")
    type_text(dialog.staff_name_edit, "   ")
    press(dialog.staff_name_edit, Qt.Key.Key_Return)  # Enter presses the default button

    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Họ và tên cán bộ: bắt buộc nhập." in dialog.error_text()
    assert "Đơn vị sử dụng phần mềm" not in dialog.error_text()
    assert not blank_context.services.installation.is_set_up()


def test_refusal_names_every_field_at_fault(qtbot: QtBot, blank_context: UiContext) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    with qtbot.waitSignal(dialog.reports_to_picker.resultsReady, timeout=3000):
        type_text(dialog.reports_to_picker.line_edit(), "son la")  # typed, never chosen
    dialog.accept()
    text = dialog.error_text()
    assert "còn 3 chỗ cần sửa" in text
    assert "Đơn vị sử dụng phần mềm: chưa chọn" in text
    assert "Gửi báo cáo lên: “son la” chưa được chọn" in text
    assert "Họ và tên cán bộ: bắt buộc nhập." in text
    assert not blank_context.services.installation.is_set_up()


def test_reports_to_cannot_be_the_unit_itself(qtbot: QtBot, blank_context: UiContext) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    unit = choose(qtbot, dialog.unit_picker, "03820")
    dialog.reports_to_picker.set_unit(unit)
    type_text(dialog.staff_name_edit, STAFF)
    dialog.accept()
    assert "Gửi báo cáo lên: không thể là chính đơn vị này." in dialog.error_text()
    assert not blank_context.services.installation.is_set_up()


def test_reports_to_may_be_empty_only_for_a_top_unit(
    qtbot: QtBot, blank_context: UiContext
) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    type_text(dialog.staff_name_edit, STAFF)
    choose(qtbot, dialog.unit_picker, "ngoc chien")
    dialog.reports_to_picker.set_unit(None)
    dialog.accept()
    assert "Gửi báo cáo lên: chưa chọn" in dialog.error_text()

    dialog.unit_picker.set_unit(None)
    province = choose(qtbot, dialog.unit_picker, "14")  # Tỉnh Sơn La, 2025 list
    assert province.level is UnitLevel.PROVINCE
    dialog.reports_to_picker.set_unit(None)
    dialog.accept()
    saved = blank_context.services.installation.get()
    assert (saved.unit.id, saved.reports_to) == (province.id, None)


def add_unit(qtbot: QtBot, dialog: SetupDialog, code: str, name: str) -> AddUnitDialog:
    QTest.mouseClick(dialog.add_unit_button, Qt.MouseButton.LeftButton)
    adder = dialog.add_unit_dialog()
    assert adder is not None and adder.isVisible()
    assert adder.level_combo.currentText() == "Cơ quan, đơn vị khác"
    type_text(adder.code_edit, code)
    type_text(adder.name_edit, name)
    picker = adder.parent_picker
    with qtbot.waitSignal(picker.resultsReady, timeout=3000):
        type_text(picker.line_edit(), "son la")
    press(picker.line_edit(), Qt.Key.Key_Return)  # Tỉnh Sơn La (2025) comes first
    parent = picker.unit()
    assert parent is not None
    assert (parent.code, parent.directory) == ("14", Directory.CURRENT)
    return adder


def test_add_a_custom_unit_and_choose_it(qtbot: QtBot, blank_context: UiContext) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    adder = add_unit(qtbot, dialog, "DUK-SL", PARTY_COMMITTEE)
    with qtbot.waitSignal(adder.finished):
        QTest.mouseClick(
            adder.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )

    unit = dialog.unit_picker.unit()
    assert unit is not None
    assert (unit.code, unit.name, unit.directory) == ("DUK-SL", PARTY_COMMITTEE, Directory.CUSTOM)
    assert unit.level is UnitLevel.OTHER
    reports_to = dialog.reports_to_picker.unit()
    assert reports_to is not None and reports_to.code == "14"
    assert dialog.add_unit_dialog() is None

    type_text(dialog.staff_name_edit, STAFF)
    dialog.accept()
    saved = blank_context.services.installation.get()
    assert saved.unit.name == PARTY_COMMITTEE
    # The new unit can be found like any other, marked as added by hand.
    found = blank_context.services.units.search("dang uy khoi")
    assert [(u.code, u.directory_label) for u in found] == [("DUK-SL", "tự thêm")]


def test_duplicate_custom_code_is_refused_with_the_message(
    qtbot: QtBot, blank_context: UiContext
) -> None:
    province = blank_context.services.units.by_code("14", Directory.CURRENT)
    blank_context.services.units.add_custom(code="DUK-SL", name="Đảng ủy tỉnh", parent_id=None)
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    adder = add_unit(qtbot, dialog, "DUK-SL", PARTY_COMMITTEE)
    adder.accept()

    assert adder.isVisible()
    assert "Mã đơn vị: mã “DUK-SL” đã được dùng cho một đơn vị tự thêm khác." in (
        adder.error_text()
    )
    assert adder.added_unit() is None
    assert dialog.unit_picker.unit() is None
    assert blank_context.services.units.search("dang uy khoi") == []
    assert province.code == "14"

    # A code of the administrative list is refused too; the message names the field.
    adder.code_edit.clear()
    type_text(adder.code_edit, "03820")
    adder.accept()
    assert "Mã đơn vị: “03820” là mã của một đơn vị hành chính" in adder.error_text()
    adder.reject()
    assert dialog.unit_picker.unit() is None


def test_settings_mode_loads_and_saves_a_change(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    dialog = make_dialog(qtbot, context, first_run=False)
    assert dialog.windowTitle() == "Cài đặt"
    unit = dialog.unit_picker.unit()
    reports_to = dialog.reports_to_picker.unit()
    assert unit is not None and (unit.code, unit.directory) == ("03820", Directory.CURRENT)
    assert reports_to is not None and reports_to.code == "14"
    assert dialog.staff_name_edit.text() == STAFF
    assert dialog.staff_position_edit.text() == "Cán bộ"

    dialog.staff_position_edit.clear()
    type_text(dialog.staff_position_edit, "Chủ tịch Ủy ban MTTQ xã")
    dialog.accept()

    saved = context.services.installation.get()
    assert saved.staff_position == "Chủ tịch Ủy ban MTTQ xã"
    assert saved.unit.id == unit.id and saved.reports_to == reports_to
    assert prompter.asked == []  # the unit did not change: nothing to confirm


def test_changing_the_unit_of_an_installation_with_models_asks_first(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    own = context.services.installation.get().unit
    context.services.models.create(sample_model(own.id), by=STAFF)
    dialog = make_dialog(qtbot, context, first_run=False)
    other = choose(qtbot, dialog.unit_picker, "muong la")  # Xã Mường La (2025)
    assert other.id != own.id

    prompter.answers.append(False)
    dialog.accept()
    assert len(prompter.asked) == 1 and "đã có 1 mô hình" in prompter.asked[0]
    assert context.services.installation.get().unit.id == own.id
    assert dialog.result() != QDialog.DialogCode.Accepted

    prompter.answers.append(True)
    dialog.accept()
    assert context.services.installation.get().unit.id == other.id
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_first_run_cancel_saves_nothing(qtbot: QtBot, blank_context: UiContext) -> None:
    dialog = make_dialog(qtbot, blank_context, first_run=True)
    choose(qtbot, dialog.unit_picker, "ngoc chien")
    cancel = dialog.button_box.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.text() == "Thoát"
    with qtbot.waitSignal(dialog.rejected):
        QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not blank_context.services.installation.is_set_up()


def test_geometry_is_restored(qtbot: QtBot, context: UiContext) -> None:
    first = make_dialog(qtbot, context, first_run=False)
    first.resize(760, first.height())  # within the 800×600 offscreen screen
    first.reject()
    second = make_dialog(qtbot, context, first_run=False)
    assert second.width() == 760
