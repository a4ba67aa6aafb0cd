"""What the printed documents say about who sends them: the header, the addressee, the place on
the date line and the two signers. Stored in the database (`setting` table) so they travel with
the data file; a value never saved falls back to one derived from the installation's units.

Pure Python: the printing code in ui/printing reads a `PrintSettings` and draws it.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import Setting
from danvan_desktop.domain import UnitLevel, normalize_line, normalize_text
from danvan_desktop.services import audit
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.installation import Installation, InstallationService
from danvan_desktop.services.units import UnitInfo

if TYPE_CHECKING:
    from danvan_desktop.services import Services


class HeaderProfile(enum.StrEnum):
    PARTY = "party"  # "ĐẢNG CỘNG SẢN VIỆT NAM", the Party committee with the asterisk line
    STATE = "state"  # Quốc hiệu and tiêu ngữ, the unit


HEADER_PROFILE_LABELS: dict[HeaderProfile, str] = {
    HeaderProfile.PARTY: "Văn bản của Đảng (ĐẢNG CỘNG SẢN VIỆT NAM)",
    HeaderProfile.STATE: "Văn bản hành chính (Quốc hiệu, tiêu ngữ)",
}

LINE_MAX = 255
TITLE_LINES_MAX = 3  # a signer's title may run over lines: "TM. BAN THƯỜNG VỤ" / "BÍ THƯ"


@dataclass(frozen=True)
class PrintSettings:
    header_profile: HeaderProfile = HeaderProfile.PARTY
    party_upper: str = ""  # "ĐẢNG BỘ TỈNH SƠN LA"
    party_committee: str = ""  # "ĐẢNG ỦY XÃ NGỌC CHIẾN"
    state_upper: str = ""  # the managing body, may be empty: "UBND TỈNH SƠN LA"
    state_unit: str = ""  # "ỦY BAN NHÂN DÂN XÃ NGỌC CHIẾN"
    addressee: str = ""  # after "Kính gửi:"
    place: str = ""  # before ", ngày … tháng … năm …"
    unit_signer_title: str = ""  # the registering unit's representative
    unit_signer_name: str = ""
    approver_title: str = ""  # the approving Party committee / body
    approver_name: str = ""

    @property
    def header_lines(self) -> tuple[str, str]:
        """(upper body, own body) of the chosen profile, top left of the page."""
        if self.header_profile is HeaderProfile.PARTY:
            return self.party_upper, self.party_committee
        return self.state_upper, self.state_unit


# Field name -> (setting key, Vietnamese label). Every key kept in the setting table, declared once.
SETTING_KEYS: dict[str, str] = {
    "header_profile": "print.header_profile",
    "party_upper": "print.party_upper",
    "party_committee": "print.party_committee",
    "state_upper": "print.state_upper",
    "state_unit": "print.state_unit",
    "addressee": "print.addressee",
    "place": "print.place",
    "unit_signer_title": "print.unit_signer_title",
    "unit_signer_name": "print.unit_signer_name",
    "approver_title": "print.approver_title",
    "approver_name": "print.approver_name",
}
KEYS = tuple(SETTING_KEYS.values())
LABELS: dict[str, str] = {
    "header_profile": "Mẫu tiêu đề",
    "party_upper": "Đảng bộ cấp trên",
    "party_committee": "Cấp ủy ban hành",
    "state_upper": "Cơ quan chủ quản",
    "state_unit": "Cơ quan, đơn vị",
    "addressee": "Kính gửi",
    "place": "Địa danh",
    "unit_signer_title": "Chức danh người ký của đơn vị đăng ký",
    "unit_signer_name": "Họ tên người ký của đơn vị đăng ký",
    "approver_title": "Chức danh người ký xác nhận",
    "approver_name": "Họ tên người ký xác nhận",
}
MULTILINE = frozenset({"unit_signer_title", "approver_title"})

_PLACE_PREFIXES = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ", "Thị xã ", "Huyện ", "Quận ")
_PROVINCE_PREFIXES = ("Tỉnh ", "Thành phố ")


def place_name(unit_name: str) -> str:
    """ "Xã Ngọc Chiến" → "Ngọc Chiến": the place as written on a date line."""
    for prefix in _PLACE_PREFIXES + _PROVINCE_PREFIXES:
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def party_committee_name(unit: UnitInfo) -> str:
    """The Party committee of an administrative unit: Tỉnh Sơn La → "Tỉnh ủy Sơn La",
    Xã Ngọc Chiến → "Đảng ủy xã Ngọc Chiến"."""
    if unit.level is UnitLevel.PROVINCE:
        short = place_name(unit.name)
        return ("Thành ủy " if unit.name.startswith("Thành phố ") else "Tỉnh ủy ") + short
    if unit.level is UnitLevel.DISTRICT:
        for prefix, committee in (
            ("Huyện ", "Huyện ủy "),
            ("Quận ", "Quận ủy "),
            ("Thị xã ", "Thị ủy "),
            ("Thành phố ", "Thành ủy "),
        ):
            if unit.name.startswith(prefix):
                return committee + unit.name[len(prefix) :]
    if unit.level is UnitLevel.COMMUNE:
        return "Đảng ủy " + unit.name[:1].lower() + unit.name[1:]
    return unit.name


def default_settings(installation: Installation | None) -> PrintSettings:
    """What a commune office would write on the form, derived from its units."""
    if installation is None:
        return PrintSettings(
            unit_signer_title="ĐẠI DIỆN ĐƠN VỊ ĐĂNG KÝ",
            approver_title="XÁC NHẬN CỦA CẤP ỦY",
        )
    unit = installation.unit
    party_upper = ""
    if unit.parent_name:
        party_upper = "ĐẢNG BỘ " + unit.parent_name.upper()
    committee = party_committee_name(unit).upper()
    if unit.level is UnitLevel.COMMUNE:
        committee = "ĐẢNG ỦY " + unit.name.upper()
    reports_to = installation.reports_to
    if reports_to is None:
        addressee = ""
    elif reports_to.level is UnitLevel.PROVINCE:
        # Since 1/7/2025 the province's Ban Tuyên giáo và Dân vận receives the communes' forms.
        addressee = "Ban Tuyên giáo và Dân vận " + party_committee_name(reports_to)
    elif reports_to.level is UnitLevel.DISTRICT:
        addressee = "Ban Dân vận " + party_committee_name(reports_to)
    else:
        addressee = reports_to.name
    return PrintSettings(
        header_profile=HeaderProfile.PARTY,
        party_upper=party_upper,
        party_committee=committee,
        state_upper="",
        state_unit="ỦY BAN NHÂN DÂN " + unit.name.upper()
        if unit.level is not UnitLevel.OTHER
        else unit.name.upper(),
        addressee=addressee,
        place=place_name(unit.name),
        unit_signer_title="ĐẠI DIỆN ĐƠN VỊ ĐĂNG KÝ",
        unit_signer_name="",
        approver_title="XÁC NHẬN CỦA " + committee if committee else "XÁC NHẬN CỦA CẤP ỦY",
        approver_name="",
    )


def clean_settings(settings: PrintSettings) -> PrintSettings:
    """NFC, single spaces; titles keep their line breaks. Raises UserError naming every bad
    value."""
    values: dict[str, object] = {}
    problems: list[str] = []
    for f in fields(PrintSettings):
        if f.name == "header_profile":
            continue
        raw = getattr(settings, f.name)
        if not isinstance(raw, str):
            problems.append(f"{LABELS[f.name]}: giá trị không hợp lệ.")
            continue
        if f.name in MULTILINE:
            lines = [normalize_line(line) for line in normalize_text(raw).splitlines()]
            lines = [line for line in lines if line]
            if len(lines) > TITLE_LINES_MAX:
                problems.append(f"{LABELS[f.name]}: tối đa {TITLE_LINES_MAX} dòng.")
            value = "\n".join(lines)
        else:
            value = normalize_line(raw)
        if len(value) > LINE_MAX:
            problems.append(f"{LABELS[f.name]}: dài quá {LINE_MAX} ký tự, hãy rút gọn.")
        if any(ord(ch) < 32 and ch != "\n" for ch in value):
            problems.append(f"{LABELS[f.name]}: có ký tự điều khiển không in được.")
        values[f.name] = value
    try:
        profile = HeaderProfile(settings.header_profile)
    except ValueError:
        problems.append(
            f"{LABELS['header_profile']}: “{settings.header_profile}” không hợp lệ "
            "(chọn “party” hoặc “state”)."
        )
        profile = HeaderProfile.PARTY
    if not problems:
        if profile is HeaderProfile.PARTY and not values["party_committee"]:
            problems.append(f"{LABELS['party_committee']}: bắt buộc với mẫu văn bản của Đảng.")
        if profile is HeaderProfile.STATE and not values["state_unit"]:
            problems.append(f"{LABELS['state_unit']}: bắt buộc với mẫu văn bản hành chính.")
        if not values["place"]:
            problems.append(f"{LABELS['place']}: bắt buộc (dùng cho dòng “…, ngày … tháng …”).")
    if problems:
        raise UserError("Chưa lưu được thiết lập in. " + " ".join(problems))
    return replace(settings, header_profile=profile, **values)  # type: ignore[arg-type]


class PrintSettingsService:
    def __init__(self, db: Database, installation: InstallationService) -> None:
        self._db = db
        self._installation = installation

    def _stored(self) -> dict[str, str]:
        with self._db.session() as session:
            return {
                s.key: s.value
                for s in session.scalars(select(Setting).where(Setting.key.in_(KEYS)))
            }

    def defaults(self) -> PrintSettings:
        installation = self._installation.get() if self._installation.is_set_up() else None
        return default_settings(installation)

    def get(self) -> PrintSettings:
        """The saved settings, each unsaved value taken from the defaults."""
        stored = self._stored()
        values = asdict(self.defaults())
        for name, key in SETTING_KEYS.items():
            if key in stored:
                values[name] = stored[key]
        try:
            values["header_profile"] = HeaderProfile(values["header_profile"])
        except ValueError:  # written by a newer version or by hand: fall back, do not fail
            values["header_profile"] = HeaderProfile.PARTY
        return PrintSettings(**values)

    def save(self, settings: PrintSettings) -> PrintSettings:
        """Check and store every value in one transaction; returns what was stored."""
        cleaned = clean_settings(settings)
        before = self.get()
        changes = [
            audit.FieldChange(name, LABELS[name], _shown(before, name), _shown(cleaned, name))
            for name in SETTING_KEYS
            if getattr(before, name) != getattr(cleaned, name)
        ]
        with self._db.session() as session:
            for name, key in SETTING_KEYS.items():
                session.merge(Setting(key=key, value=str(getattr(cleaned, name))))
            if changes:
                audit.record(
                    session,
                    audit.AuditAction.SETTINGS,
                    actor=audit.staff_name(session),
                    subject="Thiết lập in ấn",
                    changes=changes,
                )
        return self.get()


def _shown(settings: PrintSettings, name: str) -> str:
    """A value as the dialog shows it: the header profile by its label, titles on one line."""
    value = getattr(settings, name)
    if isinstance(value, HeaderProfile):
        return HEADER_PROFILE_LABELS[value]
    return str(value).replace("\n", " / ")


def print_settings_service(services: Services) -> PrintSettingsService:
    """The service for an open `Services` (its `.print_settings` once that is wired in)."""
    existing = getattr(services, "print_settings", None)
    if isinstance(existing, PrintSettingsService):
        return existing
    return PrintSettingsService(services.db, services.installation)
