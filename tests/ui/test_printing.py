"""The printed registration form: PDFs written through the one render function and read back."""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPageLayout, QPainter, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QApplication

from danvan_desktop import console
from danvan_desktop.domain import Directory, Field, SubjectType
from danvan_desktop.services import Services
from danvan_desktop.services.print_settings import (
    HeaderProfile,
    PrintSettings,
    print_settings_service,
)
from tests.helpers import sample_model

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.print_settings_dialog import PrintSettingsDialog
from danvan_desktop.ui.printing.preview import (
    export_blank_form_pdf,
    export_forms_pdf,
    preview_blank_form,
    preview_forms,
    preview_report,
)
from danvan_desktop.ui.printing.registration_form import field_value

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform cannot size windows from hints; harmless here.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

MM = 72 / 25.4  # PDF points per millimetre
A4 = (595.0, 842.0)
LONG_PARAGRAPH = (
    "Đồng bào dân tộc Thái, Mông ở bản Pá Khoang cùng nhau xây dựng quy ước, hương ước; "
    "vận động hiến đất làm đường giao thông nông thôn, giữ gìn bản sắc văn hóa, phát triển du "
    "lịch cộng đồng gắn với bảo vệ rừng đầu nguồn."
)


def squeeze(text: str) -> str:
    """NFC with every space removed: pypdf splits and joins words at its own will."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def pdf_pages(path: Path) -> list[str]:
    reader = PdfReader(path)
    return [squeeze(page.extract_text()) for page in reader.pages]


def assert_contains(text: str, *values: str) -> None:
    missing = [value for value in values if squeeze(value) not in text]
    assert not missing, missing


def configure(services: Services, **changes: Any) -> PrintSettings:
    service = print_settings_service(services)
    values = {"unit_signer_name": "Lò Thị Mai", "approver_name": "Hà Văn Tuấn", **changes}
    return service.save(dataclasses.replace(service.get(), **values))


def unit_id(services: Services) -> int:
    return services.installation.get().unit.id


def full_model(services: Services, **overrides: object) -> int:
    """A model with every field filled, an individual so the person's fields print."""
    import datetime as dt

    values: dict[str, object] = {
        "subject_type": SubjectType.INDIVIDUAL,
        "person_name": "Lò Văn Pấng",
        "person_position": "Trưởng bản",
        "person_unit": "Bản Nà Sự",
        "target_area": "30 hộ đồng bào dân tộc Thái ở bản Pá Khoang",
        "coordinating_forces": "Chi hội phụ nữ, Chi đoàn thanh niên",
        "participating_forces": "Toàn thể nhân dân trong bản",
        "resources": "Nhân dân đóng góp ngày công; ngân sách xã hỗ trợ 20 triệu đồng",
        "start_date": dt.date(2026, 4, 1),
        "schedule": "Quý II/2026 khảo sát; quý III/2026 triển khai",
        "evaluation_date": dt.date(2027, 12, 15),
        "outputs": "5 homestay đạt chuẩn; thu nhập bình quân tăng 15%",
        "sustainability": "Nhân rộng ra các bản Nà Sự, Huổi Lóng",
        "notes": "Gắn với phong trào “Dân vận khéo” của tỉnh",
    }
    values.update(overrides)
    return services.models.create_many([sample_model(unit_id(services), **values)], by="test")[0]


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(path).pages]


def assert_a4_portrait(path: Path) -> None:
    for width, height in page_sizes(path):
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1


def ink_box(path: Path, page: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) in points of everything drawn on a page, from the PDF
    rendered at 72 dpi."""
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    rendered = document.render(page, document.pagePointSize(page).toSize())
    image = QImage(rendered.size(), QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.white)  # the rendering is transparent where nothing is drawn
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()

    def inked_rows(img: QImage) -> list[int]:
        stride = img.bytesPerLine()
        data = bytes(img.constBits())
        return [
            y for y in range(img.height()) if min(data[y * stride : y * stride + img.width()]) < 160
        ]

    rows = inked_rows(image)
    # Rotated 90° clockwise, row x of the image is column x of the page.
    columns = inked_rows(image.transformed(QTransform().rotate(90)))
    return columns[0], rows[0], columns[-1], rows[-1]


def assert_margins(path: Path) -> None:
    for page, (width, height) in enumerate(page_sizes(path)):
        left, top, right, bottom = ink_box(path, page)
        assert left >= 30 * MM - 1, (page, left)
        assert right <= width - 15 * MM + 1, (page, right)
        assert top >= 20 * MM - 1, (page, top)
        assert bottom <= height - 20 * MM + 1, (page, bottom)


def font_names(path: Path) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(path).pages:
        resources: Any = page["/Resources"]
        fonts: Any = resources.get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            base = str(ref.get_object()["/BaseFont"])
            names.add(base.lstrip("/").split("+")[-1])
    return names


# ---------------------------------------------------------------------------------------------


def test_one_model_prints_every_field_with_the_party_header(
    services: Services, tmp_path: Path, qapp: QApplication
) -> None:
    configure(services)
    model_id = full_model(services)
    path = tmp_path / "form.pdf"
    pages = export_forms_pdf(services, [model_id], path)

    assert path.read_bytes().startswith(b"%PDF")
    assert pages == len(page_sizes(path)) >= 1
    assert_a4_portrait(path)
    text = "".join(pdf_pages(path))
    record = services.models.get(model_id)
    for name in (
        "name",
        "kind",
        "subject_type",
        "person_name",
        "person_position",
        "person_unit",
        "field",
        "unit_id",
        "village",
        "ethnic_minority_area",
        "period",
        "is_new",
        "registered_on",
        "situation",
        "goals",
        "content",
        "target_area",
        "lead_forces",
        "coordinating_forces",
        "participating_forces",
        "resources",
        "start_date",
        "schedule",
        "evaluation_date",
        "outputs",
        "sustainability",
        "notes",
    ):
        value = field_value(record.data, record.unit_name, name)
        assert value, name
        assert_contains(text, value)
    assert_contains(
        text,
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ TỈNH SƠN LA",
        "ĐẢNG ỦY XÃ NGỌC CHIẾN",
        "BẢN ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO”",
        "Giai đoạn 2025 – 2030",
        "Kính gửi: Ban Tuyên giáo và Dân vận Tỉnh ủy Sơn La",
        "Ngọc Chiến, ngày 02 tháng 3 năm 2026",
        "XÁC NHẬN CỦA ĐẢNG ỦY XÃ NGỌC CHIẾN",
        "ĐẠI DIỆN ĐƠN VỊ ĐĂNG KÝ",
        "Lò Thị Mai",
        "Hà Văn Tuấn",
        "I. THÔNG TIN CHUNG",
        "IV. KẾT QUẢ",
    )
    assert squeeze("CỘNG HÒA XÃ HỘI CHỦ NGHĨA") not in text
    assert font_names(path) == {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
    }
    assert_margins(path)


def test_state_header(services: Services, tmp_path: Path, qapp: QApplication) -> None:
    configure(services, header_profile=HeaderProfile.STATE, state_upper="UBND TỈNH SƠN LA")
    model_id = full_model(services)
    path = tmp_path / "state.pdf"
    export_forms_pdf(services, [model_id], path)
    text = "".join(pdf_pages(path))
    assert_contains(
        text,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH SƠN LA",
        "ỦY BAN NHÂN DÂN XÃ NGỌC CHIẾN",
        "BẢN ĐĂNG KÝ MÔ HÌNH",
    )
    assert squeeze("ĐẢNG CỘNG SẢN VIỆT NAM") not in text
    assert_a4_portrait(path)
    assert_margins(path)


def test_a_selection_prints_one_form_after_another_each_on_a_new_page(
    services: Services, tmp_path: Path, qapp: QApplication
) -> None:
    configure(services)
    names = ["Camera an ninh khu dân cư", "Thu gom rác thải tại nguồn", "Khuyến học khuyến tài"]
    ids = [full_model(services, name=name, subject_type=SubjectType.COLLECTIVE) for name in names]
    path = tmp_path / "three.pdf"
    export_forms_pdf(services, ids, path)
    pages = pdf_pages(path)
    starts = [i for i, text in enumerate(pages) if squeeze("BẢN ĐĂNG KÝ MÔ HÌNH") in text]
    assert len(starts) == 3
    for start, name in zip(starts, names, strict=True):
        # Each form starts at the top of its own page with its own header.
        assert pages[start].startswith(squeeze("ĐẢNG BỘ TỈNH SƠN LA"))
        assert squeeze(name) in pages[start]
    # A collective model prints no person lines.
    assert squeeze("Họ tên cá nhân") not in "".join(pages)
    assert_a4_portrait(path)


def test_long_texts_run_over_pages_and_keep_every_word(
    services: Services, tmp_path: Path, qapp: QApplication
) -> None:
    configure(services)
    paragraphs = [f"Đoạn {i}: {LONG_PARAGRAPH}" for i in range(1, 25)]
    model_id = full_model(services, content="\n".join(paragraphs))
    path = tmp_path / "long.pdf"
    pages = export_forms_pdf(services, [model_id], path)
    assert pages >= 2
    texts = pdf_pages(path)
    whole = "".join(texts)
    for paragraph in paragraphs:
        assert squeeze(paragraph) in whole or squeeze(paragraph)[:60] in whole
    # Later sections and the signatures come after the long text, on a later page.
    assert squeeze("Đoạn 24") not in texts[0]
    assert squeeze("Hà Văn Tuấn") in texts[-1]
    assert squeeze("Ngọc Chiến, ngày 02 tháng 3 năm 2026") in texts[-1]
    assert_a4_portrait(path)
    assert_margins(path)


def test_blank_form_has_every_label_and_dotted_lines(
    services: Services, tmp_path: Path, qapp: QApplication
) -> None:
    configure(services)
    path = tmp_path / "blank.pdf"
    export_blank_form_pdf(services, path)
    text = "".join(pdf_pages(path))
    assert_contains(
        text,
        "BẢN ĐĂNG KÝ MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”",
        "Tên mô hình:",
        "Họ tên cá nhân",
        "Thực trạng, lý do:",
        "Khả năng duy trì, nhân rộng:",
        "□ Mô hình",
        "□ Điển hình",
        "□ Quốc phòng – an ninh",
        "Ngọc Chiến, ngày …… tháng …… năm ……",
        "ĐẢNG ỦY XÃ NGỌC CHIẾN",
    )
    assert "." * 40 in text
    assert_a4_portrait(path)
    assert_margins(path)


def test_cli_prints_a_form_and_refuses_an_unknown_model(
    services: Services, db_path: Path, tmp_path: Path, qapp: QApplication
) -> None:
    configure(services)
    model_id = full_model(services)
    path = tmp_path / "cli.pdf"
    out, err = io.StringIO(), io.StringIO()
    code = console.main(
        ["print", "form", str(model_id), "--out", str(path), "--db", str(db_path)], out, err
    )
    assert (code, err.getvalue()) == (0, "")
    assert_contains("".join(pdf_pages(path)), "Du lịch cộng đồng ở bản Pá Khoang")
    assert "trang" in out.getvalue()

    blank = tmp_path / "blank.pdf"
    code = console.main(["print", "blank-form", "--out", str(blank), "--db", str(db_path)], out)
    assert code == 0
    assert_contains("".join(pdf_pages(blank)), "BẢN ĐĂNG KÝ MÔ HÌNH, ĐIỂN HÌNH")

    missing = tmp_path / "missing.pdf"
    err = io.StringIO()
    code = console.main(
        ["print", "form", "999999", "--out", str(missing), "--db", str(db_path)], out, err
    )
    assert code == 1
    assert err.getvalue().count("\n") == 1
    assert err.getvalue().startswith("Lỗi: Không có mô hình số 999999")
    assert not missing.exists()


def test_cli_refuses_an_unwritable_target(
    services: Services, db_path: Path, tmp_path: Path, qapp: QApplication
) -> None:
    model_id = full_model(services)
    err = io.StringIO()
    target = tmp_path / "no-such-folder" / "form.pdf"
    code = console.main(
        ["print", "form", str(model_id), "--out", str(target), "--db", str(db_path)],
        io.StringIO(),
        err,
    )
    assert code == 1
    assert "Không có thư mục" in err.getvalue()


def test_preview_dialog_opens_with_the_form_pages(context: UiContext, qtbot: QtBot) -> None:
    model_id = full_model(context.services)
    dialog = preview_forms(context, [model_id], None)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, QPrintPreviewDialog)
    qtbot.waitUntil(dialog.isVisible)
    widget = dialog.findChild(QPrintPreviewWidget)
    assert widget is not None
    qtbot.waitUntil(lambda: widget.pageCount() >= 1)
    dialog.close()
    assert not dialog.isVisible()

    blank = preview_blank_form(context, None)
    qtbot.addWidget(blank)
    qtbot.waitUntil(blank.isVisible)
    blank_widget = blank.findChild(QPrintPreviewWidget)
    assert blank_widget is not None
    qtbot.waitUntil(lambda: blank_widget.pageCount() >= 1)
    blank.close()


def test_print_settings_dialog_saves_and_refuses_bad_values(
    context: UiContext, qtbot: QtBot
) -> None:
    dialog = PrintSettingsDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.edits["place"].text() == "Ngọc Chiến"  # type: ignore[union-attr]
    dialog.profile.setCurrentIndex(dialog.profile.findData(HeaderProfile.STATE.value))
    assert not dialog.edits["party_committee"].isEnabled()
    dialog.edits["place"].setText("")  # type: ignore[union-attr]
    dialog.accept()
    assert dialog.error_label.isVisibleTo(dialog)
    assert "Địa danh" in dialog.error_label.text()
    assert dialog.result() != dialog.DialogCode.Accepted

    dialog.edits["place"].setText("Mường La")  # type: ignore[union-attr]
    dialog.edits["approver_name"].setText("Hà Văn Tuấn")  # type: ignore[union-attr]
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = print_settings_service(context.services).get()
    assert stored.header_profile is HeaderProfile.STATE
    assert (stored.place, stored.approver_name) == ("Mường La", "Hà Văn Tuấn")


# ---------------------------------------------------------------------------------------------
# The statistics report


def province_with_models(services: Services, communes: int) -> list[str]:
    """Make the installation the province of Sơn La with models in `communes` communes;
    returns the communes' names."""
    province = services.units.by_code("14", Directory.CURRENT)
    services.installation.save(unit_id=province.id, reports_to_id=None, staff_name="Lò Thị Mai")
    below = services.units.children(province.id)[:communes]
    data = [
        sample_model(unit.id, name=f"Mô hình {index}", field=fields[index % len(fields)])
        for index, unit in enumerate(below)
        for fields in [list(Field)]
    ]
    services.models.create_many(data, by="test")
    return [unit.name for unit in below]


def test_report_pdf_is_landscape_with_the_table_header_on_every_page(
    services: Services, db_path: Path, tmp_path: Path, qapp: QApplication
) -> None:
    names = province_with_models(services, 50)
    configure(services, approver_name="Hà Văn Tuấn")
    path = tmp_path / "report.pdf"
    out, err = io.StringIO(), io.StringIO()
    code = console.main(["print", "report", "--out", str(path), "--db", str(db_path)], out, err)
    assert (code, err.getvalue()) == (0, "")

    sizes = page_sizes(path)
    assert len(sizes) >= 3
    for width, height in sizes:
        assert abs(width - A4[1]) <= 1 and abs(height - A4[0]) <= 1
    pages = pdf_pages(path)
    table_pages = [text for text in pages if squeeze("Xã") in text or squeeze("Phường") in text]
    table_pages = [text for text in table_pages if squeeze("Tổng số") in text]
    assert len(table_pages) >= 2
    for text in table_pages:  # the two header rows repeat on every page of the table
        assert_contains(text, "STT", "Đơn vị", "Chủ thể", "Lĩnh vực", "Kết quả", "Tập thể")
    whole = "".join(pages)
    assert_contains(
        whole,
        "TỈNH ỦY SƠN LA",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BIỂU THỐNG KÊ MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”",
        "Tổng cộng",
        "Số mô hình theo lĩnh vực",
        "Số mô hình theo đơn vị",
        "NGƯỜI LẬP BIỂU",
        "Lò Thị Mai",
        "Hà Văn Tuấn",
        "Sơn La, ngày",
        *names[:10],
    )
    assert font_names(path) <= {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
    }
    assert_margins(path)

    filtered = tmp_path / "filtered.pdf"
    args = ["print", "report", "--period", "2021-2025", "--out", str(filtered)]
    assert console.main([*args, "--db", str(db_path)], out, err) == 0
    text = "".join(pdf_pages(filtered))
    assert_contains(text, "Tỉnh Sơn La — giai đoạn 2021–2025", "Tổng cộng")


def test_report_preview_opens(context: UiContext, qtbot: QtBot) -> None:
    context.services.models.create_many([sample_model(unit_id(context.services))], by="test")
    statistics = context.services.reports.statistics()
    dialog = preview_report(context, statistics, None)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isVisible)
    widget = dialog.findChild(QPrintPreviewWidget)
    assert widget is not None
    qtbot.waitUntil(lambda: widget.pageCount() >= 1)
    assert widget.orientation() == QPageLayout.Orientation.Landscape
    dialog.close()


def test_the_bundled_fonts_are_registered_from_the_package(qapp: QApplication) -> None:
    from PySide6.QtGui import QFontDatabase, QRawFont

    from danvan_desktop.ui.printing import fonts

    assert fonts.load_fonts() == "Liberation Serif"
    assert len(fonts._loaded) == 4
    for font_id in fonts._loaded:
        assert QFontDatabase.applicationFontFamilies(font_id) == ["Liberation Serif"]
    raw = QRawFont.fromFont(fonts.serif(13))
    assert all(raw.supportsCharacter(ord(ch)) for ch in "ĐẢNGỦYẾỰỮỸđảngủyếựữỹ“”–…□")
