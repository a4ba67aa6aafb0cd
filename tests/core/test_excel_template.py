"""The import template: exact titles in order, drop-downs, instructions, unit codes."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped]

from danvan_desktop.cli import main
from danvan_desktop.domain import Directory
from danvan_desktop.services import Services
from danvan_desktop.services.excel.template import write_template

EXPECTED_TITLES = [
    "STT",
    "Tên mô hình",
    "Loại hình (Mô hình/Điển hình)",
    "Tập thể/Cá nhân",
    "Họ tên cá nhân",
    "Chức vụ",
    "Lĩnh vực",
    "Mã đơn vị",
    "Thôn/Bản/Tổ dân phố",
    "Vùng đồng bào DTTS (Có/Không)",
    "Giai đoạn từ năm",
    "Giai đoạn đến năm",
    "Mới/Duy trì",
    "Ngày đăng ký",
    "Thực trạng, lý do",
    "Mục tiêu, tiêu chí",
    "Nội dung, cách thức thực hiện",
    "Địa bàn, đối tượng",
    "Lực lượng thực hiện",
    "Nguồn lực",
    "Ngày bắt đầu",
    "Tiến độ",
    "Sản phẩm, kết quả",
    "Khả năng duy trì, nhân rộng",
    "Ghi chú",
]


def test_template_sheets_titles_and_validations(services: Services, tmp_path: Path) -> None:
    path = write_template(services, tmp_path / "mẫu nhập.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Mô hình", "Hướng dẫn", "Mã đơn vị"]
    ws = wb["Mô hình"]
    assert [c.value for c in ws[1]] == EXPECTED_TITLES
    # No example row that would be imported by mistake (rows below are formatted, empty).
    assert all(c.value is None for row in ws.iter_rows(min_row=2) for c in row)
    assert ws.freeze_panes == "C2"

    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert validations["C2:C5001"].formula1 == '"Mô hình,Điển hình"'
    assert validations["D2:D5001"].formula1 == '"Tập thể,Cá nhân"'
    assert validations["G2:G5001"].formula1 == (
        '"Kinh tế,Văn hóa – xã hội,Quốc phòng – an ninh,Xây dựng Đảng và hệ thống chính trị,Khác"'
    )
    assert validations["J2:J5001"].formula1 == '"Có,Không"'
    assert validations["M2:M5001"].formula1 == '"Mới,Duy trì"'
    assert validations["H2:H5001"].formula1.startswith("'Mã đơn vị'!$A$2:$A$")
    assert validations["K2:K5001"].type == "whole"
    assert validations["L2:L5001"].formula1 == "2000"
    assert ws["H2"].number_format == "@"
    assert ws["N2"].number_format == "dd/mm/yyyy"

    help_text = "\n".join(
        str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value
    )
    assert "Lực lượng chủ trì" in help_text
    assert "Tổng cộng" in help_text
    for title in EXPECTED_TITLES:
        assert title in help_text

    units = wb["Mã đơn vị"]
    assert [c.value for c in units[1]] == ["Mã đơn vị", "Tên đơn vị", "Cấp", "Trực thuộc"]
    assert units["A2"].value == "03820"  # text: the leading zero stays
    assert units["B2"].value == "Xã Ngọc Chiến"


def test_template_of_a_province_lists_its_communes(services: Services, tmp_path: Path) -> None:
    province = services.units.by_code("14", Directory.CURRENT)
    services.installation.save(unit_id=province.id, reports_to_id=None, staff_name="A")
    wb = load_workbook(write_template(services, tmp_path / "t.xlsx"))
    codes = [row[0].value for row in wb["Mã đơn vị"].iter_rows(min_row=2)]
    assert codes[0] == "14"
    assert "03820" in codes
    assert len(codes) == len(services.units.subtree_ids(province.id))
    validation = next(
        v for v in wb["Mô hình"].data_validations.dataValidation if str(v.sqref) == "H2:H5001"
    )
    assert validation.formula1.endswith(f"$A${len(codes) + 1}")


def test_cli_template(services: Services, db_path: Path, tmp_path: Path) -> None:
    services.close()
    out = tmp_path / "mau.xlsx"
    assert main(["excel", "template", "--db", str(db_path), "--out", str(out)]) == 0
    assert [c.value for c in load_workbook(out)["Mô hình"][1]] == EXPECTED_TITLES
    assert main(["excel", "template", "--db", str(db_path), "--out", str(tmp_path / "m.csv")]) == 1
