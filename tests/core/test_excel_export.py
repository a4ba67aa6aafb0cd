"""Exported workbooks read back cell by cell: values, dates, print set-up."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from danvan_desktop.cli import main
from danvan_desktop.domain import Directory, Field, Kind, Period, SubjectType
from danvan_desktop.services import Services
from danvan_desktop.services.excel.export_list import export_list_xlsx
from danvan_desktop.services.excel.export_report import HEADER_GROUPS, export_report_xlsx
from danvan_desktop.services.models import ModelFilter
from danvan_desktop.services.reports import COUNT_KEYS, ReportFilter
from tests.conftest import STAFF
from tests.helpers import sample_model

TODAY = dt.date(2026, 5, 1)


def _header_row(ws: object) -> int:
    return next(r for r in range(1, 20) if ws.cell(row=r, column=2).value == "Tên mô hình")  # type: ignore[attr-defined]


def test_export_list_cells_and_print_setup(services: Services, tmp_path: Path) -> None:
    home = services.installation.get().unit
    services.models.create_many(
        [
            sample_model(home.id),
            sample_model(
                home.id,
                name="Gương người có uy tín",
                kind=Kind.EXEMPLAR,
                subject_type=SubjectType.INDIVIDUAL,
                person_name="Lò Văn Sơn",
                field=Field.POLITICAL_SYSTEM,
                is_new=False,
                ethnic_minority_area=False,
                registered_on=None,
                notes="=1+1",
                period_start=2021,
                period_end=2025,
            ),
        ],
        by=STAFF,
        today=TODAY,
    )
    path = tmp_path / "danh sách.xlsx"
    assert export_list_xlsx(services, ModelFilter(), path, today=TODAY) == 2
    wb = load_workbook(path)
    ws = wb["Mô hình"]
    header = _header_row(ws)
    assert header == 6
    assert ws["A1"].value == "DANH SÁCH MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”"
    assert "Xã Ngọc Chiến (03820)" in ws["A2"].value
    assert ws["A3"].value == "Giai đoạn: tất cả"
    assert ws["A4"].value.startswith("Ngày xuất: 01/05/2026")
    titles = [c.value for c in ws[header]]
    assert titles[:3] == ["STT", "Tên mô hình", "Loại hình (Mô hình/Điển hình)"]
    assert titles[-7:] == [
        "Đơn vị công tác",
        "Lực lượng phối hợp",
        "Lực lượng tham gia",
        "Thời gian đánh giá",
        "Tên đơn vị",
        "Trạng thái",
        "Cập nhật lần cuối",
    ]
    rows = {ws.cell(row=r, column=2).value: r for r in (header + 1, header + 2)}
    first = rows["Du lịch cộng đồng ở bản Pá Khoang"]

    def value(row: int, title: str) -> object:
        return ws.cell(row=row, column=titles.index(title) + 1).value

    assert value(first, "STT") in (1, 2)
    assert value(first, "Loại hình (Mô hình/Điển hình)") == "Mô hình"
    assert value(first, "Tập thể/Cá nhân") == "Tập thể"
    assert value(first, "Lĩnh vực") == "Kinh tế"
    assert value(first, "Mã đơn vị") == "03820"
    assert value(first, "Vùng đồng bào DTTS (Có/Không)") == "Có"
    assert value(first, "Giai đoạn từ năm") == 2025
    assert value(first, "Mới/Duy trì") == "Mới"
    assert value(first, "Lực lượng thực hiện") == "Chi bộ bản"
    assert value(first, "Tên đơn vị") == "Xã Ngọc Chiến"
    assert value(first, "Trạng thái") == "Đăng ký"
    date_cell = ws.cell(row=first, column=titles.index("Ngày đăng ký") + 1)
    assert date_cell.value == dt.datetime(2026, 3, 2)
    assert date_cell.number_format == "dd/mm/yyyy"
    assert ws.cell(row=first, column=titles.index("Thực trạng, lý do") + 1).alignment.wrap_text

    second = rows["Gương người có uy tín"]
    assert value(second, "Họ tên cá nhân") == "Lò Văn Sơn"
    assert value(second, "Lĩnh vực") == "Xây dựng Đảng và hệ thống chính trị"
    assert value(second, "Mới/Duy trì") == "Duy trì"
    assert value(second, "Ngày đăng ký") is None
    notes = ws.cell(row=second, column=titles.index("Ghi chú") + 1)
    assert notes.value == "=1+1" and notes.data_type == "s" and notes.quotePrefix

    assert ws.freeze_panes == f"C{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:AF{header + 2}"
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    # Every field is wider than a page: four pages across, row number and name on each.
    assert ws.page_setup.fitToWidth == 4
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_cols == "$A:$B"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "Trang &P / &N"
    assert ws.column_dimensions["B"].width == 40
    title = next(r for r in ws.merged_cells.ranges if r.min_row == 1)
    assert title.min_col == 1 and 3 <= title.max_col < 32  # centred over the first page
    # Rows are tall enough for the wrapped texts (spreadsheets do not grow them on opening).
    assert ws.row_dimensions[first].height > 15


def test_cli_export_list_with_filters(services: Services, db_path: Path, tmp_path: Path) -> None:
    home = services.installation.get().unit
    services.models.create_many(
        [
            sample_model(home.id, name="Một"),
            sample_model(home.id, name="Hai", period_start=2021, period_end=2025),
            sample_model(home.id, name="Ba", field=Field.CULTURE_SOCIETY),
        ],
        by=STAFF,
        today=TODAY,
    )
    services.close()
    out = tmp_path / "loc.xlsx"
    stdout = io.StringIO()
    code = main(
        [
            "excel",
            "export-list",
            "--db",
            str(db_path),
            "--out",
            str(out),
            "--period",
            "2025-2030",
            "--field",
            "economy",
        ],
        stdout=stdout,
        stderr=io.StringIO(),
    )
    assert code == 0
    assert "Đã xuất 1 mô hình" in stdout.getvalue()
    ws = load_workbook(out)["Mô hình"]
    header = _header_row(ws)
    assert ws.cell(row=header + 1, column=2).value == "Một"
    assert ws.cell(row=header + 2, column=2).value is None
    assert ws["A3"].value == "Giai đoạn: 2025–2030 — lĩnh vực Kinh tế"
    assert Period(2025, 2030).label in ws["A3"].value


# ---------------------------------------------------------------------------------------------
# The statistics report


def _evaluate(ws: Any, formula: object) -> int:
    """The value of a "=SUM(D8:D10,D12)+SUM(…)" formula over plain numbers."""
    if isinstance(formula, int):
        return formula
    assert isinstance(formula, str) and formula.startswith("=")
    total = 0
    for call in re.findall(r"SUM\(([^)]*)\)", formula):
        for part in call.split(","):
            first, _, last = part.partition(":")
            for row in ws[f"{first}:{last or first}"]:
                for cell in row if isinstance(row, tuple) else (row,):
                    assert isinstance(cell.value, int), (cell.coordinate, cell.value)
                    total += cell.value
    return total


def test_export_report_headers_subtotals_and_sum_formulas(
    services: Services, tmp_path: Path
) -> None:
    province = services.units.by_code("14", Directory.LEGACY)
    services.installation.save(unit_id=province.id, reports_to_id=None, staff_name=STAFF)
    district, other_district = services.units.children(province.id)[:2]
    commune_a, commune_b = services.units.children(district.id)[:2]
    placed = [
        (commune_a, "A1"),
        (commune_a, "A2"),
        (commune_b, "B1"),
        (district, "Huyện tự đăng ký"),
        (other_district, "Huyện khác"),
        (province, "Tỉnh tự đăng ký"),
    ]
    services.models.create_many(
        [
            sample_model(unit.id, name=name, subject_type=SubjectType.COLLECTIVE)
            for unit, name in placed
        ],
        by=STAFF,
        today=TODAY,
    )
    path = export_report_xlsx(
        services, ReportFilter(period=Period(2025, 2030)), tmp_path / "b.xlsx"
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["Biểu thống kê", "Danh sách mô hình"]
    ws = wb["Biểu thống kê"]
    assert ws["A1"].value == "BIỂU THỐNG KÊ MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”"
    assert ws["A3"].value == "Phạm vi: giai đoạn 2025–2030"
    header = 6
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A6:A7", "B6:B7", "C6:C7", "D6:D7", "E6:F6", "G6:K6", "L6:M6", "N6:P6"} <= merged
    assert [ws.cell(row=header, column=c).value for c in (1, 4, 5, 7, 12, 14)] == [
        "STT",
        "Tổng số",
        "Chia theo loại",
        "Chia theo lĩnh vực",
        "Mới/Duy trì",
        "Kết quả",
    ]
    assert [ws.cell(row=header + 1, column=c).value for c in range(5, 17)] == [
        "Tập thể",
        "Cá nhân",
        "Kinh tế",
        "Văn hóa – xã hội",
        "Quốc phòng – an ninh",
        "Xây dựng Đảng và hệ thống chính trị",
        "Khác",
        "Mới",
        "Duy trì",
        "Được công nhận",
        "Tiêu biểu",
        "Được khen thưởng",
    ]
    names = {ws.cell(row=r, column=3).value: r for r in range(header + 2, ws.max_row + 1)}
    total_row = names["Tổng cộng"]
    subtotal = names[district.name]
    own = names[f"{district.name} (trực tiếp)"]
    assert ws.cell(row=subtotal, column=4).value.startswith("=SUM(")
    assert ws.cell(row=subtotal, column=1).value is None  # subtotals are not numbered
    assert ws.cell(row=own, column=4).value == 1
    assert _evaluate(ws, ws.cell(row=subtotal, column=4).value) == 4
    assert _evaluate(ws, ws.cell(row=names[commune_a.name], column=4).value) == 2
    # The total sums the unit rows, never a subtotal: no double counting.
    total_formula = ws.cell(row=total_row, column=4).value
    assert str(subtotal) not in re.findall(r"[A-Z]+(\d+)", total_formula)
    stats = services.reports.statistics(ReportFilter(period=Period(2025, 2030)))
    keys = [key for _, group in HEADER_GROUPS for key in group]
    assert sorted(keys) == sorted(COUNT_KEYS)
    for offset, key in enumerate(keys):
        value = _evaluate(ws, ws.cell(row=total_row, column=4 + offset).value)
        assert value == stats.total.get(key), key
    assert stats.total.models == 6
    assert ws.freeze_panes == f"D{header + 2}"
    assert ws.print_title_rows == f"${header}:${header + 1}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.oddFooter.center.text == "Trang &P / &N"

    models = wb["Danh sách mô hình"]
    listed = [
        models.cell(row=r, column=2).value
        for r in range(5, models.max_row + 1)
        if models.cell(row=r, column=2).value
    ]
    assert sorted(listed) == sorted(name for _, name in placed)


def test_cli_export_report(services: Services, db_path: Path, tmp_path: Path) -> None:
    home = services.installation.get().unit
    services.models.create(sample_model(home.id), by=STAFF, today=TODAY)
    services.close()
    out = tmp_path / "bieu.xlsx"
    code = main(
        ["excel", "export-report", "--db", str(db_path), "--out", str(out), "--year", "2026"],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert code == 0
    ws = load_workbook(out)["Biểu thống kê"]
    assert ws["A3"].value == "Phạm vi: năm 2026"
    assert ws["C8"].value == "Xã Ngọc Chiến"
    assert ws["D8"].value == 1
