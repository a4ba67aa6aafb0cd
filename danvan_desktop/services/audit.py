"""The audit log: every change to the data, recorded in the same transaction as the change.

`record` (one entry) and `record_many` (bulk paths: one executemany) are the only ways to write
an entry; every service that changes something calls them with the session it writes in, so an
entry exists exactly when its change was committed. `AuditService` reads the log for the screen,
the model form's history and `danvan audit list`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, insert, select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import AuditEntry, Setting, utc_now
from danvan_desktop.domain import (
    FIELD_LABELS,
    KIND_LABELS,
    MODEL_FIELD_LABELS,
    MODEL_FIELD_NAMES,
    NEW_LABELS,
    SUBJECT_LABELS,
    Field,
    Kind,
    ModelData,
    SubjectType,
    fold,
    search_terms,
)

if TYPE_CHECKING:
    from danvan_desktop.sync.apply import ModelChange


class AuditAction(enum.StrEnum):
    CREATE = "create"
    EDIT = "edit"
    STATUS = "status"
    DELETE = "delete"
    IMPORT = "import"
    RESTORE = "restore"
    SETTINGS = "settings"
    KEY = "key"  # a unit's signing key accepted or changed
    BACKUP = "backup"


ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.CREATE: "Thêm mới",
    AuditAction.EDIT: "Sửa",
    AuditAction.STATUS: "Đổi trạng thái",
    AuditAction.DELETE: "Xoá",
    AuditAction.IMPORT: "Nhập dữ liệu",
    AuditAction.RESTORE: "Khôi phục",
    AuditAction.SETTINGS: "Thiết lập",
    AuditAction.KEY: "Khoá ký",
    AuditAction.BACKUP: "Sao lưu",
}

# The staff member's setting key (installation.STAFF_NAME is this one): the actor of changes
# made where no `by` is passed in, e.g. a unit added by hand.
STAFF_NAME_KEY = "installation.staff_name"
YES_NO: dict[bool, str] = {True: "Có", False: "Không"}
# SQLite allows 32k parameters per statement; an audit row has 6.
_INSERT_BLOCK = 2_000


@dataclass(frozen=True)
class FieldChange:
    """One field of an edit: its Vietnamese label and the values before and after, as shown."""

    field: str
    label: str
    old: str
    new: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}

    @property
    def text(self) -> str:
        """ "Lĩnh vực: Kinh tế → Văn hóa – xã hội", empty values shown as “(trống)”."""
        return f"{self.label}: {self.old or '(trống)'} → {self.new or '(trống)'}"


def fact(label: str, value: object) -> dict[str, str]:
    """One line of an entry's details as a person reads it ("Số quyết định: 12/QĐ-UBND")."""
    return {"label": label, "value": str(value)}


@dataclass(frozen=True)
class AuditRow:
    """One entry to write (see `record_many`)."""

    action: AuditAction
    actor: str
    subject: str
    model_uuid: str | None = None
    changes: Sequence[FieldChange] = ()
    details: Mapping[str, Any] | None = None


def _details_text(changes: Sequence[FieldChange], details: Mapping[str, Any] | None) -> str:
    if not changes and not details:
        return "{}"
    payload: dict[str, Any] = dict(details or {})
    if changes:
        payload["changes"] = [change.as_json() for change in changes]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: str,
    subject: str,
    model_uuid: str | None = None,
    changes: Sequence[FieldChange] = (),
    details: Mapping[str, Any] | None = None,
) -> None:
    """Add one entry to the log inside the caller's transaction."""
    session.add(
        AuditEntry(
            at=utc_now(),
            actor=actor,
            action=action.value,
            model_uuid=model_uuid,
            subject=subject,
            details=_details_text(changes, details),
        )
    )


def record_many(session: Session, rows: Iterable[AuditRow]) -> int:
    """Add many entries inside the caller's transaction with one Core INSERT executemany per
    block (no ORM objects: 100,000 imported models must stay fast). Returns how many."""
    now = utc_now()
    block: list[dict[str, Any]] = []
    written = 0
    statement = insert(AuditEntry.__table__)  # type: ignore[arg-type]
    for row in rows:
        block.append(
            {
                "at": now,
                "actor": row.actor,
                "action": row.action.value,
                "model_uuid": row.model_uuid,
                "subject": row.subject,
                "details": _details_text(row.changes, row.details),
            }
        )
        if len(block) >= _INSERT_BLOCK:
            session.execute(statement, block)
            written += len(block)
            block = []
    if block:
        session.execute(statement, block)
        written += len(block)
    return written


@dataclass(frozen=True)
class ImportOrigin:
    """Where models created in bulk come from: one IMPORT entry says it (with `facts`), and each
    created model's entry names it, so the model's history starts there."""

    subject: str  # "Nhập Excel: ds-mo-hinh.xlsx"
    details: Mapping[str, Any] = field(default_factory=dict)


def record_created(
    session: Session,
    created: Iterable[tuple[str, str]],
    *,
    by: str,
    origin: ImportOrigin | None = None,
) -> int:
    """One CREATE entry per (uuid, name) created, plus the IMPORT entry of `origin`."""
    source = {"source": origin.subject} if origin is not None else None
    count = record_many(
        session,
        (
            AuditRow(AuditAction.CREATE, by, name, model_uuid=uuid, details=source)
            for uuid, name in created
        ),
    )
    if origin is not None:
        details = dict(origin.details)
        details.setdefault("created", count)
        record(session, AuditAction.IMPORT, actor=by, subject=origin.subject, details=details)
    return count


_PACKAGE_ACTIONS = {
    "created": AuditAction.CREATE,
    "deleted": AuditAction.DELETE,
    "updated": AuditAction.EDIT,
}


def record_package(
    session: Session,
    *,
    by: str,
    file_name: str,
    unit: str,
    counts: Mapping[str, int],
    changed: Sequence[ModelChange],
) -> None:
    """A package file applied: one IMPORT entry with the sending unit and the counts, and one
    entry per model it added, changed or deleted, with the revision change."""
    from danvan_desktop.sync.apply import COUNT_KEYS, COUNT_LABELS  # sync imports services

    subject = f"Nhập gói: {file_name}"
    facts = [fact("Tệp", file_name), fact("Đơn vị gửi", unit)]
    facts += [fact(COUNT_LABELS[key], counts.get(key, 0)) for key in COUNT_KEYS]
    record(
        session,
        AuditAction.IMPORT,
        actor=by,
        subject=subject,
        details={"file": file_name, "unit": unit, "counts": dict(counts), "facts": facts},
    )

    def row(change: ModelChange) -> AuditRow:
        old, new = change.old_revision, change.new_revision
        action = _PACKAGE_ACTIONS.get(change.key, AuditAction.EDIT)
        if action is AuditAction.EDIT and old == new:
            # Same revision: only the steps moved (events added or voided by the file).
            action = AuditAction.STATUS
            shown = fact("Quá trình thực hiện", "có bước mới hoặc bước được sửa")
        else:
            shown = fact("Phiên bản", f"{old} → {new}" if old is not None else new)
        return AuditRow(
            action,
            by,
            change.name,
            model_uuid=change.uuid,
            details={
                "source": subject,
                "revision": {"old": old, "new": new},
                "facts": [shown],
            },
        )

    record_many(session, (row(change) for change in changed))


def staff_name(session: Session) -> str:
    """The staff member set up for this installation, read in the caller's transaction."""
    value = session.scalar(select(Setting.value).where(Setting.key == STAFF_NAME_KEY))
    return value or ""


# ---------------------------------------------------------------------------------------------
# Values as a person reads them

_ENUM_LABELS: dict[type[enum.Enum], Mapping[Any, str]] = {
    Kind: KIND_LABELS,
    SubjectType: SUBJECT_LABELS,
    Field: FIELD_LABELS,
}


def value_text(value: object) -> str:
    """Labels of enums, dates dd/mm/yyyy, Có/Không, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        labels = _ENUM_LABELS.get(type(value))
        return labels[value] if labels is not None else str(value.value)
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def model_changes(
    before: ModelData, after: ModelData, unit_label: Callable[[int | None], str]
) -> list[FieldChange]:
    """Every field that differs, in the order of the paper form, with both values shown."""
    changes: list[FieldChange] = []
    for name in MODEL_FIELD_NAMES:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if name == "unit_id":
            old_text, new_text = unit_label(old), unit_label(new)
        elif name == "is_new":
            old_text, new_text = NEW_LABELS[old], NEW_LABELS[new]
        else:
            old_text, new_text = value_text(old), value_text(new)
        changes.append(FieldChange(name, MODEL_FIELD_LABELS[name], old_text, new_text))
    return changes


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class AuditFilter:
    """What the log is narrowed to; None or "" means "any". Dates are the PC's local dates,
    both ends included."""

    model_uuid: str | None = None
    actor: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    action: AuditAction | None = None
    text: str = ""  # every folded word in the subject or the person's name

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.model_uuid:
            conditions.append(AuditEntry.model_uuid == self.model_uuid)
        if self.actor is not None:
            conditions.append(AuditEntry.actor == self.actor)
        if self.since is not None:
            conditions.append(AuditEntry.at >= local_midnight(self.since))
        if self.until is not None:
            conditions.append(AuditEntry.at < local_midnight(self.until + dt.timedelta(days=1)))
        if self.action is not None:
            conditions.append(AuditEntry.action == self.action.value)
        terms = search_terms(self.text)
        if terms:
            # One call per row checks every word (see `_matches`).
            text = AuditEntry.subject + " " + AuditEntry.actor
            conditions.append(func.dvk_match(text, " ".join(terms)) == 1)
        return conditions


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a local calendar day, as an aware time (the column compares in UTC)."""
    return dt.datetime.combine(day, dt.time()).astimezone()


@dataclass(frozen=True)
class AuditInfo:
    """One entry as read back: an immutable snapshot for the screen and the command line."""

    id: int
    at: dt.datetime
    actor: str
    action: str  # an AuditAction value (kept as text: a newer version may write new kinds)
    model_uuid: str | None
    subject: str
    details: Mapping[str, Any]

    @property
    def action_label(self) -> str:
        try:
            return ACTION_LABELS[AuditAction(self.action)]
        except ValueError:
            return self.action

    @property
    def changes(self) -> list[FieldChange]:
        items = self.details.get("changes")
        if not isinstance(items, list):
            return []
        return [
            FieldChange(
                str(item.get("field", "")),
                str(item.get("label", "")),
                str(item.get("old", "")),
                str(item.get("new", "")),
            )
            for item in items
            if isinstance(item, dict)
        ]

    @property
    def facts(self) -> list[tuple[str, str]]:
        items = self.details.get("facts")
        if not isinstance(items, list):
            return []
        return [
            (str(item.get("label", "")), str(item.get("value", "")))
            for item in items
            if isinstance(item, dict)
        ]

    def detail_lines(self) -> list[str]:
        """What the detail pane lists: each field change "Trường: cũ → mới", then the facts
        ("Số quyết định: …"), then where it came from."""
        lines = [change.text for change in self.changes]
        lines += [f"{label}: {value}" for label, value in self.facts]
        source = self.details.get("source")
        if source:
            lines.append(f"Nguồn: {source}")
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "action": self.action,
            "action_label": self.action_label,
            "model_uuid": self.model_uuid,
            "subject": self.subject,
            "changes": [change.as_json() for change in self.changes],
            "details": {k: v for k, v in self.details.items() if k != "changes"},
        }


def _info(row: AuditEntry) -> AuditInfo:
    try:
        details = json.loads(row.details or "{}")
    except ValueError:  # written by hand or damaged: show the entry, not a traceback
        details = {}
    return AuditInfo(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        model_uuid=row.model_uuid,
        subject=row.subject,
        details=details if isinstance(details, dict) else {},
    )


def _register_fold(session: Session) -> None:
    """`dvk_match(text, terms)` in SQL: the app's folding (đ → d, no diacritics), which
    SQLite's own LOWER and LIKE do not do for Vietnamese."""
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    connection.create_function("dvk_match", 2, _matches, deterministic=True)


def _fold_table() -> dict[int, str | None]:
    """`fold` one character at a time, for `str.translate`: ten times faster than `fold` on a
    whole log scan, and the same result on the NFC text the app stores."""
    table: dict[int, str | None] = {}
    for code in range(0x80, 0x2100):
        ch = chr(code)
        if unicodedata.combining(ch):
            table[code] = None  # NFD text typed by an input method: drop the marks
            continue
        folded = fold(ch)
        if folded != ch.lower():
            table[code] = folded or None
    for ch in "’‘ʼ":
        table[ord(ch)] = "'"
    for ch in "\t\n\r":
        table[ord(ch)] = " "
    return table


_FOLD_TABLE = _fold_table()


def _matches(text: str | None, terms: str) -> int:
    """1 when every folded word of `terms` starts a word of `text`, as in the model list
    ("an" finds "An Bình", not "Khánh Hòa")."""
    words = " " + " ".join(text.translate(_FOLD_TABLE).lower().split()) if text else ""
    return int(all(" " + term in words for term in terms.split(" ")))


class AuditService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _query(self, query: Select[Any], flt: AuditFilter) -> Select[Any]:
        return query.where(*flt.conditions())

    def count(self, flt: AuditFilter | None = None) -> int:
        flt = flt or AuditFilter()
        with self._db.session() as session:
            _register_fold(session)
            return session.scalar(self._query(select(func.count(AuditEntry.id)), flt)) or 0

    def ids(self, flt: AuditFilter | None = None) -> list[int]:
        """The ids of matching entries, newest first (ids grow with time)."""
        flt = flt or AuditFilter()
        query = self._query(select(AuditEntry.id), flt).order_by(AuditEntry.id.desc())
        with self._db.session() as session:
            _register_fold(session)
            return list(session.scalars(query))

    def rows(self, ids: Sequence[int]) -> dict[int, AuditInfo]:
        """Snapshots of the given entries (for the lazily filled table)."""
        result: dict[int, AuditInfo] = {}
        with self._db.session() as session:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for row in session.scalars(select(AuditEntry).where(AuditEntry.id.in_(chunk))):
                    result[row.id] = _info(row)
        return result

    def entries(
        self,
        flt: AuditFilter | None = None,
        *,
        limit: int | None = None,
        before_id: int | None = None,
    ) -> list[AuditInfo]:
        """Matching entries, newest first. Pages follow by id: pass the last id seen as
        `before_id` for the next page (no OFFSET, so a page costs the same anywhere)."""
        flt = flt or AuditFilter()
        query = self._query(select(AuditEntry), flt)
        if before_id is not None:
            query = query.where(AuditEntry.id < before_id)
        query = query.order_by(AuditEntry.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._db.session() as session:
            _register_fold(session)
            return [_info(row) for row in session.scalars(query)]

    def history(self, model_uuid: str) -> list[AuditInfo]:
        """A model's own entries, newest first."""
        return self.entries(AuditFilter(model_uuid=model_uuid))

    def actors(self) -> list[str]:
        """Everyone who appears in the log, in alphabetical order (diacritics ignored)."""
        with self._db.session() as session:
            names = set(session.scalars(select(AuditEntry.actor).distinct()))
        return sorted(names, key=lambda name: (fold(name), name))
