"""Recording and correcting the steps of a model's life."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from danvan_desktop.domain import COMMENDATION_LEVELS, EventData, Status
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter
from tests.ui.typing_helpers import press, type_text

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.event_dialog import EventDialog
from danvan_desktop.ui.prompts import Choice
from danvan_desktop.ui.widgets import OptionalDateEdit, is_invalid

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def model_id(context: UiContext) -> int:
    unit = context.services.installation.get().unit.id
    return context.services.models.create(sample_model(unit), by=STAFF)


def open_dialog(
    qtbot: QtBot,
    context: UiContext,
    prompter: ScriptedPrompter,
    dialog: EventDialog,
) -> EventDialog:
    def discard(widget: QWidget) -> None:
        if widget.isVisible() and dialog.has_changes():
            prompter.answers.append(Choice.DISCARD)

    qtbot.addWidget(dialog, before_close_func=discard)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_implementing_needs_only_a_date(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    dialog = open_dialog(
        qtbot, context, prompter, EventDialog(context, model_id, Status.IMPLEMENTING)
    )
    assert dialog.event_date.date().toString("dd/MM/yyyy") == dt.date.today().strftime("%d/%m/%Y")
    assert not dialog.commendation_form.isVisible()  # only for commendation
    dialog.note.setFocus()
    type_text(dialog.note, "Họp dân triển khai ở nhà văn hóa bản")
    with qtbot.waitSignal(dialog.recorded) as recorded:
        press(dialog.note, Qt.Key.Key_S, CTRL)
    assert recorded.args == [model_id]
    assert prompter.errors == []
    assert not dialog.isVisible()
    record = context.services.models.get(model_id)
    assert record.status is Status.IMPLEMENTING
    step = record.events[-1]
    assert step.note == "Họp dân triển khai ở nhà văn hóa bản"
    assert step.recorded_by == STAFF
    assert step.event_date == dt.date.today()


def test_recognised_requires_deciding_body(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    dialog = open_dialog(
        qtbot, context, prompter, EventDialog(context, model_id, Status.RECOGNISED)
    )
    press(dialog.event_date, Qt.Key.Key_S, CTRL)
    assert dialog.isVisible()
    assert len(prompter.errors) == 1 and "Cơ quan quyết định" in prompter.errors[0]
    assert is_invalid(dialog.deciding_body)
    assert dialog.focusWidget() is dialog.deciding_body
    assert context.services.models.get(model_id).status is Status.REGISTERED

    type_text(dialog.deciding_body, "Ban Thường vụ Đảng ủy xã")
    press(dialog.deciding_body, Qt.Key.Key_Return)  # Enter moves on, does not record
    assert dialog.isVisible()
    assert dialog.focusWidget() is dialog.decision_number
    type_text(dialog.decision_number, "125-QĐ/ĐU")
    dialog.decision_date.set_date(dt.date(2026, 1, 5))
    with qtbot.waitSignal(dialog.recorded):
        press(dialog.decision_number, Qt.Key.Key_Return, CTRL)
    record = context.services.models.get(model_id)
    assert record.status is Status.RECOGNISED
    step = record.events[-1]
    assert (step.deciding_body, step.decision_number) == ("Ban Thường vụ Đảng ủy xã", "125-QĐ/ĐU")
    assert step.decision_date == dt.date(2026, 1, 5)


def test_commended_requires_body_and_form(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    dialog = open_dialog(qtbot, context, prompter, EventDialog(context, model_id, Status.COMMENDED))
    assert dialog.commendation_form.isVisible() and dialog.commendation_level.isVisible()
    assert dialog.commendation_form.currentText() == ""
    assert not dialog.save()
    message = prompter.errors[-1]
    assert "Cơ quan quyết định" in message and "Hình thức khen thưởng" in message
    assert is_invalid(dialog.deciding_body) and is_invalid(dialog.commendation_form)

    dialog.deciding_body.setText("UBND tỉnh Sơn La")
    dialog.commendation_form.setCurrentText("Bằng khen")
    dialog.commendation_level.setCurrentIndex(COMMENDATION_LEVELS.index("Cấp tỉnh"))
    assert dialog.save()
    step = context.services.models.get(model_id).events[-1]
    assert (step.commendation_form, step.commendation_level) == ("Bằng khen", "Cấp tỉnh")


def test_future_date_refused(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    dialog = open_dialog(
        qtbot, context, prompter, EventDialog(context, model_id, Status.IMPLEMENTING)
    )
    dialog.event_date.setDate(dialog.event_date.date().addDays(3))
    assert not dialog.save()
    assert "Ngày" in prompter.errors[-1] and "sau ngày hôm nay" in prompter.errors[-1]
    assert is_invalid(dialog.event_date)


def test_step_before_the_latest_is_refused(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    registered = context.services.models.get(model_id).events[0].event_date
    dialog = open_dialog(
        qtbot, context, prompter, EventDialog(context, model_id, Status.IMPLEMENTING)
    )
    dialog.event_date.setDate(
        dialog.event_date.date().addDays(-((dt.date.today() - registered).days + 1))
    )
    assert not dialog.save()
    assert "Ngày" in prompter.errors[-1] and "Đăng ký" in prompter.errors[-1]
    assert len(context.services.models.get(model_id).events) == 1


def test_service_refusal_is_shown_not_raised(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    # A step the model cannot take from where it is (another window moved it meanwhile).
    context.services.models.add_event(
        model_id, EventData(Status.IMPLEMENTING, dt.date.today()), by=STAFF
    )
    dialog = open_dialog(
        qtbot, context, prompter, EventDialog(context, model_id, Status.IMPLEMENTING)
    )
    assert not dialog.save()
    assert dialog.isVisible()
    assert "không thể chuyển" in prompter.errors[-1]


def test_correction_replaces_step_and_keeps_history(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    models = context.services.models
    models.add_event(
        model_id,
        EventData(Status.RECOGNISED, dt.date.today(), deciding_body="Đảng ủy xã"),
        by=STAFF,
    )
    old = models.get(model_id).events[-1]
    dialog = open_dialog(
        qtbot, context, prompter, EventDialog(context, model_id, old.status, correcting=old)
    )
    assert dialog.deciding_body.text() == "Đảng ủy xã"  # starts from the old values
    dialog.decision_number.setText("7-QĐ/ĐU")
    assert not dialog.save()  # a reason is required
    assert "Lý do sửa" in prompter.errors[-1]
    assert is_invalid(dialog.reason)
    type_text(dialog.reason, "Bổ sung số quyết định")
    assert dialog.save()

    record = models.get(model_id)
    assert record.status is Status.RECOGNISED
    voided = [e for e in record.events if e.is_void]
    live = [e for e in record.events if not e.is_void]
    assert [e.id for e in voided] == [old.id]
    assert voided[0].void_reason == "Bổ sung số quyết định"
    assert live[-1].decision_number == "7-QĐ/ĐU"
    assert live[-1].replaces_id == old.id


def test_cancelling_the_only_step_is_refused_with_message(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    only = context.services.models.get(model_id).events[0]
    dialog = open_dialog(
        qtbot,
        context,
        prompter,
        EventDialog(context, model_id, only.status, correcting=only),
    )
    assert dialog.cancel_step is not None
    dialog.cancel_step.setChecked(True)
    assert not dialog.deciding_body.isEnabled()
    dialog.reason.setText("Nhầm")
    assert not dialog.save()
    assert "bước duy nhất" in prompter.errors[-1]
    assert dialog.isVisible()


def test_escape_with_typing_asks(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, model_id: int
) -> None:
    dialog = open_dialog(
        qtbot, context, prompter, EventDialog(context, model_id, Status.IMPLEMENTING)
    )
    type_text(dialog.deciding_body, "Chi bộ")
    prompter.answers.append(Choice.CANCEL)
    press(dialog.deciding_body, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    prompter.answers.append(Choice.DISCARD)
    press(dialog.deciding_body, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert len(context.services.models.get(model_id).events) == 1


def test_optional_date_can_stay_empty(qtbot: QtBot) -> None:
    widget = OptionalDateEdit("Ngày quyết định")
    qtbot.addWidget(widget)
    assert widget.date() is None
    assert widget.edit.text() == "chưa có"
    widget.check.setChecked(True)
    assert widget.date() is not None and widget.edit.isEnabled()
    widget.set_date(dt.date(2026, 2, 3))
    assert widget.edit.text() == "03/02/2026"
    widget.check.setChecked(False)
    assert widget.date() is None and not widget.edit.isEnabled()
