"""What the menus do with files: Excel workbooks in and out, printing and PDF.

Each action asks where (through the prompter, so tests answer), then writes the file on the
operation runner's worker thread (ui.operations: busy cursor and progress window only when it is
slow) and tells the result, or shows a UserError as the message it is, back on the GUI thread.
Print previews stay on the GUI thread (Qt paints there). The main window and the report window
share these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from danvan_desktop.paths import document_name
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.models import ModelFilter
from danvan_desktop.services.reports import ReportFilter, Statistics

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.operations import Operation, run_operation

EXCEL_FILTER = "Sổ tính Excel (*.xlsx)"
PDF_FILTER = "Tệp PDF (*.pdf)"


@contextmanager
def busy() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def documents_dir() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


def suggested_file(context: UiContext, title: str, suffix: str) -> Path:
    """“Danh sách mô hình - Xã Ngọc Chiến - 25-11-2026.xlsx” in the documents folder."""
    unit = context.services.installation.get().unit.name
    return documents_dir() / document_name(title, unit, suffix)


def _run_here(
    context: UiContext, parent: QWidget | None, title: str, work: Callable[[], object]
) -> bool:
    """Run `work` on the GUI thread (print previews: Qt paints there); a UserError is shown."""
    try:
        with busy():
            work()
    except UserError as error:
        context.prompter.error(parent, title, str(error))
        return False
    return True


def _run_in_background(
    context: UiContext, parent: QWidget | None, title: str, text: str, work: Callable[[], str]
) -> Operation[str]:
    """Run `work` (which returns what to tell the user) on the worker; the message, or a
    UserError, is shown on the GUI thread when it ends."""

    def tell(message: str) -> None:
        if message:
            context.prompter.info(parent, title, message)

    return run_operation(context, parent, lambda _progress: work(), tell, title=title, text=text)


def save_file(
    context: UiContext,
    parent: QWidget | None,
    *,
    title: str,
    file_title: str,
    file_filter: str,
    suffix: str,
    busy_text: str,
    write: Callable[[Path], str],
) -> Operation[str] | None:
    """Ask where (suggesting “<file_title> - <unit> - <date><suffix>”), then run `write(path)`
    on the worker; what it returns is told to the user. None when the user cancels."""
    suggested = suggested_file(context, file_title, suffix)
    path = context.prompter.save_path(parent, title, suggested, file_filter)
    if path is None:
        return None
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    chosen = path
    return _run_in_background(context, parent, title, busy_text, lambda: write(chosen))


# -- Excel --------------------------------------------------------------------------------------


def save_excel_template(context: UiContext, parent: QWidget | None) -> Operation[str] | None:
    from danvan_desktop.services.excel.template import write_template

    def write(path: Path) -> str:
        write_template(context.services, path)
        return f"Đã lưu mẫu nhập tại:\n{path}\n\nĐiền mỗi mô hình một dòng ở trang “Mô hình”."

    return save_file(
        context, parent, title="Tải mẫu nhập Excel", file_title="Mẫu nhập mô hình",
        file_filter=EXCEL_FILTER, suffix=".xlsx", write=write,
        busy_text="Đang ghi mẫu nhập…",
    )  # fmt: skip


def export_list_excel(
    context: UiContext, parent: QWidget | None, flt: ModelFilter
) -> Operation[str] | None:
    from danvan_desktop.services.excel.export_list import export_list_xlsx

    def write(path: Path) -> str:
        count = export_list_xlsx(context.services, flt, path)
        return f"Đã xuất {count} mô hình ra tệp:\n{path}"

    return save_file(
        context, parent, title="Xuất danh sách ra Excel", file_title="Danh sách mô hình",
        file_filter=EXCEL_FILTER, suffix=".xlsx", write=write,
        busy_text="Đang xuất danh sách ra Excel…",
    )  # fmt: skip


def export_report_excel(
    context: UiContext, parent: QWidget | None, flt: ReportFilter
) -> Operation[str] | None:
    from danvan_desktop.services.excel.export_report import export_report_xlsx

    def write(path: Path) -> str:
        export_report_xlsx(context.services, flt, path)
        return f"Đã xuất biểu thống kê ra tệp:\n{path}"

    return save_file(
        context, parent, title="Xuất biểu thống kê ra Excel", file_title="Biểu thống kê",
        file_filter=EXCEL_FILTER, suffix=".xlsx", write=write,
        busy_text="Đang xuất biểu thống kê ra Excel…",
    )  # fmt: skip


def open_excel_import(
    context: UiContext, parent: QWidget | None, on_imported: Callable[[list[int]], None]
) -> QDialog | None:
    """Choose a workbook, then show the import preview (non-blocking)."""
    from danvan_desktop.ui.excel_import_dialog import ExcelImportDialog

    path = context.prompter.open_path(
        parent, "Nhập mô hình từ Excel", documents_dir(), EXCEL_FILTER
    )
    if path is None:
        return None
    dialog = ExcelImportDialog(context, path, parent)  # reads the workbook on the worker
    dialog.imported.connect(on_imported)
    dialog.open()
    return dialog


# -- printing ------------------------------------------------------------------------------------


def preview_forms(context: UiContext, parent: QWidget | None, model_ids: Sequence[int]) -> None:
    from danvan_desktop.ui.printing.preview import preview_forms as open_preview

    def work() -> None:
        open_preview(context, model_ids, parent)

    _run_here(context, parent, "In phiếu đăng ký", work)


def preview_blank_form(context: UiContext, parent: QWidget | None) -> None:
    from danvan_desktop.ui.printing.preview import preview_blank_form as open_preview

    def work() -> None:
        open_preview(context, parent)

    _run_here(context, parent, "In phiếu đăng ký để trống", work)


def preview_report(context: UiContext, parent: QWidget | None, statistics: Statistics) -> None:
    from danvan_desktop.ui.printing.preview import preview_report as open_preview

    def work() -> None:
        open_preview(context, statistics, parent)

    _run_here(context, parent, "In biểu thống kê", work)


def export_forms_pdf(
    context: UiContext, parent: QWidget | None, model_ids: Sequence[int]
) -> Operation[str] | None:
    from danvan_desktop.ui.printing.fonts import load_fonts
    from danvan_desktop.ui.printing.preview import export_forms_pdf as write_pdf

    load_fonts()  # registering fonts changes Qt's font database: on the GUI thread, once
    ids = list(model_ids)

    def write(path: Path) -> str:
        # QPdfWriter and QPainter may paint on a worker thread (not so widgets or pixmaps).
        pages = write_pdf(context.services, ids, path)
        return f"Đã lưu {pages} trang ra tệp:\n{path}"

    return save_file(
        context, parent, title="Xuất phiếu đăng ký ra PDF", file_title="Phiếu đăng ký",
        file_filter=PDF_FILTER, suffix=".pdf", write=write,
        busy_text="Đang xuất phiếu đăng ký ra PDF…",
    )  # fmt: skip


def open_print_settings(context: UiContext, parent: QWidget | None) -> QDialog:
    from danvan_desktop.ui.print_settings_dialog import PrintSettingsDialog

    dialog = PrintSettingsDialog(context, parent)
    dialog.open()
    return dialog
