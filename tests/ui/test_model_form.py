"""The model form, driven like a user: keyboard, real widgets, a real SQLite file."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

from danvan_desktop.domain import Field, Kind, Status, SubjectType
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter
from tests.ui.typing_helpers import press, type_text

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.event_dialog import EventDialog
from danvan_desktop.ui.model_form import GEOMETRY_KEY, ModelFormDialog
from danvan_desktop.ui.prompts import Choice
from danvan_desktop.ui.widgets import is_invalid

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform warns about window size hints it cannot pass on; harmless.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

CTRL = Qt.KeyboardModifier.ControlModifier


def unit_id(context: UiContext) -> int:
    return context.services.installation.get().unit.id


def make_model(context: UiContext, **overrides: object) -> int:
    return context.services.models.create(sample_model(unit_id(context), **overrides), by=STAFF)


def open_form(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int | None
) -> ModelFormDialog:
    """A shown, active form. At teardown unsaved typing is thrown away without a question."""
    dialog = ModelFormDialog(context, model_id)

    def discard(widget: QWidget) -> None:
        if widget.isVisible() and dialog.has_changes():
            prompter.answers.append(Choice.DISCARD)

    qtbot.addWidget(dialog, before_close_func=discard)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def focused(dialog: QWidget) -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    assert widget.window() is dialog.window()
    return widget


def tab(dialog: QWidget, times: int = 1) -> QWidget:
    for _ in range(times):
        press(focused(dialog), Qt.Key.Key_Tab)
    return focused(dialog)


def test_register_by_keyboard(qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter) -> None:
    form = open_form(qtbot, context, prompter, None)
    assert form.model_id is None
    assert form.focusWidget() is form.name_edit  # a new model starts at its name

    type_text(focused(form), "Gương người có uy tín trong đồng bào dân tộc thiểu số")
    assert tab(form) is form.kind_combo
    press(form.kind_combo, Qt.Key.Key_Down)  # Điển hình
    assert tab(form) is form.subject_combo
    press(form.subject_combo, Qt.Key.Key_Down)  # Cá nhân: the person's rows appear
    assert tab(form) is form.person_name_edit
    type_text(form.person_name_edit, "Lò Văn Pọm")
    assert tab(form) is form.person_position_edit
    type_text(form.person_position_edit, "Trưởng bản")
    assert tab(form) is form.person_unit_edit
    type_text(form.person_unit_edit, "Bản Pá Khoang")
    assert tab(form) is form.field_combo
    press(form.field_combo, Qt.Key.Key_Down)  # Văn hóa – xã hội
    assert tab(form) is form.unit_combo
    assert tab(form) is form.village_edit
    type_text(form.village_edit, "Bản Pá Khoang")
    assert tab(form) is form.ethnic_check
    press(form.ethnic_check, Qt.Key.Key_Space)
    assert tab(form) is form.period_start_spin
    assert tab(form) is form.period_end_spin
    assert tab(form) is form.new_combo
    press(form.new_combo, Qt.Key.Key_Down)  # Duy trì
    assert tab(form) is form.registered_on_edit.check
    assert tab(form) is form.registered_on_edit.edit
    # Tab walks the date's day, month and year (Qt's own date editing), then leaves it.
    situation = tab(form, 3)
    assert situation is form.texts["situation"]
    type_text(situation, "Người dân còn e ngại.\nCần người có uy tín đi đầu.")
    goals = tab(form)  # Tab leaves a long text instead of inserting a tab
    assert goals is form.texts["goals"]
    assert "\t" not in form.texts["situation"].toPlainText()
    type_text(goals, "Vận động 100% hộ tham gia.")

    with qtbot.waitSignal(form.changed) as saved:
        press(focused(form), Qt.Key.Key_S, CTRL)
    assert prompter.errors == []
    model_id = saved.args[0] if saved.args else None
    assert model_id is not None and model_id == form.model_id

    record = context.services.models.get(model_id)
    data = record.data
    assert data.name == "Gương người có uy tín trong đồng bào dân tộc thiểu số"
    assert data.kind is Kind.EXEMPLAR
    assert data.subject_type is SubjectType.INDIVIDUAL
    assert (data.person_name, data.person_position, data.person_unit) == (
        "Lò Văn Pọm",
        "Trưởng bản",
        "Bản Pá Khoang",
    )
    assert data.field is Field.CULTURE_SOCIETY
    assert data.unit_id == unit_id(context)
    assert data.village == "Bản Pá Khoang"
    assert data.ethnic_minority_area is True
    assert (data.period_start, data.period_end) == (2025, 2030)
    assert data.is_new is False
    assert data.registered_on == dt.date.today()
    assert data.situation == "Người dân còn e ngại.\nCần người có uy tín đi đầu."
    assert data.goals == "Vận động 100% hộ tham gia."
    assert data.start_date is None and data.evaluation_date is None
    assert record.created_by == STAFF
    assert record.status is Status.REGISTERED
    # Saved with Ctrl+S the form stays open, now editing the new model, with nothing unsaved.
    assert form.isVisible()
    assert not form.has_changes()
    assert form.windowTitle().startswith("Sửa mô hình")
    assert "Phiên bản 1" in form.info_label.text()


def test_enter_in_line_edit_does_not_close(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, None)
    type_text(form.name_edit, "Tổ tự quản đường điện")
    press(form.name_edit, Qt.Key.Key_Return)
    press(focused(form), Qt.Key.Key_Enter)
    assert form.isVisible()
    assert prompter.errors == [] and prompter.asked == []
    assert context.services.models.count() == 0
    assert form.name_edit.text() == "Tổ tự quản đường điện"
    # Enter moves on like Tab; in a long text it is a line break.
    assert focused(form) is form.subject_combo
    text = form.texts["notes"]
    text.setFocus()
    type_text(text, "một\nhai")
    assert text.toPlainText() == "một\nhai"
    assert form.isVisible()


def test_ctrl_enter_saves_and_closes(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, None)
    type_text(form.name_edit, "Khuyến học khuyến tài")
    with qtbot.waitSignal(form.finished):
        press(form.name_edit, Qt.Key.Key_Return, CTRL)
    assert form.result() == ModelFormDialog.DialogCode.Accepted
    assert context.services.models.count() == 1
    assert not context.settings.bytes(GEOMETRY_KEY).isEmpty()  # geometry kept for next time


def test_refusal_names_every_bad_field_and_saves_nothing(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, None)
    form.subject_combo.setCurrentIndex(form.subject_combo.findData(SubjectType.INDIVIDUAL.value))
    form.period_start_spin.setValue(2025)
    form.period_end_spin.setValue(2024)
    form.start_date_edit.set_date(dt.date(2026, 5, 1))
    form.evaluation_date_edit.set_date(dt.date(2026, 1, 1))
    form.texts["notes"].setFocus()

    press(focused(form), Qt.Key.Key_Return, CTRL)  # save and close: refused, stays open

    assert form.isVisible()
    assert context.services.models.count() == 0
    assert len(prompter.errors) == 1  # one message for everything
    message = prompter.errors[0]
    for label in ("Tên mô hình", "Họ tên cá nhân", "Giai đoạn đến năm", "Thời gian đánh giá"):
        assert label in message
    bad = {
        "name": form.name_edit,
        "person_name": form.person_name_edit,
        "period_end": form.period_end_spin,
        "evaluation_date": form.evaluation_date_edit.edit,
    }
    for widget in bad.values():
        assert is_invalid(widget)
    assert not is_invalid(form.village_edit)
    assert focused(form) is form.name_edit  # the first field at fault

    # Fixing a field takes its mark away; the form then saves.
    type_text(form.name_edit, "Camera an ninh khu dân cư")
    assert not is_invalid(form.name_edit)
    form.subject_combo.setCurrentIndex(form.subject_combo.findData(SubjectType.COLLECTIVE.value))
    form.period_end_spin.setValue(2030)
    form.evaluation_date_edit.set_date(None)
    assert form.save()
    assert context.services.models.count() == 1


def test_nfd_text_is_stored_nfc(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    name = "Chi hội phụ nữ 5 không 3 sạch ở tổ Hòa Bình"
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    form = open_form(qtbot, context, prompter, None)
    type_text(form.name_edit, decomposed)  # as some IME settings deliver it
    form.person_name_edit.setText(unicodedata.normalize("NFD", "Đỗ Thị Hòa"))
    form.texts["content"].insertPlainText(unicodedata.normalize("NFD", "Thu gom rác thải"))
    assert form.name_edit.text() == decomposed  # Qt keeps it as typed
    assert form.save()
    assert form.model_id is not None
    data = context.services.models.get(form.model_id).data
    assert data.name == name
    assert unicodedata.is_normalized("NFC", data.name)
    assert data.content == "Thu gom rác thải"
    assert form.name_edit.text() == name  # reloaded from what was stored


def test_edit_and_save_increments_revision(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    model_id = make_model(context)
    form = open_form(qtbot, context, prompter, model_id)
    assert form.name_edit.text() == "Du lịch cộng đồng ở bản Pá Khoang"
    assert form.revision == 1
    assert "Phiên bản 1" in form.info_label.text()
    assert not form.has_changes()

    form.texts["outputs"].setFocus()
    type_text(form.texts["outputs"], "12 homestay đón khách")
    assert form.has_changes() and form.isWindowModified()
    with qtbot.waitSignal(form.changed):
        press(focused(form), Qt.Key.Key_S, CTRL)
    record = context.services.models.get(model_id)
    assert record.revision == 2
    assert record.data.outputs == "12 homestay đón khách"
    assert record.updated_by == STAFF
    assert form.revision == 2 and "Phiên bản 2" in form.info_label.text()
    assert not form.isWindowModified()

    # Nothing changed: saving writes nothing.
    assert form.save()
    assert context.services.models.get(model_id).revision == 2


def test_close_without_changes_asks_nothing(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, make_model(context))
    with qtbot.waitSignal(form.finished):
        press(focused(form), Qt.Key.Key_Escape)
    assert prompter.asked == []
    assert form.result() == ModelFormDialog.DialogCode.Rejected


@pytest.mark.parametrize("answer", [Choice.SAVE, Choice.DISCARD, Choice.CANCEL])
def test_unsaved_changes_question(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, answer: Choice
) -> None:
    model_id = make_model(context)
    form = open_form(qtbot, context, prompter, model_id)
    form.village_edit.selectAll()
    type_text(form.village_edit, "Bản Nà Sản")
    prompter.answers.append(answer)
    press(focused(form), Qt.Key.Key_Escape)

    assert len(prompter.asked) == 1 and "chưa lưu" in prompter.asked[0]
    stored = context.services.models.get(model_id).data.village
    if answer is Choice.SAVE:
        qtbot.waitUntil(lambda: not form.isVisible())
        assert stored == "Bản Nà Sản"
        assert form.result() == ModelFormDialog.DialogCode.Accepted
    elif answer is Choice.DISCARD:
        qtbot.waitUntil(lambda: not form.isVisible())
        assert stored == "Bản Pá Khoang"
    else:
        assert form.isVisible()
        assert stored == "Bản Pá Khoang"
        assert form.village_edit.text() == "Bản Nà Sản"  # the typing is still there


def test_save_answer_with_invalid_data_stays_open(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, make_model(context))
    form.name_edit.clear()
    prompter.answers.append(Choice.SAVE)
    form.close()
    assert form.isVisible()
    assert len(prompter.errors) == 1 and "Tên mô hình" in prompter.errors[0]


def test_conflict_is_reported_and_form_stays(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    model_id = make_model(context)
    form = open_form(qtbot, context, prompter, model_id)
    # Someone else (another window, an import) saves first.
    other = sample_model(unit_id(context), name="Du lịch cộng đồng bản Pá Khoang (sửa)")
    context.services.models.update(model_id, other, expected_revision=1, by="Trần Văn Bình")

    form.name_edit.setText("Tên của tôi")
    press(focused(form), Qt.Key.Key_Return, CTRL)
    assert form.isVisible()
    assert len(prompter.errors) == 1
    assert "vừa được sửa ở nơi khác" in prompter.errors[0]
    assert context.services.models.get(model_id).data.name == other.name


def test_individual_rows_only_for_individual(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, None)
    assert not form.person_name_edit.isVisible()
    form.subject_combo.setCurrentIndex(form.subject_combo.findData(SubjectType.INDIVIDUAL.value))
    assert form.person_name_edit.isVisible()
    assert form.person_unit_edit.isVisible()


def test_new_model_lifecycle_says_it_starts_registered(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, None)
    assert "Đăng ký" in form.new_model_note.text()
    assert form.action_buttons == {}
    assert form.events_table.rowCount() == 0


def test_edit_loads_every_field(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    data = sample_model(
        unit_id(context),
        subject_type=SubjectType.INDIVIDUAL,
        person_name="Lò Thị Xuân",
        person_position="Chi hội trưởng",
        person_unit="Chi hội phụ nữ bản",
        start_date=dt.date(2026, 3, 10),
        evaluation_date=dt.date(2027, 12, 1),
        schedule="Quý II/2026",
        notes="Dòng một\nDòng hai",
    )
    form = open_form(qtbot, context, prompter, context.services.models.create(data, by=STAFF))
    assert form.check() == data


def record_step_via_form(
    qtbot: QtBot, form: ModelFormDialog, status: Status, note: str
) -> EventDialog:
    form.tabs.setCurrentWidget(form.lifecycle_page)
    form.action_buttons[status].click()
    dialog = form.event_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.note.setFocus()
    type_text(dialog.note, note)
    with qtbot.waitSignal(form.changed):
        press(dialog.note, Qt.Key.Key_S, CTRL)
    return dialog


def test_record_step_and_correct_it(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    model_id = make_model(context)
    form = open_form(qtbot, context, prompter, model_id)
    form.tabs.setCurrentWidget(form.lifecycle_page)
    assert form.events_table.rowCount() == 1
    assert set(form.action_buttons) == {
        Status.IMPLEMENTING,
        Status.RECOGNISED,
        Status.EXEMPLARY,
        Status.COMMENDED,
        Status.STOPPED,
    }

    record_step_via_form(qtbot, form, Status.IMPLEMENTING, "Bắt đầu làm homestay")
    qtbot.waitUntil(lambda: form.event_dialog is None)
    record = context.services.models.get(model_id)
    assert record.status is Status.IMPLEMENTING
    assert "Đang triển khai" in form.status_label.text()
    assert form.events_table.rowCount() == 2
    assert Status.IMPLEMENTING not in form.action_buttons
    assert form.revision == record.revision  # the form follows its own step

    # Correct (cancel) the step, with a reason; the old one stays, struck through.
    form.events_table.selectRow(1)
    assert form.correct_button.isEnabled()
    form.correct_button.click()
    dialog = form.event_dialog
    assert dialog is not None and dialog.cancel_step is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    press(dialog.cancel_step, Qt.Key.Key_Space)
    assert dialog.cancel_step.isChecked()
    press(dialog.cancel_step, Qt.Key.Key_S, CTRL)  # no reason: refused
    assert dialog.isVisible()
    assert prompter.errors and "Lý do sửa" in prompter.errors[-1]
    assert is_invalid(dialog.reason)
    type_text(dialog.reason, "Ghi nhầm mô hình")
    with qtbot.waitSignal(form.changed):
        press(dialog.reason, Qt.Key.Key_S, CTRL)

    record = context.services.models.get(model_id)
    assert record.status is Status.REGISTERED
    voided = [e for e in record.events if e.is_void]
    assert len(voided) == 1 and len(record.events) == 2  # history kept
    assert voided[0].void_reason == "Ghi nhầm mô hình"
    assert voided[0].voided_by == STAFF
    assert "Đăng ký" in form.status_label.text()
    row = next(r for r in range(form.events_table.rowCount()) if form._event_rows[r].is_void)
    item = form.events_table.item(row, 0)
    assert item is not None and item.font().strikeOut()
    last = form.events_table.item(row, form.events_table.columnCount() - 1)
    assert last is not None and "Ghi nhầm mô hình" in last.text()
    form.events_table.selectRow(row)
    assert not form.correct_button.isEnabled()  # a voided step cannot be corrected again


def test_step_keeps_unsaved_typing_and_saves_after(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    model_id = make_model(context)
    form = open_form(qtbot, context, prompter, model_id)
    form.village_edit.setText("Bản Nà Sản")
    record_step_via_form(qtbot, form, Status.IMPLEMENTING, "")
    assert form.village_edit.text() == "Bản Nà Sản"  # not lost by the reload
    assert form.save()  # no false conflict: the only change since loading was our own step
    assert prompter.errors == []
    assert context.services.models.get(model_id).data.village == "Bản Nà Sản"


def test_geometry_is_restored(qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter) -> None:
    form = open_form(qtbot, context, prompter, None)
    form.resize(700, 500)  # the offscreen screen is 800×600; restoring clamps to it
    form.reject()
    again = ModelFormDialog(context, None)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)


def test_long_texts_move_focus_on_tab(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    form = open_form(qtbot, context, prompter, None)
    for edit in form.texts.values():
        assert isinstance(edit, QPlainTextEdit) and edit.tabChangesFocus()
    assert isinstance(form.name_edit, QLineEdit)
