"""The import template: sheet "Mô hình" with the fixed header row and drop-downs, an
instructions sheet, and the codes of the units below this installation's unit."""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from danvan_desktop.db.schema import Unit
from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    NEW_LABELS,
    SUBJECT_LABELS,
    YEAR_MAX,
    YEAR_MIN,
    UnitLevel,
)
from danvan_desktop.services import Services
from danvan_desktop.services.excel.common import (
    BODY_FONT,
    DATE_FORMAT,
    FONT_NAME,
    TEMPLATE_COLUMNS,
    WRAP,
    print_setup,
    put,
    save_workbook,
    set_widths,
    style_header,
)
from danvan_desktop.services.units import UnitInfo, to_info, unit_info_query

MODELS_SHEET = "Mô hình"
HELP_SHEET = "Hướng dẫn"
UNITS_SHEET = "Mã đơn vị"
# Drop-downs and formats reach this row: far more than an office fills in one go.
VALIDATED_ROWS = 5000

_LEVEL_ORDER = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}

# What to write in each column, for the instructions sheet.
HELP_TEXT: dict[str, tuple[str, str]] = {
    "STT": ("Không", "Số thứ tự, tùy ý; phần mềm không đọc cột này."),
    "Tên mô hình": ("Có", "Tên mô hình, điển hình (tối đa 300 ký tự)."),
    "Loại hình (Mô hình/Điển hình)": ("Không", "“Mô hình” hoặc “Điển hình”; để trống là Mô hình."),
    "Tập thể/Cá nhân": ("Có", "“Tập thể” hoặc “Cá nhân”."),
    "Họ tên cá nhân": ("Với cá nhân", "Bắt buộc khi là điển hình cá nhân."),
    "Chức vụ": ("Không", "Chức vụ của cá nhân."),
    "Lĩnh vực": (
        "Có",
        "Một trong: " + "; ".join(FIELD_LABELS.values()) + ". Không cần gõ dấu (“kinh te”).",
    ),
    "Mã đơn vị": (
        "Không",
        "Mã ĐVHC của đơn vị đăng ký (xem trang “Mã đơn vị”); để trống là đơn vị đang dùng "
        "phần mềm. Gõ 3820 hay 03820 đều được.",
    ),
    "Thôn/Bản/Tổ dân phố": ("Không", "Nơi thực hiện."),
    "Vùng đồng bào DTTS (Có/Không)": ("Không", "“Có” (hoặc x, 1) / “Không”; để trống là Không."),
    "Giai đoạn từ năm": ("Có", f"Năm bắt đầu giai đoạn, từ {YEAR_MIN} đến {YEAR_MAX}."),
    "Giai đoạn đến năm": ("Có", "Năm kết thúc giai đoạn, không trước năm bắt đầu."),
    "Mới/Duy trì": ("Không", "“Mới” hoặc “Duy trì”; để trống là Mới."),
    "Ngày đăng ký": ("Không", "Ngày dạng ngày của Excel hoặc chữ dd/mm/yyyy; để trống là chưa có."),
    "Thực trạng, lý do": ("Không", "Văn bản, được xuống dòng trong ô (Alt+Enter)."),
    "Mục tiêu, tiêu chí": ("Không", "Văn bản."),
    "Nội dung, cách thức thực hiện": ("Không", "Văn bản."),
    "Địa bàn, đối tượng": ("Không", "Văn bản."),
    "Lực lượng thực hiện": (
        "Không",
        "Được nhập vào mục “Lực lượng chủ trì” của phiếu đăng ký. Lực lượng phối hợp, tham gia "
        "có thể thêm bằng các cột “Lực lượng phối hợp”, “Lực lượng tham gia” sau cột Ghi chú.",
    ),
    "Nguồn lực": ("Không", "Kinh phí, cơ sở vật chất, nhân lực, ngày công, xã hội hóa…"),
    "Ngày bắt đầu": ("Không", "Ngày dạng ngày của Excel hoặc chữ dd/mm/yyyy."),
    "Tiến độ": ("Không", "Tiến độ thực hiện."),
    "Sản phẩm, kết quả": ("Không", "Sản phẩm, kết quả đầu ra."),
    "Khả năng duy trì, nhân rộng": ("Không", "Văn bản."),
    "Ghi chú": ("Không", "Văn bản."),
}

GENERAL_HELP = (
    "Mỗi dòng của trang “Mô hình” là một mô hình, điển hình. Không đổi tên, không đổi thứ tự "
    "các cột tiêu đề; có thể thêm cột sau cột “Ghi chú” (phần mềm bỏ qua cột lạ).",
    "Chữ hoa, chữ thường, khoảng trắng thừa và chữ không dấu đều được chấp nhận "
    "(“kinh te”, “KINH TẾ”, “tap the”).",
    "Dòng trống và dòng “Tổng cộng” ở cuối bảng được bỏ qua.",
    "Trước khi nhập, phần mềm kiểm tra mọi dòng và cho xem trước: các dòng sẽ thêm, các dòng "
    "trùng với mô hình đã có (cùng đơn vị, cùng tên, cùng giai đoạn) và các dòng lỗi kèm cách sửa. "
    "Khi còn lỗi, không dòng nào được nhập, trừ khi chọn “chỉ nhập các dòng hợp lệ”.",
    "Nhập cùng một tệp hai lần không làm nhân đôi dữ liệu: các dòng đã có được bỏ qua.",
    "Phần mềm sao lưu cơ sở dữ liệu trước mỗi lần nhập.",
)


def units_below(services: Services, unit_id: int) -> list[UnitInfo]:
    """The unit and every unit under it, bigger units first, then by name."""
    ids = services.units.subtree_ids(unit_id)
    infos: list[UnitInfo] = []
    with services.db.session() as session:
        for start in range(0, len(ids), 500):
            query = unit_info_query().where(Unit.id.in_(ids[start : start + 500]))
            infos.extend(to_info(unit, parent) for unit, parent in session.execute(query))
    return sorted(
        infos,
        key=lambda u: (u.id != unit_id, _LEVEL_ORDER.get(u.level, 3), u.parent_name, u.name),
    )


def _list_validation(values: list[str], title: str) -> DataValidation:
    validation = DataValidation(
        type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
    )
    validation.error = f"Hãy chọn một giá trị trong danh sách: {', '.join(values)}."
    validation.errorTitle = title
    validation.showErrorMessage = True
    # Users paste unaccented text ("kinh te"), which the import accepts: warn, do not block.
    validation.errorStyle = "warning"
    return validation


def write_template(services: Services, path: Path) -> Path:
    """Write the import template for this installation's unit to `path`."""
    installation = services.installation.get()
    units = units_below(services, installation.unit.id)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = MODELS_SHEET
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        style_header(ws.cell(row=1, column=index, value=column.title))
    set_widths(ws, [c.width for c in TEMPLATE_COLUMNS])
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(TEMPLATE_COLUMNS))}1"

    letters = {c.attr: get_column_letter(i) for i, c in enumerate(TEMPLATE_COLUMNS, start=1)}
    last = VALIDATED_ROWS + 1

    def cover(validation: DataValidation, attr: str) -> None:
        validation.add(f"{letters[attr]}2:{letters[attr]}{last}")
        ws.add_data_validation(validation)

    cover(_list_validation(list(KIND_LABELS.values()), "Loại hình"), "kind")
    cover(_list_validation(list(SUBJECT_LABELS.values()), "Tập thể/Cá nhân"), "subject_type")
    cover(_list_validation(list(FIELD_LABELS.values()), "Lĩnh vực"), "field")
    cover(_list_validation(["Có", "Không"], "Vùng đồng bào DTTS"), "ethnic_minority_area")
    cover(_list_validation(list(NEW_LABELS.values()), "Mới/Duy trì"), "is_new")
    codes = DataValidation(
        type="list",
        formula1=f"'{UNITS_SHEET}'!$A$2:$A${len(units) + 1}",
        allow_blank=True,
    )
    codes.error = "Mã đơn vị phải là một mã trong trang “Mã đơn vị”."
    codes.errorTitle = "Mã đơn vị"
    codes.showErrorMessage = True
    codes.errorStyle = "warning"
    cover(codes, "unit_id")
    for attr in ("period_start", "period_end"):
        years = DataValidation(
            type="whole", operator="between", formula1=str(YEAR_MIN), formula2=str(YEAR_MAX)
        )
        years.error = f"Năm phải từ {YEAR_MIN} đến {YEAR_MAX}."
        years.errorTitle = "Giai đoạn"
        years.showErrorMessage = True
        cover(years, attr)
    # Codes as text keep their leading zero; dates show the Vietnamese way.
    for attr, number_format in (
        ("unit_id", "@"),
        ("registered_on", DATE_FORMAT),
        ("start_date", DATE_FORMAT),
    ):
        for row in range(2, 201):
            ws[f"{letters[attr]}{row}"].number_format = number_format

    print_setup(ws, (1, 1), pages_wide=math.ceil(sum(c.width for c in TEMPLATE_COLUMNS) / 190))
    ws.print_title_cols = "A:B"
    _help_sheet(wb.create_sheet(HELP_SHEET), installation.unit.label)
    _units_sheet(wb.create_sheet(UNITS_SHEET), units)
    return save_workbook(wb, path)


def _help_sheet(ws: Worksheet, unit_label: str) -> None:
    ws["A1"] = "HƯỚNG DẪN ĐIỀN MẪU NHẬP MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”"
    ws["A1"].font = Font(name=FONT_NAME, size=14, bold=True)
    ws["A2"] = f"Đơn vị: {unit_label}"
    ws["A2"].font = Font(name=FONT_NAME, size=12, italic=True)
    row = 4
    for text in GENERAL_HELP:
        cell = ws.cell(row=row, column=1, value=f"• {text}")
        cell.font = BODY_FONT
        cell.alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = 32
        row += 1
    row += 1
    for index, title in enumerate(("Cột", "Bắt buộc", "Cách ghi"), start=1):
        style_header(ws.cell(row=row, column=index, value=title))
    for column in TEMPLATE_COLUMNS:
        row += 1
        required, text = HELP_TEXT[column.title]
        for index, value in enumerate((column.title, required, text), start=1):
            cell = ws.cell(row=row, column=index, value=value)
            cell.font = BODY_FONT
            cell.alignment = WRAP
        # Spreadsheets do not grow rows on opening: make room for the wrapped explanation.
        ws.row_dimensions[row].height = 15 * math.ceil(len(text) / 110) + 3
    set_widths(ws, [34, 12, 90])
    print_setup(ws, (row - len(TEMPLATE_COLUMNS), row - len(TEMPLATE_COLUMNS)))


def _units_sheet(ws: Worksheet, units: list[UnitInfo]) -> None:
    for index, title in enumerate(("Mã đơn vị", "Tên đơn vị", "Cấp", "Trực thuộc"), start=1):
        style_header(ws.cell(row=1, column=index, value=title))
    for row, unit in enumerate(units, start=2):
        put(ws.cell(row=row, column=1), unit.code).number_format = "@"
        ws.cell(row=row, column=2, value=unit.name)
        ws.cell(row=row, column=3, value=LEVEL_LABELS[unit.level])
        ws.cell(row=row, column=4, value=unit.parent_name)
        for column in range(1, 5):
            ws.cell(row=row, column=column).font = BODY_FONT
    ws.freeze_panes = "A2"
    set_widths(ws, [12, 40, 22, 30])
    ws["A1"].alignment = Alignment(horizontal="center")
