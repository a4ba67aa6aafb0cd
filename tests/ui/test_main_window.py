"""The main window on a real database: filters, search, actions, dialogs, layout."""

from __future__ import annotations

from typing import Any

import pytest

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMenu

from danvan_desktop.domain import Directory, Field, Period, Status, SubjectType
from danvan_desktop.services import Services
from danvan_desktop.services.errors import UserError
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter
from tests.ui.typing_helpers import type_text

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.main_window import SEARCH_PLACEHOLDER, UNIT_OWN, UNIT_SUBTREE, MainWindow
from danvan_desktop.ui.model_table import ModelTableModel

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform cannot raise windows, grab the keyboard or propagate size hints,
    # and says so; not our doing.
    pytest.mark.qt_log_ignore("This plugin does not support"),
]

NAME_COL, UNIT_COL, STATUS_COL = 0, 4, 8
KHEO = "Dân vận khéo trong xây dựng nông thôn mới"
DONG_BAO = "Gương người có uy tín trong đồng bào dân tộc thiểu số"
CAMERA = "Camera an ninh khu dân cư"
CAM_KET = "Bản cam kết “5 có, 5 không”"
HOA = "Tổ tự quản đường điện xóm Hoà"


@pytest.fixture
def ids(services: Services) -> dict[str, int]:
    """Five models: three of this commune, two of another commune of Sơn La province."""
    own = services.installation.get().unit.id
    province = services.units.by_code("14", Directory.CURRENT).id
    neighbour = next(u for u in services.units.children(province) if u.code != "03820").id
    items = [
        sample_model(own, name=KHEO),
        sample_model(
            own,
            name=DONG_BAO,
            subject_type=SubjectType.INDIVIDUAL,
            person_name="Lò Văn Pọm",
            field=Field.CULTURE_SOCIETY,
        ),
        sample_model(
            neighbour,
            name=CAMERA,
            field=Field.DEFENSE_SECURITY,
            period_start=2021,
            period_end=2025,
            is_new=False,
        ),
        sample_model(neighbour, name=CAM_KET, field=Field.CULTURE_SOCIETY),
        sample_model(own, name=HOA, field=Field.POLITICAL_SYSTEM, village="Xóm Hoà"),
    ]
    created = services.models.create_many(items, by=STAFF)
    return {item.name: model_id for item, model_id in zip(items, created, strict=True)}


@pytest.fixture
def window(qtbot: Any, context: UiContext, ids: dict[str, int]) -> MainWindow:
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def names(win: MainWindow) -> list[str]:
    model = win.model
    return [model.index(r, NAME_COL).data() for r in range(model.rowCount())]


def column(win: MainWindow, col: int) -> list[str]:
    model = win.model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def select(win: MainWindow, *model_ids: int) -> None:
    win.table.select_ids(model_ids, model_ids[0])


def search(qtbot: Any, win: MainWindow, text: str) -> None:
    win.search_box.clear()
    with qtbot.waitSignal(win.filter_applied, timeout=2000):
        type_text(win.search_box, text)


# -- showing -------------------------------------------------------------------------------


def test_lists_models_sorted_by_name_with_count(window: MainWindow) -> None:
    assert names(window) == [CAM_KET, CAMERA, KHEO, DONG_BAO, HOA]
    assert window.count_label.text() == "Hiển thị 5 / 5 mô hình"
    assert window.search_box.placeholderText() == SEARCH_PLACEHOLDER
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == NAME_COL
    assert window.table.isSortingEnabled()


def test_status_bar_shows_unit_and_database(window: MainWindow, services: Services) -> None:
    assert "Xã Ngọc Chiến (03820)" in window.unit_label.text()
    assert str(services.db_path) in window.db_label.text()
    assert "Xã Ngọc Chiến" in window.windowTitle()


def test_sorting_through_the_header(qtbot: Any, window: MainWindow) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(UNIT_COL) + header.sectionSize(UNIT_COL) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    units = column(window, UNIT_COL)
    assert units == sorted(units, key=lambda u: u.startswith("Xã Ngọc Chiến"))
    assert units[-3:] == ["Xã Ngọc Chiến"] * 3
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert column(window, UNIT_COL)[:3] == ["Xã Ngọc Chiến"] * 3
    window.table.sortByColumn(NAME_COL, Qt.SortOrder.DescendingOrder)
    assert names(window) == [HOA, DONG_BAO, KHEO, CAMERA, CAM_KET]


# -- filtering -----------------------------------------------------------------------------


def test_filter_by_field_status_period(window: MainWindow, services: Services) -> None:
    window.field_box.set_value(Field.CULTURE_SOCIETY)
    assert names(window) == [CAM_KET, DONG_BAO]
    assert window.count_label.text() == "Hiển thị 2 / 5 mô hình"
    window.field_box.set_value(None)
    window.period_box.set_value(Period(2021, 2025))
    assert names(window) == [CAMERA]
    window.period_box.set_value(None)
    window.new_box.set_value(False)
    assert names(window) == [CAMERA]
    window.new_box.set_value(None)
    window.subject_box.set_value(SubjectType.INDIVIDUAL)
    assert names(window) == [DONG_BAO]
    window.subject_box.set_value(None)
    window.status_box.set_value(Status.IMPLEMENTING)
    assert names(window) == []
    assert window.count_label.text() == "Hiển thị 0 / 5 mô hình"
    window.clear_button.click()
    assert len(names(window)) == 5


def test_period_box_offers_all_and_used_periods(window: MainWindow) -> None:
    labels = [window.period_box.itemText(i) for i in range(window.period_box.count())]
    assert labels[0] == "Tất cả giai đoạn"
    assert "Giai đoạn 2025–2030" in labels and "Giai đoạn 2021–2025" in labels


def test_unit_filter(window: MainWindow, services: Services, ids: dict[str, int]) -> None:
    window.unit_box.set_value(UNIT_OWN)
    assert names(window) == [KHEO, DONG_BAO, HOA]
    window.unit_box.set_value(UNIT_SUBTREE)  # a commune has nothing below it
    assert names(window) == [KHEO, DONG_BAO, HOA]
    # Seen from the province, its subtree holds both communes.
    province = services.units.by_code("14", Directory.CURRENT)
    services.installation.save(unit_id=province.id, reports_to_id=None, staff_name=STAFF)
    window._setup_changed()
    window.refresh()
    assert len(names(window)) == 5
    window.unit_box.set_value(UNIT_OWN)
    assert names(window) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dan van", [KHEO, DONG_BAO]),  # the second by its person, "Lò Văn Pọm"
        ("dan van kheo", [KHEO]),
        ("DÂN VẬN KHÉO", [KHEO]),
        ("dong bao", [DONG_BAO]),
        ("đồng bào", [DONG_BAO]),
        ("hoa", [HOA]),
        ("Hòa", [HOA]),
        ("lo van pom", [DONG_BAO]),
        ("khong co gi", []),
    ],
)
def test_search_ignores_case_and_diacritics(
    qtbot: Any, window: MainWindow, typed: str, expected: list[str]
) -> None:
    search(qtbot, window, typed)
    assert names(window) == expected
    assert window.count_label.text() == f"Hiển thị {len(expected)} / 5 mô hình"


def test_search_combines_with_filters_and_clears(qtbot: Any, window: MainWindow) -> None:
    search(qtbot, window, "ca")  # "Camera", "cam kết"
    assert names(window) == [CAM_KET, CAMERA]
    window.field_box.set_value(Field.DEFENSE_SECURITY)
    assert names(window) == [CAMERA]
    window.clear_button.click()
    assert window.search_box.text() == ""
    assert window.field_box.currentIndex() == 0
    assert window.count_label.text() == "Hiển thị 5 / 5 mô hình"


# -- deleting ------------------------------------------------------------------------------


def test_delete_answered_no_keeps_the_row(
    window: MainWindow, prompter: ScriptedPrompter, ids: dict[str, int], services: Services
) -> None:
    select(window, ids[CAMERA])
    prompter.answers.append(False)
    window.delete_action.trigger()
    assert prompter.asked and f"“{CAMERA}”" in prompter.asked[0]
    assert CAMERA in names(window)
    assert not services.models.get(ids[CAMERA]).deleted


def test_delete_answered_yes_leaves_a_tombstone(
    window: MainWindow, prompter: ScriptedPrompter, ids: dict[str, int], services: Services
) -> None:
    select(window, ids[CAMERA], ids[KHEO])
    prompter.answers.append(True)
    window.delete_action.trigger()
    assert f"“{CAMERA}”" in prompter.asked[0] and f"“{KHEO}”" in prompter.asked[0]
    assert prompter.asked[0].startswith("Xóa 2 mô hình")
    assert CAMERA not in names(window) and KHEO not in names(window)
    assert window.count_label.text() == "Hiển thị 3 / 3 mô hình"
    record = services.models.get(ids[CAMERA])
    assert record.deleted and record.updated_by == STAFF
    assert services.models.get(ids[KHEO]).deleted


def test_delete_key_in_the_list(
    qtbot: Any, window: MainWindow, prompter: ScriptedPrompter, ids: dict[str, int]
) -> None:
    select(window, ids[HOA])
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus, timeout=2000)
    prompter.answers.append(True)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert HOA not in names(window)


def test_delete_key_in_the_search_box_edits_text(
    qtbot: Any, window: MainWindow, prompter: ScriptedPrompter, ids: dict[str, int]
) -> None:
    select(window, ids[HOA])
    window.activateWindow()
    window.search_box.setFocus()
    qtbot.waitUntil(window.search_box.hasFocus, timeout=2000)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Delete)
    assert prompter.asked == []  # no question: nothing was about to be deleted
    assert HOA in names(window)


def test_service_error_is_shown_not_raised(
    window: MainWindow,
    prompter: ScriptedPrompter,
    ids: dict[str, int],
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(model_id: int, *, by: str) -> None:
        raise UserError("Không xóa được: tệp dữ liệu đang bị khóa.")

    monkeypatch.setattr(services.models, "delete", refuse)
    select(window, ids[CAMERA])
    prompter.answers.append(True)
    window.delete_action.trigger()
    assert prompter.errors == ["Không xóa được: tệp dữ liệu đang bị khóa."]
    assert CAMERA in names(window)


def test_model_deleted_elsewhere_is_dropped_without_asking(
    window: MainWindow, prompter: ScriptedPrompter, ids: dict[str, int], services: Services
) -> None:
    select(window, ids[CAMERA])
    services.models.delete(ids[CAMERA], by=STAFF)
    window.delete_action.trigger()
    assert prompter.asked == []
    assert CAMERA not in names(window)


# -- selection, actions --------------------------------------------------------------------


def test_actions_follow_the_selection(window: MainWindow, ids: dict[str, int]) -> None:
    window.table.clearSelection()
    assert not window.open_action.isEnabled()
    assert not window.delete_action.isEnabled()
    assert not window.status_button.isEnabled()
    select(window, ids[KHEO])
    assert window.open_action.isEnabled() and window.delete_action.isEnabled()
    assert [a.text() for a in window.status_actions()] == [
        "Triển khai…",
        "Công nhận…",
        "Chọn tiêu biểu…",
        "Khen thưởng…",
        "Dừng thực hiện…",
    ]
    select(window, ids[KHEO], ids[HOA])
    assert not window.open_action.isEnabled() and window.delete_action.isEnabled()
    assert window.status_actions() == []


def test_selection_kept_by_id_after_refresh_and_sort(
    window: MainWindow, ids: dict[str, int]
) -> None:
    select(window, ids[DONG_BAO])
    window.table.sortByColumn(UNIT_COL, Qt.SortOrder.DescendingOrder)
    window.refresh()
    assert window.selected_ids() == [ids[DONG_BAO]]


def test_context_menu_lists_next_statuses(
    qtbot: Any, window: MainWindow, ids: dict[str, int]
) -> None:
    row = window.model.row_of(ids[CAMERA])
    assert row is not None
    pos = window.table.visualRect(window.model.index(row, 0)).center()
    window.table.customContextMenuRequested.emit(pos)
    menu = next(m for m in window.findChildren(QMenu) if m.isVisible())
    texts = [a.text() for a in menu.actions()]
    assert "Mở/Sửa" in texts and "Xóa" in texts
    steps = next(a.menu() for a in menu.actions() if a.text() == "Chuyển trạng thái")
    assert isinstance(steps, QMenu)
    assert steps.actions()[0].text() == "Triển khai…"
    assert window.selected_ids() == [ids[CAMERA]]
    menu.close()


def test_status_action_records_a_step(
    qtbot: Any, window: MainWindow, ids: dict[str, int], services: Services
) -> None:
    from danvan_desktop.ui.event_dialog import EventDialog

    select(window, ids[KHEO])
    implement = next(a for a in window.status_actions() if a.text() == "Triển khai…")
    implement.trigger()
    dialogs = window.open_dialogs()
    assert len(dialogs) == 1 and isinstance(dialogs[0], EventDialog)
    with qtbot.waitSignal(dialogs[0].finished, timeout=2000):
        dialogs[0].accept()
    assert services.models.get(ids[KHEO]).status is Status.IMPLEMENTING
    row = window.model.row_of(ids[KHEO])
    assert row is not None
    assert window.model.index(row, STATUS_COL).data() == "Đang triển khai"
    assert window.selected_ids() == [ids[KHEO]]
    assert window.open_dialogs() == []
    # The next steps now start after "implementing".
    assert window.status_actions()[0].text() == "Công nhận…"


def test_double_click_opens_the_form_and_saving_refreshes(
    qtbot: Any, window: MainWindow, ids: dict[str, int]
) -> None:
    from danvan_desktop.ui.model_form import ModelFormDialog

    row = window.model.row_of(ids[CAMERA])
    assert row is not None
    pos = window.table.visualRect(window.model.index(row, 0)).center()
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    dialogs = window.open_dialogs()
    assert len(dialogs) == 1
    form = dialogs[0]
    assert isinstance(form, ModelFormDialog) and form.model_id == ids[CAMERA]
    window.open_model(ids[CAMERA])  # the same model again: the same dialog, not a second
    assert window.open_dialogs() == [form]
    form.name_edit.clear()
    type_text(form.name_edit, "Camera an ninh khu dân cư bản Nà Pá")
    with qtbot.waitSignal(form.finished, timeout=2000):
        form.accept()
    assert "Camera an ninh khu dân cư bản Nà Pá" in names(window)
    assert window.selected_ids() == [ids[CAMERA]]


def test_enter_opens_the_form(qtbot: Any, window: MainWindow, ids: dict[str, int]) -> None:
    from danvan_desktop.ui.model_form import ModelFormDialog

    select(window, ids[HOA])
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus, timeout=2000)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    dialogs = window.open_dialogs()
    assert len(dialogs) == 1 and isinstance(dialogs[0], ModelFormDialog)
    assert dialogs[0].model_id == ids[HOA]
    dialogs[0].reject()
    assert window.open_dialogs() == []


def test_add_model_opens_an_empty_form(qtbot: Any, window: MainWindow) -> None:
    from danvan_desktop.ui.model_form import ModelFormDialog

    assert window.add_action.shortcut().toString() == "Ctrl+N"
    window.add_action.trigger()
    dialogs = window.open_dialogs()
    assert len(dialogs) == 1 and isinstance(dialogs[0], ModelFormDialog)
    assert dialogs[0].model_id is None
    with qtbot.waitSignal(dialogs[0].finished, timeout=2000):
        dialogs[0].reject()


def test_setup_action_opens_settings(qtbot: Any, window: MainWindow) -> None:
    from danvan_desktop.ui.setup_dialog import SetupDialog

    window.setup_action.trigger()
    dialogs = window.open_dialogs()
    assert len(dialogs) == 1 and isinstance(dialogs[0], SetupDialog)
    with qtbot.waitSignal(dialogs[0].finished, timeout=2000):
        dialogs[0].reject()
    assert window.open_dialogs() == []


def test_layout_saved_and_restored(qtbot: Any, window: MainWindow, context: UiContext) -> None:
    window.table.sortByColumn(UNIT_COL, Qt.SortOrder.DescendingOrder)
    window.table.setColumnWidth(NAME_COL, 222)
    window.resize(1000, 600)
    window.close()
    assert not context.settings.bytes("main_window/header").isEmpty()
    assert not context.settings.bytes("main_window/geometry").isEmpty()
    again = MainWindow(context)
    qtbot.addWidget(again)
    header = again.table.horizontalHeader()
    assert header.sortIndicatorSection() == UNIT_COL
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert again.table.columnWidth(NAME_COL) == 222
    assert isinstance(again.model, ModelTableModel)
    assert column(again, UNIT_COL)[:3] == ["Xã Ngọc Chiến"] * 3


def test_quit_closes_the_window(qtbot: Any, window: MainWindow) -> None:
    window.quit_action.trigger()
    assert not window.isVisible()
    assert QApplication.instance() is not None


def test_columns_fit_a_small_office_screen(qtbot: Any, context: UiContext) -> None:
    """At 1366 × 768 every column shows without a horizontal scroll bar, headers unclipped."""
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    header = win.table.horizontalHeader()
    assert header.length() <= win.table.viewport().width()
    metrics = header.fontMetrics()
    for section in range(header.count()):
        text = win.model.headerData(section, Qt.Orientation.Horizontal)
        assert header.sectionSize(section) >= metrics.horizontalAdvance(text)
    assert header.sectionSize(NAME_COL) >= 250


def test_stopped_models_are_greyed(
    window: MainWindow, ids: dict[str, int], services: Services
) -> None:
    import datetime as dt

    from danvan_desktop.domain import EventData

    services.models.add_event(
        ids[CAMERA], EventData(status=Status.STOPPED, event_date=dt.date.today()), by=STAFF
    )
    window.refresh()
    stopped = window.model.row_of(ids[CAMERA])
    live = window.model.row_of(ids[KHEO])
    assert stopped is not None and live is not None
    assert window.model.index(stopped, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert window.model.index(live, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert window.model.index(stopped, STATUS_COL).data() == "Dừng thực hiện"


def test_quitting_with_unsaved_typing_asks_and_can_stay(
    qtbot: Any, window: MainWindow, ids: dict[str, int], prompter: ScriptedPrompter
) -> None:
    from danvan_desktop.ui.model_form import ModelFormDialog
    from danvan_desktop.ui.prompts import Choice

    window.open_model(ids[CAMERA])
    (form,) = window.open_dialogs()
    assert isinstance(form, ModelFormDialog)
    qtbot.waitExposed(form)
    form.name_edit.end(False)  # the name opens selected; type after it
    type_text(form.name_edit, " mới")
    prompter.answers = [Choice.CANCEL]
    window.quit_action.trigger()
    assert window.isVisible() and form.isVisible()  # nothing typed is lost
    assert form.name_edit.text().endswith(" mới")
    prompter.answers = [Choice.SAVE]
    window.quit_action.trigger()
    assert not window.isVisible()
    services = window.context.services
    assert services.models.get(ids[CAMERA]).data.name.endswith(" mới")


def test_report_window_opens_once_and_opens_models(
    qtbot: Any, window: MainWindow, ids: dict[str, int]
) -> None:
    from danvan_desktop.ui.model_form import ModelFormDialog
    from danvan_desktop.ui.report_view import ReportWindow

    window.report_action.trigger()
    report = window.findChild(ReportWindow)
    assert isinstance(report, ReportWindow) and report.isVisible()
    window.report_action.trigger()
    assert window.findChildren(ReportWindow) == [report]
    report.openModel.emit(ids[CAMERA])
    (form,) = window.open_dialogs()
    assert isinstance(form, ModelFormDialog) and form.model_id == ids[CAMERA]
