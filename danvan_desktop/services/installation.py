"""Who this installation is: its unit, the unit it reports to, the staff member."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import Setting, Unit
from danvan_desktop.domain import normalize_line
from danvan_desktop.services import audit
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.units import UnitInfo, UnitService

# Every key kept in the setting table, declared once.
UNIT_ID = "installation.unit_id"
REPORTS_TO_ID = "installation.reports_to_id"
STAFF_NAME = audit.STAFF_NAME_KEY  # "installation.staff_name"
STAFF_POSITION = "installation.staff_position"
KEYS = (UNIT_ID, REPORTS_TO_ID, STAFF_NAME, STAFF_POSITION)


@dataclass(frozen=True)
class Installation:
    unit: UnitInfo
    reports_to: UnitInfo | None
    staff_name: str
    staff_position: str


class InstallationService:
    def __init__(self, db: Database, units: UnitService) -> None:
        self._db = db
        self._units = units

    def _values(self) -> dict[str, str]:
        with self._db.session() as session:
            return {
                s.key: s.value
                for s in session.scalars(select(Setting).where(Setting.key.in_(KEYS)))
            }

    def is_set_up(self) -> bool:
        return UNIT_ID in self._values()

    def get(self) -> Installation:
        values = self._values()
        if UNIT_ID not in values:
            raise UserError(
                "Cơ sở dữ liệu chưa được thiết lập đơn vị. "
                "Hãy mở phần mềm để thiết lập, hoặc chạy: danvan init --unit MÃ_ĐƠN_VỊ"
            )
        reports_to = values.get(REPORTS_TO_ID)
        return Installation(
            unit=self._units.get(int(values[UNIT_ID])),
            reports_to=self._units.get(int(reports_to)) if reports_to else None,
            staff_name=values.get(STAFF_NAME, ""),
            staff_position=values.get(STAFF_POSITION, ""),
        )

    def staff_name(self) -> str:
        """Who is recorded as having done things ("" before set-up)."""
        return self._values().get(STAFF_NAME, "")

    def save(
        self,
        *,
        unit_id: int,
        reports_to_id: int | None,
        staff_name: str,
        staff_position: str = "",
    ) -> Installation:
        """Set up, or change, the installation; one transaction."""
        staff_name = normalize_line(staff_name)
        staff_position = normalize_line(staff_position)
        problems = []
        if not staff_name:
            problems.append("Họ tên cán bộ: bắt buộc nhập.")
        if len(staff_name) > 255 or len(staff_position) > 255:
            problems.append("Họ tên và chức vụ: tối đa 255 ký tự.")
        if reports_to_id is not None and reports_to_id == unit_id:
            problems.append("Đơn vị cấp trên: không thể là chính đơn vị này.")
        with self._db.session() as session:
            if session.get(Unit, unit_id) is None:
                problems.append("Đơn vị: không có trong danh mục.")
            if reports_to_id is not None and session.get(Unit, reports_to_id) is None:
                problems.append("Đơn vị cấp trên: không có trong danh mục.")
            if problems:
                raise UserError(" ".join(problems))
            values = {
                UNIT_ID: str(unit_id),
                REPORTS_TO_ID: "" if reports_to_id is None else str(reports_to_id),
                STAFF_NAME: staff_name,
                STAFF_POSITION: staff_position,
            }
            before = {
                s.key: s.value
                for s in session.scalars(select(Setting).where(Setting.key.in_(KEYS)))
            }
            changes = _setting_changes(session, before, values)
            for key, value in values.items():
                session.merge(Setting(key=key, value=value))
            if changes:
                # The person saving is the staff member the dialog now names.
                audit.record(
                    session,
                    audit.AuditAction.SETTINGS,
                    actor=staff_name,
                    subject="Cài đặt đơn vị",
                    changes=changes,
                )
        return self.get()


_SETTING_LABELS = {
    UNIT_ID: "Đơn vị",
    REPORTS_TO_ID: "Đơn vị cấp trên",
    STAFF_NAME: "Họ tên cán bộ",
    STAFF_POSITION: "Chức vụ cán bộ",
}


def _setting_changes(
    session: Session, before: dict[str, str], after: dict[str, str]
) -> list[audit.FieldChange]:
    """Each installation value that changes, units shown by name and code."""

    def shown(key: str, value: str) -> str:
        if key in (UNIT_ID, REPORTS_TO_ID) and value:
            unit = session.get(Unit, int(value))
            return f"{unit.name} ({unit.code})" if unit is not None else value
        return value

    return [
        audit.FieldChange(key, label, shown(key, before.get(key, "")), shown(key, after[key]))
        for key, label in _SETTING_LABELS.items()
        if before.get(key, "") != after[key]
    ]
