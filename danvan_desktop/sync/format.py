"""The package format: member names, limits and the JSON Schema of every member.

The schemas are plain dicts so the core needs no extra dependency; `validate` implements the
small part of JSON Schema they use (type, const, enum, required, properties,
additionalProperties, items, maxLength, minimum, maximum, pattern, and format "date" and
"date-time" checked as real calendar dates). docs/PACKAGE_FORMAT.md prints them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from danvan_desktop.domain import Field, Kind, Status, SubjectType

FORMAT_NAME = "danvan-package"
# 2: the manifest carries the sender's public key and a signature (sync/signing.py).
FORMAT_VERSION = 2
EXTENSION = ".dvk"
MANIFEST = "manifest.json"
UNITS = "units.json"
MODELS = "models.jsonl"
ACKS = "acknowledgements.json"
# Data members in the fixed order they are written; the manifest comes last (it holds their
# hashes, computed while they stream out).
DATA_MEMBERS = (UNITS, MODELS, ACKS)
ALL_MEMBERS = frozenset((*DATA_MEMBERS, MANIFEST))

# Limits against zip bombs: 100,000 models of full forms are well under 1 GiB of JSON, and
# JSON never compresses 200-fold (zeros do).
MAX_MEMBERS = 16
MAX_TOTAL_SIZE = 1 << 30
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20  # tiny members may compress oddly; only bigger ones are checked
MAX_MANIFEST_SIZE = 1 << 20

KIND_UPWARD = "upward"
KIND_FEEDBACK = "feedback"

_UUID = {
    "type": "string",
    "pattern": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
# A pattern alone lets "2026-02-30" through; "format" makes the reader parse it as well.
_TIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$",
    "format": "date-time",
}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\d$", "format": "date"}
_DATE_OR_NULL = {**_DATE, "type": ["string", "null"]}
_TIME_OR_NULL = {**_TIME, "type": ["string", "null"]}
# Counters and numbers stay within SQLite's and everyone's integers.
INT_MAX = 2**31 - 1
_COUNT = {"type": "integer", "minimum": 0, "maximum": INT_MAX}
_NUMBER = {"type": "integer", "minimum": 1, "maximum": INT_MAX}
_YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}  # domain.YEAR_MIN, YEAR_MAX
_SHA = {"type": "string", "pattern": r"^[0-9a-f]{64}$"}
_LINE = {"type": "string", "maxLength": 300}
_LONG = {"type": "string", "maxLength": 20000}
_DIRECTORY = {"type": "string", "enum": ["2025", "legacy", "custom"]}
UNIT_REF: dict[str, Any] = {
    "type": "object",
    "required": ["directory", "code"],
    "additionalProperties": False,
    "properties": {"directory": _DIRECTORY, "code": {"type": "string", "maxLength": 20}},
}
_UNIT_REF_OR_NULL = {**UNIT_REF, "type": ["object", "null"]}
_NAMED_UNIT: dict[str, Any] = {
    "type": "object",
    "required": ["directory", "code", "name"],
    "additionalProperties": False,
    "properties": {**UNIT_REF["properties"], "name": {"type": "string", "maxLength": 255}},
}

MANIFEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "format", "format_version", "app_version", "kind", "source_unit", "target_units",
        "created_at", "sequence", "counts", "members", "public_key", "signature",
    ],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT_NAME},
        "format_version": _NUMBER,
        "app_version": {"type": "string", "maxLength": 50},
        "kind": {"type": "string", "enum": [KIND_UPWARD, KIND_FEEDBACK]},
        "source_unit": _NAMED_UNIT,
        "target_units": {"type": "array", "items": _NAMED_UNIT},
        "created_at": _TIME,
        "created_by": {"type": "string", "maxLength": 255},
        "sequence": _NUMBER,
        "counts": {
            "type": "object",
            "required": ["units", "models", "tombstones", "events", "acknowledgements"],
            "additionalProperties": False,
            "properties": {
                key: _COUNT
                for key in ("units", "models", "tombstones", "events", "acknowledgements")
            },
        },
        "members": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "sha256", "size"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "sha256": _SHA,
                    "size": _COUNT,
                },
            },
        },
        # base64 of the raw Ed25519 key (32 bytes) and signature (64 bytes); checked by the
        # reader with messages of their own, so the schema only bounds them
        "public_key": {"type": "string", "maxLength": 100},
        "signature": {"type": "string", "maxLength": 200},
    },
}  # fmt: skip

UNIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["directory", "code", "name", "level", "division_type", "parent"],
    "additionalProperties": False,
    "properties": {
        **_NAMED_UNIT["properties"],
        "level": {"type": "string", "enum": ["province", "district", "commune", "other"]},
        "division_type": {"type": "string", "maxLength": 50},
        "parent": _UNIT_REF_OR_NULL,
    },
}
UNITS_SCHEMA: dict[str, Any] = {"type": "array", "items": UNIT_SCHEMA}

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "uuid", "status", "event_date", "recorded_by", "recorded_at", "deciding_body",
        "decision_number", "decision_date", "commendation_form", "commendation_level", "note",
        "replaces", "voided_at", "voided_by", "void_reason", "owner_unit",
    ],
    "additionalProperties": False,
    "properties": {
        "uuid": _UUID,
        "status": {
            "type": "string",
            "enum": [status.value for status in Status],
        },
        "event_date": _DATE,
        "recorded_by": _LINE,
        "recorded_at": _TIME,
        "deciding_body": _LINE,
        "decision_number": _LINE,
        "decision_date": _DATE_OR_NULL,
        "commendation_form": _LINE,
        "commendation_level": _LINE,
        "note": _LONG,
        "replaces": {**_UUID, "type": ["string", "null"]},
        "voided_at": _TIME_OR_NULL,
        "voided_by": _LINE,
        "void_reason": _LONG,
        "owner_unit": _UNIT_REF_OR_NULL,
    },
}  # fmt: skip

MODEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "uuid", "unit", "revision", "created_at", "updated_at", "created_by", "updated_by",
        "deleted", "deleted_at", "data", "events",
    ],
    "additionalProperties": False,
    "properties": {
        "uuid": _UUID,
        "unit": UNIT_REF,
        "revision": _NUMBER,
        "created_at": _TIME,
        "updated_at": _TIME,
        "created_by": _LINE,
        "updated_by": _LINE,
        "deleted": {"type": "boolean"},
        "deleted_at": _TIME_OR_NULL,
        "data": {
            "type": "object",
            "required": [
                "kind", "subject_type", "person_name", "person_position", "person_unit",
                "field", "name", "village", "ethnic_minority_area", "period_start",
                "period_end", "is_new", "registered_on", "situation", "goals", "content",
                "target_area", "lead_forces", "coordinating_forces", "participating_forces",
                "resources", "start_date", "schedule", "evaluation_date", "outputs",
                "sustainability", "notes",
            ],
            "additionalProperties": False,
            "properties": {
                "kind": {"type": "string", "enum": [kind.value for kind in Kind]},
                "subject_type": {"type": "string", "enum": [t.value for t in SubjectType]},
                "field": {"type": "string", "enum": [field.value for field in Field]},
                "ethnic_minority_area": {"type": "boolean"},
                "is_new": {"type": "boolean"},
                "period_start": _YEAR,
                "period_end": _YEAR,
                "registered_on": _DATE_OR_NULL,
                "start_date": _DATE_OR_NULL,
                "evaluation_date": _DATE_OR_NULL,
                **{name: _LINE for name in ("person_name", "person_position", "person_unit",
                                             "name", "village")},
                **{name: _LONG for name in ("situation", "goals", "content", "target_area",
                                             "lead_forces", "coordinating_forces",
                                             "participating_forces", "resources", "schedule",
                                             "outputs", "sustainability", "notes")},
            },
        },
        "events": {"type": "array", "items": EVENT_SCHEMA},
    },
}  # fmt: skip

ACK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["unit", "sha256", "sequence", "imported_at"],
    "additionalProperties": False,
    "properties": {
        "unit": UNIT_REF,
        "sha256": _SHA,
        "sequence": _NUMBER,
        "imported_at": _TIME,
    },
}
ACKS_SCHEMA: dict[str, Any] = {"type": "array", "items": ACK_SCHEMA}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "null": (type(None),),
}


Checker = Callable[[Any, str], "str | None"]
Valid = Callable[[Any], bool]
_CHECKERS: dict[int, tuple[dict[str, Any], Valid, Checker]] = {}


def validate(value: Any, schema: dict[str, Any], path: str = "") -> str | None:
    """The first problem of `value` against `schema` as "path: what", or None."""
    entry = _CHECKERS.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = (schema, _compile_valid(schema), _compile(schema))
        _CHECKERS[id(schema)] = entry
    # Nearly every value is good: a yes/no answer builds no paths or messages and costs a
    # fraction of the full check, which runs only to say what is wrong.
    if entry[1](value):
        return None
    return entry[2](value, path)


def _compile(schema: dict[str, Any]) -> Checker:
    """A checker for `schema`, made once: the keywords are looked at here, not for every value
    (100,000 models of a package go through it). Checks run in this order, first problem wins:
    const, type, enum, string limits, number limits, required keys, properties, items."""
    const = schema.get("const", _ABSENT)
    types = schema.get("type")
    names = [types] if isinstance(types, str) else list(types or ())
    python_types = tuple(t for name in names for t in _TYPES[name])
    bool_ok = "boolean" in names
    enum = schema.get("enum")
    max_length = schema.get("maxLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    date_format = schema.get("format")
    minimum = schema.get("minimum")
    maximum = schema.get("maximum")
    required = tuple(schema.get("required", ()))
    properties = {key: _compile(sub) for key, sub in schema.get("properties", {}).items()}
    closed = schema.get("additionalProperties", True) is False
    items = _compile(schema["items"]) if "items" in schema else None

    def check(value: Any, path: str) -> str | None:
        if const is not _ABSENT and value != const:
            return f"{path or '(gốc)'}: phải là {const!r}"
        if names and not (
            isinstance(value, python_types) and (bool_ok or not isinstance(value, bool))
        ):
            return f"{path or '(gốc)'}: sai kiểu (cần {' hoặc '.join(names)})"
        if value is None:
            return None
        if enum is not None and value not in enum:
            return f"{path or '(gốc)'}: giá trị không hợp lệ {value!r}"
        if isinstance(value, str):
            if max_length is not None and len(value) > max_length:
                return f"{path or '(gốc)'}: dài quá {max_length} ký tự"
            if pattern is not None and not pattern.search(value):
                return f"{path or '(gốc)'}: sai định dạng {value[:40]!r}"
            if date_format is not None and not _is_format(value, date_format):
                return f"{path or '(gốc)'}: không có ngày giờ này trong lịch {value[:40]!r}"
        elif isinstance(value, int) and not isinstance(value, bool):
            if minimum is not None and value < minimum:
                return f"{path or '(gốc)'}: nhỏ hơn {minimum}"
            if maximum is not None and value > maximum:
                return f"{path or '(gốc)'}: lớn hơn {maximum}"
        elif isinstance(value, dict):
            for key in required:
                if key not in value:
                    return f"{path or '(gốc)'}: thiếu khóa “{key}”"
            for key, item in value.items():
                sub = properties.get(key)
                if sub is None:
                    if closed:
                        return f"{path or '(gốc)'}: khóa không hợp lệ “{key}”"
                    continue
                problem = sub(item, f"{path}.{key}" if path else key)
                if problem:
                    return problem
        if items is not None and isinstance(value, list):
            for index, item in enumerate(value):
                problem = items(item, f"{path}[{index}]")
                if problem:
                    return problem
        return None

    return check


_ABSENT = object()
_LEAF_KEYS = frozenset(("type", "enum", "maxLength", "pattern", "format", "minimum", "maximum"))


def _compile_valid(schema: dict[str, Any]) -> Valid:
    """Whether a value passes `_compile(schema)`: the same checks, answered yes or no. Strings,
    integers and booleans get a check of their own kind; objects whose keys are all required
    and none extra compare their key set at once (the shape of every package record)."""
    types = schema.get("type")
    names = [types] if isinstance(types, str) else list(types or ())
    if "const" in schema or not names or not set(schema) <= _LEAF_KEYS | _CONTAINER_KEYS:
        return _generic_valid(schema)
    nullable = "null" in names
    kinds = set(names) - {"null"}
    if kinds == {"string"} and set(schema) <= _LEAF_KEYS:
        return _string_valid(schema, nullable)
    if kinds == {"integer"} and set(schema) <= _LEAF_KEYS and "enum" not in schema:
        minimum, maximum = schema.get("minimum"), schema.get("maximum")

        def integer(value: Any) -> bool:
            if value is None:
                return nullable
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and (minimum is None or value >= minimum)
                and (maximum is None or value <= maximum)
            )

        return integer
    if kinds == {"boolean"} and set(schema) == {"type"}:
        return lambda value: isinstance(value, bool) or (nullable and value is None)
    if kinds == {"object"} and set(schema) <= {"type", *_CONTAINER_KEYS} - {"items"}:
        return _object_valid(schema, nullable)
    return _generic_valid(schema)


_CONTAINER_KEYS = frozenset(("required", "properties", "additionalProperties", "items"))


def _string_valid(schema: dict[str, Any], nullable: bool) -> Valid:
    enum = schema.get("enum")
    max_length = schema.get("maxLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
    date_format = schema.get("format")

    def string(value: Any) -> bool:
        if not isinstance(value, str):
            return nullable and value is None
        return (
            (enum is None or value in enum)
            and (max_length is None or len(value) <= max_length)
            and (pattern is None or pattern.search(value) is not None)
            and (date_format is None or _is_format(value, date_format))
        )

    return string


def _object_valid(schema: dict[str, Any], nullable: bool) -> Valid:
    required = frozenset(schema.get("required", ()))
    closed = schema.get("additionalProperties", True) is False
    if not (closed and required == set(schema.get("properties", {}))):
        return _generic_valid(schema)
    # Plain text fields (a string with a length limit, most of a model) are checked in the
    # loop below; a call per field cost more than the check.
    texts: list[tuple[str, int]] = []
    checks: list[tuple[str, Valid]] = []
    for key, sub in schema["properties"].items():
        if set(sub) == {"type", "maxLength"} and sub["type"] == "string":
            texts.append((key, sub["maxLength"]))
        else:
            checks.append((key, _compile_valid(sub)))

    def obj(value: Any) -> bool:
        if not isinstance(value, dict):
            return nullable and value is None
        # Closed, every property required: the keys must be exactly these.
        if value.keys() != required:
            return False
        for key, limit in texts:
            text = value[key]
            if not isinstance(text, str) or len(text) > limit:
                return False
        for key, valid in checks:  # noqa: SIM110 (a generator costs more than the loop)
            if not valid(value[key]):
                return False
        return True

    return obj


def _generic_valid(schema: dict[str, Any]) -> Valid:
    """Any other schema (the manifest's constant, arrays): the full check, message unused."""
    check = _compile(schema)
    items = _compile_valid(schema["items"]) if "items" in schema else None
    if items is not None and set(schema) == {"type", "items"} and schema["type"] == "array":

        def array(value: Any) -> bool:
            return isinstance(value, list) and all(items(item) for item in value)

        return array
    return lambda value: check(value, "") is None


def _is_format(value: str, name: str) -> bool:
    try:
        if name == "date":
            dt.date.fromisoformat(value)
        elif name == "date-time":
            dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
