"""Importing models from a workbook: what is accepted, every bad row reported, duplicates,
the command line, the round trip, a big file."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from danvan_desktop.cli import main
from danvan_desktop.domain import Directory, Field, Kind, ModelData, SubjectType
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.excel.common import TEMPLATE_COLUMNS, put
from danvan_desktop.services.excel.export_list import export_list_xlsx
from danvan_desktop.services.excel.importer import (
    apply_import,
    preview_import,
    write_error_workbook,
)
from danvan_desktop.services.excel.template import write_template
from danvan_desktop.services.models import ModelFilter
from tests.conftest import STAFF
from tests.helpers import sample_model

TITLES = [c.title for c in TEMPLATE_COLUMNS]
TODAY = dt.date(2026, 5, 1)


def good_row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Tên mô hình": "Du lịch cộng đồng",
        "Tập thể/Cá nhân": "Tập thể",
        "Lĩnh vực": "Kinh tế",
        "Giai đoạn từ năm": 2025,
        "Giai đoạn đến năm": 2030,
    }
    row.update(values)
    return row


def write_rows(
    path: Path,
    rows: Sequence[dict[str, Any] | None],
    *,
    titles: Sequence[str] = TITLES,
    formulas: dict[tuple[int, str], str] | None = None,
) -> Path:
    """A workbook with the template's header on row 1 and one row per dict (None = blank)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Mô hình"
    ws.append(list(titles))
    for row in rows:
        ws.append([None if row is None else row.get(t) for t in titles])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                put(cell, cell.value)  # typed text, as Excel stores '=… (quote prefix)
    for (row_number, title), formula in (formulas or {}).items():
        ws.cell(row=row_number, column=list(titles).index(title) + 1).value = formula
    wb.save(path)
    return path


def model_count(services: Services) -> int:
    return services.models.count(ModelFilter())


# ---------------------------------------------------------------------------------------------


def test_accepts_what_offices_type(services: Services, tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Kinh tế")
    rows: list[dict[str, Any] | None] = [
        good_row(**{"Tên mô hình": "  Mô  hình   một ", "Lĩnh vực": "kinh te"}),
        good_row(**{"Tên mô hình": "Hai", "Lĩnh vực": "KINH TẾ", "Mã đơn vị": 3820}),
        None,
        good_row(**{"Tên mô hình": "Ba", "Lĩnh vực": nfd, "Mã đơn vị": "03820"}),
        good_row(**{"Tên mô hình": "Bốn", "Lĩnh vực": "Phát triển kinh tế", "Mã đơn vị": 3820.0}),
        good_row(
            **{
                "Tên mô hình": "Năm",
                "Tập thể/Cá nhân": "ca nhan",
                "Họ tên cá nhân": "Lò Văn Sơn",
                "Lĩnh vực": "van hoa - xa hoi",
                "Loại hình (Mô hình/Điển hình)": "dien hinh",
                "Vùng đồng bào DTTS (Có/Không)": "co",
                "Mới/Duy trì": "duy tri",
                "Giai đoạn từ năm": "2021",
                "Giai đoạn đến năm": 2025.0,
                "Ngày đăng ký": "02/03/2026",
                "Ngày bắt đầu": dt.datetime(2026, 4, 1),
                "Lực lượng thực hiện": "Chi bộ bản",
            }
        ),
        good_row(
            **{
                "Tên mô hình": "Sáu",
                "Tập thể/Cá nhân": "tap the",
                "Lĩnh vực": "quoc phong an ninh",
                "Vùng đồng bào DTTS (Có/Không)": "x",
                "Mới/Duy trì": "Mới",
            }
        ),
        good_row(
            **{
                "Tên mô hình": "Bảy",
                "Tập thể/Cá nhân": "TẬP THỂ",
                "Lĩnh vực": "Xây dựng Đảng và hệ thống chính trị",
                "Vùng đồng bào DTTS (Có/Không)": 1,
                "Mới/Duy trì": "moi",
            }
        ),
        good_row(**{"Tên mô hình": '=HYPERLINK("http://x")', "Lĩnh vực": "khac"}),
        good_row(**{"Tên mô hình": "Tám", "Ghi chú": "Cộng"}),
        None,
        {"STT": "Tổng cộng", "Tên mô hình": None},
        {"Tên mô hình": "Người lập biểu"},  # below the total: a signature, not a model
    ]
    path = write_rows(tmp_path / "ok.xlsx", rows)
    preview = preview_import(services, path, today=TODAY)
    assert preview.errors == []
    assert preview.duplicates == []
    assert preview.blank_rows == 2
    assert preview.skipped_total_rows == 1
    assert preview.after_total_rows == 1
    by_name = {r.data.name: r for r in preview.to_add}
    assert set(by_name) == {
        "Mô hình một",
        "Hai",
        "Ba",
        "Bốn",
        "Năm",
        "Sáu",
        "Bảy",
        '=HYPERLINK("http://x")',
        "Tám",
    }
    home = services.installation.get().unit
    assert all(r.data.unit_id == home.id and r.unit_code == "03820" for r in preview.to_add)
    assert {by_name[n].data.field for n in ("Mô hình một", "Hai", "Ba", "Bốn")} == {Field.ECONOMY}
    five = by_name["Năm"].data
    assert five.kind is Kind.EXEMPLAR
    assert five.subject_type is SubjectType.INDIVIDUAL
    assert five.person_name == "Lò Văn Sơn"
    assert five.field is Field.CULTURE_SOCIETY
    assert five.ethnic_minority_area is True
    assert five.is_new is False
    assert (five.period_start, five.period_end) == (2021, 2025)
    assert five.registered_on == dt.date(2026, 3, 2)
    assert five.start_date == dt.date(2026, 4, 1)
    assert five.lead_forces == "Chi bộ bản"
    assert by_name["Sáu"].data.field is Field.DEFENSE_SECURITY
    assert by_name["Sáu"].data.ethnic_minority_area is True
    assert by_name["Bảy"].data.field is Field.POLITICAL_SYSTEM
    assert by_name["Bảy"].data.is_new is True
    assert by_name["Ba"].data.registered_on is None
    assert by_name["Ba"].data.kind is Kind.MODEL
    assert by_name["Ba"].data.ethnic_minority_area is False
    assert model_count(services) == 0  # a preview writes nothing

    result = apply_import(services, preview, today=TODAY)
    assert len(result.added_ids) == 9
    assert result.backup is not None and result.backup.exists()
    assert "truoc-nhap-excel" in result.backup.name
    stored = services.models.get(result.added_ids[4])  # added in sheet order: row "Năm"
    assert stored.data.person_name == "Lò Văn Sơn"
    assert stored.created_by == STAFF
    # The formula-looking name was kept as text, not evaluated.
    names = {r.data.name for r in services.models.records(ModelFilter())}
    assert '=HYPERLINK("http://x")' in names

    # The same workbook again adds nothing.
    again = preview_import(services, path, today=TODAY)
    assert again.to_add == [] and len(again.duplicates) == 9
    assert apply_import(services, again, today=TODAY).added_ids == []
    assert model_count(services) == 9


LONG = "x" * 301

# (values of the row, column at fault, words the message must hold). Every row but the
# column(s) named is valid.
BAD_ROWS: list[tuple[dict[str, Any], str, str]] = [
    ({"Tên mô hình": None}, "Tên mô hình", "bắt buộc"),
    ({"Tên mô hình": "    "}, "Tên mô hình", "bắt buộc"),
    ({"Lĩnh vực": "nông nghiệp"}, "Lĩnh vực", "không hiểu"),
    ({"Lĩnh vực": None}, "Lĩnh vực", "bắt buộc"),
    ({"Lĩnh vực": 1}, "Lĩnh vực", "không hiểu"),
    ({"Tập thể/Cá nhân": "nhóm"}, "Tập thể/Cá nhân", "Tập thể, Cá nhân"),
    ({"Tập thể/Cá nhân": None}, "Tập thể/Cá nhân", "bắt buộc"),
    ({"Tập thể/Cá nhân": "Cá nhân"}, "Họ tên cá nhân", "bắt buộc với điển hình cá nhân"),
    ({"Loại hình (Mô hình/Điển hình)": "phong trào"}, "Loại hình (Mô hình/Điển hình)", "Điển hình"),
    ({"Loại hình (Mô hình/Điển hình)": 5}, "Loại hình (Mô hình/Điển hình)", "không hiểu"),
    ({"Giai đoạn từ năm": 2030, "Giai đoạn đến năm": 2025}, "Giai đoạn đến năm", "phải sau"),
    ({"Giai đoạn từ năm": "abc"}, "Giai đoạn từ năm", "4 chữ số"),
    ({"Giai đoạn đến năm": "abc"}, "Giai đoạn đến năm", "4 chữ số"),
    ({"Giai đoạn từ năm": None}, "Giai đoạn từ năm", "bắt buộc"),
    ({"Giai đoạn đến năm": None}, "Giai đoạn đến năm", "bắt buộc"),
    ({"Giai đoạn từ năm": 1999}, "Giai đoạn từ năm", "không hợp lệ"),
    ({"Giai đoạn đến năm": 2101}, "Giai đoạn đến năm", "không hợp lệ"),
    ({"Giai đoạn từ năm": 2025.5}, "Giai đoạn từ năm", "4 chữ số"),
    ({"Giai đoạn từ năm": dt.datetime(2025, 1, 1)}, "Giai đoạn từ năm", "4 chữ số"),
    ({"Giai đoạn từ năm": "hai nghìn"}, "Giai đoạn từ năm", "ví dụ 2025"),
    ({"Ngày đăng ký": "31/02/2026"}, "Ngày đăng ký", "không có ngày 31/02/2026"),
    ({"Ngày đăng ký": "hôm qua"}, "Ngày đăng ký", "dd/mm/yyyy"),
    ({"Ngày đăng ký": "01/01/2099"}, "Ngày đăng ký", "quá xa"),
    ({"Ngày bắt đầu": "32/01/2026"}, "Ngày bắt đầu", "không có ngày"),
    ({"Ngày bắt đầu": "2026-13-01"}, "Ngày bắt đầu", "không có ngày"),
    ({"Ngày bắt đầu": 46000}, "Ngày bắt đầu", "dd/mm/yyyy"),
    ({"Mã đơn vị": "01"}, "Mã đơn vị", "không phải Xã Ngọc Chiến"),
    ({"Mã đơn vị": "14"}, "Mã đơn vị", "không phải Xã Ngọc Chiến"),
    ({"Mã đơn vị": 99999}, "Mã đơn vị", "không phải"),
    ({"Mã đơn vị": "abc"}, "Mã đơn vị", "Mã đơn vị"),
    ({"Vùng đồng bào DTTS (Có/Không)": "có lẽ"}, "Vùng đồng bào DTTS (Có/Không)", "Có, Không"),
    ({"Mới/Duy trì": "cũ"}, "Mới/Duy trì", "Mới, Duy trì"),
    ({"Tên mô hình": LONG}, "Tên mô hình", "dài quá 300"),
    ({"Thôn/Bản/Tổ dân phố": "b" * 256}, "Thôn/Bản/Tổ dân phố", "dài quá 255"),
    (
        {"Tập thể/Cá nhân": "Cá nhân", "Họ tên cá nhân": "Lò Văn A", "Chức vụ": "c" * 256},
        "Chức vụ",
        "dài quá 255",
    ),
    ({"Thực trạng, lý do": "t" * 20_001}, "Thực trạng, lý do", "dài quá 20.000"),
    ({"Tên mô hình": "Mô hình_x0007_chuông"}, "Tên mô hình", "ký tự điều khiển"),
    ({"Ghi chú": "ghi_x001B_chú"}, "Ghi chú", "ký tự điều khiển"),
]
# Real formulas (not text that starts with "="): never evaluated, reported.
FORMULA_ROWS: list[tuple[str, str]] = [
    ("Tên mô hình", '=CONCATENATE("a","b")'),
    ("Giai đoạn từ năm", "=2024+1"),
]


def test_every_bad_row_is_reported_and_nothing_written(services: Services, tmp_path: Path) -> None:
    rows: list[dict[str, Any] | None] = [good_row(**{"Tên mô hình": "Dòng tốt đầu"})]
    expected: dict[int, tuple[str, str]] = {}
    for values, column, words in BAD_ROWS:
        rows.append(good_row(**{"Tên mô hình": f"Dòng {len(rows) + 2}", **values}))
        expected[len(rows) + 1] = (column, words)
    formulas: dict[tuple[int, str], str] = {}
    for column, formula in FORMULA_ROWS:
        rows.append(good_row(**{"Tên mô hình": f"Dòng {len(rows) + 2}"}))
        formulas[(len(rows) + 1, column)] = formula
        expected[len(rows) + 1] = (column, "công thức")
    # Several faults in one row: each is named.
    rows.append(good_row(**{"Tên mô hình": None, "Lĩnh vực": "?", "Giai đoạn đến năm": "x"}))
    multi = len(rows) + 1
    rows.append(good_row(**{"Tên mô hình": "Dòng tốt cuối"}))
    path = write_rows(tmp_path / "bad.xlsx", rows, formulas=formulas)
    assert len(expected) >= 40

    preview = preview_import(services, path, today=TODAY)
    assert [r.row for r in preview.to_add] == [2, len(rows) + 1]
    for row_number, (column, words) in expected.items():
        found = [i for i in preview.errors if i.row == row_number]
        assert found, f"dòng {row_number} ({column}) không được báo lỗi"
        assert [i.column for i in found] == [column], (row_number, found)
        assert words in found[0].message, (row_number, found[0].message)
    assert {i.column for i in preview.errors if i.row == multi} == {
        "Tên mô hình",
        "Lĩnh vực",
        "Giai đoạn đến năm",
    }
    assert preview.error_rows == [*sorted(expected), multi]
    # The value found is shown as the user typed it.
    by_row = {i.row: i for i in preview.errors}
    assert by_row[3 + BAD_ROWS.index(BAD_ROWS[2])].value == "nông nghiệp"

    with pytest.raises(UserError, match="dòng lỗi"):
        apply_import(services, preview, today=TODAY)
    assert model_count(services) == 0

    # The error workbook: a copy with the bad cells red and a comment on each.
    saved = write_error_workbook(preview, tmp_path / "loi.xlsx")
    ws = load_workbook(saved)["Mô hình"]
    for issue in preview.errors:
        assert issue.column_index is not None
        cell = ws.cell(row=issue.row, column=issue.column_index + 1)
        assert cell.fill.fgColor.rgb.endswith("FF9999"), cell.coordinate
        assert cell.comment is not None and issue.message in cell.comment.text
    assert ws.cell(row=2, column=2).comment is None
    assert ws.cell(row=2, column=2).value == "Dòng tốt đầu"

    # Valid-only imports the two good rows.
    result = apply_import(services, preview, valid_only=True, today=TODAY)
    assert len(result.added_ids) == 2
    assert model_count(services) == 2


def test_missing_header_and_columns(services: Services, tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "lạ.xlsx")
    with pytest.raises(UserError, match="Tên mô hình"):
        preview_import(services, tmp_path / "lạ.xlsx")
    path = write_rows(tmp_path / "thiếu.xlsx", [good_row()], titles=TITLES[:5])
    preview = preview_import(services, path)
    assert {i.column for i in preview.errors} == {
        "Lĩnh vực",
        "Giai đoạn từ năm",
        "Giai đoạn đến năm",
    }
    assert all(i.row == 1 for i in preview.errors)
    (tmp_path / "hỏng.xlsx").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="không phải bảng tính"):
        preview_import(services, tmp_path / "hỏng.xlsx")


def test_duplicates_in_database_and_within_file(services: Services, tmp_path: Path) -> None:
    home = services.installation.get().unit
    below = services.units.by_code("03820", Directory.CURRENT)
    assert below.id == home.id
    services.models.create(
        sample_model(home.id, name="Thu gom rác thải tại nguồn"), by=STAFF, today=TODAY
    )
    rows: list[dict[str, Any] | None] = [
        good_row(**{"Tên mô hình": "THU GOM  rác thai tai nguon "}),  # stored already
        good_row(**{"Tên mô hình": "Thu gom rác thải tại nguồn", "Giai đoạn từ năm": 2026}),
        good_row(**{"Tên mô hình": "Khuyến học khuyến tài"}),
        good_row(**{"Tên mô hình": "khuyen hoc  khuyen tai"}),  # same as the row above
    ]
    path = write_rows(tmp_path / "trùng.xlsx", rows)
    preview = preview_import(services, path, today=TODAY)
    assert [r.row for r in preview.to_add] == [3, 4]
    assert [(r.row, r.duplicate_of) for r in preview.duplicates] == [
        (2, "đã có trong cơ sở dữ liệu"),
        (5, "trùng dòng 4 của tệp"),
    ]
    assert len(apply_import(services, preview, today=TODAY).added_ids) == 2
    # A preview made before that import (a second window) adds nothing when applied later.
    assert apply_import(services, preview, today=TODAY).added_ids == []
    second = preview_import(services, path, today=TODAY)
    assert second.to_add == [] and len(second.duplicates) == 4
    # The user may still add them, when told to.
    added = apply_import(services, second, allow_duplicates=True, today=TODAY).added_ids
    assert len(added) == 4
    assert model_count(services) == 7


# ---------------------------------------------------------------------------------------------
# Command line


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


def test_cli_import(services: Services, db_path: Path, tmp_path: Path) -> None:
    services.close()
    db = str(db_path)
    rows: list[dict[str, Any] | None] = [
        good_row(**{"Tên mô hình": "Một"}),
        good_row(**{"Tên mô hình": None}),
        good_row(**{"Tên mô hình": "Ba", "Lĩnh vực": "nông nghiệp"}),
        good_row(**{"Tên mô hình": "Bốn"}),
    ]
    path = str(write_rows(tmp_path / "nhập.xlsx", rows))
    errors_out = tmp_path / "lỗi.xlsx"

    code, out, err = run("excel", "import", path, "--db", db, "--errors-out", str(errors_out))
    assert code == 1
    assert "Dòng 3, cột “Tên mô hình”" in out
    assert "Dòng 4, cột “Lĩnh vực” (giá trị “nông nghiệp”)" in out
    assert "dòng 3, 4" in err
    assert errors_out.exists()
    code, out, _ = run("models", "list", "--format", "json", "--db", db)
    assert out.strip() == "[]"

    code, out, _ = run("excel", "import", path, "--db", db, "--dry-run")
    assert code == 1 and "Chạy thử" in out
    code, out, _ = run("excel", "import", path, "--db", db, "--dry-run", "--valid-only")
    assert code == 0
    code, out, _ = run("models", "list", "--format", "json", "--db", db)
    assert out.strip() == "[]"

    code, out, err = run("excel", "import", path, "--db", db, "--valid-only")
    assert code == 0, err
    assert "Đã nhập 2 mô hình" in out
    code, out, _ = run("excel", "import", path, "--db", db, "--valid-only")
    assert code == 0 and "Đã nhập 0 mô hình" in out and "trùng" in out

    code, _, err = run("excel", "import", str(tmp_path / "không-có.xlsx"), "--db", db)
    assert code == 1 and "Không tìm thấy tệp" in err


# ---------------------------------------------------------------------------------------------
# Round trip and a big file


def _every_field(unit_id: int, index: int) -> ModelData:
    return sample_model(
        unit_id,
        name=f"Mô hình số {index}: “5 có, 5 không”",
        kind=Kind.EXEMPLAR if index % 2 else Kind.MODEL,
        subject_type=SubjectType.INDIVIDUAL if index % 3 == 0 else SubjectType.COLLECTIVE,
        person_name="Lò Thị Mai" if index % 3 == 0 else "",
        person_position="Bí thư chi bộ" if index % 3 == 0 else "",
        person_unit="Chi bộ bản Pá Khoang" if index % 3 == 0 else "",
        field=list(Field)[index % 5],
        ethnic_minority_area=bool(index % 2),
        period_start=2021 + index % 5,
        period_end=2030,
        is_new=index % 4 != 0,
        registered_on=dt.date(2026, 1, 1 + index),
        situation="Dòng một\nDòng hai",
        goals="Mục tiêu",
        content="=SUM(A1:A2) là chữ",
        target_area="Toàn xã",
        lead_forces="Chi bộ",
        coordinating_forces="Hội Phụ nữ",
        participating_forces="Đoàn Thanh niên",
        resources="Xã hội hóa",
        start_date=dt.date(2026, 2, 1),
        schedule="Quý II",
        evaluation_date=dt.date(2026, 12, 1),
        outputs="Sản phẩm",
        sustainability="Nhân rộng",
        notes="-ghi chú bắt đầu bằng dấu trừ",
    )


def test_round_trip_export_fill_template_import(
    services: Services, template_db: Path, tmp_path: Path
) -> None:
    home = services.installation.get().unit
    services.models.create_many(
        [_every_field(home.id, i) for i in range(1, 9)], by=STAFF, today=TODAY
    )
    exported = tmp_path / "danh-sach.xlsx"
    export_list_xlsx(services, ModelFilter(), exported)
    template = write_template(services, tmp_path / "mau.xlsx")

    # An office fills the template by copying the exported columns under the same titles.
    source = load_workbook(exported)["Mô hình"]
    header_row = next(
        r for r in range(1, 20) if source.cell(row=r, column=2).value == "Tên mô hình"
    )
    titles = [c.value for c in source[header_row]]
    wb = load_workbook(template)
    ws = wb["Mô hình"]
    template_titles = [c.value for c in ws[1]]
    extra = [t for t in titles if t not in template_titles]
    for offset, title in enumerate(extra, start=len(template_titles) + 1):
        ws.cell(row=1, column=offset, value=title)  # more columns after the template's
    all_titles = template_titles + extra
    for out_row, row in enumerate(source.iter_rows(min_row=header_row + 1), start=2):
        for value_cell, title in zip(row, titles, strict=True):
            put(ws.cell(row=out_row, column=all_titles.index(title) + 1), value_cell.value)
    filled = tmp_path / "mau-da-dien.xlsx"
    wb.save(filled)

    fresh_path = tmp_path / "fresh" / "danvan.sqlite3"
    fresh_path.parent.mkdir()
    shutil.copyfile(template_db, fresh_path)
    fresh = open_services(fresh_path)
    try:
        fresh.installation.save(unit_id=home.id, reports_to_id=None, staff_name="Cán bộ B")
        preview = preview_import(fresh, filled, today=TODAY)
        assert preview.errors == [] and preview.duplicates == []
        apply_import(fresh, preview, today=TODAY)
        before = sorted(
            (r.data for r in services.models.records(ModelFilter())), key=lambda d: d.name
        )
        after = sorted((r.data for r in fresh.models.records(ModelFilter())), key=lambda d: d.name)
        assert len(after) == 8
        assert after == before
    finally:
        fresh.close()


def test_ten_thousand_rows(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "lon.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Mô hình")
    ws.append(TITLES)
    fields = ["Kinh tế", "Văn hóa – xã hội", "Quốc phòng – an ninh", "Khác"]
    for i in range(10_000):
        row = dict.fromkeys(TITLES)
        row.update(
            {
                "STT": i + 1,
                "Tên mô hình": f"Mô hình thứ {i + 1} về phát triển kinh tế hộ gia đình",
                "Tập thể/Cá nhân": "Tập thể",
                "Lĩnh vực": fields[i % 4],
                "Mã đơn vị": "03820",
                "Giai đoạn từ năm": 2025,
                "Giai đoạn đến năm": 2030,
                "Ngày đăng ký": dt.datetime(2026, 3, 2),
                "Thực trạng, lý do": "Người dân còn khó khăn, cần được hướng dẫn " * 5,
                "Nội dung, cách thức thực hiện": "Vận động, hướng dẫn, kiểm tra " * 5,
            }
        )
        ws.append([row[t] for t in TITLES])
    wb.save(path)

    started = time.perf_counter()
    preview = preview_import(services, path, today=TODAY)
    checked = time.perf_counter()
    result = apply_import(services, preview, today=TODAY)
    done = time.perf_counter()
    print(f"10.000 dòng: kiểm tra {checked - started:.1f} s, ghi {done - checked:.1f} s")
    assert preview.errors == []
    assert len(result.added_ids) == 10_000
    assert model_count(services) == 10_000
