"""The table model of the list: lazy rows, SQL sorting and filtering, exact Qt signals."""

from __future__ import annotations

from typing import Any

import pytest

from PySide6.QtCore import QModelIndex, Qt

from danvan_desktop.domain import Directory, Field, Period, Status, SubjectType
from danvan_desktop.services import Services
from danvan_desktop.services.models import ModelFilter, SortKey
from tests.conftest import STAFF
from tests.helpers import sample_model

from danvan_desktop.ui import model_table
from danvan_desktop.ui.model_table import COLUMNS, ID_ROLE, ModelTableModel, ModelTableView

pytestmark = pytest.mark.gui

NAME, UNIT, SUBJECT, STATUS = 0, 4, 2, 8


@pytest.fixture
def filled(services: Services) -> dict[str, int]:
    """Five models in two units, mixed fields, periods, statuses; returns name -> id."""
    own = services.installation.get().unit.id
    other = services.units.by_code("14", Directory.CURRENT).id  # Tỉnh Sơn La
    items = [
        sample_model(own, name="Dân vận khéo trong xây dựng nông thôn mới", village="Bản Hòa"),
        sample_model(
            own,
            name="Gương người có uy tín trong đồng bào dân tộc thiểu số",
            subject_type=SubjectType.INDIVIDUAL,
            person_name="Lò Văn Pọm",
            field=Field.CULTURE_SOCIETY,
        ),
        sample_model(
            other,
            name="Camera an ninh khu dân cư",
            field=Field.DEFENSE_SECURITY,
            period_start=2021,
            period_end=2025,
            is_new=False,
        ),
        sample_model(other, name="Bản cam kết “5 có, 5 không”", field=Field.CULTURE_SOCIETY),
        sample_model(own, name="Ấp Hoà Bình tự quản", field=Field.POLITICAL_SYSTEM),
    ]
    ids = services.models.create_many(items, by=STAFF)
    return {item.name: model_id for item, model_id in zip(items, ids, strict=True)}


def _column(model: ModelTableModel, column: int) -> list[Any]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_qtmodeltester(qtmodeltester: Any, services: Services, filled: dict[str, int]) -> None:
    model = ModelTableModel(services.models)
    assert model.rowCount() == 5
    qtmodeltester.check(model, force_py=True)
    # Resets keep the model consistent too.
    model.set_filter(ModelFilter(field=Field.CULTURE_SOCIETY))
    model.sort(UNIT, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_headers_and_cells_in_vietnamese(services: Services, filled: dict[str, int]) -> None:
    model = ModelTableModel(services.models)
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers == [
        "Tên mô hình",
        "Loại hình",
        "Tập thể/Cá nhân",
        "Lĩnh vực",
        "Đơn vị",
        "Thôn/bản",
        "Giai đoạn",
        "Mới/Duy trì",
        "Trạng thái",
        "Ngày đăng ký",
        "Cập nhật",
    ]
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    row = model.row_of(filled["Gương người có uy tín trong đồng bào dân tộc thiểu số"])
    assert row is not None
    cells = [model.index(row, c).data() for c in range(model.columnCount())]
    assert cells[1:10] == [
        "Mô hình",
        "Cá nhân: Lò Văn Pọm",
        "Văn hóa – xã hội",
        "Xã Ngọc Chiến",
        "Bản Pá Khoang",
        "2025–2030",
        "Mới",
        "Đăng ký",
        "02/03/2026",
    ]
    tooltip = model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Lò Văn Pọm" in tooltip and "Vùng đồng bào dân tộc thiểu số" in tooltip
    assert model.index(row, 0).data(ID_ROLE) == filled[cells[0]]


def test_sort_by_name_follows_folded_order(services: Services, filled: dict[str, int]) -> None:
    model = ModelTableModel(services.models)
    names = _column(model, NAME)
    # Sorted by the folded name: "Ấp" sorts as "ap", before "Bản".
    assert names == [
        "Ấp Hoà Bình tự quản",
        "Bản cam kết “5 có, 5 không”",
        "Camera an ninh khu dân cư",
        "Dân vận khéo trong xây dựng nông thôn mới",
        "Gương người có uy tín trong đồng bào dân tộc thiểu số",
    ]
    model.sort(NAME, Qt.SortOrder.DescendingOrder)
    assert _column(model, NAME) == list(reversed(names))


def test_sort_by_unit_changes_order(services: Services, filled: dict[str, int]) -> None:
    model = ModelTableModel(services.models)
    model.sort(UNIT, Qt.SortOrder.AscendingOrder)
    units = _column(model, UNIT)
    # Sorted by the folded unit name: "tinh son la" < "xa ngoc chien".
    assert units == ["Tỉnh Sơn La"] * 2 + ["Xã Ngọc Chiến"] * 3
    model.sort(UNIT, Qt.SortOrder.DescendingOrder)
    assert _column(model, UNIT) == ["Xã Ngọc Chiến"] * 3 + ["Tỉnh Sơn La"] * 2
    assert model.sort_key is SortKey.UNIT and model.descending


def test_filters_narrow_rows(services: Services, filled: dict[str, int]) -> None:
    model = ModelTableModel(services.models)
    model.set_filter(ModelFilter(field=Field.CULTURE_SOCIETY))
    assert sorted(_column(model, NAME)) == sorted(
        ["Gương người có uy tín trong đồng bào dân tộc thiểu số", "Bản cam kết “5 có, 5 không”"]
    )
    model.set_filter(ModelFilter(period=Period(2021, 2025)))
    assert _column(model, NAME) == ["Camera an ninh khu dân cư"]
    model.set_filter(ModelFilter(text="dong bao"))
    assert _column(model, NAME) == ["Gương người có uy tín trong đồng bào dân tộc thiểu số"]
    model.set_filter(ModelFilter(status=Status.IMPLEMENTING))
    assert model.rowCount() == 0
    assert model.filter.status is Status.IMPLEMENTING


def test_reset_signals_wrap_every_requery(
    qtbot: Any, services: Services, filled: dict[str, int]
) -> None:
    model = ModelTableModel(services.models)
    with (
        qtbot.waitSignal(model.modelAboutToBeReset, timeout=1000),
        qtbot.waitSignal(model.modelReset, timeout=1000),
    ):
        model.set_filter(ModelFilter(subject_type=SubjectType.INDIVIDUAL))
    assert model.rowCount() == 1
    with qtbot.assertNotEmitted(model.modelReset):
        model.sort(NAME, Qt.SortOrder.AscendingOrder)  # already so: no query, no reset


def test_rows_are_fetched_lazily_in_blocks(
    services: Services, filled: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_table, "BLOCK_SIZE", 2)
    monkeypatch.setattr(model_table, "CACHE_ROWS", 2)
    calls: list[int] = []
    real_rows = services.models.rows

    def counting_rows(ids: Any) -> Any:
        calls.append(len(ids))
        return real_rows(ids)

    monkeypatch.setattr(services.models, "rows", counting_rows)
    model = ModelTableModel(services.models)
    assert calls == []  # building the model reads ids only
    model.index(0, 0).data()
    model.index(1, 3).data()
    assert calls == [2]  # one block served both rows
    model.index(4, 0).data()
    assert calls == [2, 1]
    model.index(0, 0).data()  # evicted by the bounded cache, read again
    assert calls == [2, 1, 2]


def test_deleted_meanwhile_shows_a_placeholder(services: Services, filled: dict[str, int]) -> None:
    model = ModelTableModel(services.models)
    first = model.id_at(0)
    services.models.delete(first, by=STAFF)
    assert "đã bị xóa" in model.index(0, 0).data()
    assert model.index(0, 1).data() == ""
    model.refresh()
    assert model.row_of(first) is None
    assert model.rowCount() == 4


def test_view_keeps_selection_by_id_across_sort_and_refresh(
    qtbot: Any, services: Services, filled: dict[str, int]
) -> None:
    view = ModelTableView()
    qtbot.addWidget(view)
    model = ModelTableModel(services.models, view)
    view.setModel(model)
    chosen = [filled["Camera an ninh khu dân cư"], filled["Ấp Hoà Bình tự quản"]]
    view.select_ids(chosen, chosen[0])
    assert sorted(view.selected_ids()) == sorted(chosen)
    model.sort(NAME, Qt.SortOrder.DescendingOrder)
    assert sorted(view.selected_ids()) == sorted(chosen)
    assert view.current_id() == chosen[0]
    model.set_filter(ModelFilter(field=Field.DEFENSE_SECURITY))  # one of them filtered out
    assert view.selected_ids() == [chosen[0]]
    assert len(COLUMNS) == model.columnCount(QModelIndex())


def test_ids_are_read_a_page_at_a_time(
    qtmodeltester: Any, services: Services, filled: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_table, "PAGE_SIZE", 2)
    model = ModelTableModel(services.models)
    everything = services.models.ids(ModelFilter(), SortKey.NAME)
    assert model.rowCount() == 2 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert list(model.ids()) == everything  # the pages join up in the list's order
    assert not model.canFetchMore(QModelIndex())
    assert _column(model, NAME)[0] == "Ấp Hoà Bình tự quản"
    model.sort(NAME, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 2  # a new order starts again from its first page
    qtmodeltester.check(model, force_py=True)
    assert list(model.ids()) == list(reversed(everything))


def test_refresh_keeps_the_rows_read_and_saved_model_is_found(
    services: Services, filled: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_table, "PAGE_SIZE", 2)
    model = ModelTableModel(services.models)
    model.fetchMore(QModelIndex())
    model.refresh()
    assert model.rowCount() == 4  # still where the user had scrolled to
    model = ModelTableModel(services.models)
    last = filled["Gương người có uy tín trong đồng bào dân tộc thiểu số"]
    assert model.rowCount() == 2 and model.row_of(last) is None  # not read yet
    assert model.row_of(last, fetch=True) == 4  # going to it reads the rest
    assert model.rowCount() == 5 and not model.canFetchMore(QModelIndex())
