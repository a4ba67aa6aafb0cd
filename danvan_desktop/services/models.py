"""Models: register, find, edit, move through their life, delete (as tombstones)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    Text,
    and_,
    column,
    func,
    insert,
    select,
    table,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import SEARCH_TABLE, Model, ModelEvent, Unit, new_uuid, utc_now
from danvan_desktop.domain import (
    DEFAULT_PERIODS,
    EVENT_FIELD_LABELS,
    STATUS_LABELS,
    EventData,
    EventError,
    Field,
    FieldError,
    Kind,
    ModelData,
    Period,
    Status,
    SubjectType,
    ValidationError,
    fold,
    next_statuses,
    search_terms,
    validate_event,
    validate_model,
)
from danvan_desktop.services import audit
from danvan_desktop.services.audit import AuditAction, FieldChange, ImportOrigin, fact
from danvan_desktop.services.errors import ConflictError, UserError

# ---------------------------------------------------------------------------------------------
# What the list shows

# The search index of migration 0004 (db/schema.py), as SQLAlchemy sees it.
_SEARCH = table(SEARCH_TABLE, column("rowid", Integer), column("search_text", Text))


@dataclass(frozen=True)
class ModelRow:
    """An immutable snapshot of one line of the list."""

    id: int
    name: str
    kind: Kind
    subject_type: SubjectType
    person_name: str
    field: Field
    unit_code: str
    unit_name: str
    village: str
    period_start: int
    period_end: int
    is_new: bool
    ethnic_minority_area: bool
    status: Status
    registered_on: dt.date | None
    updated_at: dt.datetime


class SortKey(enum.StrEnum):
    NAME = "name"
    KIND = "kind"
    SUBJECT = "subject_type"
    FIELD = "field"
    UNIT = "unit"
    VILLAGE = "village"
    PERIOD = "period"
    IS_NEW = "is_new"
    STATUS = "status"
    REGISTERED_ON = "registered_on"
    UPDATED_AT = "updated_at"


_SORT_COLUMNS: dict[SortKey, tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]] = {
    SortKey.NAME: (Model.sort_name,),
    SortKey.KIND: (Model.kind,),
    SortKey.SUBJECT: (Model.subject_type,),
    SortKey.FIELD: (Model.field,),
    SortKey.UNIT: (Unit.name_folded,),
    SortKey.VILLAGE: (func.lower(Model.village),),
    SortKey.PERIOD: (Model.period_start, Model.period_end),
    SortKey.IS_NEW: (Model.is_new,),
    SortKey.STATUS: (Model.status,),
    SortKey.REGISTERED_ON: (Model.registered_on,),
    SortKey.UPDATED_AT: (Model.updated_at,),
}


@dataclass(frozen=True)
class ModelFilter:
    """What the list is narrowed to. None means "any"."""

    text: str = ""
    period: Period | None = None
    field: Field | None = None
    subject_type: SubjectType | None = None
    status: Status | None = None
    is_new: bool | None = None
    kind: Kind | None = None
    ethnic_minority_area: bool | None = None
    unit_ids: tuple[int, ...] | None = None

    def conditions(self, indexed: bool = False) -> list[ColumnElement[bool]]:
        """The WHERE of the filter; `indexed`: the database has the search index (0004)."""
        conditions: list[ColumnElement[bool]] = [Model.deleted.is_(False)]
        conditions += self.text_conditions(indexed)
        if self.period is not None:
            conditions.append(
                and_(Model.period_start == self.period.start, Model.period_end == self.period.end)
            )
        if self.field is not None:
            conditions.append(Model.field == self.field.value)
        if self.subject_type is not None:
            conditions.append(Model.subject_type == self.subject_type.value)
        if self.status is not None:
            conditions.append(Model.status == self.status.value)
        if self.is_new is not None:
            conditions.append(Model.is_new.is_(self.is_new))
        if self.kind is not None:
            conditions.append(Model.kind == self.kind.value)
        if self.ethnic_minority_area is not None:
            conditions.append(Model.ethnic_minority_area.is_(self.ethnic_minority_area))
        if self.unit_ids is not None:
            conditions.append(Model.unit_id.in_(self.unit_ids))
        return conditions

    def text_conditions(self, indexed: bool = False) -> list[ColumnElement[bool]]:
        """The search words: each one occurs in `search_text` where a word starts."""
        conditions: list[ColumnElement[bool]] = []
        terms = search_terms(self.text)
        if indexed:
            # Words start where a space is: "an" finds "An Bình", not "Khánh Hòa". With the
            # space a word of two letters is three characters, a trigram the index can find;
            # a one-letter word stays a LIKE, over the rows the other words left.
            phrases = [_phrase(term) for term in terms if len(term) > 1]
            if phrases:
                query = " ".join(phrases)
                found = select(_SEARCH.c.rowid).where(_SEARCH.c.search_text.match(query))
                conditions.append(Model.id.in_(found))
            terms = [term for term in terms if len(term) == 1]
        for term in terms:
            conditions.append(Model.search_text.contains(" " + term, autoescape=True))
        return conditions


def _phrase(term: str) -> str:
    """An FTS5 phrase for " term": quoted, so the user's text is never query syntax."""
    return '" ' + term.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# What the form shows


@dataclass(frozen=True)
class EventInfo:
    id: int
    status: Status
    event_date: dt.date
    recorded_by: str
    recorded_at: dt.datetime
    deciding_body: str
    decision_number: str
    decision_date: dt.date | None
    commendation_form: str
    commendation_level: str
    note: str
    replaces_id: int | None
    voided_at: dt.datetime | None
    voided_by: str
    void_reason: str

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True)
class ModelRecord:
    """A model as stored: its data plus what the app keeps about it."""

    id: int
    uuid: str
    data: ModelData
    unit_code: str
    unit_name: str
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    updated_by: str
    deleted: bool
    status: Status
    events: tuple[EventInfo, ...] = field(default=())


_DATA_FIELDS = tuple(f.name for f in fields(ModelData))
# Lines the search box looks in, besides the name.
_SEARCHED = ("name", "person_name", "person_position", "person_unit", "village")
_INDEXED = ("name", *_SEARCHED)


def _search_text(
    values: Mapping[str, Any], unit_name: str, folding: Callable[[str], str] = fold
) -> str:
    words = [folding(values[name]) for name in _SEARCHED] + [folding(unit_name)]
    return " " + " ".join(w for w in words if w)


def index_values(
    values: Mapping[str, Any], unit_name: str, folding: Callable[[str], str] = fold
) -> dict[str, str]:
    """The derived columns of a model from its field values (bulk writes use this directly;
    the search index follows `search_text` by the triggers of migration 0004). Bulk writes
    pass a `folding` that remembers its answers: a unit's name, its villages and positions
    come back in thousands of rows."""
    return {
        "sort_name": folding(values["name"]),
        "search_text": _search_text(values, unit_name, folding),
    }


def _set_fields(model: Model, data: ModelData, unit_name: str) -> None:
    for name in _DATA_FIELDS:
        value = getattr(data, name)
        setattr(model, name, value.value if isinstance(value, enum.Enum) else value)
    index_model(model, unit_name)


def index_model(model: Model, unit_name: str) -> None:
    """Keep the derived columns in step with the fields: the sort key and the search words.
    Every write of a model's fields ends here (the form, the command line, package apply)."""
    derived = index_values({name: getattr(model, name) for name in _INDEXED}, unit_name)
    model.sort_name = derived["sort_name"]
    model.search_text = derived["search_text"]


def _to_data(model: Model) -> ModelData:
    values = {name: getattr(model, name) for name in _DATA_FIELDS}
    values["kind"] = Kind(model.kind)
    values["subject_type"] = SubjectType(model.subject_type)
    values["field"] = Field(model.field)
    return ModelData(**values)


def _to_event(event: ModelEvent) -> EventInfo:
    return EventInfo(
        id=event.id,
        status=Status(event.status),
        event_date=event.event_date,
        recorded_by=event.recorded_by,
        recorded_at=event.recorded_at,
        deciding_body=event.deciding_body,
        decision_number=event.decision_number,
        decision_date=event.decision_date,
        commendation_form=event.commendation_form,
        commendation_level=event.commendation_level,
        note=event.note,
        replaces_id=event.replaces_id,
        voided_at=event.voided_at,
        voided_by=event.voided_by,
        void_reason=event.void_reason,
    )


def _live_in_order(events: Iterable[ModelEvent]) -> list[ModelEvent]:
    """Events still in force, by date, then by order of entry. Events not saved yet (no id: a
    package adding steps to a model it has) were entered after the saved ones, in list order."""
    return sorted(
        (e for e in events if e.voided_at is None),
        key=lambda e: (e.event_date, e.id is None, e.id or 0),
    )


def current_status(events: Iterable[ModelEvent]) -> Status:
    """The step of the latest event still in force."""
    live = _live_in_order(events)
    return Status(live[-1].status) if live else Status.REGISTERED


def _date_before(latest: ModelEvent) -> EventError:
    label = STATUS_LABELS[Status(latest.status)]
    return EventError(
        [
            FieldError(
                "event_date",
                f"trước bước “{label}” ngày {latest.event_date:%d/%m/%Y}; "
                "bước mới phải từ ngày đó trở đi.",
            )
        ]
    )


def values_of_live_models(
    session: Session, *columns: InstrumentedAttribute[Any]
) -> set[tuple[Any, ...]]:
    """The values of `columns` that some model not deleted holds: counts by value (from the
    columns' index alone) minus those of the deleted models (few). Reading every model row for
    a handful of values took most of a second at start on a national database, and a
    correlated look-up is planned badly without statistics."""
    counts = select(*columns, func.count()).group_by(*columns)
    total = {tuple(row[:-1]): row[-1] for row in session.execute(counts)}
    gone = {
        tuple(row[:-1]): row[-1]
        for row in session.execute(counts.where(Model.deleted.is_(True)))
    }
    return {values for values, n in total.items() if n > gone.get(values, 0)}


class ModelService:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Set by open_services: for a model's unit, this installation's unit id when the model
        # was received from a unit below (read-only here except this level's own decisions).
        self.decision_owner: Callable[[int], int | None] = lambda _unit_id: None
        self._has_index: bool | None = None

    def allowed_steps(self, model_id: int) -> list[Status]:
        """The steps this installation may record next on the model (the level above records
        only its decisions on models it received)."""
        with self._db.session() as session:
            model = self._load(session, model_id)
            return self._allowed(model, Status(model.status))

    def _allowed(self, model: Model, current: Status) -> list[Status]:
        return next_statuses(current, from_above=self.received_from_below(model) is not None)

    def received_from_below(self, model: Model) -> int | None:
        return self.decision_owner(model.unit_id)

    def _refuse_if_received(self, model: Model) -> None:
        if self.received_from_below(model) is not None:
            raise UserError(
                f"Mô hình “{model.name}” là của {model.unit.name}, nhận qua gói dữ liệu từ cấp "
                "dưới: chỉ đơn vị đó sửa được. Đơn vị này chỉ ghi các quyết định của mình "
                "(công nhận, tiêu biểu, khen thưởng)."
            )

    # -- reading ------------------------------------------------------------------------------

    def _filtered(self, query: Select[int], flt: ModelFilter) -> Select[int]:
        return query.where(*flt.conditions(indexed=self._indexed()))

    def _indexed(self) -> bool:
        """Whether the file has the search index (not where SQLite lacks FTS5 trigram)."""
        if self._has_index is None:
            with self._db.session() as session:
                self._has_index = bool(
                    session.execute(
                        text("SELECT 1 FROM sqlite_master WHERE name = :name"),
                        {"name": SEARCH_TABLE},
                    ).first()
                )
        return self._has_index

    def count(self, flt: ModelFilter | None = None) -> int:
        """How many models match (the list's "Hiển thị N / M", asked on every search)."""
        flt = flt or ModelFilter()
        with self._db.session() as session:
            if flt == ModelFilter():
                # count(*) of a whole table is SQLite's quick count of pages; the few deleted
                # models (tombstones) are counted through their index and taken away.
                every = session.scalar(select(func.count()).select_from(Model)) or 0
                deleted = session.scalar(select(func.count()).where(Model.deleted.is_(True)))
                return every - (deleted or 0)
            # A search alone whose words the index can all find (none of one letter).
            terms = search_terms(flt.text)
            only_text = flt == ModelFilter(text=flt.text)
            if only_text and terms and min(map(len, terms)) > 1 and self._indexed():
                return self._count_text(session, flt, " ".join(map(_phrase, terms)))
            query = self._filtered(select(func.count(Model.id)), flt)
            return session.scalar(query) or 0

    @staticmethod
    def _count_text(session: Session, flt: ModelFilter, query: str) -> int:
        """A search alone: the index counts its matches without reading a row (a common word
        matches half the models, which the general query would look up one by one); the
        index also holds the deleted models, so those that match are counted and taken away.
        Same meaning as the filter: every word occurs where a word starts."""
        found = session.scalar(
            select(func.count()).select_from(_SEARCH).where(_SEARCH.c.search_text.match(query))
        )
        deleted = session.scalar(
            select(func.count()).where(
                Model.deleted.is_(True),
                *flt.text_conditions(indexed=False),
            )
        )
        return (found or 0) - (deleted or 0)

    def ids(
        self,
        flt: ModelFilter | None = None,
        sort: SortKey = SortKey.NAME,
        descending: bool = False,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        """The ids of the models that match, in display order; `limit` of them from `offset`
        (the list reads a page at a time: the first rows show without sorting every match
        into Python)."""
        query = select(Model.id)
        if sort is SortKey.UNIT:
            query = query.join(Unit, Unit.id == Model.unit_id)
        query = self._filtered(query, flt or ModelFilter())
        order = [c.desc() if descending else c.asc() for c in _SORT_COLUMNS[sort]]
        # The id keeps the order stable between equal values, so rows do not jump on refresh.
        query = query.order_by(*order, Model.id.desc() if descending else Model.id.asc())
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._db.session() as session:
            return list(session.scalars(query))

    def rows(self, ids: Sequence[int]) -> dict[int, ModelRow]:
        """Snapshots of the given models, for the list. Deleted ones are left out."""
        result: dict[int, ModelRow] = {}
        query = (
            select(
                Model.id,
                Model.name,
                Model.kind,
                Model.subject_type,
                Model.person_name,
                Model.field,
                Unit.code,
                Unit.name,
                Model.village,
                Model.period_start,
                Model.period_end,
                Model.is_new,
                Model.ethnic_minority_area,
                Model.status,
                Model.registered_on,
                Model.updated_at,
                Model.deleted,
            )
            .join(Unit, Unit.id == Model.unit_id)
        )
        with self._db.session() as session:
            # SQLite allows 32k parameters; stay well below it.
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                # Deleted ones are skipped here, not in SQL: with `deleted = 0` in the WHERE,
                # SQLite walks that index (every model) instead of looking up these ids.
                for r in session.execute(query.where(Model.id.in_(chunk))):
                    if r[16]:
                        continue
                    result[r[0]] = ModelRow(
                        id=r[0],
                        name=r[1],
                        kind=Kind(r[2]),
                        subject_type=SubjectType(r[3]),
                        person_name=r[4],
                        field=Field(r[5]),
                        unit_code=r[6],
                        unit_name=r[7],
                        village=r[8],
                        period_start=r[9],
                        period_end=r[10],
                        is_new=r[11],
                        ethnic_minority_area=r[12],
                        status=Status(r[13]),
                        registered_on=r[14],
                        updated_at=r[15],
                    )
        return result

    def get(self, model_id: int) -> ModelRecord:
        with self._db.session() as session:
            model = self._load(session, model_id, allow_deleted=True)
            return self._record(model)

    def get_by_uuid(self, uuid: str) -> ModelRecord:
        with self._db.session() as session:
            model_id = session.scalar(select(Model.id).where(Model.uuid == uuid))
            if model_id is None:
                raise UserError(f"Không tìm thấy mô hình có mã {uuid}.")
            return self._record(self._load(session, model_id, allow_deleted=True))

    def records(self, flt: ModelFilter | None = None) -> list[ModelRecord]:
        """Every matching model with its events, in name order (for export and the CLI)."""
        ids = self.ids(flt)
        with self._db.session() as session:
            out: list[ModelRecord] = []
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                models = {
                    m.id: m for m in session.scalars(select(Model).where(Model.id.in_(chunk)))
                }
                out.extend(self._record(models[i]) for i in chunk)
            return out

    def list_records(self, ids: Sequence[int]) -> Iterator[ModelRecord]:
        """The models `ids` in that order, without their events, read in blocks of plain rows
        (the list exported to Excel: 100,000 models without an object each)."""
        table: Table = Model.__table__  # type: ignore[assignment]
        # The columns of `_row_record`, in its order: values taken by position (by name cost
        # more than the query), and not the search columns (long texts nobody reads here).
        query = select(
            *(table.c[name] for name in (*_DATA_FIELDS, *_RECORD_COLUMNS)), Unit.code, Unit.name
        ).join(Unit, Unit.id == table.c.unit_id)
        with self._db.session() as session:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = {r.id: r for r in session.execute(query.where(table.c.id.in_(chunk)))}
                for model_id in chunk:
                    row = rows.get(model_id)
                    if row is not None:
                        yield _row_record(row)

    def periods(self) -> list[Period]:
        """Periods in use, newest first, with the usual ones always offered."""
        with self._db.session() as session:
            pairs = values_of_live_models(session, Model.period_start, Model.period_end)
        used = {Period(start, end) for start, end in pairs}
        return sorted(used | set(DEFAULT_PERIODS), key=lambda p: (-p.start, -p.end))

    # -- writing ------------------------------------------------------------------------------

    def create(self, data: ModelData, *, by: str, today: dt.date | None = None) -> int:
        return self.create_many([data], by=by, today=today)[0]

    def create_many(
        self,
        items: Sequence[ModelData],
        *,
        by: str,
        today: dt.date | None = None,
        origin: ImportOrigin | None = None,
    ) -> list[int]:
        """Validate every item, then save them all in one transaction, or none. Each model's
        creation is logged; `origin` (an import) adds one entry naming the file."""
        today = today or dt.date.today()
        cleaned: list[ModelData] = []
        problems: list[str] = []
        for index, item in enumerate(items, start=1):
            try:
                cleaned.append(validate_model(item, today=today))
            except ValidationError as error:  # report every bad item, save nothing
                if len(items) == 1:
                    raise
                problems.append(f"Mục {index}: {error}")
        if problems:
            raise UserError("Không lưu mô hình nào vì có lỗi. " + " | ".join(problems))
        with self._db.session() as session:
            # Two multi-row inserts (models, then their first step) instead of an object and a
            # flush per model: an Excel file of thousands of rows saves in seconds.
            wanted = list({data.unit_id for data in cleaned if data.unit_id is not None})
            unit_names = {
                unit_id: name
                for unit_id, name in session.execute(
                    select(Unit.id, Unit.name).where(Unit.id.in_(wanted))
                )
            }
            now = utc_now()
            rows: list[dict[str, Any]] = []
            for data in cleaned:
                if data.unit_id not in unit_names:
                    raise UserError("Đơn vị đăng ký không có trong danh mục.")
                values = {name: getattr(data, name) for name in _DATA_FIELDS}
                values = {k: v.value if isinstance(v, enum.Enum) else v for k, v in values.items()}
                values.update(
                    uuid=new_uuid(),
                    revision=1,
                    created_at=now,
                    updated_at=now,
                    created_by=by,
                    updated_by=by,
                    deleted=False,
                    deleted_at=None,
                    status=Status.REGISTERED.value,
                    **index_values(values, unit_names[data.unit_id]),
                )
                rows.append(values)
            models: Table = Model.__table__  # type: ignore[assignment]
            session.execute(insert(models), rows)
            uuids = [row["uuid"] for row in rows]
            id_of: dict[str, int] = {}
            for start in range(0, len(uuids), 500):
                chunk = uuids[start : start + 500]
                query = select(Model.uuid, Model.id).where(Model.uuid.in_(chunk))
                id_of.update({uuid: model_id for uuid, model_id in session.execute(query)})
            ids = [id_of[uuid] for uuid in uuids]
            events: Table = ModelEvent.__table__  # type: ignore[assignment]
            session.execute(
                insert(events),
                [
                    {
                        "uuid": new_uuid(),
                        "model_id": model_id,
                        "status": Status.REGISTERED.value,
                        "event_date": data.registered_on or today,
                        "recorded_by": by,
                        "recorded_at": now,
                    }
                    for model_id, data in zip(ids, cleaned, strict=True)
                ],
            )
            created = [(row["uuid"], row["name"]) for row in rows]
            audit.record_created(session, created, by=by, origin=origin)
            return ids

    def update(
        self,
        model_id: int,
        data: ModelData,
        *,
        expected_revision: int,
        by: str,
        today: dt.date | None = None,
    ) -> int:
        """Save an edited model; returns its new revision. Nothing is written when nothing
        changed. Refused when the model changed since `expected_revision` was read."""
        data = validate_model(data, today=today or dt.date.today())
        with self._db.session() as session:
            model = self._load(session, model_id)
            self._refuse_if_received(model)
            if model.revision != expected_revision:
                raise ConflictError(
                    f"Mô hình “{model.name}” vừa được sửa ở nơi khác (phiên bản {model.revision}). "
                    "Hãy đóng và mở lại để xem bản mới nhất."
                )
            before = _to_data(model)
            if before == data:
                return model.revision
            old_unit = model.unit
            unit = self._unit(session, data.unit_id)
            _set_fields(model, data, unit.name)
            self._touch(model, by)
            labels = {u.id: f"{u.name} ({u.code})" for u in (old_unit, unit)}
            audit.record(
                session,
                AuditAction.EDIT,
                actor=by,
                subject=model.name,
                model_uuid=model.uuid,
                changes=audit.model_changes(before, data, lambda i: labels.get(i or 0, "")),
                details={"revision": {"old": expected_revision, "new": model.revision}},
            )
            return model.revision

    def delete(self, model_id: int, *, by: str) -> None:
        """Delete: the model leaves every list but stays as a tombstone, so the deletion can
        travel upward with the next package."""
        with self._db.session() as session:
            model = self._load(session, model_id)
            self._refuse_if_received(model)
            model.deleted = True
            model.deleted_at = utc_now()
            self._touch(model, by)
            audit.record(
                session,
                AuditAction.DELETE,
                actor=by,
                subject=model.name,
                model_uuid=model.uuid,
                details={"revision": {"old": model.revision - 1, "new": model.revision}},
            )

    def add_event(
        self,
        model_id: int,
        event: EventData,
        *,
        by: str,
        today: dt.date | None = None,
        owner_unit_id: int | None = None,
    ) -> Status:
        """Record a step of the model's life; returns the model's status after it.

        `owner_unit_id` is given when the level above records its own decision on a model it
        received: the event is that unit's, and the model's revision (its owner's) is kept."""
        event = validate_event(event, today=today or dt.date.today())
        with self._db.session() as session:
            model = self._load(session, model_id)
            if owner_unit_id is None:
                owner_unit_id = self.received_from_below(model)
            current = Status(model.status)
            if event.status not in self._allowed(model, current):
                raise EventError(
                    [
                        FieldError(
                            "status",
                            f"không thể chuyển từ “{STATUS_LABELS[current]}” sang "
                            f"“{STATUS_LABELS[event.status]}”.",
                        )
                    ]
                )
            live = _live_in_order(model.events)
            if live and event.event_date < live[-1].event_date:
                raise _date_before(live[-1])
            added = _new_event(event, by)
            added.owner_unit_id = owner_unit_id
            model.events.append(added)
            session.flush()
            model.status = current_status(model.events).value
            if owner_unit_id is None:
                self._touch(model, by)
            _record_status(session, model, current, by, _event_facts(event))
            return Status(model.status)

    def correct_event(
        self,
        event_id: int,
        replacement: EventData | None,
        *,
        reason: str,
        by: str,
        today: dt.date | None = None,
    ) -> Status:
        """Correct a recorded step: the old event is kept, marked void with the reason and who
        did it; `replacement` (if any) is added in its place. Returns the model's new status."""
        reason = reason.strip()
        if not reason:
            raise EventError([FieldError("reason", "bắt buộc nhập lý do sửa.")])
        if replacement is not None:
            replacement = validate_event(replacement, today=today or dt.date.today())
        with self._db.session() as session:
            old = session.get(ModelEvent, event_id)
            if old is None:
                raise UserError("Không tìm thấy bước này; có thể nó đã bị sửa.")
            if old.voided_at is not None:
                raise UserError("Bước này đã được sửa trước đó; hãy sửa bản mới nhất.")
            model = self._load(session, old.model_id)
            owner = self.received_from_below(model)
            if owner is not None and old.owner_unit_id != owner:
                raise UserError(
                    f"Bước này do {model.unit.name} ghi, nhận qua gói dữ liệu: chỉ đơn vị đó sửa "
                    "được. Đơn vị này chỉ sửa được các quyết định của mình."
                )
            if owner is None and old.owner_unit_id not in (None, model.unit_id):
                raise UserError(
                    "Bước này là quyết định của cấp trên, nhận qua gói phản hồi: chỉ cấp trên "
                    "sửa được."
                )
            live = _live_in_order(model.events)
            if replacement is None and len(live) == 1:
                raise UserError("Không thể hủy bước duy nhất còn lại của mô hình.")
            if replacement is not None:
                # The corrected step keeps its place in the story: not before the step that came
                # before it, not after the one that came after it.
                position = live.index(old) if old in live else -1
                previous = live[position - 1] if position > 0 else None
                following = live[position + 1] if 0 <= position < len(live) - 1 else None
                if previous is not None and replacement.event_date < previous.event_date:
                    raise _date_before(previous)
                if following is not None and replacement.event_date > following.event_date:
                    label = STATUS_LABELS[Status(following.status)]
                    raise EventError(
                        [
                            FieldError(
                                "event_date",
                                f"sau bước “{label}” ngày {following.event_date:%d/%m/%Y}; "
                                "hãy chọn ngày trước đó, hoặc hủy bước này và ghi bước mới.",
                            )
                        ]
                    )
            before = Status(model.status)
            old.voided_at = utc_now()
            old.voided_by = by
            old.void_reason = reason
            if replacement is not None:
                new = _new_event(replacement, by)
                new.replaces_id = old.id
                new.owner_unit_id = owner
                model.events.append(new)
            session.flush()
            model.status = current_status(model.events).value
            if owner is None:  # the revision is the model owner's
                self._touch(model, by)
            voided = STATUS_LABELS[Status(old.status)]
            facts = [
                fact("Bước bị hủy", f"{voided} ngày {old.event_date:%d/%m/%Y}"),
                fact("Lý do sửa", reason),
            ]
            if replacement is not None:
                facts += _event_facts(replacement)
            _record_status(session, model, before, by, facts)
            return Status(model.status)

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _touch(model: Model, by: str) -> None:
        model.revision += 1
        model.updated_at = utc_now()
        model.updated_by = by

    @staticmethod
    def _load(session: Session, model_id: int, *, allow_deleted: bool = False) -> Model:
        model = session.get(Model, model_id)
        if model is None or (model.deleted and not allow_deleted):
            raise UserError("Không tìm thấy mô hình này; có thể nó đã bị xóa.")
        return model

    @staticmethod
    def _unit(session: Session, unit_id: int | None) -> Unit:
        unit = session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None:
            raise UserError("Đơn vị đăng ký không có trong danh mục.")
        return unit

    @staticmethod
    def _record(model: Model) -> ModelRecord:
        return ModelRecord(
            id=model.id,
            uuid=model.uuid,
            data=_to_data(model),
            unit_code=model.unit.code,
            unit_name=model.unit.name,
            revision=model.revision,
            created_at=model.created_at,
            updated_at=model.updated_at,
            created_by=model.created_by,
            updated_by=model.updated_by,
            deleted=model.deleted,
            status=Status(model.status),
            events=tuple(_to_event(e) for e in model.events),
        )


def _event_facts(event: EventData) -> list[dict[str, str]]:
    """The recorded step as the audit log shows it: the step, its date, the decision."""
    facts = [
        fact("Bước", STATUS_LABELS[event.status]),
        fact("Ngày", f"{event.event_date:%d/%m/%Y}"),
    ]
    for name in ("deciding_body", "decision_number", "decision_date"):
        value = getattr(event, name)
        if value:
            facts.append(fact(EVENT_FIELD_LABELS[name], audit.value_text(value)))
    for name in ("commendation_form", "commendation_level", "note"):
        if getattr(event, name):
            facts.append(fact(EVENT_FIELD_LABELS[name], getattr(event, name)))
    return facts


def _record_status(
    session: Session, model: Model, before: Status, by: str, facts: list[dict[str, str]]
) -> None:
    """A status step or correction: the status from → to (when it moved) and the facts."""
    after = Status(model.status)
    changes = []
    if after is not before:
        changes.append(
            FieldChange("status", "Trạng thái", STATUS_LABELS[before], STATUS_LABELS[after])
        )
        # "Trạng thái: … → Được công nhận" already names the step recorded.
        facts = [f for f in facts if f != fact("Bước", STATUS_LABELS[after])]
    audit.record(
        session,
        AuditAction.STATUS,
        actor=by,
        subject=model.name,
        model_uuid=model.uuid,
        changes=changes,
        details={"facts": facts},
    )


_RECORD_COLUMNS = (
    "id", "uuid", "revision", "created_at", "updated_at", "created_by", "updated_by", "deleted",
    "status",
)  # fmt: skip


def _row_record(row: Sequence[Any]) -> ModelRecord:
    """A record from a row of the data fields, `_RECORD_COLUMNS`, the unit's code and name."""
    values = dict(zip(_DATA_FIELDS, row, strict=False))
    values["kind"] = Kind(values["kind"])
    values["subject_type"] = SubjectType(values["subject_type"])
    values["field"] = Field(values["field"])
    (model_id, uuid, revision, created_at, updated_at, created_by, updated_by, deleted, status,
     unit_code, unit_name) = row[len(_DATA_FIELDS) :]  # fmt: skip
    return ModelRecord(
        id=model_id,
        uuid=uuid,
        data=ModelData(**values),
        unit_code=unit_code,
        unit_name=unit_name,
        revision=revision,
        created_at=created_at,
        updated_at=updated_at,
        created_by=created_by,
        updated_by=updated_by,
        deleted=deleted,
        status=Status(status),
    )


def _new_event(event: EventData, by: str) -> ModelEvent:
    return ModelEvent(
        status=event.status.value,
        event_date=event.event_date,
        recorded_by=by,
        recorded_at=utc_now(),
        deciding_body=event.deciding_body,
        decision_number=event.decision_number,
        decision_date=event.decision_date,
        commendation_form=event.commendation_form,
        commendation_level=event.commendation_level,
        note=event.note,
    )
