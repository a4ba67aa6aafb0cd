"""Database rows as package JSON objects (one function per record type), shared by the writer
and by the comparison in apply.py, so "same content" means the same JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean

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


# The columns `StoredRows` reads, in this order (SELECT them so, from `model` and `model_event`).
# The data fields come in the order of their keys: objects whose keys are already in order cost
# `dumps` less to sort (the result is the same).
_SORTED_DATA_KEYS = tuple(sorted(_DATA_KEYS))
MODEL_COLUMNS = (
    "id", "uuid", "unit_id", "revision", "created_at", "updated_at", "created_by", "updated_by",
    "deleted", "deleted_at", *_SORTED_DATA_KEYS,
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "model_id", "uuid", "status", "event_date", "recorded_by", "recorded_at",
    "deciding_body", "decision_number", "decision_date", "commendation_form",
    "commendation_level", "note", "replaces_id", "voided_at", "voided_by", "void_reason",
    "owner_unit_id",
)  # fmt: skip
# SQLite stores booleans as 0/1: these data fields become JSON true/false as the ORM gives them.
_BOOL_KEYS = tuple(
    name for name in _DATA_KEYS if isinstance(Model.__table__.c[name].type, Boolean)
)


def stored_time_text(value: str | None) -> str | None:
    """`time_text` of a UTC time column read as SQLite stores it (naive UTC text)."""
    if value is None:
        return None
    # The naive time's text and the UTC offset: what `time_text` writes, at a third of the cost
    # of making the time aware first.
    return dt.datetime.fromisoformat(value).isoformat() + "+00:00"


class StoredRows:
    """`model_json` straight from the rows SQLite hands back (plain tuples in the order of
    `MODEL_COLUMNS` and `EVENT_COLUMNS`): the same keys and values, so the same bytes, without
    an ORM object per model and event (a national export writes 100,000 models)."""

    def __init__(self, ref_by_id: dict[int, UnitRef]) -> None:
        self._ref_by_id = ref_by_id
        # Made once per distinct value: a few hundred days and a few thousand units over
        # 100,000 models (the objects are only written, never changed, so they can be shared).
        self._dates: dict[str, str] = {}
        self._refs: dict[int, dict[str, str] | None] = {}

    def _date(self, value: str | None) -> str | None:
        if value is None:
            return None
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = dt.date.fromisoformat(value).isoformat()
        return text

    def _ref(self, unit_id: int | None) -> dict[str, str] | None:
        if not unit_id:
            return None
        if unit_id not in self._refs:
            ref = self._ref_by_id.get(unit_id)
            self._refs[unit_id] = None if ref is None else {"code": ref[1], "directory": ref[0]}
        return self._refs[unit_id]

    def event_json(self, row: Sequence[Any], uuid_of: dict[int, str]) -> dict[str, Any]:
        (_, _, uuid, status, event_date, recorded_by, recorded_at, deciding_body,
         decision_number, decision_date, commendation_form, commendation_level, note,
         replaces_id, voided_at, voided_by, void_reason, owner_unit_id) = row  # fmt: skip
        return {  # keys in order, as the data's
            "commendation_form": commendation_form,
            "commendation_level": commendation_level,
            "deciding_body": deciding_body,
            "decision_date": self._date(decision_date),
            "decision_number": decision_number,
            "event_date": self._date(event_date),
            "note": note,
            "owner_unit": self._ref(owner_unit_id),
            "recorded_at": stored_time_text(recorded_at),
            "recorded_by": recorded_by,
            "replaces": uuid_of.get(replaces_id) if replaces_id else None,
            "status": status,
            "uuid": uuid,
            "void_reason": void_reason,
            "voided_at": stored_time_text(voided_at),
            "voided_by": voided_by,
        }

    def model_json(self, row: Sequence[Any], events: Sequence[Sequence[Any]]) -> dict[str, Any]:
        (_, uuid, unit_id, revision, created_at, updated_at, created_by, updated_by, deleted,
         deleted_at) = row[:10]  # fmt: skip
        data = dict(zip(_SORTED_DATA_KEYS, row[10:], strict=True))
        for name in DATE_FIELDS:
            data[name] = self._date(data[name])
        for name in _BOOL_KEYS:
            data[name] = bool(data[name])
        uuid_of = {event[0]: event[2] for event in events}
        steps = [self.event_json(event, uuid_of) for event in events]
        steps.sort(key=event_order)
        unit = self._ref(unit_id)
        if unit is None:
            raise KeyError(unit_id)  # as `model_json`: a model's unit is always known
        return {  # keys in order, as the data's
            "created_at": stored_time_text(created_at),
            "created_by": created_by,
            "data": data,
            "deleted": bool(deleted),
            "deleted_at": stored_time_text(deleted_at),
            "events": steps,
            "revision": revision,
            "unit": unit,
            "updated_at": stored_time_text(updated_at),
            "updated_by": updated_by,
            "uuid": uuid,
        }


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text kept as is (Vietnamese readable)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
