"""Print preview, printer and PDF for the documents, all through their one render function;
and the entry points the main window and the command line call."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPdfWriter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from danvan_desktop.services import Services, UserError
from danvan_desktop.services.models import ModelRecord
from danvan_desktop.services.print_settings import PrintSettings, print_settings_service

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.printing.pages import LANDSCAPE, PORTRAIT, page_layout
from danvan_desktop.ui.printing.registration_form import render_forms

if TYPE_CHECKING:
    from danvan_desktop.services.reports import Statistics

Render = Callable[[QPagedPaintDevice], int]
PDF_DPI = 600


def export_pdf(path: Path, render: Render, *, title: str = "") -> int:
    """Write the pages of `render` to a PDF file; returns the page count.

    Written next to the target and moved into place, so a failure never leaves half a file
    (or destroys the previous one)."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"“{path}” là một thư mục; hãy chọn tên tệp PDF.")
    if not path.parent.is_dir():
        raise UserError(f"Không có thư mục {path.parent}; hãy chọn nơi lưu khác.")
    partial = path.with_name(path.name + ".partial")
    writer = QPdfWriter(str(partial))
    writer.setResolution(PDF_DPI)
    writer.setCreator("danvan-desktop")
    writer.setTitle(title)
    try:
        pages = render(writer)
    except OSError:
        del writer
        partial.unlink(missing_ok=True)
        raise UserError(f"Không ghi được tệp {path}: không có quyền ghi hoặc ổ đĩa đầy.") from None
    del writer  # the file is complete once the writer is gone
    try:
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(
            f"Không ghi được tệp {path}: {error.strerror}. Tệp có đang mở trong chương trình "
            "khác không?"
        ) from None
    return pages


def open_preview(
    parent: QWidget | None,
    render: Render,
    orientation: QPageLayout.Orientation,
    title: str,
) -> QPrintPreviewDialog:
    """Open (non-blocking) the print preview drawing with `render`; printing from it uses the
    same function."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(orientation))
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Xem trước khi in — {title}")
    dialog.printer_ = printer  # type: ignore[attr-defined]  # keep it alive with the dialog
    dialog.paintRequested.connect(lambda device: render(device))
    dialog.resize(1000, 800)
    dialog.open()
    return dialog


# ---------------------------------------------------------------------------------------------
# What the window and the command line call


def form_records(services: Services, model_ids: Sequence[int]) -> list[ModelRecord]:
    if not model_ids:
        raise UserError("Chưa chọn mô hình nào để in.")
    records = []
    for model_id in model_ids:
        try:
            record = services.models.get(model_id)
        except UserError:
            raise UserError(f"Không có mô hình số {model_id} trong cơ sở dữ liệu.") from None
        if record.deleted:
            raise UserError(f"Mô hình {model_id} (“{record.data.name}”) đã bị xóa, không in được.")
        records.append(record)
    return records


def current_settings(services: Services) -> PrintSettings:
    return print_settings_service(services).get()


def forms_renderer(services: Services, model_ids: Sequence[int]) -> Render:
    records = form_records(services, model_ids)
    settings = current_settings(services)
    return lambda device: render_forms(device, settings, records)


def blank_form_renderer(services: Services) -> Render:
    settings = current_settings(services)
    return lambda device: render_forms(device, settings, [None])


def report_renderer(services: Services, statistics: Statistics) -> Render:
    from danvan_desktop.ui.printing.report import render_report

    settings = current_settings(services)
    prepared_by = services.installation.staff_name()
    return lambda device: render_report(device, settings, statistics, prepared_by)


def _title(count: int) -> str:
    return "Bản đăng ký mô hình" if count == 1 else f"Bản đăng ký {count} mô hình"


def preview_forms(
    context: UiContext, model_ids: Sequence[int], parent: QWidget | None
) -> QPrintPreviewDialog:
    """Preview (and print from there) the registration forms of the models, one after another."""
    render = forms_renderer(context.services, model_ids)
    return open_preview(parent, render, PORTRAIT, _title(len(model_ids)))


def export_forms_pdf(context: UiContext | Services, model_ids: Sequence[int], path: Path) -> int:
    services = context.services if isinstance(context, UiContext) else context
    render = forms_renderer(services, model_ids)
    return export_pdf(path, render, title=_title(len(model_ids)))


def preview_blank_form(context: UiContext, parent: QWidget | None) -> QPrintPreviewDialog:
    render = blank_form_renderer(context.services)
    return open_preview(parent, render, PORTRAIT, "Mẫu bản đăng ký (để trống)")


def export_blank_form_pdf(context: UiContext | Services, path: Path) -> int:
    services = context.services if isinstance(context, UiContext) else context
    return export_pdf(path, blank_form_renderer(services), title="Mẫu bản đăng ký")


def preview_report(
    context: UiContext, statistics: Statistics, parent: QWidget | None
) -> QPrintPreviewDialog:
    render = report_renderer(context.services, statistics)
    return open_preview(parent, render, LANDSCAPE, "Biểu thống kê mô hình “Dân vận khéo”")


def export_report_pdf(context: UiContext | Services, statistics: Statistics, path: Path) -> int:
    services = context.services if isinstance(context, UiContext) else context
    render = report_renderer(services, statistics)
    return export_pdf(path, render, title="Biểu thống kê mô hình “Dân vận khéo”")
