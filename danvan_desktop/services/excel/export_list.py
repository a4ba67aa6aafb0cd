"""The list of models as a workbook ready to print: one row per model, every field."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

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
    ws = _CellsSheet(parent=wb, title=LIST_SHEET)
    wb._add_sheet(ws)  # what `create_sheet` does with the sheet it makes
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

    cells = _RowCells(ws, [c.attr for c in columns] + [""] * len(INFO_TITLES))
    heights = _Heights(widths)
    for number, record in enumerate(services.models.list_records(ids), start=1):
        values = _row_values(number, record, columns)
        ws.row_dimensions[header + number].height = heights.height(values)
        ws.append(cells.cells(values))
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


class _CellsSheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """A write-only sheet whose rows are lists of ready cells (every row of the list is).

    openpyxl's own `append` first tries each cell as a value, fails with an exception, takes it
    as a cell and makes a spare one: about 3.5 µs a cell, a fifth of the list's time at 3
    million cells. This takes the cells as they are. It replaces a method openpyxl keeps
    private: should a later version rename it, the sheet falls back to openpyxl's own way,
    which writes the same cells, only slower."""

    def _values_to_row(self, values: list[Any], row_idx: int) -> Iterator[Any]:
        for column, cell in enumerate(values, start=1):
            cell.column = column
            cell.row = row_idx
            yield cell


class _RowCells:
    """The cells of the data rows: one styled cell per column and kind of value, made once and
    given each row's values. A write-only sheet writes a row out when it is appended, so the
    same cells serve every row; a new styled cell per value (3 million for 100,000 models)
    cost more than writing them."""

    def __init__(self, ws: Any, attrs: list[str]) -> None:
        self._ws = ws
        self._attrs = attrs
        self._cells: dict[tuple[int, str], Any] = {}

    def _cell(self, column: int, kind: str) -> Any:
        cell = self._cells.get((column, kind))
        if cell is None:
            attr = self._attrs[column]
            cell = WriteOnlyCell(self._ws)
            cell.font = BODY_FONT
            cell.border = BORDER
            cell.alignment = WRAP if kind in ("text", "formula") else TOP
            if attr in DATE_ATTRS or kind == "date":
                cell.number_format = DATE_FORMAT
            elif kind == "datetime":
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif attr == "unit_id":
                cell.number_format = "@"
            if kind == "formula":
                cell.quotePrefix = True  # text that looks like a formula stays text
            self._cells[(column, kind)] = cell
        return cell

    def cells(self, values: list[object]) -> list[Any]:
        out = []
        for column, value in enumerate(values):
            if isinstance(value, dt.datetime):
                kind = "datetime"
            elif isinstance(value, dt.date):
                kind, value = "date", dt.datetime.combine(value, dt.time())
            elif isinstance(value, str):
                kind = "formula" if value.startswith(FORMULA_STARTS) else "text"
            else:
                kind = "other"
            cell = self._cell(column, kind)
            cell.value = value
            if kind == "formula":
                cell.data_type = "s"
            out.append(cell)
        return out


class _Heights:
    """Row height (points) that shows wrapped texts whole: spreadsheets do not grow rows by
    themselves when a file is opened, so long texts would print over each other."""

    def __init__(self, widths: list[int]) -> None:
        # Characters per printed line of each column: Times is narrower than the width unit.
        self._per_line = [max(width - 1, 1) * 1.4 for width in widths]

    def height(self, values: list[object]) -> float:
        lines = 1
        for value, per_line in zip(values, self._per_line, strict=True):
            if not isinstance(value, str) or not value:
                continue
            if len(value) <= per_line and "\n" not in value:
                continue  # one line: most cells, and the answer of the sum below
            lines = max(
                lines, sum(math.ceil(max(len(part), 1) / per_line) for part in value.split("\n"))
            )
        return min(14.5 * lines + 3, 409.0)


def _local(moment: dt.datetime) -> dt.datetime:
    """Excel has no time zones: local time, naive, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.replace(microsecond=0)
