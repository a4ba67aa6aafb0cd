"""The audit log on screen: the window's filters, its table model, the detail pane, opening a
model from it, and the model form's “Lịch sử” tab."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu, QWidget

from danvan_desktop.domain import EventData, Field, Status
from danvan_desktop.services import Services
from danvan_desktop.services.audit import AuditAction, AuditFilter
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter
from tests.ui.typing_helpers import press, type_text

from danvan_desktop.ui.audit_view import COLUMNS, AuditTableModel, AuditWindow
from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.model_form import ModelFormDialog
from danvan_desktop.ui.prompts import Choice

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

POM = "Lò Văn Pọm"
TOURISM = "Du lịch cộng đồng ở bản Pá Khoang"
CAMERA = "Camera an ninh khu dân cư"


@pytest.fixture
def logged(services: Services) -> dict[str, int]:
    """Two models, an edit by another person, a status step; returns name -> model id."""
    unit_id = services.installation.get().unit.id
    tourism = services.models.create(sample_model(unit_id), by=STAFF)
    camera = services.models.create(
        sample_model(unit_id, name=CAMERA, field=Field.DEFENSE_SECURITY), by=POM
    )
    data = dataclasses.replace(services.models.get(tourism).data, field=Field.CULTURE_SOCIETY)
    services.models.update(tourism, data, expected_revision=1, by=POM)
    services.models.add_event(camera, EventData(Status.IMPLEMENTING, dt.date.today()), by=STAFF)
    return {TOURISM: tourism, CAMERA: camera}


def rows(model: Any) -> list[list[str]]:
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def open_window(qtbot: QtBot, context: UiContext, selected: Any = None) -> AuditWindow:
    window = AuditWindow(context, selected)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_qtmodeltester(qtmodeltester: Any, services: Services, logged: dict[str, int]) -> None:
    model = AuditTableModel(services.audit, AuditFilter())
    assert model.rowCount() == 5  # set-up, two creates, an edit, a step
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == list(COLUMNS)
    qtmodeltester.check(model, force_py=True)
    # Resets to fewer, to none, and back stay exact.
    model.set_filter(AuditFilter(actor=POM))
    assert model.rowCount() == 2
    model.set_filter(None)
    assert model.rowCount() == 0
    model.set_filter(AuditFilter(action=AuditAction.CREATE))
    qtmodeltester.check(model, force_py=True)


def test_window_lists_newest_first_and_filters(
    qtbot: QtBot, context: UiContext, services: Services, logged: dict[str, int]
) -> None:
    camera_uuid = services.models.get(logged[CAMERA]).uuid
    window = open_window(qtbot, context, lambda: (camera_uuid, CAMERA))
    table = rows(window.log.model)
    assert [r[2] for r in table] == ["Đổi trạng thái", "Sửa", "Thêm mới", "Thêm mới", "Thiết lập"]
    assert [r[1] for r in table] == [STAFF, POM, POM, STAFF, STAFF]
    assert table[0][3] == CAMERA
    assert table[0][0] == dt.date.today().strftime("%d/%m/%Y") + table[0][0][10:]
    assert window.count_label.text() == "5 mục"

    # Free text, typed as a Vietnamese keyboard sends it, found without diacritics too.
    with qtbot.waitSignal(window.filter_applied):
        type_text(window.search_box, "dân vận khéo")
    assert rows(window.log.model) == []
    window.search_box.clear()
    with qtbot.waitSignal(window.filter_applied):
        type_text(window.search_box, "ban pa")
    assert [r[2] for r in rows(window.log.model)] == ["Sửa", "Thêm mới"]
    with qtbot.waitSignal(window.filter_applied):
        type_text(window.search_box, " dân cư")  # every word must match: none does
    assert rows(window.log.model) == []
    with qtbot.waitSignal(window.filter_applied):
        window.search_box.clear()
        press(window.search_box, Qt.Key.Key_Return)  # Enter searches at once

    # Person: the combo lists everyone in the log.
    labels = [window.actor_box.itemText(i) for i in range(window.actor_box.count())]
    assert labels == ["Mọi người", POM, STAFF]
    window.actor_box.set_value(POM)
    assert [r[3] for r in rows(window.log.model)] == [TOURISM, CAMERA]

    # Kind, by its Vietnamese label; combined with the person.
    kinds = [window.action_box.itemText(i) for i in range(window.action_box.count())]
    assert kinds[:4] == ["Mọi thao tác", "Thêm mới", "Sửa", "Đổi trạng thái"]
    window.action_box.set_value(AuditAction.CREATE)
    assert [r[3] for r in rows(window.log.model)] == [CAMERA]
    window.actor_box.setCurrentIndex(0)
    assert len(rows(window.log.model)) == 2

    # Dates: local days, both ends included.
    window.since_edit.check.setChecked(True)  # starts at today
    assert len(rows(window.log.model)) == 2
    window.since_edit.set_date(dt.date.today() + dt.timedelta(days=1))
    window.apply_filter()
    assert rows(window.log.model) == [] and window.count_label.text() == "0 mục"
    window.until_edit.set_date(dt.date.today())
    window.apply_filter()
    assert window.count_label.text() == "“Đến ngày” phải sau “Từ ngày”"

    window.clear_button.click()
    assert len(rows(window.log.model)) == 5
    assert window.since_edit.date() is None and window.until_edit.date() is None

    # Only the model selected in the main window.
    window.only_selected.setChecked(True)
    assert [r[2] for r in rows(window.log.model)] == ["Đổi trạng thái", "Thêm mới"]
    window.only_selected.setChecked(False)
    assert len(rows(window.log.model)) == 5


def test_only_selected_without_a_selection_explains(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, logged: dict[str, int]
) -> None:
    window = open_window(qtbot, context, lambda: None)
    window.only_selected.setChecked(True)
    assert not window.only_selected.isChecked()
    assert prompter.infos == ["Hãy chọn một mô hình trong danh sách chính trước."]
    assert len(rows(window.log.model)) == 5


def test_detail_pane_lists_field_changes_and_opens_the_model(
    qtbot: QtBot, context: UiContext, services: Services, logged: dict[str, int]
) -> None:
    window = open_window(qtbot, context)
    view = window.log
    view.table.selectRow(1)  # the edit
    text = view.details.toPlainText()
    assert text.splitlines()[0].endswith(f"— {POM} — Sửa")
    assert TOURISM in text
    assert "Lĩnh vực: Kinh tế → Văn hóa – xã hội" in text
    assert view.open_button.isEnabled()
    with qtbot.waitSignal(window.openModel) as opened:
        view.open_button.click()
    assert opened.args == [services.models.get(logged[TOURISM]).uuid]

    view.table.selectRow(4)  # the set-up: no model to open
    assert "Đơn vị: (trống) → Xã Ngọc Chiến (03820)" in view.details.toPlainText()
    assert not view.open_button.isEnabled()

    with qtbot.waitSignal(window.openModel) as opened:
        centre = view.table.visualRect(view.model.index(0, 3)).center()
        QTest.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        QTest.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert opened.args == [services.models.get(logged[CAMERA]).uuid]


# Bringing the open window forward: the offscreen platform cannot raise windows; harmless.
@pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)
def test_main_window_menu_opens_the_log_and_a_model_from_it(
    qtbot: QtBot,
    context: UiContext,
    services: Services,
    prompter: ScriptedPrompter,
    logged: dict[str, int],
) -> None:
    main = MainWindow(context)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    file_menu = main.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu) and main.audit_action in file_menu.actions()
    main.table.select_ids([logged[CAMERA]], logged[CAMERA])
    main.audit_action.trigger()
    window = main._audit_window
    assert isinstance(window, AuditWindow) and window.isVisible()
    window.only_selected.setChecked(True)
    assert {r[3] for r in rows(window.log.model)} == {CAMERA}

    window.log.table.selectRow(0)
    window.log.open_button.click()
    [form] = main.open_dialogs()
    assert isinstance(form, ModelFormDialog) and form.model_id == logged[CAMERA]
    form.close()

    # A deleted model's history stays; opening it explains instead.
    window.only_selected.setChecked(False)
    services.models.delete(logged[TOURISM], by=STAFF)
    main.audit_action.trigger()  # already open: brought forward and read again
    assert rows(window.log.model)[0][2] == "Xoá"
    window.log.table.selectRow(0)
    window.log.open_button.click()
    assert main.open_dialogs() == []
    assert prompter.errors == [
        f"Mô hình “{TOURISM}” đã bị xóa; lịch sử của nó vẫn còn trong nhật ký."
    ]


def test_model_form_history_tab(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, logged: dict[str, int]
) -> None:
    dialog = ModelFormDialog(context, logged[TOURISM])

    def discard(widget: QWidget) -> None:
        if widget.isVisible() and dialog.has_changes():
            prompter.answers.append(Choice.DISCARD)

    qtbot.addWidget(dialog, before_close_func=discard)
    dialog.show()
    qtbot.waitExposed(dialog)
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Phiếu đăng ký", "Quá trình thực hiện", "Lịch sử"]
    dialog.tabs.setCurrentWidget(dialog.history)
    history = dialog.history.model
    assert [r[2] for r in rows(history)] == ["Sửa", "Thêm mới"]  # its own, newest first
    # The last column says what changed (the subject is always this model here).
    assert history.headerData(3, Qt.Orientation.Horizontal) == "Nội dung"
    assert rows(history)[0][3] == "Lĩnh vực: Kinh tế → Văn hóa – xã hội"

    # Saving an edit from the form puts it on top, with each changed field.
    dialog.tabs.setCurrentIndex(0)
    dialog.name_edit.clear()
    type_text(dialog.name_edit, "Du lịch cộng đồng bản Pá Khoang")
    dialog.save_button.click()
    assert [r[2] for r in rows(history)] == ["Sửa", "Sửa", "Thêm mới"]
    assert rows(history)[0][1] == STAFF
    dialog.history.table.selectRow(0)
    assert (
        f"Tên mô hình: {TOURISM} → Du lịch cộng đồng bản Pá Khoang"
        in dialog.history.details.toPlainText()
    )


def test_new_model_form_has_no_history_until_saved(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter
) -> None:
    dialog = ModelFormDialog(context, None)

    def discard(widget: QWidget) -> None:
        if widget.isVisible() and dialog.has_changes():
            prompter.answers.append(Choice.DISCARD)

    qtbot.addWidget(dialog, before_close_func=discard)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.history.model.rowCount() == 0
    assert "chưa được lưu" in dialog.history.details.placeholderText()
    type_text(dialog.name_edit, "Thu gom rác thải tại nguồn")
    dialog.save_button.click()
    assert [r[2] for r in rows(dialog.history.model)] == ["Thêm mới"]
