"""The words of the domain: enums with their Vietnamese labels, text folding, validation.

Pure Python: no database, no Qt. The form, the command line and (later) the Excel and package
importers all validate through `validate_model`, so a record is judged the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


class Kind(enum.StrEnum):
    MODEL = "model"
    EXEMPLAR = "exemplar"


class SubjectType(enum.StrEnum):
    COLLECTIVE = "collective"
    INDIVIDUAL = "individual"


class Field(enum.StrEnum):
    ECONOMY = "economy"
    CULTURE_SOCIETY = "culture_society"
    DEFENSE_SECURITY = "defense_security"
    POLITICAL_SYSTEM = "political_system"
    OTHER = "other"


class Status(enum.StrEnum):
    REGISTERED = "registered"
    IMPLEMENTING = "implementing"
    RECOGNISED = "recognised"
    EXEMPLARY = "exemplary"
    COMMENDED = "commended"
    RETURNED = "returned"  # sent back by the level above for correction, with a remark
    STOPPED = "stopped"


class UnitLevel(enum.StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    OTHER = "other"  # Party committees, mass organisations and other bodies added by hand


class Directory(enum.StrEnum):
    """Which list a unit comes from. Codes repeat between the lists (a 2025 commune kept the code
    of one of the communes merged into it), so a unit is identified by (directory, code)."""

    CURRENT = "2025"
    LEGACY = "legacy"
    CUSTOM = "custom"


KIND_LABELS: dict[Kind, str] = {Kind.MODEL: "Mô hình", Kind.EXEMPLAR: "Điển hình"}
SUBJECT_LABELS: dict[SubjectType, str] = {
    SubjectType.COLLECTIVE: "Tập thể",
    SubjectType.INDIVIDUAL: "Cá nhân",
}
FIELD_LABELS: dict[Field, str] = {
    Field.ECONOMY: "Kinh tế",
    Field.CULTURE_SOCIETY: "Văn hóa – xã hội",
    Field.DEFENSE_SECURITY: "Quốc phòng – an ninh",
    Field.POLITICAL_SYSTEM: "Xây dựng Đảng và hệ thống chính trị",
    Field.OTHER: "Khác",
}
STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "Đăng ký",
    Status.IMPLEMENTING: "Đang triển khai",
    Status.RECOGNISED: "Được công nhận",
    Status.EXEMPLARY: "Tiêu biểu",
    Status.COMMENDED: "Được khen thưởng",
    Status.RETURNED: "Trả lại để sửa",
    Status.STOPPED: "Dừng thực hiện",
}
# The verb on the button that moves a model to that status.
STATUS_ACTIONS: dict[Status, str] = {
    Status.IMPLEMENTING: "Triển khai",
    Status.RECOGNISED: "Công nhận",
    Status.EXEMPLARY: "Chọn tiêu biểu",
    Status.COMMENDED: "Khen thưởng",
    Status.RETURNED: "Trả lại để sửa",
    Status.STOPPED: "Dừng thực hiện",
}
LEVEL_LABELS: dict[UnitLevel, str] = {
    UnitLevel.PROVINCE: "Tỉnh, thành phố",
    UnitLevel.DISTRICT: "Huyện, quận, thị xã",
    UnitLevel.COMMUNE: "Xã, phường, đặc khu",
    UnitLevel.OTHER: "Cơ quan, đơn vị khác",
}
DIRECTORY_LABELS: dict[Directory, str] = {
    Directory.CURRENT: "từ 1/7/2025",
    Directory.LEGACY: "trước 1/7/2025",
    Directory.CUSTOM: "tự thêm",
}
NEW_LABELS: dict[bool, str] = {True: "Mới", False: "Duy trì"}

# The main line of the lifecycle; STOPPED can be reached from any step and left by resuming.
STATUS_ORDER: tuple[Status, ...] = (
    Status.REGISTERED,
    Status.IMPLEMENTING,
    Status.RECOGNISED,
    Status.EXEMPLARY,
    Status.COMMENDED,
)
# Steps that rest on somebody's decision: the deciding body is required for them.
DECIDED_STATUSES = frozenset({Status.RECOGNISED, Status.EXEMPLARY, Status.COMMENDED})

COMMENDATION_FORMS: tuple[str, ...] = (
    "Giấy khen",
    "Bằng khen",
    "Giấy chứng nhận",
    "Thư khen",
    "Huân chương",
    "Khác",
)
COMMENDATION_LEVELS: tuple[str, ...] = (
    "Cấp xã",
    "Cấp huyện",
    "Cấp tỉnh",
    "Cấp Trung ương",
    "Nhà nước",
)


def next_statuses(current: Status, *, from_above: bool = False) -> list[Status]:
    """The statuses a model may move to from `current`.

    Forward along the main line, skipping steps that were not recorded (a model can be
    recognised without anyone having logged "implementing"); stopping from any step; a stopped
    model can resume implementing; a model returned for correction goes on from implementing.
    `from_above`: the level above, on a model it received, records only its own decisions —
    recognition, exemplary, commendation — or returns the model for correction.
    """
    if current is Status.STOPPED:
        steps = [Status.IMPLEMENTING]
    elif current is Status.RETURNED:
        steps = [*STATUS_ORDER[1:], Status.STOPPED]
    else:
        position = STATUS_ORDER.index(current)
        steps = [*STATUS_ORDER[position + 1 :], Status.STOPPED]
    if not from_above:
        return steps
    decisions = [s for s in steps if s in DECIDED_STATUSES]
    if current not in (Status.RETURNED, Status.STOPPED):
        decisions.append(Status.RETURNED)
    return decisions


# ---------------------------------------------------------------------------------------------
# Text

_SPACES = re.compile(r"\s+")
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "’": "'", "‘": "'", "ʼ": "'"})


def normalize_text(value: str) -> str:
    """NFC, trimmed, inner runs of spaces kept as typed except leading/trailing ones.

    Qt does not normalise typed or pasted text; an NFD "Hòa" from a Unikey setting must be stored
    as the same string as an NFC one.
    """
    return unicodedata.normalize("NFC", value).strip()


def normalize_line(value: str) -> str:
    """A one-line value: NFC and single spaces."""
    return _SPACES.sub(" ", normalize_text(value))


def fold(value: str) -> str:
    """The search key of a text: lower case, no diacritics, đ → d, single spaces.

    "Hòa" and "Hoà" (old and new tone placement) both fold to "hoa"; "Đồng bào" to "dong bao".
    """
    decomposed = unicodedata.normalize("NFD", value.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a search box; every word must occur."""
    return [term for term in fold(query).split(" ") if term]


# ---------------------------------------------------------------------------------------------
# The model record

NAME_MAX = 300
LINE_MAX = 255
TEXT_MAX = 20_000
YEAR_MIN = 2000
YEAR_MAX = 2100


@dataclass
class ModelData:
    """Every field of a model as the user (form, command line, workbook) gives it.

    Dates are `datetime.date`; texts are plain strings ("" when empty). The owning unit is given
    by its database id when known; importers that only know a code resolve it first.
    """

    name: str = ""
    kind: Kind = Kind.MODEL
    subject_type: SubjectType = SubjectType.COLLECTIVE
    person_name: str = ""
    person_position: str = ""
    person_unit: str = ""
    field: Field = Field.ECONOMY
    unit_id: int | None = None
    village: str = ""
    ethnic_minority_area: bool = False
    period_start: int | None = None
    period_end: int | None = None
    is_new: bool = True
    registered_on: dt.date | None = None
    situation: str = ""
    goals: str = ""
    content: str = ""
    target_area: str = ""
    lead_forces: str = ""
    coordinating_forces: str = ""
    participating_forces: str = ""
    resources: str = ""
    start_date: dt.date | None = None
    schedule: str = ""
    evaluation_date: dt.date | None = None
    outputs: str = ""
    sustainability: str = ""
    notes: str = ""


# Field name -> Vietnamese label, in the order of the paper form. Messages name fields by these.
MODEL_FIELD_LABELS: dict[str, str] = {
    "name": "Tên mô hình",
    "kind": "Loại hình",
    "subject_type": "Tập thể/Cá nhân",
    "person_name": "Họ tên cá nhân",
    "person_position": "Chức vụ",
    "person_unit": "Đơn vị công tác",
    "field": "Lĩnh vực",
    "unit_id": "Đơn vị đăng ký",
    "village": "Thôn/Bản/Tổ dân phố",
    "ethnic_minority_area": "Vùng đồng bào dân tộc thiểu số",
    "period_start": "Giai đoạn từ năm",
    "period_end": "Giai đoạn đến năm",
    "is_new": "Mới/Duy trì",
    "registered_on": "Ngày đăng ký",
    "situation": "Thực trạng, lý do",
    "goals": "Mục tiêu, tiêu chí",
    "content": "Nội dung, cách thức thực hiện",
    "target_area": "Địa bàn, đối tượng",
    "lead_forces": "Lực lượng chủ trì",
    "coordinating_forces": "Lực lượng phối hợp",
    "participating_forces": "Lực lượng tham gia",
    "resources": "Nguồn lực",
    "start_date": "Ngày bắt đầu",
    "schedule": "Tiến độ thực hiện",
    "evaluation_date": "Thời gian đánh giá",
    "outputs": "Sản phẩm, kết quả đầu ra",
    "sustainability": "Khả năng duy trì, nhân rộng",
    "notes": "Ghi chú",
}

ONE_LINE_FIELDS = ("name", "person_name", "person_position", "person_unit", "village")
LONG_TEXT_FIELDS = (
    "situation",
    "goals",
    "content",
    "target_area",
    "lead_forces",
    "coordinating_forces",
    "participating_forces",
    "resources",
    "schedule",
    "outputs",
    "sustainability",
    "notes",
)
DATE_FIELDS = ("registered_on", "start_date", "evaluation_date")
MODEL_FIELD_NAMES = tuple(f.name for f in fields(ModelData))


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    @property
    def label(self) -> str:
        return MODEL_FIELD_LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class ValidationError(Exception):
    """A record that cannot be saved; `errors` names every field at fault."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))

    @property
    def fields(self) -> list[str]:
        return [e.field for e in self.errors]


def clean_model(data: ModelData) -> ModelData:
    """The record as it will be stored: NFC text, one-line fields on one line, no person for a
    collective."""
    values: dict[str, Any] = {}
    for name in ONE_LINE_FIELDS:
        values[name] = normalize_line(getattr(data, name))
    for name in LONG_TEXT_FIELDS:
        # Keep the user's line breaks, drop trailing spaces and Windows line ends.
        text = normalize_text(getattr(data, name)).replace("\r\n", "\n").replace("\r", "\n")
        values[name] = "\n".join(line.rstrip() for line in text.split("\n"))
    if data.subject_type is SubjectType.COLLECTIVE:
        values.update(person_name="", person_position="", person_unit="")
    return _replace(data, values)


def _replace(data: ModelData, values: Mapping[str, Any]) -> ModelData:
    current = {name: getattr(data, name) for name in MODEL_FIELD_NAMES}
    current.update(values)
    return ModelData(**current)


def validate_model(data: ModelData, *, today: dt.date | None = None) -> ModelData:
    """Check a record; return it cleaned, or raise ValidationError naming every bad field."""
    data = clean_model(data)
    errors: list[FieldError] = []

    def need(name: str, message: str = "bắt buộc nhập.") -> None:
        errors.append(FieldError(name, message))

    if not data.name:
        need("name")
    if data.unit_id is None:
        need("unit_id", "chưa chọn đơn vị.")
    if data.subject_type is SubjectType.INDIVIDUAL and not data.person_name:
        need("person_name", "bắt buộc với điển hình cá nhân: nhập họ tên người được đăng ký.")
    for name, enum_type in (
        ("kind", Kind),
        ("subject_type", SubjectType),
        ("field", Field),
    ):
        value = getattr(data, name)
        if not isinstance(value, enum_type):
            need(name, f"giá trị “{value}” không hợp lệ.")

    for name in ("period_start", "period_end"):
        year = getattr(data, name)
        if year is None:
            need(name)
        elif not YEAR_MIN <= year <= YEAR_MAX:
            need(name, f"năm {year} không hợp lệ (từ {YEAR_MIN} đến {YEAR_MAX}).")
    if (
        data.period_start is not None
        and data.period_end is not None
        and data.period_end < data.period_start
    ):
        need("period_end", "năm kết thúc giai đoạn phải sau hoặc bằng năm bắt đầu.")

    if (
        data.start_date is not None
        and data.evaluation_date is not None
        and data.evaluation_date < data.start_date
    ):
        need("evaluation_date", "thời gian đánh giá phải sau ngày bắt đầu.")
    if (
        data.registered_on is not None
        and today is not None
        and data.registered_on > today + dt.timedelta(days=366)
    ):
        need("registered_on", "ngày đăng ký ở quá xa trong tương lai.")

    for name in ONE_LINE_FIELDS:
        limit = NAME_MAX if name == "name" else LINE_MAX
        if len(getattr(data, name)) > limit:
            need(name, f"dài quá {limit} ký tự, hãy rút gọn.")
    for name in LONG_TEXT_FIELDS:
        if len(getattr(data, name)) > TEXT_MAX:
            need(name, f"dài quá {TEXT_MAX:,} ký tự, hãy rút gọn.".replace(",", "."))
    for name in (*ONE_LINE_FIELDS, *LONG_TEXT_FIELDS):
        if _has_control_chars(getattr(data, name)):
            need(name, "có ký tự điều khiển không in được, hãy xóa và gõ lại.")

    if errors:
        raise ValidationError(errors)
    return data


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control_chars(value: str) -> bool:
    return bool(_CONTROL.search(value))


# ---------------------------------------------------------------------------------------------
# Lifecycle events


@dataclass
class EventData:
    """One step of a model's life as the user records it."""

    status: Status
    event_date: dt.date
    deciding_body: str = ""
    decision_number: str = ""
    decision_date: dt.date | None = None
    commendation_form: str = ""
    commendation_level: str = ""
    note: str = ""


EVENT_FIELD_LABELS: dict[str, str] = {
    "status": "Bước",
    "event_date": "Ngày",
    "deciding_body": "Cơ quan quyết định",
    "decision_number": "Số quyết định",
    "decision_date": "Ngày quyết định",
    "commendation_form": "Hình thức khen thưởng",
    "commendation_level": "Cấp khen thưởng",
    "note": "Ghi chú",
    "reason": "Lý do sửa",
}


class EventError(ValidationError):
    """An event that cannot be recorded; messages name the event's fields."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)

    def __str__(self) -> str:
        return "; ".join(
            f"{EVENT_FIELD_LABELS.get(e.field, e.field)}: {e.message}" for e in self.errors
        )


def validate_event(event: EventData, *, today: dt.date) -> EventData:
    event = EventData(
        status=event.status,
        event_date=event.event_date,
        deciding_body=normalize_line(event.deciding_body),
        decision_number=normalize_line(event.decision_number),
        decision_date=event.decision_date,
        commendation_form=normalize_line(event.commendation_form),
        commendation_level=normalize_line(event.commendation_level),
        note=normalize_text(event.note),
    )
    errors: list[FieldError] = []
    if event.event_date > today:
        errors.append(FieldError("event_date", "không được sau ngày hôm nay."))
    if event.status in DECIDED_STATUSES and not event.deciding_body:
        errors.append(
            FieldError("deciding_body", "bắt buộc với bước công nhận, tiêu biểu, khen thưởng.")
        )
    if event.status is Status.RETURNED and not event.note:
        errors.append(FieldError("note", "bắt buộc: ghi rõ nội dung cần sửa khi trả lại."))
    if event.status is Status.COMMENDED and not event.commendation_form:
        errors.append(FieldError("commendation_form", "bắt buộc khi khen thưởng."))
    if event.decision_date is not None and event.decision_date > today:
        errors.append(FieldError("decision_date", "không được sau ngày hôm nay."))
    for name in ("deciding_body", "decision_number", "commendation_form", "commendation_level"):
        if len(getattr(event, name)) > LINE_MAX:
            errors.append(FieldError(name, f"dài quá {LINE_MAX} ký tự."))
    if len(event.note) > TEXT_MAX:
        errors.append(FieldError("note", f"dài quá {TEXT_MAX} ký tự."))
    if errors:
        raise EventError(errors)
    return event


@dataclass(frozen=True)
class Period:
    start: int
    end: int

    @property
    def label(self) -> str:
        return f"{self.start}–{self.end}" if self.start != self.end else str(self.start)


DEFAULT_PERIODS: tuple[Period, ...] = (Period(2021, 2025), Period(2025, 2030))
