"""Shared page machinery: the official page layouts, a QTextDocument laid out on the pages of a
paint device, the document header (Party or State profile) and the Vietnamese date line."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPen,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from danvan_desktop.services.print_settings import HeaderProfile, PrintSettings

from danvan_desktop.ui.printing.fonts import FAMILY, serif

# Official document margins (mm): top/bottom 20–25, left 30–35, right 15–20.
MARGINS_MM = QMarginsF(30, 20, 15, 20)
BODY_PT = 13.0
LINE_GAP_MM = 0.6  # between the lines of the header
HEADER_GAP_MM = 3.0  # between the header and the title


def page_layout(orientation: QPageLayout.Orientation) -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), orientation, MARGINS_MM, QPageLayout.Unit.Millimeter
    )


PORTRAIT = QPageLayout.Orientation.Portrait
LANDSCAPE = QPageLayout.Orientation.Landscape


def vietnamese_date(day: dt.date | None) -> str:
    """ "ngày 02 tháng 3 năm 2026" as official documents write it (a leading zero for days
    below 10 and for January and February); dots to fill by hand when the date is unknown."""
    if day is None:
        return "ngày …… tháng …… năm ……"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def esc(text: str) -> str:
    return html.escape(text, quote=False)


Paint = Callable[[QPainter, QRectF], None]


@dataclass
class PagedDocument:
    """A QTextDocument laid out in the paint rect of a paged device."""

    device: QPagedPaintDevice
    document: QTextDocument
    width: float
    height: float
    # Parts drawn with QPainter (header, charts): the position of the empty line that keeps
    # their room in the text, and how to paint them.
    overlays: list[tuple[int, float, Paint]] = field(default_factory=list)

    def px(self, mm: float) -> float:
        return mm * self.device.logicalDpiX() / 25.4

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def reserve(self, marker: str, height: float, paint: Paint) -> None:
        """Turn the paragraph holding `marker` into an empty line `height` tall, painted by
        `paint`; one line never splits, so the part moves whole to the next page when needed."""
        cursor = self.document.find(marker)
        if cursor.isNull():
            raise ValueError(marker)
        cursor.removeSelectedText()
        fmt = cursor.blockFormat()
        # Qt scales fixed line heights from 96 dpi to the device's resolution.
        scale = self.device.logicalDpiY() / 96
        fmt.setLineHeight(height / scale, QTextBlockFormat.LineHeightTypes.FixedHeight.value)
        fmt.setTopMargin(0)
        fmt.setBottomMargin(0)
        cursor.setBlockFormat(fmt)
        self.overlays.append((cursor.position(), height, paint))
        self.relayout()
        rect = self.overlay_rect(cursor.position(), height)
        if int(rect.top() // self.height) != int((rect.bottom() - 1) // self.height):
            # Qt leaves a tall fixed-height line across the page break: move it ourselves.
            fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            cursor.setBlockFormat(fmt)
            self.relayout()

    def overlay_rect(self, position: int, height: float) -> QRectF:
        block = self.document.findBlock(position)
        rect = self.document.documentLayout().blockBoundingRect(block)
        return QRectF(0, rect.top(), self.width, height)

    def relayout(self) -> None:
        """Lay the whole text out now: after an edit Qt lays out lazily, and positions read
        (or pages drawn) before that would be wrong."""
        self.document.setPageSize(QSizeF(self.width, self.height))

    def page_count(self) -> int:
        return self.document.pageCount()

    def draw(self, painter: QPainter, *, new_page_first: bool) -> int:
        """Draw every page (starting a new page first when asked); returns pages drawn."""
        layout = self.document.documentLayout()
        count = self.document.pageCount()
        for index in range(count):
            if (index > 0 or new_page_first) and not self.device.newPage():
                raise OSError("cannot start a new page")
            painter.save()
            clip = QRectF(0, index * self.height, self.width, self.height)
            painter.translate(0, -index * self.height)
            painter.setClipRect(clip)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = clip
            # Painted parts first, so text extracted from the PDF reads top to bottom.
            for position, height, paint in self.overlays:
                rect = self.overlay_rect(position, height)
                if clip.top() <= rect.top() < clip.bottom():
                    painter.save()
                    paint(painter, rect)
                    painter.restore()
            layout.draw(painter, context)
            painter.restore()
        return count


def new_document(device: QPagedPaintDevice) -> PagedDocument:
    document = QTextDocument()
    document.documentLayout().setPaintDevice(device)
    document.setDefaultFont(serif(BODY_PT))
    document.setDocumentMargin(0)
    document.setUseDesignMetrics(True)
    width, height = float(device.width()), float(device.height())
    document.setPageSize(QSizeF(width, height))
    document.setTextWidth(width)
    return PagedDocument(device, document, width, height)


def keep_together(paged: PagedDocument, marker_start: int) -> None:
    """Move everything from character `marker_start` on to the next page when it would
    otherwise be split over a page break (the date line and signatures stay together)."""
    document = paged.document
    paged.relayout()
    block = document.findBlock(marker_start)
    layout = document.documentLayout()
    top = layout.blockBoundingRect(block).top()
    bottom = layout.documentSize().height()
    # documentSize counts whole pages once paginated; find the real end of the text.
    last = document.lastBlock()
    bottom = min(bottom, layout.blockBoundingRect(last).bottom())
    if int(top // paged.height) != int((bottom - 1) // paged.height):
        fmt = block.blockFormat()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        cursor = QTextCursor(block)
        cursor.setBlockFormat(fmt)
        paged.relayout()


def keep_with_next(paged: PagedDocument, headings: Callable[[str], bool]) -> None:
    """A heading (a block whose text `headings` accepts) left alone at the foot of a page
    moves to the next page with what it introduces."""
    document = paged.document
    layout = document.documentLayout()
    paged.relayout()
    block = document.begin()
    while block.isValid():
        following = block.next()
        if following.isValid() and headings(block.text()):
            top = layout.blockBoundingRect(block).top()
            # A line pushed over a page break moves inside its block: look at the line.
            next_top = layout.blockBoundingRect(following).top()
            if following.layout().lineCount():
                next_top += following.layout().lineAt(0).y()
            if int(next_top // paged.height) > int(top // paged.height) and top % paged.height:
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(fmt)
                paged.relayout()
        block = following


# ---------------------------------------------------------------------------------------------
# The header: two centred columns at the top of the first page


@dataclass(frozen=True)
class HeaderLine:
    text: str
    font: QFont
    rule: float = 0.0  # a line under the text: 0 none, 1 as long as the text, 0.4 shorter


def header_columns(
    settings: PrintSettings,
) -> tuple[list[HeaderLine], list[HeaderLine], float]:
    """(left lines, right lines, share of the width given to the left column)."""
    upper, own = settings.header_lines
    left: list[HeaderLine] = []
    if settings.header_profile is HeaderProfile.PARTY:
        if upper:
            left.append(HeaderLine(upper, serif(13)))
        left.append(HeaderLine(own, serif(13, bold=True)))
        left.append(HeaderLine("*", serif(13)))
        right = [HeaderLine("ĐẢNG CỘNG SẢN VIỆT NAM", serif(14, bold=True), rule=1.0)]
        return left, right, 0.45
    if upper:
        left.append(HeaderLine(upper, serif(12)))
    left.append(HeaderLine(own, serif(12, bold=True), rule=0.4))
    right = [
        HeaderLine("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", serif(12, bold=True)),
        HeaderLine("Độc lập - Tự do - Hạnh phúc", serif(13, bold=True), rule=1.0),
    ]
    return left, right, 0.44


def balanced(text: str, metrics: QFontMetricsF, width: float) -> str:
    """A header line too wide for its column, broken into two lines of similar length
    ("ỦY BAN NHÂN DÂN / XÃ NGỌC CHIẾN" rather than "ỦY BAN NHÂN DÂN XÃ NGỌC / CHIẾN")."""
    if metrics.horizontalAdvance(text) <= width or "\n" in text:
        return text
    words = text.split(" ")
    best: tuple[float, str] | None = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        longer = max(metrics.horizontalAdvance(first), metrics.horizontalAdvance(second))
        if longer <= width and (best is None or longer < best[0]):
            best = (longer, first + "\n" + second)
    return best[1] if best else text


def _column_height(paged: PagedDocument, lines: Sequence[HeaderLine], width: float) -> float:
    total = 0.0
    for line in lines:
        metrics = paged.metrics(line.font)
        rect = metrics.boundingRect(
            QRectF(0, 0, width, 10_000),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap),
            balanced(line.text, metrics, width),
        )
        total += max(rect.height(), metrics.lineSpacing()) + paged.px(LINE_GAP_MM)
        if line.rule:
            total += paged.px(2.0)
    return total


def _paint_column(
    paged: PagedDocument, painter: QPainter, lines: Sequence[HeaderLine], rect: QRectF
) -> None:
    y = rect.top()
    flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
    for line in lines:
        metrics = paged.metrics(line.font)
        text = balanced(line.text, metrics, rect.width())
        bounds = metrics.boundingRect(QRectF(rect.left(), y, rect.width(), 10_000), flags, text)
        height = max(bounds.height(), metrics.lineSpacing())
        painter.setFont(line.font)
        painter.setPen(Qt.GlobalColor.black)
        painter.drawText(QRectF(rect.left(), y, rect.width(), height), flags, text)
        y += height + paged.px(LINE_GAP_MM)
        if line.rule:
            longest = min(rect.width(), max(bounds.width(), 1.0))
            length = longest * line.rule
            pen = QPen(Qt.GlobalColor.black)
            pen.setWidthF(paged.px(0.25))
            painter.setPen(pen)
            centre = rect.center().x()
            rule_y = y - paged.px(LINE_GAP_MM) + paged.px(1.2)
            painter.drawLine(
                QPointF(centre - length / 2, rule_y), QPointF(centre + length / 2, rule_y)
            )
            y += paged.px(2.0)


def reserve_header(paged: PagedDocument, marker: str, settings: PrintSettings) -> None:
    """The header in place of `marker`, the full width of the page."""
    left, right, share = header_columns(settings)
    gap = paged.px(4)
    left_width = paged.width * share - gap / 2
    right_width = paged.width - left_width - gap
    height = max(_column_height(paged, left, left_width), _column_height(paged, right, right_width))

    def paint(painter: QPainter, rect: QRectF) -> None:
        _paint_column(paged, painter, left, QRectF(rect.left(), rect.top(), left_width, height))
        _paint_column(
            paged,
            painter,
            right,
            QRectF(rect.left() + left_width + gap, rect.top(), right_width, height),
        )

    paged.reserve(marker, height + paged.px(HEADER_GAP_MM), paint)


def begin(device: QPagedPaintDevice, orientation: QPageLayout.Orientation) -> QPainter:
    """Set the official page layout and start painting; raises OSError if the device refuses
    (a PDF path that cannot be written)."""
    device.setPageLayout(page_layout(orientation))
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot paint on the device")
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return painter


def device_dpi(device: QPaintDevice) -> int:
    return device.logicalDpiX()


__all__ = [
    "BODY_PT",
    "FAMILY",
    "LANDSCAPE",
    "PORTRAIT",
    "HeaderLine",
    "PagedDocument",
    "begin",
    "esc",
    "keep_together",
    "new_document",
    "page_layout",
    "reserve_header",
    "vietnamese_date",
]
