"""The list of models as a workbook ready to print: one row per model, every field."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from danvan_desktop.domain import FIELD_LABELS, STATUS_LABELS, SUBJECT_LABELS
from danvan_desktop.services import Services
from danvan_desktop.services.excel.common import (
    BODY_FONT,
    BORDER,
    DATE_ATTRS,
    DATE_FORMAT,
    EXTRA_COLUMNS,
    FONT_NAME,
    FORMULA_STARTS,
    PAGE_WIDTH_UNITS,
    TEMPLATE_COLUMNS,
    TITLE_FONT,
    TOP,
    WRAP,
    Column,
    cell_value,
    print_setup,
    save_workbook,
    set_widths,
    style_header,
)
from danvan_desktop.services.models import ModelFilter, ModelRecord

LIST_SHEET = "Mô hình"
TITLE = "DANH SÁCH MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”"
# After the fields: what the app knows about each model, for reading (the import ignores them).
INFO_TITLES = ("Tên đơn vị", "Trạng thái", "Cập nhật lần cuối")
INFO_WIDTHS = (28, 16, 16)


def filter_text(flt: ModelFilter) -> str:
    """The filter in words, for the title block."""
    parts = []
    if flt.field is not None:
        parts.append(f"lĩnh vực {FIELD_LABELS[flt.field]}")
    if flt.subject_type is not None:
        parts.append(SUBJECT_LABELS[flt.subject_type].lower())
    if flt.status is not None:
        parts.append(f"trạng thái {STATUS_LABELS[flt.status]}")
    if flt.text.strip():
        parts.append(f"tìm “{flt.text.strip()}”")
    return "; ".join(parts)


def export_list_xlsx(
    services: Services,
    flt: ModelFilter,
    path: Path,
    *,
    today: dt.date | None = None,
) -> int:
    """Write the models matching `flt` to `path`; returns how many were written.

    A write-only workbook: rows stream to the file as they are made (100,000 models would
    otherwise be held as cells in memory), so everything about the sheet (widths, frozen
    panes, row heights) is set before the row it concerns is written."""
    today = today or dt.date.today()
    ids = services.models.ids(flt)
    installation = services.installation.get()
    columns = TEMPLATE_COLUMNS + EXTRA_COLUMNS
    width = len(columns) + len(INFO_TITLES)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(LIST_SHEET)
    period = flt.period.label if flt.period is not None else "tất cả"
    lines = [
        TITLE,
        f"Đơn vị: {installation.unit.label}",
        f"Giai đoạn: {period}" + (f" — {filter_text(flt)}" if filter_text(flt) else ""),
        f"Ngày xuất: {today:%d/%m/%Y} — {len(ids)} mô hình",
    ]
    # The title is centred over the first printed page, not over every column.
    widths = [c.width for c in columns] + list(INFO_WIDTHS)
    pages_wide = math.ceil(sum(widths) / PAGE_WIDTH_UNITS)
    first_page = len(
        list(
            itertools.takewhile(
                lambda w: w <= sum(widths) / pages_wide, itertools.accumulate(widths)
            )
        )
    )
    header = len(lines) + 2  # as title_block: one blank row before the table
    last_row = header + max(len(ids), 1)
    set_widths(ws, widths)
    ws.freeze_panes = f"C{header + 1}"
    ws.auto_filter.ref = f"A{header}:{get_column_letter(width)}{last_row}"
    # Every field on one line is far wider than a page: print across several pages, each
    # repeating the row number and the name so a page can be read on its own.
    print_setup(ws, (header, header), pages_wide=pages_wide)
    ws.print_title_cols = "A:B"
    ws.print_area = f"A1:{get_column_letter(width)}{last_row}"

    ws.row_dimensions[1].height = 24
    for index, text in enumerate(lines, start=1):
        cell = WriteOnlyCell(ws, text)
        cell.font = TITLE_FONT if index == 1 else Font(name=FONT_NAME, size=12, italic=index > 1)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.append([cell])
        span = max(first_page, 3)
        ws.merged_cells.add(f"A{index}:{get_column_letter(span)}{index}")
    ws.append([])
    titles = [c.title for c in columns] + list(INFO_TITLES)
    header_cells = []
    for title in titles:
        cell = WriteOnlyCell(ws, title)
        style_header(cell)
        header_cells.append(cell)
    ws.row_dimensions[header].height = 45
    ws.append(header_cells)

    styles = _RowStyles(ws, [c.attr for c in columns] + [""] * len(INFO_TITLES))
    for number, record in enumerate(services.models.list_records(ids), start=1):
        values = _row_values(number, record, columns)
        ws.row_dimensions[header + number].height = _height(values, widths)
        ws.append(styles.cells(values))
    save_workbook(wb, path)
    return len(ids)


def list_rows(services: Services, flt: ModelFilter) -> list[list[object]]:
    """The values of the list's table, row by row (what the benchmark writes bare)."""
    columns = TEMPLATE_COLUMNS + EXTRA_COLUMNS
    ids = services.models.ids(flt)
    return [
        _row_values(number, record, columns)
        for number, record in enumerate(services.models.list_records(ids), start=1)
    ]


def _row_values(number: int, record: ModelRecord, columns: tuple[Column, ...]) -> list[object]:
    values: list[object] = [
        number if not column.attr else cell_value(record.data, column.attr, record.unit_code)
        for column in columns
    ]
    return [*values, record.unit_name, STATUS_LABELS[record.status], _local(record.updated_at)]


class _RowStyles:
    """Cells of a data row. A style is worked out once per kind of cell, then copied: setting
    font, border and alignment on each of 3 million cells would look each up again."""

    def __init__(self, ws: Any, attrs: list[str]) -> None:
        self._ws = ws
        self._attrs = attrs
        self._styles: dict[tuple[str, str], Any] = {}

    def _style(self, attr: str, kind: str) -> Any:
        key = (attr, kind)
        if key not in self._styles:
            cell = WriteOnlyCell(self._ws)
            cell.font = BODY_FONT
            cell.border = BORDER
            cell.alignment = WRAP if kind == "text" else TOP
            if attr in DATE_ATTRS or kind == "date":
                cell.number_format = DATE_FORMAT
            elif kind == "datetime":
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif attr == "unit_id":
                cell.number_format = "@"
            self._styles[key] = cell._style
        return self._styles[key]

    def cells(self, values: list[object]) -> list[Any]:
        out = []
        for value, attr in zip(values, self._attrs, strict=True):
            if isinstance(value, dt.datetime):
                kind = "datetime"
            elif isinstance(value, dt.date):
                kind, value = "date", dt.datetime.combine(value, dt.time())
            else:
                kind = "text" if isinstance(value, str) else "other"
            cell = WriteOnlyCell(self._ws, value)
            cell._style = copy.copy(self._style(attr, kind))
            if kind == "text" and value and str(value).startswith(FORMULA_STARTS):
                cell.data_type = "s"  # text that looks like a formula stays text
                cell.quotePrefix = True
            out.append(cell)
        return out


def _height(values: list[object], widths: list[int]) -> float:
    """Row height (points) that shows wrapped texts whole: spreadsheets do not grow rows by
    themselves when a file is opened, so long texts would print over each other."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str) and value:
            per_line = max(width - 1, 1) * 1.4  # Times is narrower than the width unit
            lines = max(
                lines, sum(math.ceil(max(len(part), 1) / per_line) for part in value.split("\n"))
            )
    return min(14.5 * lines + 3, 409.0)


def _local(moment: dt.datetime) -> dt.datetime:
    """Excel has no time zones: local time, naive, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.replace(microsecond=0)
