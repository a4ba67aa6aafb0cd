"""What every workbook shares: the columns of a model, styles, the title block, print set-up,
and writing text so that Excel never takes it for a formula."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import Cell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.workbook.workbook import Workbook  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    NEW_LABELS,
    SUBJECT_LABELS,
    ModelData,
)
from danvan_desktop.services.errors import UserError

FONT_NAME = "Times New Roman"
DATE_FORMAT = "dd/mm/yyyy"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=11)
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
SUBTOTAL_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
ERROR_FILL = PatternFill("solid", start_color="FF9999", end_color="FF9999")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")

# Text that a spreadsheet would run as a formula if it started a cell.
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    """One column of the template and of the exported list.

    `attr` is the ModelData field it holds ("" for the row number); `width` in Excel characters.
    `required` is what the import demands (the individual's name is checked separately)."""

    title: str
    attr: str
    width: int
    required: bool = False
    aliases: tuple[str, ...] = ()


# The template's columns: titles and order are fixed by the issue and by offices' habits.
TEMPLATE_COLUMNS: tuple[Column, ...] = (
    Column("STT", "", 6),
    Column("Tên mô hình", "name", 40, True, ("Tên mô hình, điển hình", "Tên")),
    Column("Loại hình (Mô hình/Điển hình)", "kind", 14, aliases=("Loại hình",)),
    Column("Tập thể/Cá nhân", "subject_type", 12, True),
    Column("Họ tên cá nhân", "person_name", 22),
    Column("Chức vụ", "person_position", 18),
    Column("Lĩnh vực", "field", 22, True),
    Column("Mã đơn vị", "unit_id", 10),
    Column("Thôn/Bản/Tổ dân phố", "village", 18),
    Column(
        "Vùng đồng bào DTTS (Có/Không)",
        "ethnic_minority_area",
        12,
        aliases=("Vùng đồng bào DTTS", "Vùng đồng bào dân tộc thiểu số"),
    ),
    Column("Giai đoạn từ năm", "period_start", 10, True, ("Từ năm",)),
    Column("Giai đoạn đến năm", "period_end", 10, True, ("Đến năm",)),
    Column("Mới/Duy trì", "is_new", 10),
    Column("Ngày đăng ký", "registered_on", 12),
    Column("Thực trạng, lý do", "situation", 40),
    Column("Mục tiêu, tiêu chí", "goals", 40),
    Column("Nội dung, cách thức thực hiện", "content", 40),
    Column("Địa bàn, đối tượng", "target_area", 30),
    Column("Lực lượng thực hiện", "lead_forces", 30, aliases=("Lực lượng chủ trì",)),
    Column("Nguồn lực", "resources", 30),
    Column("Ngày bắt đầu", "start_date", 12),
    Column("Tiến độ", "schedule", 30, aliases=("Tiến độ thực hiện",)),
    Column("Sản phẩm, kết quả", "outputs", 30, aliases=("Sản phẩm, kết quả đầu ra",)),
    Column("Khả năng duy trì, nhân rộng", "sustainability", 30),
    Column("Ghi chú", "notes", 30),
)
# Fields of the form that the official template has no column for: the export writes them after
# the template's columns and the import reads them when present, so nothing is lost on a round
# trip.
EXTRA_COLUMNS: tuple[Column, ...] = (
    Column("Đơn vị công tác", "person_unit", 22),
    Column("Lực lượng phối hợp", "coordinating_forces", 30),
    Column("Lực lượng tham gia", "participating_forces", 30),
    Column("Thời gian đánh giá", "evaluation_date", 12, aliases=("Ngày đánh giá",)),
)
IMPORT_COLUMNS: tuple[Column, ...] = TEMPLATE_COLUMNS + EXTRA_COLUMNS

DATE_ATTRS = frozenset({"registered_on", "start_date", "evaluation_date"})
YEAR_ATTRS = frozenset({"period_start", "period_end"})


def cell_value(data: ModelData, attr: str, unit_code: str) -> Any:
    """What a column shows for a model, in the words the template accepts back."""
    value = getattr(data, attr)
    if attr == "kind":
        return KIND_LABELS[value]
    if attr == "subject_type":
        return SUBJECT_LABELS[value]
    if attr == "field":
        return FIELD_LABELS[value]
    if attr == "unit_id":
        return unit_code
    if attr == "ethnic_minority_area":
        return "Có" if value else "Không"
    if attr == "is_new":
        return NEW_LABELS[bool(value)]
    return value


def put(cell: Cell, value: Any) -> Cell:
    """Write a value; text that looks like a formula stays text (quote prefix), dates get the
    Vietnamese date format."""
    if isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, dt.date):
        cell.value = dt.datetime.combine(value, dt.time())
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
    return cell


def style_header(cell: Cell) -> None:
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = CENTER
    cell.border = BORDER


def set_widths(ws: Worksheet, widths: list[int], first_column: int = 1) -> None:
    for offset, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(first_column + offset)].width = width


def title_block(ws: Worksheet, lines: list[str], width: int) -> int:
    """The title and the lines under it, merged across `width` columns; returns the next free
    row (one blank row is left before the table)."""
    for index, text in enumerate(lines, start=1):
        cell = ws.cell(row=index, column=1, value=text)
        cell.font = TITLE_FONT if index == 1 else Font(name=FONT_NAME, size=12, italic=index > 1)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if width > 1:
            ws.merge_cells(start_row=index, start_column=1, end_row=index, end_column=width)
    ws.row_dimensions[1].height = 24
    return len(lines) + 2


# Column width units (characters) that stay readable across one A4 landscape page.
PAGE_WIDTH_UNITS = 190


def print_setup(
    ws: Worksheet,
    header_rows: tuple[int, int],
    *,
    landscape: bool = True,
    pages_wide: int = 1,
) -> None:
    """A4, fit to `pages_wide` pages across, header rows repeated on every page, page numbers."""
    # The class's constants: a write-only sheet (the list) does not carry them.
    orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    ws.page_margins.left = 0.6
    ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.center.font = FONT_NAME
    ws.print_options.horizontalCentered = True


def save_workbook(wb: Workbook | Callable[[Path], None], path: Path) -> Path:
    """Save through a temporary file in the same folder, so an interrupted save never leaves a
    half-written workbook under the user's name."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"Tên tệp “{path.name}” phải có đuôi .xlsx.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
        os.close(handle)
    except OSError as error:
        raise UserError(f"Không ghi được vào thư mục {path.parent}: {error.strerror}.") from error
    try:
        if isinstance(wb, Workbook):
            wb.save(temp)
        else:
            wb(Path(temp))
        os.replace(temp, path)
    except PermissionError as error:
        Path(temp).unlink(missing_ok=True)
        raise UserError(
            f"Không ghi được tệp {path}: tệp đang mở trong Excel hoặc không có quyền ghi. "
            "Hãy đóng tệp rồi thử lại."
        ) from error
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise UserError(f"Không ghi được tệp {path}: {error.strerror}.") from error
    return path


def today_text(today: dt.date | None = None) -> str:
    return f"{today or dt.date.today():%d/%m/%Y}"
