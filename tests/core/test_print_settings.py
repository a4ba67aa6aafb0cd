"""The printing settings: defaults derived from the installation, save/get, refusals."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from danvan_desktop.db.schema import Setting
from danvan_desktop.domain import Directory
from danvan_desktop.services import Services, UserError, open_services
from danvan_desktop.services.print_settings import (
    KEYS,
    HeaderProfile,
    PrintSettings,
    PrintSettingsService,
    place_name,
    print_settings_service,
)


def test_defaults_follow_the_installation(services: Services) -> None:
    settings = print_settings_service(services).get()
    assert settings.header_profile is HeaderProfile.PARTY
    assert settings.header_lines == ("ĐẢNG BỘ TỈNH SƠN LA", "ĐẢNG ỦY XÃ NGỌC CHIẾN")
    assert settings.state_unit == "ỦY BAN NHÂN DÂN XÃ NGỌC CHIẾN"
    assert settings.addressee == "Ban Tuyên giáo và Dân vận Tỉnh ủy Sơn La"
    assert settings.place == "Ngọc Chiến"
    assert settings.approver_title == "XÁC NHẬN CỦA ĐẢNG ỦY XÃ NGỌC CHIẾN"
    assert settings.unit_signer_title == "ĐẠI DIỆN ĐƠN VỊ ĐĂNG KÝ"


def test_defaults_without_an_installation(blank_services: Services) -> None:
    settings = print_settings_service(blank_services).get()
    assert settings.place == ""
    assert settings.unit_signer_title == "ĐẠI DIỆN ĐƠN VỊ ĐĂNG KÝ"


def test_place_names() -> None:
    assert place_name("Xã Ngọc Chiến") == "Ngọc Chiến"
    assert place_name("Phường Tô Hiệu") == "Tô Hiệu"
    assert place_name("Đặc khu Côn Đảo") == "Côn Đảo"
    assert place_name("Ban Dân vận") == "Ban Dân vận"


def test_save_stores_every_key_cleaned_and_survives_reopening(services: Services) -> None:
    service = print_settings_service(services)
    nfd_name = unicodedata.normalize("NFD", "Hà  Văn Tuấn ")
    saved = service.save(
        dataclasses.replace(
            service.get(),
            header_profile=HeaderProfile.STATE,
            state_upper="UBND TỈNH SƠN LA",
            approver_title="TM. ĐẢNG ỦY\n  BÍ THƯ  \n\n",
            approver_name=nfd_name,
            place="Mường La",
        )
    )
    assert saved.approver_name == "Hà Văn Tuấn"
    assert saved.approver_title == "TM. ĐẢNG ỦY\nBÍ THƯ"
    assert saved.header_lines == ("UBND TỈNH SƠN LA", "ỦY BAN NHÂN DÂN XÃ NGỌC CHIẾN")
    with services.db.session() as session:
        stored = {s.key for s in session.query(Setting).filter(Setting.key.in_(KEYS))}
    assert stored == set(KEYS)

    path = services.db_path
    services.close()
    reopened = open_services(path)
    try:
        again = PrintSettingsService(reopened.db, reopened.installation).get()
        assert again == saved
    finally:
        reopened.close()


def test_saved_values_outlive_a_change_of_unit(services: Services) -> None:
    service = print_settings_service(services)
    service.save(dataclasses.replace(service.get(), addressee="Ban Dân vận Huyện ủy Mường La"))
    other = services.units.by_code("14", Directory.CURRENT)
    services.installation.save(unit_id=other.id, reports_to_id=None, staff_name="Lò Văn A")
    assert service.get().addressee == "Ban Dân vận Huyện ủy Mường La"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"header_profile": "royal"}, "Mẫu tiêu đề"),
        ({"party_committee": "  "}, "Cấp ủy ban hành"),
        ({"header_profile": HeaderProfile.STATE, "state_unit": ""}, "Cơ quan, đơn vị"),
        ({"place": ""}, "Địa danh"),
        ({"addressee": "x" * 256}, "Kính gửi"),
        ({"unit_signer_title": "A\nB\nC\nD"}, "tối đa 3 dòng"),
        ({"approver_name": "Hà\x07Văn"}, "ký tự điều khiển"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(
    services: Services, changes: dict[str, object], message: str
) -> None:
    service = print_settings_service(services)
    before = service.get()
    bad = dataclasses.replace(before, **changes)  # type: ignore[arg-type]
    with pytest.raises(UserError, match=message):
        service.save(bad)
    assert service.get() == before
    with services.db.session() as session:
        assert session.query(Setting).filter(Setting.key.in_(KEYS)).count() == 0


def test_a_stored_unknown_profile_falls_back_to_party(services: Services) -> None:
    with services.db.session() as session:
        session.merge(Setting(key="print.header_profile", value="future-profile"))
    assert print_settings_service(services).get().header_profile is HeaderProfile.PARTY


def test_default_print_settings_are_valid_for_saving(services: Services) -> None:
    service = print_settings_service(services)
    assert service.save(service.get()) == service.get()
    assert isinstance(service.get(), PrintSettings)
