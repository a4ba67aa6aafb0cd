"""Preview and apply of a verified package. One pass over the models decides, per model, what
the file would do; with `write=True` the same pass does it (inside the caller's transaction).

Rules: match by UUID only; the higher revision wins; equal revision and the same content is
"unchanged"; a lower revision is "stale" and ignored; a tombstone deletes and, having the
higher revision, is never undone by an older file; a file may change only records owned by
units in the sending unit's subtree, so this unit's own models and its own decisions (events
it owns) are never changed by a file from below. The result does not depend on file order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from danvan_desktop.db.schema import Model, ModelEvent, Unit
from danvan_desktop.directory import province_successors
from danvan_desktop.domain import DATE_FIELDS, Directory, Status, fold
from danvan_desktop.services.models import current_status, index_model, index_values
from danvan_desktop.sync import format as fmt
from danvan_desktop.sync.reader import (
    ModelsByLine,
    ModelSummary,
    Package,
    PackageError,
    summary_of,
)
from danvan_desktop.sync.records import (
    UnitRef,
    dumps,
    model_json,
    parse_date,
    parse_time,
    ref_of,
)

_BLOCK = 2000  # models read, decided and written together
COUNT_KEYS = ("created", "updated", "unchanged", "stale", "deleted", "refused")
COUNT_LABELS = {
    "created": "Thêm mới",
    "updated": "Cập nhật",
    "unchanged": "Không đổi",
    "stale": "Cũ hơn, bỏ qua",
    "deleted": "Xóa",
    "refused": "Từ chối",
}


@dataclass(frozen=True)
class ModelChange:
    """One model a written file created, updated or deleted (for the audit log)."""

    uuid: str
    name: str
    key: str  # "created", "updated", "deleted"
    old_revision: int | None  # None: new here
    new_revision: int


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (model name, reason)
    changed: list[ModelChange] = field(default_factory=list)  # filled when writing


@dataclass(frozen=True)
class UnitRow:
    """What applying needs of a unit; plain values, so they outlive the session's objects
    (the session is emptied after every block to keep memory flat)."""

    id: int
    directory: str
    code: str
    name: str
    parent_id: int | None


_UNIT_COLUMNS = (Unit.id, Unit.directory, Unit.code, Unit.name, Unit.parent_id)


class UnitResolver:
    """Unit references of a package against the directory in the database."""

    def __init__(self, session: Session, package: Package) -> None:
        self._session = session
        self._package = package
        self._from_file = {(u["directory"], u["code"]): u for u in package.units}
        self._db: dict[UnitRef, UnitRow | None] = {}
        self._by_id: dict[int, UnitRow] = {}
        self._within: dict[tuple[UnitRef, UnitRef], bool] = {}
        # The file's units in one query rather than one query each.
        refs = list(self._from_file)
        for start in range(0, len(refs), 400):
            chunk = refs[start : start + 400]
            self._load(tuple_(Unit.directory, Unit.code).in_(chunk))
            for ref in chunk:
                self._db.setdefault(ref, None)

    def _load(self, condition: ColumnElement[bool]) -> list[UnitRow]:
        rows = [
            UnitRow(*row) for row in self._session.execute(select(*_UNIT_COLUMNS).where(condition))
        ]
        for row in rows:
            self._db[(row.directory, row.code)] = row
            self._by_id[row.id] = row
        return rows

    def db_unit(self, ref: UnitRef) -> UnitRow | None:
        if ref not in self._db:
            found = self._load(and_(Unit.directory == ref[0], Unit.code == ref[1]))
            self._db[ref] = found[0] if found else None
        return self._db[ref]

    def _by_unit_id(self, unit_id: int) -> UnitRow | None:
        if unit_id not in self._by_id:
            self._load(Unit.id == unit_id)
        return self._by_id.get(unit_id)

    def known(self, ref: UnitRef) -> bool:
        return self.db_unit(ref) is not None or (
            ref[0] == Directory.CUSTOM.value and ref in self._from_file
        )

    def parent(self, ref: UnitRef) -> UnitRef | None:
        unit = self.db_unit(ref)
        if unit is not None:  # the directory here is trusted over the file's claim
            if unit.parent_id is None:
                return None
            parent = self._by_unit_id(unit.parent_id)
            return None if parent is None else (parent.directory, parent.code)
        item = self._from_file.get(ref)
        return ref_of(item["parent"]) if item else None

    def is_within(self, ref: UnitRef, root: UnitRef) -> bool:
        """`ref` is `root` or below it. A 2025 province also holds the pre-2025 provinces
        merged into it (and so their districts and communes)."""
        key = (ref, root)
        if key not in self._within:
            self._within[key] = self._walk_up(ref, root)
        return self._within[key]

    def _walk_up(self, ref: UnitRef, root: UnitRef) -> bool:
        current: UnitRef | None = ref
        for _ in range(20):
            if current is None:
                return False
            if current == root or _merged_into(current, root):
                return True
            current = self.parent(current)
        return False

    def name(self, ref: UnitRef) -> str:
        unit = self.db_unit(ref)
        if unit is not None:
            return f"{unit.name} ({unit.code})"
        item = self._from_file.get(ref)
        return f"{item['name']} ({ref[1]})" if item else ref[1]

    def ensure(self, ref: UnitRef) -> UnitRow:
        """The unit, creating a unit added by hand elsewhere (it travels with the package)."""
        unit = self.db_unit(ref)
        if unit is not None:
            return unit
        item = self._from_file[ref]
        parent_ref = ref_of(item["parent"])
        parent = self.ensure(parent_ref) if parent_ref else None
        created = Unit(
            directory=ref[0],
            code=ref[1],
            name=item["name"],
            name_folded=fold(item["name"]),
            division_type=item["division_type"],
            level=item["level"],
            parent_id=parent.id if parent else None,
        )
        self._session.add(created)
        self._session.flush()
        row = UnitRow(created.id, ref[0], ref[1], created.name, created.parent_id)
        self._db[ref] = row
        self._by_id[row.id] = row
        self._within.clear()  # a new unit may change what lies below what
        return row


def check_units(session: Session, package: Package, this: UnitRef) -> UnitResolver:
    """Whole-file checks that need the directory; raise PackageError when refused."""
    units = UnitResolver(session, package)
    name = package.name
    for item in package.units:
        ref = (item["directory"], item["code"])
        if ref[0] != Directory.CUSTOM.value and units.db_unit(ref) is None:
            raise PackageError(
                f"Tệp “{name}” bị từ chối: đơn vị {item['name']} ({ref[1]}) không có trong danh "
                "mục của phần mềm này. Hãy cập nhật phần mềm rồi nhập lại."
            )
    source = package.source
    if source == this:
        raise PackageError(
            f"Tệp “{name}” bị từ chối: tệp do chính đơn vị này xuất ra, không phải của cấp "
            "dưới. Hãy chọn tệp do các đơn vị cấp dưới gửi lên."
        )
    if not units.known(source):
        raise PackageError(
            f"Tệp “{name}” bị từ chối: không rõ đơn vị gửi ({package.source_name}). "
            "Hãy xin đơn vị gửi tệp xuất lại."
        )
    if package.kind == fmt.KIND_FEEDBACK:
        if not units.is_within(this, source):
            raise PackageError(
                f"Tệp “{name}” bị từ chối: phản hồi của {units.name(source)}, không phải cấp "
                "trên của đơn vị này. Hãy chọn tệp phản hồi do cấp trên gửi xuống."
            )
        if this not in package.targets:
            raise PackageError(
                f"Tệp “{name}” bị từ chối: đây là phản hồi của {units.name(source)} gửi cho "
                "đơn vị khác, không phải đơn vị này. Hãy chọn đúng tệp phản hồi của đơn vị mình."
            )
    elif not (this in package.targets or units.is_within(source, this)):
        raise PackageError(
            f"Tệp “{name}” bị từ chối: tệp của {units.name(source)}, không phải đơn vị cấp "
            "dưới của đơn vị này và không gửi cho đơn vị này. Hãy kiểm tra lại tệp hoặc thiết "
            "lập đơn vị."
        )
    return units


def _owner_ref(event: dict[str, Any], model_unit: UnitRef) -> UnitRef:
    return ref_of(event["owner_unit"]) or model_unit


class UnitRefs:
    """Unit id → (directory, code) of every unit, read when first asked for: only models that
    exist here need them, and a first import has none (reading 13,000 units for every file
    cost more than checking its models)."""

    def __init__(self, read: Callable[[], dict[int, UnitRef]]) -> None:
        self._read = read
        self._refs: dict[int, UnitRef] | None = None

    def all(self) -> dict[int, UnitRef]:
        if self._refs is None:
            self._refs = self._read()
        return self._refs

    def add(self, unit_id: int, ref: UnitRef) -> None:
        """A unit created since they were read (one not read yet is read with the rest)."""
        if self._refs is not None:
            self._refs[unit_id] = ref


def process(
    session: Session,
    package: Package,
    this: UnitRef,
    *,
    write: bool,
    unit_refs: Callable[[], dict[int, UnitRef]],
) -> Outcome:
    """What the file does (with `write`, does it). `unit_refs` reads every unit's id and
    reference in this session; it is called only if a model of the file exists here."""
    units = check_units(session, package, this)
    ref_by_id = UnitRefs(unit_refs)
    source = package.source
    outcome = Outcome()

    feedback = package.kind == fmt.KIND_FEEDBACK

    def owned_by_file(owner: UnitRef) -> bool:
        # Upward: the sender's subtree owns what the file may change. Feedback from above:
        # only the decisions of units outside this unit's subtree (the levels above).
        if feedback:
            return not units.is_within(owner, this)
        return units.is_within(owner, source)

    def may_carry(unit_ref: UnitRef) -> bool:
        root = this if feedback else source
        return units.known(unit_ref) and units.is_within(unit_ref, root)

    # A block of the file's models: the summary of each, with the whole model when writing
    # (the preview reads whole only the models that exist here).
    batch: list[tuple[ModelSummary, dict[str, Any] | None]] = []
    new: list[dict[str, Any]] = []  # models this block creates, written together
    by_line = ModelsByLine(package)
    # Fold each distinct text once (for sorting and search) rather than once per model.
    folding = functools.lru_cache(maxsize=20_000)(fold)

    def flush() -> None:
        uuids = list({summary.uuid for summary, _obj in batch})
        # Which models exist, in one light query; only those are loaded whole (with events),
        # so a first import of many models never builds an object per model.
        present = list(session.scalars(select(Model.id).where(Model.uuid.in_(uuids))))
        existing = {
            m.uuid: m
            for m in session.scalars(
                select(Model).where(Model.id.in_(present)).options(selectinload(Model.events))
            )
        } if present else {}  # fmt: skip
        if not write and existing:
            wanted = [summary.line for summary, _obj in batch if summary.uuid in existing]
            whole = by_line.read(wanted)
            batch[:] = [(summary, whole.get(summary.line)) for summary, _obj in batch]
        seen: set[str] = set()
        for summary, obj in batch:
            if summary.uuid in seen:  # an exact duplicate line (different ones are refused)
                continue
            seen.add(summary.uuid)
            _one(summary, obj, existing.get(summary.uuid))
        batch.clear()
        if write:  # keep memory flat: write this block out and forget its objects
            session.flush()
            if new:
                _insert_new(session, units, new, owned_by_file, ref_by_id, folding)
                new.clear()
            session.expunge_all()

    def _one(summary: ModelSummary, obj: dict[str, Any] | None, model: Model | None) -> None:
        unit_ref = summary.unit
        title = summary.name
        if not may_carry(unit_ref):
            raise PackageError(
                f"Tệp “{package.name}” bị từ chối: mô hình “{title[:60]}” thuộc "
                f"{units.name(unit_ref)}, không phải đơn vị gửi hay đơn vị trực thuộc. Hãy xin "
                "đơn vị gửi tệp xuất lại."
            )
        if model is None:
            if feedback:  # only the level above's decisions on this unit's own models
                outcome.counts["refused"] += 1
                outcome.refusals.append((title, "mô hình không có ở đơn vị này"))
                return
            key = "deleted" if summary.deleted else "created"
            outcome.counts[key] += 1
            if write:
                assert obj is not None
                change = ModelChange(summary.uuid, title, key, None, summary.revision)
                outcome.changed.append(change)
                new.append(obj)
            return
        assert obj is not None  # read whole: the model exists here
        if feedback:
            _decisions(obj, model)
            return
        model_ref = ref_by_id.all().get(model.unit_id)
        if model_ref is None or not owned_by_file(model_ref):
            outcome.counts["refused"] += 1
            outcome.refusals.append(
                (title, "mô hình này ở đây thuộc đơn vị khác; tệp từ cấp dưới không sửa được")
            )
            return
        if obj["revision"] == model.revision and _data_text(obj) != _data_text(
            model_json(model, ref_by_id.all())
        ):
            outcome.counts["refused"] += 1
            outcome.refusals.append(
                (title, "cùng phiên bản nhưng nội dung khác với dữ liệu đang có")
            )
            return
        newer = obj["revision"] > model.revision
        news = _event_news(model, obj, owned_by_file)
        if newer:
            key = "deleted" if obj["deleted"] and not model.deleted else "updated"
        elif news:
            key = "updated"
        else:
            key = "stale" if obj["revision"] < model.revision else "unchanged"
        outcome.counts[key] += 1
        if write and (newer or news):
            after = obj["revision"] if newer else model.revision
            outcome.changed.append(ModelChange(obj["uuid"], title, key, model.revision, after))
            _write(session, units, obj, model, owned_by_file, ref_by_id, data=newer)

    def _decisions(obj: dict[str, Any], model: Model) -> None:
        """Feedback: only the level above's own events; this unit's data stays its own."""
        news = _event_news(model, obj, owned_by_file)
        outcome.counts["updated" if news else "unchanged"] += 1
        if write and news:
            revision = model.revision
            outcome.changed.append(
                ModelChange(obj["uuid"], model.name, "updated", revision, revision)
            )
            _write(session, units, obj, model, owned_by_file, ref_by_id, data=False)

    if write:
        refs: dict[UnitRef, UnitRef] = {}
        items: Iterator[tuple[ModelSummary, dict[str, Any] | None]] = (
            (summary_of(obj, line, refs), obj)
            for line, obj in enumerate(package.models(), start=1)
        )
    else:  # from what the reader kept while verifying: the file is not parsed again
        items = ((summary, None) for summary in package.summaries)
    with _large_cache(session) if write else contextlib.nullcontext():
        for item in items:
            batch.append(item)
            if len(batch) >= _BLOCK:
                flush()
        flush()
    return outcome


# SQLite's page cache while a file is written, in KiB (the default is 2 MiB): the models of a
# file land at random places of the uuid, name and search-index b-trees, which a small cache
# read again from the file for every block.
_WRITE_CACHE_KIB = 65536


@contextlib.contextmanager
def _large_cache(session: Session) -> Iterator[None]:
    connection = session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_WRITE_CACHE_KIB}")
    try:
        yield
    finally:  # the connection goes back to the pool as it was
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _data_text(obj: dict[str, Any]) -> str:
    """The JSON text of the part the revision governs (everything but the events)."""
    return dumps({key: value for key, value in obj.items() if key != "events"})


def _file_events(obj: dict[str, Any], owned_by_file: Any) -> list[dict[str, Any]]:
    unit_ref = (obj["unit"]["directory"], obj["unit"]["code"])
    return [e for e in obj["events"] if owned_by_file(_owner_ref(e, unit_ref))]


def _event_news(model: Model, obj: dict[str, Any], owned_by_file: Any) -> int:
    """Events the file adds or voids. Events are never edited, only added or voided, so
    merging them (union, void wins) is the same whatever order files come in."""
    known = {event.uuid: event for event in model.events}
    news = 0
    for item in _file_events(obj, owned_by_file):
        event = known.get(item["uuid"])
        if event is None or (event.voided_at is None and item["voided_at"] is not None):
            news += 1
    return news


def _insert_new(
    session: Session,
    units: UnitResolver,
    objs: list[dict[str, Any]],
    owned_by_file: Any,
    ref_by_id: UnitRefs,
    folding: Callable[[str], str],
) -> None:
    """Create models the database does not have, with their events: multi-row inserts
    instead of an object per row. The same rows as `_write` on a new model."""
    model_rows: list[dict[str, Any]] = []
    event_lists: list[list[dict[str, Any]]] = []
    for obj in objs:
        unit_ref = (obj["unit"]["directory"], obj["unit"]["code"])
        unit = units.ensure(unit_ref)
        ref_by_id.add(unit.id, unit_ref)
        values = {
            name: parse_date(value) if name in DATE_FIELDS else value
            for name, value in obj["data"].items()
        }
        events = _merged_file_events(_file_events(obj, owned_by_file))
        # As current_status: the latest step still in force, by date, then order of entry.
        live = [
            (dt.date.fromisoformat(e["event_date"]), index, e["status"])
            for index, e in enumerate(events)
            if e["voided_at"] is None
        ]
        values.update(
            uuid=obj["uuid"],
            unit_id=unit.id,
            revision=obj["revision"],
            created_at=_time(obj["created_at"]),
            updated_at=_time(obj["updated_at"]),
            created_by=obj["created_by"],
            updated_by=obj["updated_by"],
            deleted=obj["deleted"],
            deleted_at=parse_time(obj["deleted_at"]),
            status=max(live)[2] if live else Status.REGISTERED.value,
            **index_values(values, unit.name, folding),
        )
        model_rows.append(values)
        event_lists.append(events)
    table: Table = Model.__table__  # type: ignore[assignment]
    # Without RETURNING (in parameter order it makes SQLAlchemy send one row per statement);
    # the new ids are read back by uuid in one query.
    _insert_rows(session, table, model_rows)
    uuids = [row["uuid"] for row in model_rows]
    found = session.execute(select(Model.uuid, Model.id).where(Model.uuid.in_(uuids)))
    id_of = {uuid: model_id for uuid, model_id in found}
    ids = [id_of[uuid] for uuid in uuids]
    event_rows: list[dict[str, Any]] = []
    linked: set[int] = set()
    for model_id, events in zip(ids, event_lists, strict=True):
        for item in events:
            owner_ref = ref_of(item["owner_unit"])
            owner_id = units.ensure(owner_ref).id if owner_ref else None
            event_rows.append(_event_row(item, model_id, owner_id))
            if item["replaces"]:
                linked.add(model_id)
    if event_rows:
        events_table: Table = ModelEvent.__table__  # type: ignore[assignment]
        _insert_rows(session, events_table, event_rows)
    if linked:  # link a correction to the step it replaces, within the same model
        _link_replacements(session, linked, [e for events in event_lists for e in events])


# Rows per INSERT (at most; fewer where SQLite allows fewer parameters). Many rows to a
# statement: the search index (FTS5, filled by a trigger on `model`) writes out its pending
# words at the end of every statement, as a segment it merges later; an INSERT per row
# (executemany) cost several times the insert itself, 200 rows to one still a third more.
_ROWS_PER_INSERT = 1000


def _insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) through the driver: _ROWS_PER_INSERT rows to
    an INSERT, the rows left over 100, 10, then one to an INSERT (few statement shapes, so
    that few statements are prepared and kept). Each value goes through its column type's own
    conversion, so what is stored is what SQLAlchemy would store; SQLAlchemy's bulk insert
    cost more per row than SQLite."""
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    take = operator.itemgetter(*names)
    # Only dates, times and booleans have a conversion; text and numbers go as they are.
    convert = [
        (index, to_stored)
        for index, name in enumerate(names)
        if (to_stored := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]

    def stored(row: dict[str, Any]) -> list[Any]:
        values = list(take(row))
        for index, to_stored in convert:
            values[index] = to_stored(values[index])
        return values

    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    # Within this SQLite's limit of parameters per statement (999 on older builds).
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(_ROWS_PER_INSERT, limit // len(names)))
    one_row = f"({', '.join('?' * len(names))})"
    done = 0
    sizes = sorted({per_statement, *(n for n in (100, 10, 1) if n < per_statement)}, reverse=True)
    for size in sizes:
        statement = (
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES "
            + ", ".join([one_row] * size)
        )
        while len(rows) - done >= size:
            values = [value for row in rows[done : done + size] for value in stored(row)]
            connection.exec_driver_sql(statement, tuple(values))
            done += size


def _merged_file_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per event uuid (a void wins), in the file's order."""
    by_uuid: dict[str, dict[str, Any]] = {}
    for item in events:
        known = by_uuid.get(item["uuid"])
        if known is None:
            by_uuid[item["uuid"]] = item
        elif known["voided_at"] is None and item["voided_at"] is not None:
            voided = {k: item[k] for k in ("voided_at", "voided_by", "void_reason")}
            by_uuid[item["uuid"]] = {**known, **voided}
    return list(by_uuid.values())


def _event_row(item: dict[str, Any], model_id: int, owner_id: int | None) -> dict[str, Any]:
    return {
        "uuid": item["uuid"],
        "model_id": model_id,
        "status": item["status"],
        "event_date": dt.date.fromisoformat(item["event_date"]),
        "recorded_by": item["recorded_by"],
        "recorded_at": _time(item["recorded_at"]),
        "deciding_body": item["deciding_body"],
        "decision_number": item["decision_number"],
        "decision_date": parse_date(item["decision_date"]),
        "commendation_form": item["commendation_form"],
        "commendation_level": item["commendation_level"],
        "note": item["note"],
        "replaces_id": None,
        "voided_at": parse_time(item["voided_at"]),
        "voided_by": item["voided_by"],
        "void_reason": item["void_reason"],
        "owner_unit_id": owner_id,
    }


def _link_replacements(session: Session, model_ids: set[int], items: list[dict[str, Any]]) -> None:
    replaces = {item["uuid"]: item["replaces"] for item in items if item["replaces"]}
    found = session.execute(
        select(ModelEvent.id, ModelEvent.uuid, ModelEvent.model_id).where(
            ModelEvent.model_id.in_(model_ids)
        )
    ).all()
    ids = {(model_id, uuid): event_id for event_id, uuid, model_id in found}
    changes = []
    for event_id, uuid, model_id in found:
        target = replaces.get(uuid)
        if target is not None and (model_id, target) in ids:
            changes.append({"event_id": event_id, "replaces": ids[(model_id, target)]})
    if changes:
        table: Table = ModelEvent.__table__  # type: ignore[assignment]
        session.execute(
            update(table)
            .where(table.c.id == bindparam("event_id"))
            .values(replaces_id=bindparam("replaces")),
            changes,
        )


def _write(
    session: Session,
    units: UnitResolver,
    obj: dict[str, Any],
    model: Model | None,
    owned_by_file: Any,
    ref_by_id: UnitRefs,
    *,
    data: bool = True,
) -> None:
    unit_ref = (obj["unit"]["directory"], obj["unit"]["code"])
    unit = units.ensure(unit_ref)
    ref_by_id.add(unit.id, unit_ref)
    if model is None:
        model = Model(uuid=obj["uuid"])
        session.add(model)
    if data:
        _write_data(model, obj, unit)
    _write_events(session, units, model, _file_events(obj, owned_by_file))
    model.status = (current_status(model.events) if model.events else Status.REGISTERED).value
    index_model(model, unit.name)


def _write_data(model: Model, obj: dict[str, Any], unit: UnitRow) -> None:
    data = obj["data"]
    for name, value in data.items():
        setattr(model, name, parse_date(value) if name in DATE_FIELDS else value)
    model.unit_id = unit.id
    model.revision = obj["revision"]
    model.created_at = _time(obj["created_at"])
    model.updated_at = _time(obj["updated_at"])
    model.created_by = obj["created_by"]
    model.updated_by = obj["updated_by"]
    model.deleted = obj["deleted"]
    model.deleted_at = parse_time(obj["deleted_at"])


def _time(value: str) -> dt.datetime:
    parsed = parse_time(value)
    assert parsed is not None
    return parsed


def _write_events(
    session: Session, units: UnitResolver, model: Model, events: list[dict[str, Any]]
) -> None:
    by_uuid = {event.uuid: event for event in model.events}
    added: list[dict[str, Any]] = []
    for item in events:
        event = by_uuid.get(item["uuid"])
        if event is not None:
            if event.voided_at is None and item["voided_at"] is not None:
                event.voided_at = parse_time(item["voided_at"])
                event.voided_by = item["voided_by"]
                event.void_reason = item["void_reason"]
            continue
        owner_ref = ref_of(item["owner_unit"])
        event = ModelEvent(
            uuid=item["uuid"],
            status=item["status"],
            event_date=dt.date.fromisoformat(item["event_date"]),
            recorded_by=item["recorded_by"],
            recorded_at=_time(item["recorded_at"]),
            deciding_body=item["deciding_body"],
            decision_number=item["decision_number"],
            decision_date=parse_date(item["decision_date"]),
            commendation_form=item["commendation_form"],
            commendation_level=item["commendation_level"],
            note=item["note"],
            voided_at=parse_time(item["voided_at"]),
            voided_by=item["voided_by"],
            void_reason=item["void_reason"],
            owner_unit_id=units.ensure(owner_ref).id if owner_ref else None,
        )
        model.events.append(event)
        by_uuid[item["uuid"]] = event
        added.append(item)
    linked = [item for item in added if item["replaces"]]
    if linked:  # ids are needed only to link a correction to the step it replaces
        session.flush()
    for item in linked:
        target = by_uuid.get(item["replaces"])
        by_uuid[item["uuid"]].replaces_id = target.id if target else None


def _merged_into(old: UnitRef, new: UnitRef) -> bool:
    """`old` is a pre-2025 province taken over by the 2025 province `new`."""
    return (
        old[0] == Directory.LEGACY.value
        and new[0] == Directory.CURRENT.value
        and len(old[1]) == 2  # province codes have two digits; districts three, communes five
        and province_successors().get(old[1]) == new[1]
    )
