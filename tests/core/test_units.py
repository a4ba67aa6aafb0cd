"""The unit directory shipped with the app and units added by hand."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from danvan_desktop.db.schema import Unit
from danvan_desktop.domain import Directory, UnitLevel
from danvan_desktop.services import Services, UserError


def test_official_lists_loaded(blank_services: Services) -> None:
    with blank_services.db.session() as session:
        counts = Counter(tuple(r) for r in session.execute(select(Unit.directory, Unit.level)))
    assert counts[("2025", "province")] == 34
    assert counts[("2025", "commune")] == 3321
    assert counts[("legacy", "province")] == 63
    assert counts[("legacy", "district")] == 696
    assert counts[("legacy", "commune")] == 10051


def test_same_code_has_a_parent_in_each_list(blank_services: Services) -> None:
    now = blank_services.units.by_code("03820", Directory.CURRENT)
    before = blank_services.units.by_code("03820", Directory.LEGACY)
    assert (now.name, now.parent_name) == ("Xã Ngọc Chiến", "Tỉnh Sơn La")
    assert before.parent_name == "Huyện Mường La"
    district = blank_services.units.get(before.parent_id or 0)
    assert (district.code, district.parent_name) == ("120", "Tỉnh Sơn La")


@pytest.mark.parametrize("query", ["ngoc chien", "Ngọc Chiến", "NGOC CHIEN", "03820"])
def test_search_finds_ngoc_chien_first(blank_services: Services, query: str) -> None:
    found = blank_services.units.search(query)
    assert found[0].name == "Xã Ngọc Chiến"
    assert found[0].directory is Directory.CURRENT


def test_search_treats_tone_placement_alike(blank_services: Services) -> None:
    old_style = {u.id for u in blank_services.units.search("Hoà An")}
    new_style = {u.id for u in blank_services.units.search("Hòa An")}
    assert old_style == new_style
    names = {u.name for u in blank_services.units.search("hoa an")}
    assert {"Xã Hòa An", "Xã Hoà An"} <= names


def test_search_dd(blank_services: Services) -> None:
    assert any(u.name == "Tỉnh Đắk Lắk" for u in blank_services.units.search("dak lak"))


def test_add_custom_unit_and_subtree(blank_services: Services) -> None:
    province = blank_services.units.by_code("14", Directory.CURRENT)
    committee = blank_services.units.add_custom(
        code="DUK-14", name="Đảng ủy Khối các cơ quan tỉnh", parent_id=province.id
    )
    assert committee.level is UnitLevel.OTHER
    assert committee.directory is Directory.CUSTOM
    assert blank_services.units.search("dang uy khoi")[0].id == committee.id
    assert committee.id in blank_services.units.subtree_ids(province.id)
    with pytest.raises(UserError, match="đã được dùng"):
        blank_services.units.add_custom(code="DUK-14", name="Khác", parent_id=None)
    with pytest.raises(UserError, match="mã của một đơn vị hành chính"):
        blank_services.units.add_custom(code="03820", name="Trùng mã", parent_id=None)
    with pytest.raises(UserError, match="Tên đơn vị"):
        blank_services.units.add_custom(code="X1", name=" ", parent_id=None)


def test_subtree_of_a_legacy_district(blank_services: Services) -> None:
    district = blank_services.units.by_code("120", Directory.LEGACY)
    below = blank_services.units.subtree_ids(district.id)
    commune = blank_services.units.resolve_below("03820", district.id)
    assert commune.directory is Directory.LEGACY
    assert commune.id in below
    with pytest.raises(UserError, match="không phải"):
        blank_services.units.resolve_below("00004", district.id)


def test_installation_defaults_and_checks(blank_services: Services) -> None:
    assert not blank_services.installation.is_set_up()
    with pytest.raises(UserError, match="chưa được thiết lập"):
        blank_services.installation.get()
    unit = blank_services.units.by_code("03820")
    with pytest.raises(UserError, match="Họ tên cán bộ"):
        blank_services.installation.save(unit_id=unit.id, reports_to_id=None, staff_name=" ")
    with pytest.raises(UserError, match="chính đơn vị này"):
        blank_services.installation.save(unit_id=unit.id, reports_to_id=unit.id, staff_name="A")
    assert not blank_services.installation.is_set_up()
    saved = blank_services.installation.save(
        unit_id=unit.id, reports_to_id=unit.parent_id, staff_name="Lò Thị Mai"
    )
    assert saved.reports_to is not None and saved.reports_to.code == "14"
