"""The database schema: typed SQLAlchemy ORM classes.

Changing anything here needs an Alembic revision in `migrations/versions/`; a test compares the
migrated schema with this one.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores naive UTC in SQLite, hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Unit(Base):
    """An administrative unit or another body (Party committee, mass organisation)."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("directory", "code"),
        Index("ix_unit_name_folded", "name_folded"),
        Index("ix_unit_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directory: Mapped[str] = mapped_column(String(10))  # domain.Directory
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    name_folded: Mapped[str] = mapped_column(String(255))
    division_type: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[str] = mapped_column(String(10))  # domain.UnitLevel
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class Model(Base):
    """A "Dân vận khéo" model or exemplar: the record the whole app is about."""

    __tablename__ = "model"
    __table_args__ = (
        Index("ix_model_deleted_sort_name", "deleted", "sort_name"),
        Index("ix_model_deleted_updated_at", "deleted", "updated_at"),
        Index("ix_model_unit_id", "unit_id"),
        Index("ix_model_period", "period_start", "period_end"),
        Index("ix_model_status", "status"),
        Index("ix_model_field", "field"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[str] = mapped_column(String(255), default="")
    updated_by: Mapped[str] = mapped_column(String(255), default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    kind: Mapped[str] = mapped_column(String(10))  # domain.Kind
    subject_type: Mapped[str] = mapped_column(String(12))  # domain.SubjectType
    person_name: Mapped[str] = mapped_column(String(255), default="")
    person_position: Mapped[str] = mapped_column(String(255), default="")
    person_unit: Mapped[str] = mapped_column(String(255), default="")
    field: Mapped[str] = mapped_column(String(20))  # domain.Field
    name: Mapped[str] = mapped_column(String(300))
    village: Mapped[str] = mapped_column(String(255), default="")
    ethnic_minority_area: Mapped[bool] = mapped_column(Boolean, default=False)
    period_start: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[int] = mapped_column(Integer)
    is_new: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    situation: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    target_area: Mapped[str] = mapped_column(Text, default="")
    lead_forces: Mapped[str] = mapped_column(Text, default="")
    coordinating_forces: Mapped[str] = mapped_column(Text, default="")
    participating_forces: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    schedule: Mapped[str] = mapped_column(Text, default="")
    evaluation_date: Mapped[dt.date | None] = mapped_column(Date)
    outputs: Mapped[str] = mapped_column(Text, default="")
    sustainability: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    # Derived, kept in step by the service on every write: the current step of the lifecycle
    # (for filtering without a join), the folded name for sorting and the folded words the
    # search box looks in.
    status: Mapped[str] = mapped_column(String(12), default="registered")
    sort_name: Mapped[str] = mapped_column(String(300), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit] = relationship()
    events: Mapped[list[ModelEvent]] = relationship(
        back_populates="model", order_by="ModelEvent.id", cascade="all, delete-orphan"
    )


class ModelEvent(Base):
    """One dated step of a model's life. Never edited in place: a correction voids it (with a
    reason) and, when it is replaced, adds the corrected event pointing back to it."""

    __tablename__ = "model_event"
    __table_args__ = (Index("ix_model_event_model_id", "model_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    model_id: Mapped[int] = mapped_column(ForeignKey("model.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))  # domain.Status
    event_date: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(255), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    deciding_body: Mapped[str] = mapped_column(String(255), default="")
    decision_number: Mapped[str] = mapped_column(String(255), default="")
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    commendation_form: Mapped[str] = mapped_column(String(255), default="")
    commendation_level: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("model_event.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    voided_by: Mapped[str] = mapped_column(String(255), default="")
    void_reason: Mapped[str] = mapped_column(Text, default="")
    # The unit that recorded (owns) the event; None = the model's own unit. The level above's
    # decisions on models it received are its own and only it can change them.
    owner_unit_id: Mapped[int | None] = mapped_column(Integer)

    model: Mapped[Model] = relationship(back_populates="events")


class Setting(Base):
    """Facts about this installation that travel with the database file (its unit, the unit it
    reports to, the staff member). Per-PC preferences (window sizes) live in QSettings."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class PackageExport(Base):
    """One package file this installation wrote (upward or as feedback downward)."""

    __tablename__ = "package_export"
    __table_args__ = (UniqueConstraint("unit_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[str] = mapped_column(String(255), default="")
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON object
    # Set when the level above acknowledges receiving this file (feedback package).
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class PackageImport(Base):
    """One package file verified and applied (or refused) here: the import history."""

    __tablename__ = "package_import"
    __table_args__ = (Index("ix_package_import_sha256", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    source_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    package_created_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    imported_by: Mapped[str] = mapped_column(String(255), default="")
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON object
    status: Mapped[str] = mapped_column(String(12))  # "applied"


class AuditEntry(Base):
    """One recorded change: who did what, when, and for edits each field's old and new value.
    Written in the same transaction as the change it describes, never edited afterwards."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_model_uuid", "model_uuid"),
        Index("ix_audit_entry_action", "action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(String(255), default="")
    action: Mapped[str] = mapped_column(String(20))  # services.audit.AuditAction
    model_uuid: Mapped[str | None] = mapped_column(String(36))
    subject: Mapped[str] = mapped_column(Text, default="")  # what it was about, for people
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON object


class UnitKey(Base):
    """A public signing key the level above accepted for a unit below (trust on first use).
    The current key of a unit is its row with `replaced_at` NULL; older keys stay for history."""

    __tablename__ = "unit_key"
    __table_args__ = (Index("ix_unit_key_unit_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    public_key: Mapped[str] = mapped_column(String(100))  # raw Ed25519 key, base64
    fingerprint: Mapped[str] = mapped_column(String(100))
    accepted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    accepted_by: Mapped[str] = mapped_column(String(255), default="")
    replaced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


# ---------------------------------------------------------------------------------------------
# The search index (migration 0004): an FTS5 table with the trigram tokenizer over
# `model.search_text` (already folded: no diacritics, đ → d, lower case), so a word of the search
# box is found by the index instead of a LIKE over every row. It stores no text of its own
# (content='model') and triggers keep it in step with every write of `search_text`, whichever
# path writes it (the ORM, bulk inserts of package apply and Excel import, raw SQL).
# A migration that copies the model table (Alembic batch mode) must create the triggers again.

SEARCH_TABLE = "model_search"
_SEARCH_DDL = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
    "search_text, content='model', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {SEARCH_TABLE}_insert AFTER INSERT ON model BEGIN "
    f"INSERT INTO {SEARCH_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_delete AFTER DELETE ON model BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_update AFTER UPDATE OF search_text ON model BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {SEARCH_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def is_search_table(name: str | None) -> bool:
    """The index and its shadow tables: not ORM tables (schema comparisons leave them out)."""
    return bool(name) and str(name).startswith(SEARCH_TABLE)


def create_search_index(connection: Connection) -> bool:
    """Create the index and its triggers and fill it from the rows present. Returns False,
    leaving the database as it was, when this SQLite has no FTS5 trigram tokenizer (searching
    then reads every row, as before 0004)."""
    try:
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.danvan_probe USING fts5(x, tokenize='trigram')"
        )
        connection.exec_driver_sql("DROP TABLE temp.danvan_probe")
    except OperationalError:
        return False
    for statement in _SEARCH_DDL:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')")
    return True


@event.listens_for(Model.__table__, "after_create")
def _search_index_with_table(_target: object, connection: Connection, **_kw: object) -> None:
    create_search_index(connection)
