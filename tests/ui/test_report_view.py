"""The statistics screen: real window, real database, numbers checked against the core."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from PySide6.QtCharts import QHorizontalBarSeries, QPieSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from danvan_desktop.domain import Directory, EventData, Field, Kind, Period, Status, SubjectType
from danvan_desktop.services import Services
from danvan_desktop.services.reports import COUNT_KEYS, ReportFilter
from tests.conftest import STAFF
from tests.helpers import sample_model

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.report_view import TOTAL_LABEL, ReportWindow, StatisticsTableModel

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform cannot propagate size hints; harmless, and not ours.
    pytest.mark.qt_log_ignore("This plugin does not support"),
]

TOTAL_COLUMN = 1 + COUNT_KEYS.index("models")
RECOGNISED_COLUMN = 1 + COUNT_KEYS.index("recognised")


@pytest.fixture
def province(services: Services) -> dict[str, int]:
    """The legacy province of Sơn La: one model of its own, three in district 120 (one in the
    district, two in a commune), one exemplar in another district's commune."""
    unit = services.units.by_code("14", Directory.LEGACY)
    services.installation.save(unit_id=unit.id, reports_to_id=None, staff_name=STAFF)
    district = services.units.by_code("120", Directory.LEGACY)
    commune = services.units.children(district.id)[0]
    other = next(u for u in services.units.children(unit.id) if u.id != district.id)
    far = services.units.children(other.id)[0]
    ids = services.models.create_many(
        [
            sample_model(unit.id, name="Tỉnh một"),
            sample_model(district.id, name="Huyện một", field=Field.CULTURE_SOCIETY),
            sample_model(commune.id, name="Xã một", period_start=2021, period_end=2025),
            sample_model(
                commune.id,
                name="Xã hai",
                subject_type=SubjectType.INDIVIDUAL,
                person_name="Lò Thị Mai",
                field=Field.DEFENSE_SECURITY,
            ),
            sample_model(far.id, name="Xa một", kind=Kind.EXEMPLAR, field=Field.POLITICAL_SYSTEM),
        ],
        by=STAFF,
    )
    for model_id in (ids[2], ids[3]):
        services.models.add_event(
            model_id,
            EventData(status=Status.RECOGNISED, event_date=dt.date.today(), deciding_body="UBND"),
            by=STAFF,
        )
    names = ("own", "district_own", "commune_a", "commune_b", "far")
    return {
        **dict(zip(names, ids, strict=True)),
        "district": district.id,
        "commune": commune.id,
        "other": other.id,
    }


def open_window(qtbot: Any, context: UiContext) -> ReportWindow:
    window = ReportWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def column(model: StatisticsTableModel, col: int) -> list[str]:
    return [model.index(r, col).data() for r in range(model.rowCount())]


def row_of(model: StatisticsTableModel, unit_id: int | None) -> int:
    for r in range(model.rowCount()):
        stat = model.stat_row(r)
        if (stat.unit_id if stat else None) == unit_id:
            return r
    raise AssertionError(unit_id)


def test_window_opens_with_the_numbers(
    qtbot: Any, context: UiContext, province: dict[str, int]
) -> None:
    window = open_window(qtbot, context)
    model = window.table_model
    assert window.toolbar is not None
    assert "Tỉnh Sơn La" in window.title_label.text() and "5 mô hình" in window.title_label.text()
    names = column(model, 0)
    assert names[0] == "Tỉnh Sơn La" and names[-1] == TOTAL_LABEL
    totals = column(model, TOTAL_COLUMN)
    district_row = row_of(model, province["district"])
    assert totals[district_row] == "3" and totals[-1] == "5" and totals[0] == "1"
    assert names[district_row].startswith("    Huyện")
    assert names[district_row + 1].startswith("        ")  # its commune, one level deeper
    bold = model.index(district_row, 0).data(Qt.ItemDataRole.FontRole)
    assert isinstance(bold, QFont) and bold.bold()
    total_font = model.index(model.rowCount() - 1, 3).data(Qt.ItemDataRole.FontRole)
    assert isinstance(total_font, QFont) and total_font.bold()
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == ["Đơn vị", "Tổng số", "Chủ thể\nTập thể"]
    assert model.headerData(7, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "Xây dựng Đảng và hệ thống chính trị"
    )


def test_filters_change_the_numbers(
    qtbot: Any, context: UiContext, province: dict[str, int]
) -> None:
    window = open_window(qtbot, context)
    kind_index = window.kind_combo.findText("Điển hình")
    window.kind_combo.setCurrentIndex(kind_index)
    assert window.current_filter() == ReportFilter(kind=Kind.EXEMPLAR)
    assert column(window.table_model, TOTAL_COLUMN)[-1] == "1"
    assert "điển hình" in window.title_label.text()

    window.kind_combo.setCurrentIndex(0)
    window.period_combo.setCurrentIndex(window.period_combo.findText("Giai đoạn 2021–2025"))
    assert window.current_filter().period == Period(2021, 2025)
    assert column(window.table_model, TOTAL_COLUMN)[-1] == "1"

    window.period_combo.setCurrentIndex(0)
    window.year_combo.setCurrentIndex(window.year_combo.findText("Năm 2027"))
    assert column(window.table_model, TOTAL_COLUMN)[-1] == "4"

    window.year_combo.setCurrentIndex(0)
    window.status_combo.setCurrentIndex(window.status_combo.findText("Được công nhận"))
    assert window.current_filter().status is Status.RECOGNISED
    assert column(window.table_model, TOTAL_COLUMN)[-1] == "2"

    window.status_combo.setCurrentIndex(0)
    window.ethnic_combo.setCurrentIndex(window.ethnic_combo.findText("Ngoài vùng đồng bào DTTS"))
    assert window.current_filter().ethnic_minority_area is False
    assert column(window.table_model, TOTAL_COLUMN)[-1] == "0"


def test_qtmodeltester(qtmodeltester: Any, context: UiContext, province: dict[str, int]) -> None:
    model = StatisticsTableModel()
    assert model.rowCount() == 0
    model.set_statistics(context.services.reports.statistics())
    assert model.rowCount() == 6  # province, district, its commune, the other district, total
    qtmodeltester.check(model, force_py=True)
    # The tester stays connected: a reset with other numbers must be signalled exactly.
    model.set_statistics(context.services.reports.statistics(ReportFilter(year=2040)))
    assert model.rowCount() == 2


def test_clicking_a_count_lists_exactly_those_models(
    qtbot: Any, context: UiContext, province: dict[str, int]
) -> None:
    window = open_window(qtbot, context)
    model = window.table_model
    district_row = row_of(model, province["district"])
    index = model.index(district_row, TOTAL_COLUMN)
    rect = window.table.visualRect(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    expected = {province["district_own"], province["commune_a"], province["commune_b"]}
    assert set(window.listed_model_ids()) == expected
    assert "3 mô hình" in window.models_label.text()
    listed = [window.models_list.item(r, c) for r in range(3) for c in (0, 3)]
    texts = [item.text() if item is not None else "" for item in listed]
    assert set(texts[0::2]) == {"Huyện một", "Xã một", "Xã hai"}
    assert set(texts[1::2]) == {"Đăng ký", "Được công nhận"}

    total_row = model.rowCount() - 1
    window.show_models_at(model.index(total_row, RECOGNISED_COLUMN))
    assert set(window.listed_model_ids()) == {province["commune_a"], province["commune_b"]}

    window.show_models_at(model.index(0, TOTAL_COLUMN))  # the province's own row
    assert window.listed_model_ids() == [province["own"]]

    first = window.models_list.item(0, 0)
    assert first is not None
    rect = window.models_list.visualItemRect(first)
    viewport = window.models_list.viewport()
    with qtbot.waitSignal(window.openModel) as opened:
        # Qt 6 views need the press before the double-click event.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [province["own"]]

    window.show_models_at(model.index(0, 0))  # the unit name is not a count
    assert window.listed_model_ids() == [province["own"]]


def test_charts_show_the_same_numbers(
    qtbot: Any, context: UiContext, province: dict[str, int]
) -> None:
    window = open_window(qtbot, context)
    window.tabs.setCurrentIndex(1)
    assert set(window.charts) == {"field", "subject", "unit", "status"}

    def pie_values(key: str) -> list[float]:
        chart = window.charts[key].chart()
        [series] = chart.series()
        assert isinstance(series, QPieSeries)
        return [piece.value() for piece in series.slices()]

    assert pie_values("field") == [2, 1, 1, 1, 0]
    assert pie_values("subject") == [4, 1]
    # registered, implementing, recognised, exemplary, commended, returned, stopped
    assert pie_values("status") == [3, 0, 2, 0, 0, 0, 0]
    [field_series] = window.charts["field"].chart().series()
    assert isinstance(field_series, QPieSeries)
    labels = [p.label() for p in field_series.slices()]
    assert labels[0] == "Kinh tế: 2 (40%)"

    [bars] = window.charts["unit"].chart().series()
    assert isinstance(bars, QHorizontalBarSeries)
    values = [bars.barSets()[0].at(i) for i in range(bars.barSets()[0].count())]
    # The district (3) first on screen, i.e. last in the bottom-up series.
    assert sorted(values) == [1, 1, 3] and values[-1] == 3
    district_name = context.services.units.get(province["district"]).name
    assert window.chart_values["unit"][0] == (district_name, 3)

    window.kind_combo.setCurrentIndex(window.kind_combo.findText("Điển hình"))
    assert pie_values("field") == [0, 0, 0, 1, 0]
    assert window.grab().width() > 0
