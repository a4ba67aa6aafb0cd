"""Database rows as package JSON objects (one function per record type), shared by the writer
and by the comparison in apply.py, so "same content" means the same JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from danvan_desktop.db.schema import Model, ModelEvent, Unit
from danvan_desktop.domain import DATE_FIELDS, MODEL_FIELD_NAMES

UnitRef = tuple[str, str]  # (directory, code)
_DATA_KEYS = tuple(name for name in MODEL_FIELD_NAMES if name != "unit_id")


def time_text(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def parse_time(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def parse_date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def ref_json(ref: UnitRef | None) -> dict[str, str] | None:
    return None if ref is None else {"directory": ref[0], "code": ref[1]}


def ref_of(obj: dict[str, Any] | None) -> UnitRef | None:
    return None if obj is None else (str(obj["directory"]), str(obj["code"]))


def unit_json(unit: Unit, parent: UnitRef | None) -> dict[str, Any]:
    return {
        "directory": unit.directory,
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "division_type": unit.division_type,
        "parent": ref_json(parent),
    }


def event_json(
    event: ModelEvent, uuid_of: dict[int, str], ref_by_id: dict[int, UnitRef]
) -> dict[str, Any]:
    return {
        "uuid": event.uuid,
        "status": event.status,
        "event_date": event.event_date.isoformat(),
        "recorded_by": event.recorded_by,
        "recorded_at": time_text(event.recorded_at),
        "deciding_body": event.deciding_body,
        "decision_number": event.decision_number,
        "decision_date": event.decision_date.isoformat() if event.decision_date else None,
        "commendation_form": event.commendation_form,
        "commendation_level": event.commendation_level,
        "note": event.note,
        "replaces": uuid_of.get(event.replaces_id) if event.replaces_id else None,
        "voided_at": time_text(event.voided_at),
        "voided_by": event.voided_by,
        "void_reason": event.void_reason,
        "owner_unit": ref_json(ref_by_id.get(event.owner_unit_id)) if event.owner_unit_id else None,
    }


def event_order(event: dict[str, Any]) -> tuple[str, str]:
    return (str(event["recorded_at"]), str(event["uuid"]))


def model_json(model: Model, ref_by_id: dict[int, UnitRef]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in _DATA_KEYS:
        value = getattr(model, name)
        if name in DATE_FIELDS:
            value = value.isoformat() if value else None
        data[name] = value
    uuid_of = {event.id: event.uuid for event in model.events}
    events = sorted(
        (event_json(event, uuid_of, ref_by_id) for event in model.events), key=event_order
    )
    return {
        "uuid": model.uuid,
        "unit": ref_json(ref_by_id[model.unit_id]),
        "revision": model.revision,
        "created_at": time_text(model.created_at),
        "updated_at": time_text(model.updated_at),
        "created_by": model.created_by,
        "updated_by": model.updated_by,
        "deleted": model.deleted,
        "deleted_at": time_text(model.deleted_at),
        "data": data,
        "events": events,
    }


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text kept as is (Vietnamese readable)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
