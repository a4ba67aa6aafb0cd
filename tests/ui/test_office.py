"""The menus' file actions: Excel in and out, print preview and PDF, from the real windows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from pypdf import PdfReader

from PySide6.QtPrintSupport import QPrintPreviewDialog

from danvan_desktop.domain import Field
from danvan_desktop.services import Services
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.excel_import_dialog import ExcelImportDialog
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.operations import OperationRunner
from danvan_desktop.ui.report_view import ReportWindow

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def runner(threaded_runner: OperationRunner) -> OperationRunner:
    """Files are written on the real worker thread here; the tests wait for it."""
    return threaded_runner


@pytest.fixture
def window(qtbot: Any, context: UiContext, services: Services) -> MainWindow:
    unit_id = services.installation.get().unit.id
    services.models.create_many(
        [
            sample_model(unit_id, name="Hiến đất làm đường giao thông nông thôn"),
            sample_model(unit_id, name="Camera an ninh khu dân cư", field=Field.DEFENSE_SECURITY),
        ],
        by=STAFF,
    )
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    return win


def test_export_list_writes_what_the_list_shows(
    qtbot: Any, window: MainWindow, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    window.search_box.setText("camera")
    window.apply_filter()
    prompter.paths = [tmp_path / "danh sách"]  # the suffix is added
    with qtbot.waitSignal(window.context.runner.finished):
        window.excel_export_action.trigger()
    out = tmp_path / "danh sách.xlsx"
    sheet = openpyxl.load_workbook(out).worksheets[0]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Camera an ninh khu dân cư" in texts
    assert "Hiến đất làm đường giao thông nông thôn" not in texts
    suggested = prompter.path_suggestions[0].name
    assert suggested.startswith("Danh sách mô hình - Xã Ngọc Chiến - ")
    assert str(out) in prompter.infos[0]


def test_cancelled_file_question_writes_nothing(
    window: MainWindow, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    prompter.paths = [None]
    window.excel_template_action.trigger()
    assert list(tmp_path.glob("*.xlsx")) == [] and prompter.infos == []


def test_template_then_import_preview(
    qtbot: Any, window: MainWindow, prompter: ScriptedPrompter, services: Services, tmp_path: Path
) -> None:
    template = tmp_path / "mẫu.xlsx"
    prompter.paths = [template]
    with qtbot.waitSignal(window.context.runner.finished):
        window.excel_template_action.trigger()
    book = openpyxl.load_workbook(template)
    sheet = book["Mô hình"]
    assert sheet.cell(1, 1).value == "STT" and sheet.cell(1, 2).value == "Tên mô hình"
    row = ["1", "Thu gom rác thải tại nguồn", "", "tap the", "", "", "van hoa xa hoi", "",
           "Bản Lướt", "co", 2025, 2030, "moi"]  # fmt: skip
    for column, value in enumerate(row, start=1):
        sheet.cell(2, column, value)
    book.save(template)
    prompter.paths = [template]
    with qtbot.waitSignal(window.context.runner.finished):  # the preview read on the worker
        window.excel_import_action.trigger()
    dialog = window.findChild(ExcelImportDialog)
    assert isinstance(dialog, ExcelImportDialog) and dialog.isVisible()
    assert dialog.import_button.text() == "Nhập 1 mô hình"
    before = services.models.count()
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    assert services.models.count() == before + 1
    names = {row.name for row in window.model.snapshots(window.model.ids()).values()}
    assert "Thu gom rác thải tại nguồn" in names  # the list refreshed


def test_print_selection_previews_and_pdf(
    qtbot: Any, window: MainWindow, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    assert not window.print_action.isEnabled()  # nothing selected yet
    window.table.selectAll()
    assert window.print_action.isEnabled()
    window.print_action.trigger()
    previews = window.findChildren(QPrintPreviewDialog)
    assert len(previews) == 1
    previews[0].close()
    prompter.paths = [tmp_path / "phiếu.pdf"]
    with qtbot.waitSignal(window.context.runner.finished):
        window.pdf_action.trigger()
    reader = PdfReader(tmp_path / "phiếu.pdf")
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert "Cameraanninhkhudâncư" in text and "Hiếnđấtlàmđường" in text
    assert prompter.errors == []


def test_report_window_exports_excel(
    qtbot: Any, context: UiContext, prompter: ScriptedPrompter, tmp_path: Path, window: MainWindow
) -> None:
    report = ReportWindow(context, window)
    qtbot.addWidget(report)
    prompter.paths = [tmp_path / "biểu.xlsx"]
    with qtbot.waitSignal(context.runner.finished):
        report.excel_action.trigger()
    assert (tmp_path / "biểu.xlsx").exists()
    report.print_action.trigger()
    assert len(report.findChildren(QPrintPreviewDialog)) == 1
