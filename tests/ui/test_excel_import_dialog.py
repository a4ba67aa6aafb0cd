"""The Excel import preview dialog: counts, the import blocked while errors, valid-only."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QTableWidget

from danvan_desktop.services.models import ModelFilter
from tests.conftest import STAFF
from tests.core.test_excel_import import good_row, write_rows
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.excel_import_dialog import ExcelImportDialog
from danvan_desktop.ui.operations import OperationRunner, Outcome

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


@pytest.fixture
def runner(threaded_runner: OperationRunner) -> OperationRunner:
    """The workbook is read and imported on the real worker thread; the tests wait for it."""
    return threaded_runner


@pytest.fixture
def workbook(context: UiContext, tmp_path: Path) -> Path:
    home = context.services.installation.get().unit
    context.services.models.create(sample_model(home.id, name="Đã có sẵn"), by=STAFF)
    return write_rows(
        tmp_path / "nhập.xlsx",
        [
            good_row(**{"Tên mô hình": "Một"}),
            good_row(**{"Tên mô hình": "Hai", "Lĩnh vực": "nông nghiệp"}),
            good_row(**{"Tên mô hình": "Ba"}),
            good_row(**{"Tên mô hình": "da co san"}),
            good_row(**{"Tên mô hình": None}),
        ],
    )


def test_preview_counts_and_import_blocked_while_errors(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, workbook: Path, tmp_path: Path
) -> None:
    with qtbot.waitSignal(context.runner.finished):
        dialog = ExcelImportDialog(context, workbook)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "2 dòng sẽ thêm, 1 dòng trùng, 2 dòng lỗi" in dialog.summary_label.text()
    assert [dialog.tabs.tabText(i) for i in range(3)] == [
        "Sẽ thêm (2)",
        "Trùng (1)",
        "Lỗi (2 dòng)",
    ]
    assert dialog.tabs.currentWidget() is dialog.error_table
    assert dialog.error_table.rowCount() == 2
    assert [text(dialog.error_table, 0, c) for c in range(3)] == [
        "3",
        "Lĩnh vực",
        "nông nghiệp",
    ]
    assert text(dialog.duplicate_table, 0, 4) == "đã có trong cơ sở dữ liệu"
    assert not dialog.import_button.isEnabled()

    with qtbot.waitSignal(context.runner.finished):
        saving = dialog.save_errors(tmp_path / "lỗi.xlsx")
    assert saving is not None
    saved = saving.result
    assert saved is not None
    assert load_workbook(saved)["Mô hình"]["G3"].comment is not None
    assert prompter.infos[-1].startswith("Đã lưu danh sách lỗi")

    dialog.valid_only.click()
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "Nhập 2 mô hình"
    dialog.allow_duplicates.click()
    assert dialog.import_button.text() == "Nhập 3 mô hình"
    dialog.allow_duplicates.click()

    with qtbot.waitSignal(dialog.imported) as signal:
        dialog.import_button.click()
    assert len(signal.args[0]) == 2
    assert prompter.infos[-1] == "Đã nhập 2 mô hình từ nhập.xlsx."
    names = {r.data.name for r in context.services.models.records(ModelFilter())}
    assert names == {"Đã có sẵn", "Một", "Ba"}
    assert not dialog.isVisible()


def test_clean_file_imports_and_unreadable_file_is_explained(
    qtbot: QtBot, context: UiContext, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "tốt.xlsx", [good_row(**{"Tên mô hình": "Một"})])
    with qtbot.waitSignal(context.runner.finished):
        dialog = ExcelImportDialog(context, path)
    qtbot.addWidget(dialog)
    assert not dialog.valid_only.isEnabled()
    assert not dialog.save_errors_button.isEnabled()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    assert context.services.models.count(ModelFilter()) == 1

    broken = tmp_path / "hỏng.xlsx"
    broken.write_bytes(b"PK not really")
    with qtbot.waitSignal(context.runner.finished):
        other = ExcelImportDialog(context, broken)
    qtbot.addWidget(other)
    assert "không phải bảng tính Excel" in other.summary_label.text()
    assert not other.import_button.isEnabled()


def test_import_cancelled_while_waiting_adds_nothing_and_dialog_stays(
    qtbot: QtBot, context: UiContext, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "tốt.xlsx", [good_row(**{"Tên mô hình": "Một"})])
    with qtbot.waitSignal(context.runner.finished):
        dialog = ExcelImportDialog(context, path)
    qtbot.addWidget(dialog)
    dialog.show()
    gate = threading.Event()
    try:
        # Another operation holds the worker, so the import waits its turn with its progress
        # window up, long enough to press Hủy.
        context.runner.submit(lambda _progress: gate.wait(10))
        dialog.import_button.click()
        assert not dialog.import_button.isEnabled()  # no second click while it runs
        operation = dialog.operation
        assert operation is not None
        qtbot.waitUntil(lambda: operation.dialog is not None)
        assert operation.dialog is not None and operation.dialog.cancel_button is not None
        operation.dialog.cancel_button.click()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: operation.done)
    assert operation.outcome is Outcome.CANCELLED
    assert context.services.models.count(ModelFilter()) == 0
    assert prompter.infos[-1] == "Đã dừng nhập; chưa thêm mô hình nào."
    assert dialog.isVisible() and dialog.import_button.isEnabled()
