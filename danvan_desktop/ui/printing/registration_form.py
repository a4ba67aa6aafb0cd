"""The registration form (bản đăng ký mô hình “Dân vận khéo”), filled or blank.

`render_forms` is the one render function: preview, printer and PDF all call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtGui import QPagedPaintDevice

from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    LONG_TEXT_FIELDS,
    MODEL_FIELD_LABELS,
    NEW_LABELS,
    SUBJECT_LABELS,
    Kind,
    ModelData,
    SubjectType,
)
from danvan_desktop.services.models import ModelRecord
from danvan_desktop.services.print_settings import PrintSettings

from danvan_desktop.ui.printing.fonts import serif
from danvan_desktop.ui.printing.pages import (
    BODY_PT,
    PORTRAIT,
    PagedDocument,
    begin,
    esc,
    keep_together,
    keep_with_next,
    new_document,
    reserve_header,
    vietnamese_date,
)

TITLE = "BẢN ĐĂNG KÝ {what} “DÂN VẬN KHÉO”"
HEADER_MARKER = "@@HEADER@@"
SIGNATURE_MARKER = "@@SIGNATURES@@"

# The sections of the paper form, as on the form screen.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "I. THÔNG TIN CHUNG",
        (
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
        ),
    ),
    ("II. NỘI DUNG ĐĂNG KÝ", ("situation", "goals", "content", "target_area")),
    (
        "III. TỔ CHỨC THỰC HIỆN",
        (
            "lead_forces",
            "coordinating_forces",
            "participating_forces",
            "resources",
            "start_date",
            "schedule",
            "evaluation_date",
        ),
    ),
    ("IV. KẾT QUẢ", ("outputs", "sustainability", "notes")),
)
LABELS = {**MODEL_FIELD_LABELS, "period": "Giai đoạn thực hiện"}
# Long texts are printed under their label; the rest on the label's line.
BLOCK_FIELDS = frozenset(LONG_TEXT_FIELDS)
PERSON_FIELDS = frozenset({"person_name", "person_position", "person_unit"})
BLANK_LINES = {"situation": 5, "goals": 4, "content": 6, "notes": 2}
BOX = "□"


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def field_value(data: ModelData, unit_name: str, name: str) -> str:
    """The printed text of one field of a filled form ("" when empty)."""
    if name == "kind":
        return KIND_LABELS[data.kind]
    if name == "subject_type":
        return SUBJECT_LABELS[data.subject_type]
    if name == "field":
        return FIELD_LABELS[data.field]
    if name == "unit_id":
        return unit_name
    if name == "ethnic_minority_area":
        return "Có" if data.ethnic_minority_area else "Không"
    if name == "period":
        if data.period_start is None or data.period_end is None:
            return ""
        return f"Từ năm {data.period_start} đến năm {data.period_end}"
    if name == "is_new":
        return NEW_LABELS[data.is_new]
    if name in ("registered_on", "start_date", "evaluation_date"):
        return _date(getattr(data, name))
    value = getattr(data, name)
    return value if isinstance(value, str) else str(value)


def _choices(name: str) -> str:
    """The printed choices of a blank form: "□ Mô hình   □ Điển hình"."""
    table: dict[str, Sequence[str]] = {
        "kind": list(KIND_LABELS.values()),
        "subject_type": list(SUBJECT_LABELS.values()),
        "field": list(FIELD_LABELS.values()),
        "ethnic_minority_area": ["Có", "Không"],
        "is_new": [NEW_LABELS[True], NEW_LABELS[False]],
    }
    options = table[name]
    return "&nbsp;&nbsp;&nbsp;".join(f"{BOX}&nbsp;{esc(option)}" for option in options)


class _Writer:
    """Builds the HTML of one form; dotted lines are measured to end at the right margin."""

    def __init__(self, paged: PagedDocument) -> None:
        self.paged = paged
        self.parts: list[str] = []
        self._metrics = paged.metrics(serif(BODY_PT))
        self._bold = paged.metrics(serif(BODY_PT, bold=True))
        self._dot = self._metrics.horizontalAdvance(".")

    def dots(self, label: str = "", after: str = "") -> str:
        """Dots from the end of a bold `label` (and plain `after`) to the right margin."""
        used = self._bold.horizontalAdvance(label) + self._metrics.horizontalAdvance(after)
        room = self.paged.width - used
        # A little short of the margin: a run of dots cannot wrap, it would overflow.
        count = max(int(room * 0.97 / self._dot) - 1, 3)
        return "." * count

    def para(self, inner: str, style: str = "margin-top:5px") -> None:
        self.parts.append(f'<p style="margin-bottom:0; line-height:115%; {style}">{inner}</p>')

    def html(self) -> str:
        return "".join(self.parts)


def _form_html(
    paged: PagedDocument,
    settings: PrintSettings,
    record: ModelRecord | None,
) -> str:
    writer = _Writer(paged)
    data = record.data if record else None
    what = "MÔ HÌNH, ĐIỂN HÌNH"
    if data is not None:
        what = "ĐIỂN HÌNH" if data.kind is Kind.EXEMPLAR else "MÔ HÌNH"
    writer.parts.append(f"<p>{HEADER_MARKER}</p>")
    writer.para(
        f"<b>{esc(TITLE.format(what=what))}</b>",
        "margin-top:21px; text-align:center; font-size:14pt",
    )
    if data is not None and data.period_start is not None and data.period_end is not None:
        period = f"Giai đoạn {data.period_start} – {data.period_end}"
    else:
        period = "Giai đoạn ………………"
    writer.para(f"<b>{esc(period)}</b>", "text-align:center; font-size:14pt")
    addressee = settings.addressee
    if addressee:
        writer.para(f"Kính gửi: {esc(addressee)}", "margin-top:16px; text-align:center")
    else:
        text = "Kính gửi: "
        writer.para(text + writer.dots(after=text + "." * 20), "margin-top:16px; text-align:center")

    indent = paged.px(10)
    for title, names in SECTIONS:
        writer.para(f"<b>{esc(title)}</b>", "margin-top:13px")
        number = 0
        for name in names:
            if (
                name in PERSON_FIELDS
                and data is not None
                and data.subject_type is not SubjectType.INDIVIDUAL
            ):
                continue
            number += 1
            label = f"{number}. {LABELS[name]}"
            if name in PERSON_FIELDS:
                label += " (điển hình cá nhân)" if data is None else ""
            value = "" if data is None else field_value(data, record.unit_name, name)  # type: ignore[union-attr]
            if name in BLOCK_FIELDS:
                writer.para(f"<b>{esc(label)}:</b>")
                if value:
                    for line in value.split("\n"):
                        writer.para(
                            esc(line) if line else "&nbsp;",
                            f"margin-top:2px; text-indent:{indent:.0f}px; text-align:justify",
                        )
                else:
                    lines = BLANK_LINES.get(name, 3) if data is None else 1
                    for _ in range(lines):
                        writer.para(writer.dots())
            elif (data is None and name in ("kind", "subject_type", "field")) or (
                data is None and name in ("ethnic_minority_area", "is_new")
            ):
                writer.para(f"<b>{esc(label)}:</b> {_choices(name)}", "margin-top:5px")
            elif value:
                writer.para(
                    f"<b>{esc(label)}:</b> {esc(value)}", "margin-top:5px; text-align:justify"
                )
            else:
                writer.para(f"<b>{esc(label)}:</b> " + writer.dots(label + ": "))

    signed_on = None if data is None else data.registered_on
    date_line = f"{settings.place or '……………'}, {vietnamese_date(signed_on)}"
    writer.parts.append(f'<p style="margin-top:16px">{SIGNATURE_MARKER}</p>')
    writer.parts.append(_signatures_html(settings, date_line))
    return writer.html()


def _row(left: str, right: str, style: str = "") -> str:
    # The right column is wider: the date line is the longest line of the block.
    cells = "".join(
        f'<td width="{width}" align="center" valign="top" style="{style}">{cell}</td>'
        for cell, width in ((left, "45%"), (right, "55%"))
    )
    return f"<tr>{cells}</tr>"


def _signatures_html(settings: PrintSettings, date_line: str) -> str:
    """Approver left, the registering unit right; one table row per line so the names line
    up even when one title runs over two lines."""
    approver = settings.approver_title or "XÁC NHẬN CỦA CẤP ỦY"
    signer = settings.unit_signer_title or "ĐẠI DIỆN ĐƠN VỊ ĐĂNG KÝ"

    def title(text: str) -> str:
        return "<b>" + "<br>".join(esc(line) for line in text.split("\n") if line) + "</b>"

    return (
        '<table width="100%" cellspacing="0" cellpadding="0">'
        + _row("", f"<i>{esc(date_line)}</i>")
        + _row(title(approver), title(signer))
        + _row("<i>(Ký tên, đóng dấu)</i>", "<i>(Ký, ghi rõ họ tên)</i>")
        + _row("<br>" * 4, "<br>" * 4)
        + _row(f"<b>{esc(settings.approver_name)}</b>", f"<b>{esc(settings.unit_signer_name)}</b>")
        + "</table>"
    )


def layout_form(
    device: QPagedPaintDevice, settings: PrintSettings, record: ModelRecord | None
) -> PagedDocument:
    """One form laid out on the device's pages (the page layout must be set already)."""
    paged = new_document(device)
    paged.document.setHtml(_form_html(paged, settings, record))
    reserve_header(paged, HEADER_MARKER, settings)
    section_titles = {title for title, _ in SECTIONS}
    keep_with_next(paged, lambda text: text in section_titles or text.endswith(":"))
    cursor = paged.document.find(SIGNATURE_MARKER)
    position = cursor.selectionStart()
    cursor.removeSelectedText()
    keep_together(paged, position)
    return paged


def render_forms(
    device: QPagedPaintDevice,
    settings: PrintSettings,
    records: Sequence[ModelRecord | None],
) -> int:
    """Draw one form per record (None: a blank form to fill by hand), each starting on a new
    page, A4 portrait with the official margins. Returns the number of pages drawn."""
    if not records:
        raise ValueError("nothing to print")
    painter = begin(device, PORTRAIT)
    pages = 0
    try:
        for record in records:
            paged = layout_form(device, settings, record)
            pages += paged.draw(painter, new_page_first=pages > 0)
    finally:
        painter.end()
    return pages


def render_blank_form(device: QPagedPaintDevice, settings: PrintSettings) -> int:
    return render_forms(device, settings, [None])
