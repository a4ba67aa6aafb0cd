"""The list of models as a workbook ready to print: one row per model, every field."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from danvan_desktop.domain import FIELD_LABELS, STATUS_LABELS, SUBJECT_LABELS
from danvan_desktop.services import Services
from danvan_desktop.services.excel.common import (
    BODY_FONT,
    BORDER,
    DATE_ATTRS,
    DATE_FORMAT,
    EXTRA_COLUMNS,
    PAGE_WIDTH_UNITS,
    TEMPLATE_COLUMNS,
    TOP,
    WRAP,
    Column,
    cell_value,
    print_setup,
    put,
    save_workbook,
    set_widths,
    style_header,
    title_block,
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
    """Write the models matching `flt` to `path`; returns how many were written."""
    today = today or dt.date.today()
    records = services.models.records(flt)
    installation = services.installation.get()
    columns = TEMPLATE_COLUMNS + EXTRA_COLUMNS
    width = len(columns) + len(INFO_TITLES)

    wb = Workbook()
    ws = wb.active
    ws.title = LIST_SHEET
    period = flt.period.label if flt.period is not None else "tất cả"
    lines = [
        TITLE,
        f"Đơn vị: {installation.unit.label}",
        f"Giai đoạn: {period}" + (f" — {filter_text(flt)}" if filter_text(flt) else ""),
        f"Ngày xuất: {today:%d/%m/%Y} — {len(records)} mô hình",
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
    header = title_block(ws, lines, max(first_page, 3))
    titles = [c.title for c in columns] + list(INFO_TITLES)
    for index, title in enumerate(titles, start=1):
        style_header(ws.cell(row=header, column=index, value=title))
    ws.row_dimensions[header].height = 45
    set_widths(ws, widths)

    for number, record in enumerate(records, start=1):
        _write_row(ws, header + number, number, record, columns)

    last_row = header + max(len(records), 1)
    ws.freeze_panes = ws.cell(row=header + 1, column=3).coordinate
    ws.auto_filter.ref = f"A{header}:{get_column_letter(width)}{last_row}"
    # Every field on one line is far wider than a page: print across several pages, each
    # repeating the row number and the name so a page can be read on its own.
    print_setup(ws, (header, header), pages_wide=pages_wide)
    ws.print_title_cols = "A:B"
    ws.print_area = f"A1:{get_column_letter(width)}{last_row}"
    save_workbook(wb, path)
    return len(records)


def _write_row(
    ws: Worksheet, row: int, number: int, record: ModelRecord, columns: tuple[Column, ...]
) -> None:
    values: list[object] = [
        number if not column.attr else cell_value(record.data, column.attr, record.unit_code)
        for column in columns
    ]
    values += [record.unit_name, STATUS_LABELS[record.status], _local(record.updated_at)]
    attrs = [c.attr for c in columns] + [""] * len(INFO_TITLES)
    widths = [c.width for c in columns] + list(INFO_WIDTHS)
    ws.row_dimensions[row].height = _height(values, widths)
    for index, (value, attr) in enumerate(zip(values, attrs, strict=True), start=1):
        cell = put(ws.cell(row=row, column=index), value)
        cell.font = BODY_FONT
        cell.border = BORDER
        cell.alignment = WRAP if isinstance(value, str) else TOP
        if attr in DATE_ATTRS:
            cell.number_format = DATE_FORMAT
        elif attr == "unit_id":
            cell.number_format = "@"


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
