"""The statistics report, printed: A4 landscape, the table with its two-row header repeated on
every page, bar charts of the same numbers, date and signatures.

`render_report` is the one render function: preview, printer and PDF all call it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPagedPaintDevice, QPainter, QPen

from danvan_desktop.services.print_settings import PrintSettings
from danvan_desktop.services.reports import COUNT_LABELS, Statistics

from danvan_desktop.ui.printing.fonts import serif
from danvan_desktop.ui.printing.pages import (
    LANDSCAPE,
    PagedDocument,
    begin,
    esc,
    keep_together,
    new_document,
    reserve_header,
    vietnamese_date,
)

TITLE = "BIỂU THỐNG KÊ MÔ HÌNH, ĐIỂN HÌNH “DÂN VẬN KHÉO”"
HEADER_MARKER = "@@HEADER@@"
CHART_MARKER = "@@CHART{}@@"
SIGNATURE_MARKER = "@@SIGNATURES@@"
TABLE_PT = 10.5
BAR_COLOUR = QColor("#2f5597")  # dark enough to print in grey on a black-and-white printer

# The two-row header: groups over the count columns (None: one column spanning both rows).
GROUPS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("models",)),
    ("Chủ thể", ("collective", "individual")),
    (
        "Lĩnh vực",
        ("economy", "culture_society", "defense_security", "political_system", "other"),
    ),
    ("Tính chất", ("new", "continued")),
    ("Kết quả", ("recognised", "exemplary", "commended")),
)
FIELD_KEYS = ("economy", "culture_society", "defense_security", "political_system", "other")
OTHER_KEYS = (
    "collective",
    "individual",
    "new",
    "continued",
    "recognised",
    "exemplary",
    "commended",
)
UNITS_IN_CHART = 15


def _header_rows() -> str:
    cell = 'style="font-weight:bold" align="center" valign="middle"'
    first = [f'<th {cell} rowspan="2" width="4%">STT</th>']
    first.append(f'<th {cell} rowspan="2" width="20%">Đơn vị</th>')
    second: list[str] = []
    for group, keys in GROUPS:
        if group is None:
            for key in keys:
                first.append(f'<th {cell} rowspan="2" width="5.8%">{esc(COUNT_LABELS[key])}</th>')
            continue
        first.append(f'<th {cell} colspan="{len(keys)}">{esc(group)}</th>')
        second.extend(f'<th {cell} width="5.8%">{esc(COUNT_LABELS[key])}</th>' for key in keys)
    return f"<thead><tr>{''.join(first)}</tr><tr>{''.join(second)}</tr></thead>"


def _all_keys() -> list[str]:
    return [key for _, keys in GROUPS for key in keys]


def _table_html(statistics: Statistics) -> str:
    rows: list[str] = []
    for number, row in enumerate(statistics.rows, start=1):
        name = "&nbsp;" * 4 * row.depth + esc(row.unit_name)
        if row.is_subtotal:
            name = f"<b>{name} (cộng)</b>"
        counts = "".join(f'<td align="right">{row.counts.get(key)}</td>' for key in _all_keys())
        rows.append(f'<tr><td align="center">{number}</td><td>{name}</td>{counts}</tr>')
    total = "".join(
        f'<td align="right"><b>{statistics.total.get(key)}</b></td>' for key in _all_keys()
    )
    rows.append(f'<tr><td></td><td align="center"><b>Tổng cộng</b></td>{total}</tr>')
    return (
        '<table border="1" cellspacing="0" cellpadding="3" width="100%" '
        f'style="border-collapse:collapse; border-color:#000; font-size:{TABLE_PT}pt">'
        f"{_header_rows()}<tbody>{''.join(rows)}</tbody></table>"
    )


def _signatures_html(settings: PrintSettings, date_line: str, prepared_by: str) -> str:
    def cell(inner: str) -> str:
        return f'<td width="50%" align="center" valign="top">{inner}</td>'

    def row(left: str, right: str) -> str:
        return f"<tr>{cell(left)}{cell(right)}</tr>"

    approver = "<br>".join(esc(line) for line in settings.approver_title.split("\n") if line)
    approver = approver.replace("XÁC NHẬN CỦA ", "") if approver else "THỦ TRƯỞNG ĐƠN VỊ"
    return (
        '<table width="100%" cellspacing="0" cellpadding="0">'
        + row("", f"<i>{esc(date_line)}</i>")
        + row("<b>NGƯỜI LẬP BIỂU</b>", f"<b>{approver}</b>")
        + row("<i>(Ký, ghi rõ họ tên)</i>", "<i>(Ký tên, đóng dấu)</i>")
        + row("<br>" * 4, "<br>" * 4)
        + row(f"<b>{esc(prepared_by)}</b>", f"<b>{esc(settings.approver_name)}</b>")
        + "</table>"
    )


# ---------------------------------------------------------------------------------------------
# Charts


def paint_bar_chart(
    paged: PagedDocument,
    painter: QPainter,
    rect: QRectF,
    title: str,
    items: Sequence[tuple[str, int]],
) -> None:
    """Horizontal bars with their labels on the left and the number at the end of each bar."""
    title_font = serif(11, bold=True)
    label_font = serif(10)
    title_height = paged.metrics(title_font).lineSpacing() * 1.4
    painter.setPen(Qt.GlobalColor.black)
    painter.setFont(title_font)
    painter.drawText(
        QRectF(rect.left(), rect.top(), rect.width(), title_height),
        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
        title,
    )
    if not items:
        return
    metrics = paged.metrics(label_font)
    label_width = min(
        max(metrics.horizontalAdvance(label) for label, _ in items), rect.width() * 0.45
    )
    label_width += paged.px(2)
    number_width = metrics.horizontalAdvance("000000")
    area = QRectF(
        rect.left() + label_width,
        rect.top() + title_height,
        rect.width() - label_width - number_width,
        rect.height() - title_height,
    )
    step = area.height() / len(items)
    bar = min(step * 0.7, paged.px(6))
    largest = max((value for _, value in items), default=0) or 1
    painter.setFont(label_font)
    for index, (label, value) in enumerate(items):
        y = area.top() + index * step + (step - bar) / 2
        text_rect = QRectF(rect.left(), area.top() + index * step, label_width - paged.px(2), step)
        painter.setPen(Qt.GlobalColor.black)
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        length = area.width() * value / largest
        painter.fillRect(QRectF(area.left(), y, length, bar), BAR_COLOUR)
        painter.drawText(
            QRectF(
                area.left() + length + paged.px(1), area.top() + index * step, number_width, step
            ),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            str(value),
        )
    pen = QPen(Qt.GlobalColor.black)
    pen.setWidthF(paged.px(0.2))
    painter.setPen(pen)
    painter.drawLine(QPointF(area.left(), area.top()), QPointF(area.left(), area.bottom()))


def _unit_items(statistics: Statistics) -> list[tuple[str, int]]:
    """The units one level below the reported unit (or its own row when it has none)."""
    top = [row for row in statistics.rows if row.depth == 1]
    rows = top or statistics.rows
    items = [(row.unit_name, row.counts.models) for row in rows]
    items.sort(key=lambda item: -item[1])
    if len(items) > UNITS_IN_CHART:
        rest = sum(value for _, value in items[UNITS_IN_CHART - 1 :])
        items = [*items[: UNITS_IN_CHART - 1], (f"Các đơn vị khác ({len(items) - 14})", rest)]
    return items


def _report_html(statistics: Statistics, settings: PrintSettings, prepared_by: str) -> str:
    described = statistics.filter.describe()
    subtitle = statistics.unit.name + (f" — {described}" if described else "")
    day = statistics.generated_at.date()
    parts = [
        f"<p>{HEADER_MARKER}</p>",
        f'<p align="center" style="font-size:14pt"><b>{esc(TITLE)}</b></p>',
        f'<p align="center"><b>{esc(subtitle)}</b></p>',
        f'<p align="center"><i>(Số liệu đến ngày {day.strftime("%d/%m/%Y")}; mô hình đã xóa '
        "không được tính)</i></p>",
        '<p style="margin-top:8px"></p>',
        _table_html(statistics),
        f'<p style="margin-top:12px">{CHART_MARKER.format(1)}</p>',
        f'<p style="margin-top:8px">{CHART_MARKER.format(2)}</p>',
        f'<p style="margin-top:12px">{SIGNATURE_MARKER}</p>',
        _signatures_html(
            settings, f"{settings.place or '……………'}, {vietnamese_date(day)}", prepared_by
        ),
    ]
    return "".join(parts)


def layout_report(
    device: QPagedPaintDevice, settings: PrintSettings, statistics: Statistics, prepared_by: str
) -> PagedDocument:
    paged = new_document(device)
    paged.document.setHtml(_report_html(statistics, settings, prepared_by))
    reserve_header(paged, HEADER_MARKER, settings)
    total = statistics.total
    gap = paged.px(8)
    half = (paged.width - gap) / 2

    def field_and_results(painter: QPainter, rect: QRectF) -> None:
        paint_bar_chart(
            paged,
            painter,
            QRectF(rect.left(), rect.top(), half, rect.height()),
            "Số mô hình theo lĩnh vực",
            [(COUNT_LABELS[key], total.get(key)) for key in FIELD_KEYS],
        )
        paint_bar_chart(
            paged,
            painter,
            QRectF(rect.left() + half + gap, rect.top(), half, rect.height()),
            "Theo chủ thể, tính chất và kết quả",
            [(COUNT_LABELS[key], total.get(key)) for key in OTHER_KEYS],
        )

    paged.reserve(CHART_MARKER.format(1), paged.px(62), field_and_results)
    units = _unit_items(statistics)
    unit_height = paged.px(12) + len(units) * paged.px(7)

    def by_unit(painter: QPainter, rect: QRectF) -> None:
        paint_bar_chart(
            paged,
            painter,
            QRectF(rect.left(), rect.top(), paged.width * 0.75, rect.height()),
            "Số mô hình theo đơn vị",
            units,
        )

    if len(units) > 1:
        paged.reserve(CHART_MARKER.format(2), unit_height, by_unit)
    else:  # one unit: the chart would repeat the total
        paged.document.find(CHART_MARKER.format(2)).removeSelectedText()
    cursor = paged.document.find(SIGNATURE_MARKER)
    position = cursor.selectionStart()
    cursor.removeSelectedText()
    keep_together(paged, position)
    return paged


def render_report(
    device: QPagedPaintDevice,
    settings: PrintSettings,
    statistics: Statistics,
    prepared_by: str = "",
) -> int:
    """Draw the report on A4 landscape pages; returns the number of pages drawn."""
    painter = begin(device, LANDSCAPE)
    try:
        paged = layout_report(device, settings, statistics, prepared_by)
        return paged.draw(painter, new_page_first=False)
    finally:
        painter.end()
