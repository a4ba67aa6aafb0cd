"""Excel workbooks (openpyxl): the import template, the import itself, the list and report
exports. Core code: no Qt."""

from __future__ import annotations

from danvan_desktop.services.excel.export_list import export_list_xlsx
from danvan_desktop.services.excel.importer import (
    ImportIssue,
    ImportPreview,
    ImportResult,
    ImportRow,
    apply_import,
    preview_import,
    write_error_workbook,
)
from danvan_desktop.services.excel.template import write_template

__all__ = [
    "ImportIssue",
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "apply_import",
    "export_list_xlsx",
    "preview_import",
    "write_error_workbook",
    "write_template",
]
