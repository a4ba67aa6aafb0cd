"""Models as JSON objects: what `danvan models list --format json` prints and `models add`
reads. The key names are documented in the README; later formats (packages, Excel) reuse them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from danvan_desktop.domain import (
    DATE_FIELDS,
    LONG_TEXT_FIELDS,
    MODEL_FIELD_NAMES,
    ONE_LINE_FIELDS,
    Field,
    Kind,
    ModelData,
    SubjectType,
)
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.models import ModelRecord

# Keys a list prints that `models add` accepts and ignores, so a list can be fed back in.
READ_ONLY_KEYS = frozenset(
    {
        "id",
        "uuid",
        "unit_name",
        "status",
        "revision",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "deleted",
    }
)
WRITABLE_KEYS = frozenset(name for name in MODEL_FIELD_NAMES if name != "unit_id") | {"unit_code"}
# Every key of a model object, in the order `models list` prints them.
JSON_KEYS: tuple[str, ...] = (
    "id", "uuid", "name", "kind", "unit_code", "unit_name", "subject_type", "person_name",
    "person_position", "person_unit", "field", "village", "ethnic_minority_area",
    "period_start", "period_end", "is_new", "status", *DATE_FIELDS, *LONG_TEXT_FIELDS,
    "revision", "created_at", "updated_at", "created_by", "updated_by",
)  # fmt: skip
BOOL_KEYS = ("ethnic_minority_area", "is_new")
YEAR_KEYS = ("period_start", "period_end")


def record_to_json(record: ModelRecord) -> dict[str, Any]:
    data = record.data
    out: dict[str, Any] = {
        "id": record.id,
        "uuid": record.uuid,
        "name": data.name,
        "kind": data.kind.value,
        "unit_code": record.unit_code,
        "unit_name": record.unit_name,
        "subject_type": data.subject_type.value,
        "person_name": data.person_name,
        "person_position": data.person_position,
        "person_unit": data.person_unit,
        "field": data.field.value,
        "village": data.village,
        "ethnic_minority_area": data.ethnic_minority_area,
        "period_start": data.period_start,
        "period_end": data.period_end,
        "is_new": data.is_new,
        "status": record.status.value,
    }
    for name in DATE_FIELDS:
        value = getattr(data, name)
        out[name] = value.isoformat() if value else None
    for name in LONG_TEXT_FIELDS:
        out[name] = getattr(data, name)
    out.update(
        revision=record.revision,
        created_at=record.created_at.isoformat(),
        updated_at=record.updated_at.isoformat(),
        created_by=record.created_by,
        updated_by=record.updated_by,
    )
    return out


def json_to_model(
    obj: object, *, where: str, resolve_unit: Callable[[str], int], default_unit_id: int
) -> ModelData:
    """Read one object; raise UserError naming `where` (e.g. "Mục 3") and the key at fault.

    Only the form of the values is checked here; the rules (required fields, dates in order)
    are domain.validate_model's, applied by the service exactly as for the form.
    """
    if not isinstance(obj, Mapping):
        raise UserError(f"{where}: phải là một đối tượng JSON {{…}}.")
    problems: list[str] = []
    unknown = sorted(set(obj) - WRITABLE_KEYS - READ_ONLY_KEYS)
    if unknown:
        problems.append(f"khóa không hợp lệ: {', '.join(unknown)}")
    values: dict[str, Any] = {}

    def text(key: str) -> None:
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(f"{key} phải là chuỗi")
        else:
            values[key] = value

    for key in (*ONE_LINE_FIELDS, *LONG_TEXT_FIELDS):
        text(key)
    for key, enum_type, default in (
        ("kind", Kind, Kind.MODEL),
        ("subject_type", SubjectType, SubjectType.COLLECTIVE),
        ("field", Field, None),
    ):
        raw = obj.get(key)
        if raw is None:
            if default is None:
                problems.append(f"thiếu {key} ({' | '.join(e.value for e in enum_type)})")
            else:
                values[key] = default
        elif raw not in {e.value for e in enum_type}:
            accepted = " | ".join(e.value for e in enum_type)
            problems.append(f"{key} = {raw!r} không hợp lệ (nhận: {accepted})")
        else:
            values[key] = enum_type(raw)
    for key in BOOL_KEYS:
        raw = obj.get(key, key == "is_new")
        if not isinstance(raw, bool):
            problems.append(f"{key} phải là true hoặc false")
        else:
            values[key] = raw
    for key in YEAR_KEYS:
        raw = obj.get(key)
        if raw is None:
            values[key] = None
        elif isinstance(raw, bool) or not isinstance(raw, int):
            problems.append(f"{key} phải là số năm, ví dụ 2025")
        else:
            values[key] = raw
    for key in DATE_FIELDS:
        raw = obj.get(key)
        if raw in (None, ""):
            values[key] = None
            continue
        try:
            if not isinstance(raw, str):
                raise ValueError
            values[key] = dt.date.fromisoformat(raw)
        except ValueError:
            problems.append(f"{key} = {raw!r} không phải ngày dạng YYYY-MM-DD")
    unit_code = obj.get("unit_code")
    if unit_code in (None, ""):
        values["unit_id"] = default_unit_id
    elif not isinstance(unit_code, str):
        problems.append('unit_code phải là chuỗi, ví dụ "03820"')
    else:
        try:
            values["unit_id"] = resolve_unit(unit_code)
        except UserError as error:
            problems.append(str(error))
    if problems:
        raise UserError(f"{where}: " + "; ".join(problems) + ".")
    return ModelData(**values)
