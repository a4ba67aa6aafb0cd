"""The statistics report as an official-looking table: two-level merged headers, unit rows,
subtotals, a total row of SUM formulas, and a second sheet listing the models counted.

Subtotal and total cells are formulas over the unit rows (never over other subtotals, so nothing
is counted twice): an office may correct a figure by hand and the sums still add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    NEW_LABELS,
    STATUS_LABELS,
    SUBJECT_LABELS,
)
from danvan_desktop.services import Services
from danvan_desktop.services.excel.common import (
    BODY_FONT,
    BORDER,
    CENTER,
    FONT_NAME,
    SUBTOTAL_FILL,
    TOP,
    WRAP,
    print_setup,
    put,
    save_workbook,
    set_widths,
    style_header,
    title_block,
)
from danvan_desktop.services.reports import (
    COUNT_KEYS,
    COUNT_LABELS,
    ReportFilter,
    StatCounts,
    StatRow,
)

REPORT_SHEET = "Biểu thống kê"
MODELS_SHEET = "Danh sách mô hình"
TITLE = "BIỂU THỐNG KÊ MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”"
# The upper header line: a group title over its count columns; a lone key spans both lines.
HEADER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tổng số", ("models",)),
    ("Chia theo loại", ("collective", "individual")),
    (
        "Chia theo lĩnh vực",
        ("economy", "culture_society", "defense_security", "political_system", "other"),
    ),
    ("Mới/Duy trì", ("new", "continued")),
    ("Kết quả", ("recognised", "exemplary", "commended")),
)
LEADING = ("STT", "Mã đơn vị", "Tên đơn vị")
FIRST_COUNT_COLUMN = len(LEADING) + 1
MAX_SUM_ARGUMENTS = 200  # Excel allows 255 arguments per function


@dataclass(frozen=True)
class _Line:
    """One row of the table as written."""

    code: str
    name: str
    depth: int
    is_subtotal: bool
    counts: StatCounts


def _lines(stat_rows: Sequence[StatRow]) -> list[_Line]:
    """The report's rows, with a "(trực tiếp)" row under each subtotal whose unit has models of
    its own, so that summing the unit rows gives the total."""
    out: list[_Line] = []
    for index, row in enumerate(stat_rows):
        out.append(_Line(row.unit_code, row.unit_name, row.depth, row.is_subtotal, row.counts))
        if not row.is_subtotal:
            continue
        children = StatCounts()
        for later in stat_rows[index + 1 :]:
            if later.depth <= row.depth:
                break
            if later.depth == row.depth + 1:
                children = children + later.counts
        own = StatCounts(**{k: row.counts.get(k) - children.get(k) for k in COUNT_KEYS})
        if own.models:
            out.append(
                _Line(row.unit_code, f"{row.unit_name} (trực tiếp)", row.depth + 1, False, own)
            )
    return out


def _ranges(rows: list[int]) -> list[str]:
    """Runs of consecutive row numbers as "8:12" pieces."""
    pieces: list[str] = []
    start = previous = None
    for row in rows:
        if start is None:
            start = previous = row
        elif previous is not None and row == previous + 1:
            previous = row
        else:
            pieces.append(f"{start}:{previous}")
            start = previous = row
    if start is not None:
        pieces.append(f"{start}:{previous}")
    return pieces


def sum_formula(letter: str, rows: list[int]) -> str:
    """=SUM over the given rows of one column, as few ranges as possible."""
    if not rows:
        return "=0"
    parts = []
    for piece in _ranges(rows):
        first, last = piece.split(":")
        parts.append(f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}")
    chunks = [parts[i : i + MAX_SUM_ARGUMENTS] for i in range(0, len(parts), MAX_SUM_ARGUMENTS)]
    return "=" + "+".join(f"SUM({','.join(chunk)})" for chunk in chunks)


def export_report_xlsx(
    services: Services,
    flt: ReportFilter,
    path: Path,
    *,
    today: dt.date | None = None,
) -> Path:
    """Write the statistics report for the installation's unit to `path`."""
    today = today or dt.date.today()
    stats = services.reports.statistics(flt)
    keys = [key for _, group in HEADER_GROUPS for key in group]
    width = len(LEADING) + len(keys)

    wb = Workbook()
    ws = wb.active
    ws.title = REPORT_SHEET
    described = flt.describe()
    header = title_block(
        ws,
        [
            TITLE,
            f"Đơn vị: {stats.unit.label}",
            f"Phạm vi: {described}" if described else "Phạm vi: tất cả mô hình",
            f"Ngày lập: {today:%d/%m/%Y}",
        ],
        width,
    )
    _headers(ws, header, keys)
    first = header + 2
    lines = _lines(stats.rows)
    unit_rows: list[int] = []
    for offset, line in enumerate(lines):
        row = first + offset
        put(ws.cell(row=row, column=2), line.code).number_format = "@"
        name = ws.cell(row=row, column=3, value=line.name)
        name.alignment = Alignment(vertical="top", wrap_text=True, indent=line.depth)
        for index, key in enumerate(keys):
            ws.cell(row=row, column=FIRST_COUNT_COLUMN + index, value=line.counts.get(key))
        if not line.is_subtotal:
            unit_rows.append(row)
    # Subtotals: formulas over the unit rows beneath them.
    number = 0
    for offset, line in enumerate(lines):
        row = first + offset
        if not line.is_subtotal:
            number += 1
            ws.cell(row=row, column=1, value=number)
            continue
        below = []
        for later_offset in range(offset + 1, len(lines)):
            if lines[later_offset].depth <= line.depth:
                break
            if not lines[later_offset].is_subtotal:
                below.append(first + later_offset)
        for index in range(len(keys)):
            letter = get_column_letter(FIRST_COUNT_COLUMN + index)
            ws.cell(row=row, column=FIRST_COUNT_COLUMN + index, value=sum_formula(letter, below))
    total_row = first + len(lines)
    ws.cell(row=total_row, column=3, value="Tổng cộng")
    for index in range(len(keys)):
        letter = get_column_letter(FIRST_COUNT_COLUMN + index)
        ws.cell(
            row=total_row, column=FIRST_COUNT_COLUMN + index, value=sum_formula(letter, unit_rows)
        )

    for row in range(first, total_row + 1):
        strong = row == total_row or lines[row - first].is_subtotal
        for column in range(1, width + 1):
            cell = ws.cell(row=row, column=column)
            cell.border = BORDER
            cell.font = Font(name=FONT_NAME, size=11, bold=strong)
            if strong:
                cell.fill = SUBTOTAL_FILL
            if column != 3:
                cell.alignment = Alignment(horizontal="center", vertical="top")
            if column >= FIRST_COUNT_COLUMN:
                cell.number_format = "#,##0"
    ws.cell(row=total_row, column=3).alignment = Alignment(horizontal="center")

    set_widths(ws, [5, 9, 34] + [9] * len(keys))
    ws.freeze_panes = ws.cell(row=first, column=FIRST_COUNT_COLUMN).coordinate
    print_setup(ws, (header, header + 1))
    ws.print_area = f"A1:{get_column_letter(width)}{total_row}"

    _models_sheet(wb.create_sheet(MODELS_SHEET), services, flt, stats.unit.label)
    return save_workbook(wb, path)


def _headers(ws: Worksheet, header: int, keys: list[str]) -> None:
    for column, title in enumerate(LEADING, start=1):
        style_header(ws.cell(row=header, column=column, value=title))
        style_header(ws.cell(row=header + 1, column=column))
        ws.merge_cells(start_row=header, start_column=column, end_row=header + 1, end_column=column)
    column = FIRST_COUNT_COLUMN
    for title, group in HEADER_GROUPS:
        if len(group) == 1:
            style_header(ws.cell(row=header, column=column, value=title))
            style_header(ws.cell(row=header + 1, column=column))
            ws.merge_cells(
                start_row=header, start_column=column, end_row=header + 1, end_column=column
            )
        else:
            for offset, key in enumerate(group):
                style_header(ws.cell(row=header, column=column + offset))
                style_header(
                    ws.cell(row=header + 1, column=column + offset, value=COUNT_LABELS[key])
                )
            ws.cell(row=header, column=column, value=title)
            ws.merge_cells(
                start_row=header,
                start_column=column,
                end_row=header,
                end_column=column + len(group) - 1,
            )
        column += len(group)
    ws.row_dimensions[header].height = 22
    ws.row_dimensions[header + 1].height = 58


def _models_sheet(ws: Worksheet, services: Services, flt: ReportFilter, unit_label: str) -> None:
    """Every model counted in the total, with what decided each count."""
    ids = services.reports.model_ids(flt, None, "models")
    rows = services.models.rows(ids)
    titles = [
        "STT",
        "Tên mô hình",
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại hình",
        "Tập thể/Cá nhân",
        "Lĩnh vực",
        "Giai đoạn",
        "Mới/Duy trì",
        "Trạng thái",
    ]
    header = title_block(
        ws, ["DANH SÁCH MÔ HÌNH ĐƯỢC THỐNG KÊ", f"Đơn vị: {unit_label}"], len(titles)
    )
    for column, title in enumerate(titles, start=1):
        style_header(ws.cell(row=header, column=column, value=title))
    ws.row_dimensions[header].height = 32
    ordered = sorted(
        (rows[i] for i in ids if i in rows), key=lambda r: (r.unit_code, r.unit_name, r.name)
    )
    for number, model in enumerate(ordered, start=1):
        row = header + number
        values = [
            number,
            model.name,
            model.unit_code,
            model.unit_name,
            KIND_LABELS[model.kind],
            SUBJECT_LABELS[model.subject_type],
            FIELD_LABELS[model.field],
            f"{model.period_start}–{model.period_end}",
            NEW_LABELS[model.is_new],
            STATUS_LABELS[model.status],
        ]
        for column, value in enumerate(values, start=1):
            cell = put(ws.cell(row=row, column=column), value)
            cell.font = BODY_FONT
            cell.border = BORDER
            cell.alignment = WRAP if column in (2, 4) else TOP
        ws.cell(row=row, column=3).number_format = "@"
    set_widths(ws, [6, 45, 10, 26, 11, 11, 22, 11, 10, 16])
    last = header + max(len(ordered), 1)
    ws.freeze_panes = ws.cell(row=header + 1, column=3).coordinate
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(titles))}{last}"
    print_setup(ws, (header, header))
    ws.cell(row=header, column=1).alignment = CENTER
