"""Sync packages as a service: export one file for the level above, verify and preview files
from below, apply them (backup first, one transaction per file), and the history of both."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import operator
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from danvan_desktop import __version__
from danvan_desktop.db.backup import take_backup
from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import (
    Model,
    ModelEvent,
    PackageExport,
    PackageImport,
    Unit,
    UnitKey,
    utc_now,
)
from danvan_desktop.domain import fold
from danvan_desktop.paths import backup_dir, signing_key_path
from danvan_desktop.services import audit
from danvan_desktop.services.audit import AuditAction, record
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.installation import InstallationService
from danvan_desktop.services.models import values_of_live_models
from danvan_desktop.services.units import UnitInfo, UnitService, to_info, unit_info_query
from danvan_desktop.sync import format as fmt
from danvan_desktop.sync.apply import COUNT_KEYS, check_units, process
from danvan_desktop.sync.reader import Package, PackageError, read_package
from danvan_desktop.sync.records import (
    EVENT_COLUMNS,
    MODEL_COLUMNS,
    StoredRows,
    UnitRef,
    parse_time,
    time_text,
    unit_json,
)
from danvan_desktop.sync.signing import KeyFileError, SigningKey, ensure_key, load_key
from danvan_desktop.sync.writer import write_package

BACKUP_REASON = "truoc-nhap-goi"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sequence: int
    sha256: str
    counts: dict[str, int]
    fingerprint: str = ""  # of the key that signed it: what the level above reads back


@dataclass(frozen=True)
class KeyInfo:
    """This installation's signing key as others see it."""

    fingerprint: str
    public_key: str
    path: Path


@dataclass(frozen=True)
class UnitKeyEntry:
    """A key remembered for another unit (trust on first use), current or replaced."""

    unit: str
    fingerprint: str
    accepted_at: dt.datetime
    accepted_by: str
    replaced_at: dt.datetime | None


@dataclass
class PackagePreview:
    """What one file would do, or why it is refused."""

    path: Path
    sha256: str = ""
    source_code: str = ""
    source_name: str = ""
    sequence: int = 0
    created_at: dt.datetime | None = None
    error: str = ""  # the file is refused as a whole
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    refusals: list[tuple[str, str]] = field(default_factory=list)
    already_imported: dt.datetime | None = None  # when this exact file was applied
    newer_sequence: int | None = None  # a later file of the same unit was applied
    package: Package | None = None
    fingerprint: str = ""  # of the key that signed the file
    first_key: bool = False  # no key is remembered for the sender yet: this one will be
    known_fingerprint: str = ""  # the sender's remembered key, when the file has another

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def key_changed(self) -> bool:
        """Signed by another key than the one remembered for the sender: not applied unless a
        person accepts the new key explicitly."""
        return bool(self.known_fingerprint)

    @property
    def key_note(self) -> str:
        if self.key_changed:
            return (
                f"Khoá ký của {self.source_name} ({self.source_code}) đã đổi: dấu vân tay đã "
                f"ghi nhận {self.known_fingerprint}, dấu vân tay trong tệp {self.fingerprint}. "
                "Hãy gọi điện cho đơn vị gửi, nhờ họ đọc dấu vân tay khoá của họ; chỉ chấp nhận "
                "khoá mới khi hai bên khớp nhau (đơn vị cài lại máy sẽ có khoá mới)."
            )
        if self.first_key and self.ok:
            return (
                f"Lần đầu nhận tệp của {self.source_name}: khoá ký (dấu vân tay "
                f"{self.fingerprint}) sẽ được ghi nhận khi nhập."
            )
        return ""

    @property
    def notes(self) -> list[str]:
        notes: list[str] = []
        if self.already_imported is not None:
            when = self.already_imported.astimezone().strftime("%d/%m/%Y %H:%M")
            notes.append(f"Tệp này đã được nhập lúc {when}.")
        if self.newer_sequence is not None:
            notes.append(
                f"Đã nhận tệp mới hơn (số {self.newer_sequence}) của đơn vị này; "
                "tệp này chỉ thêm được những gì mới hơn dữ liệu đang có."
            )
        return notes


@dataclass(frozen=True)
class ApplyResult:
    preview: PackagePreview
    status: str  # "applied", "already", "refused"
    message: str = ""


@dataclass(frozen=True)
class ImportEntry:
    file_name: str
    sha256: str
    source: str
    sequence: int
    package_created_at: dt.datetime | None
    imported_at: dt.datetime
    imported_by: str
    counts: dict[str, int]
    status: str


@dataclass(frozen=True)
class ExportEntry:
    file_name: str
    sha256: str
    sequence: int
    target: str
    created_at: dt.datetime
    created_by: str
    counts: dict[str, int]
    acknowledged_at: dt.datetime | None


def slug(name: str) -> str:
    """ "Xã Ngọc Chiến" → "xa-ngoc-chien": ASCII, safe in any file system."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40] or "don-vi"


def package_files(paths: Sequence[Path]) -> list[Path]:
    """Files named on a command line or picked in a dialog; a folder gives its .dvk files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == fmt.EXTENSION))
        else:
            found.append(path)
    return found


class PackageService:
    def __init__(self, db: Database, units: UnitService, installation: InstallationService) -> None:
        self._db = db
        self._units = units
        self._installation = installation

    # -- export ------------------------------------------------------------------------------

    def export_package(self, out: Path, *, now: dt.datetime | None = None) -> ExportResult:
        """Write this unit's package for the level above to `out` (a file, or a folder where
        the file gets its standard name): every model it holds, tombstones included."""
        installation = self._installation.get()
        unit = installation.unit
        target = installation.reports_to
        subtree = set(self._units.subtree_ids(unit.id))
        return self._export(
            out,
            kind=fmt.KIND_UPWARD,
            target=target,
            prefix=f"DVK_{unit.code}_{slug(unit.name)}",
            keep=lambda unit_id, _owners: unit_id in subtree,
            acks=[],
            now=now,
        )

    def export_feedback(
        self, out_dir: Path, unit_ids: Sequence[int], *, now: dt.datetime | None = None
    ) -> list[ExportResult]:
        """ "Gửi phản hồi xuống cơ sở": one file per unit below, carrying this unit's own
        decisions on that unit's models and which of its files were received and applied."""
        this = self._installation.get().unit
        if not out_dir.is_dir():
            raise UserError(f"Thư mục {out_dir} không tồn tại. Hãy chọn thư mục khác.")
        results = []
        for unit_id in unit_ids:
            target = self._units.get(unit_id)
            if unit_id == this.id or unit_id not in self._units.subtree_ids(this.id):
                raise UserError(f"{target.name} ({target.code}) không phải đơn vị cấp dưới.")
            subtree = set(self._units.subtree_ids(unit_id))
            results.append(
                self._export(
                    out_dir,
                    kind=fmt.KIND_FEEDBACK,
                    target=target,
                    prefix=f"DVK_PH_{target.code}_{slug(target.name)}_tu-{this.code}",
                    keep=_decided_in(subtree, this.id),
                    acks=self._acks(subtree),
                    now=now,
                )
            )
        return results

    def received_unit_ids(self) -> set[int]:
        """Units whose models come here in packages from below (they own those models)."""
        this = self._installation.get().unit.id
        with self._db.session() as session:
            sources = set(
                session.scalars(
                    select(PackageImport.source_unit_id).where(PackageImport.status == "applied")
                )
            )
        below = set(self._units.subtree_ids(this)) - {this} if sources else set()
        found: set[int] = set()
        for source in sources:
            if source in below:  # feedback from above is applied too; it owns nothing here
                found.update(self._units.subtree_ids(source))
        return found

    def decision_owner(self, unit_id: int) -> int | None:
        """This unit's id when models of `unit_id` are received from below, else None."""
        if not self._installation.is_set_up():
            return None
        return self._installation.get().unit.id if unit_id in self.received_unit_ids() else None

    def units_below_with_models(self) -> list[tuple[UnitInfo, int]]:
        """Units below this one that have models (and the units between), as a tree in code
        order: (unit, depth) with depth 1 for the units directly below."""
        this = self._installation.get().unit.id
        with self._db.session() as session:
            used = {unit_id for (unit_id,) in values_of_live_models(session, Model.unit_id)}
            parents: dict[int, int | None] = {
                row.id: row.parent_id for row in session.execute(select(Unit.id, Unit.parent_id))
            }
        paths: dict[int, tuple[int, ...]] = {}
        for unit_id in used - {this}:
            chain = [unit_id]
            while chain[-1] != this and parents.get(chain[-1]) is not None and len(chain) < 10:
                parent = parents[chain[-1]]
                assert parent is not None
                chain.append(parent)
            if chain[-1] != this:
                continue  # not below this unit
            chain.reverse()  # this, ..., unit
            for depth in range(1, len(chain)):
                paths[chain[depth]] = tuple(chain[1 : depth + 1])
        # One query for all of them: one each took ten seconds for the 3,321 communes.
        infos: dict[int, UnitInfo] = {}
        wanted = list(paths)
        query = unit_info_query()
        with self._db.session() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for unit, parent_name in session.execute(query.where(Unit.id.in_(chunk))):
                    infos[unit.id] = to_info(unit, parent_name)
        order = sorted(paths, key=lambda i: tuple(infos[u].code for u in paths[i]))
        return [(infos[i], len(paths[i])) for i in order]

    def feedback_targets(self) -> list[UnitInfo]:
        """Units below that sent files here (where feedback usually goes), by code."""
        this = self._installation.get().unit
        with self._db.session() as session:
            ids = set(
                session.scalars(
                    select(PackageImport.source_unit_id).where(PackageImport.status == "applied")
                )
            )
        below = set(self._units.subtree_ids(this.id)) - {this.id}
        return sorted(
            (self._units.get(i) for i in ids if i is not None and i in below),
            key=lambda u: u.code,
        )

    def _acks(self, subtree: set[int]) -> list[dict[str, Any]]:
        with self._db.session() as session:
            rows = session.execute(
                select(PackageImport, Unit)
                .join(Unit, Unit.id == PackageImport.source_unit_id)
                .where(PackageImport.status == "applied")
                .order_by(PackageImport.sha256)
            ).all()
            return [
                {
                    "unit": {"directory": unit.directory, "code": unit.code},
                    "sha256": row.sha256,
                    "sequence": row.sequence,
                    "imported_at": time_text(row.imported_at),
                }
                for row, unit in rows
                if unit.id in subtree
            ]

    def _export(
        self,
        out: Path,
        *,
        kind: str,
        target: UnitInfo | None,
        prefix: str,
        keep: Callable[[int, set[int]], bool],
        acks: list[dict[str, Any]],
        now: dt.datetime | None,
    ) -> ExportResult:
        installation = self._installation.get()
        unit = installation.unit
        key = self._signing_key()  # before anything: a broken key file writes no file
        now = now or utc_now()
        with self._db.session() as session:
            last = session.scalar(
                select(func.max(PackageExport.sequence)).where(PackageExport.unit_id == unit.id)
            )
        sequence = (last or 0) + 1
        local_date = now.astimezone().date().isoformat()
        path = out / f"{prefix}_{local_date}_{sequence:03d}{fmt.EXTENSION}" if out.is_dir() else out
        if not path.parent.is_dir():
            raise UserError(f"Thư mục {path.parent} không tồn tại. Hãy chọn thư mục khác.")
        counts = dict.fromkeys(("units", "models", "tombstones", "events", "acknowledgements"), 0)
        counts["acknowledgements"] = len(acks)
        manifest: dict[str, Any] = {
            "format": fmt.FORMAT_NAME,
            "format_version": fmt.FORMAT_VERSION,
            "app_version": __version__,
            "kind": kind,
            "source_unit": _named(unit),
            "target_units": [_named(target)] if target else [],
            "created_at": time_text(now),
            "created_by": installation.staff_name,
            "sequence": sequence,
            "counts": counts,
        }
        with self._db.session() as session:
            ref_by_id = _unit_refs(session)
            owners: dict[int, set[int]] = {}
            for model_id, owner in session.execute(
                select(ModelEvent.model_id, ModelEvent.owner_unit_id).where(
                    ModelEvent.owner_unit_id.is_not(None)
                )
            ):
                if owner is not None:
                    owners.setdefault(model_id, set()).add(owner)
            chosen: set[int] = set()
            used = {unit.id}
            for model_id, unit_id in _driver_rows(session, "SELECT id, unit_id FROM model"):
                model_owners = owners.get(model_id, set())
                if keep(unit_id, model_owners):
                    chosen.add(model_id)
                    used.add(unit_id)
                    used |= model_owners
            if target:
                used.add(target.id)
            unit_rows = _units_of(session, used, ref_by_id)
            counts["units"] = len(unit_rows)

            def models() -> Iterator[dict[str, Any]]:
                # Plain tuples from SQLite, not ORM objects (100,000 models): the models in
                # uuid order, and every event in one query in the same order, taken model by
                # model as the two streams go along (nothing more than a model in memory).
                rows = StoredRows(ref_by_id)
                model_rows = _driver_rows(
                    session, f"SELECT {', '.join(MODEL_COLUMNS)} FROM model ORDER BY uuid"
                )
                event_rows = _driver_rows(
                    session,
                    f"SELECT {', '.join('e.' + name for name in EVENT_COLUMNS)} "
                    "FROM model JOIN model_event AS e ON e.model_id = model.id "
                    "ORDER BY model.uuid",
                )
                groups = itertools.groupby(event_rows, key=operator.itemgetter(1))  # model_id
                group = next(groups, None)
                for row in model_rows:
                    events: list[Any] = []
                    if group is not None and group[0] == row[0]:
                        events = list(group[1])
                        group = next(groups, None)
                    if row[0] not in chosen:
                        continue
                    counts["tombstones" if row[8] else "models"] += 1  # row[8]: deleted
                    counts["events"] += len(events)
                    yield rows.model_json(row, events)

            sha256 = write_package(path, manifest, unit_rows, models(), acks, key)
            session.add(
                PackageExport(
                    unit_id=unit.id,
                    target_unit_id=target.id if target else None,
                    sequence=sequence,
                    file_name=path.name,
                    sha256=sha256,
                    created_at=now,
                    created_by=installation.staff_name,
                    counts=json.dumps(counts, sort_keys=True),
                )
            )
        return ExportResult(path, sequence, sha256, dict(counts), key.fingerprint)

    # -- signing keys ------------------------------------------------------------------------

    def _signing_key(self) -> SigningKey:
        path = signing_key_path(self._db.path)
        try:
            ensure_key(path)
            return load_key(path)
        except KeyFileError as error:
            raise UserError(str(error)) from error
        except OSError as error:
            raise UserError(
                f"Không tạo được tệp khoá ký {path}: {error.strerror}. Hãy kiểm tra quyền ghi "
                "vào thư mục dữ liệu."
            ) from error

    def own_key(self) -> KeyInfo:
        """This installation's key: its fingerprint is what the level above checks by phone."""
        key = self._signing_key()
        return KeyInfo(key.fingerprint, key.public_key, key.path)

    def unit_keys(self) -> list[UnitKeyEntry]:
        """Keys remembered for other units, by unit code, current before replaced."""
        with self._db.session() as session:
            rows = session.execute(
                select(UnitKey, Unit)
                .join(Unit, Unit.id == UnitKey.unit_id)
                .order_by(Unit.code, UnitKey.replaced_at.is_not(None), UnitKey.id.desc())
            ).all()
            return [
                UnitKeyEntry(
                    unit=f"{unit.name} ({unit.code})",
                    fingerprint=key.fingerprint,
                    accepted_at=key.accepted_at,
                    accepted_by=key.accepted_by,
                    replaced_at=key.replaced_at,
                )
                for key, unit in rows
            ]

    # -- import ------------------------------------------------------------------------------

    def preview(self, paths: Sequence[Path]) -> list[PackagePreview]:
        """Verify and preview every file (folders give their .dvk files); nothing is written."""
        this = self._this_ref()
        previews = []
        for path in package_files(paths):
            preview = PackagePreview(path=path)
            try:
                package = read_package(path)
                preview.package = package
                preview.sha256 = package.sha256
                preview.source_code = package.source[1]
                preview.source_name = package.source_name
                preview.sequence = package.sequence
                preview.created_at = package.created_at
                preview.fingerprint = package.fingerprint
                with self._db.session() as session:
                    outcome = process(
                        session, package, this, write=False, unit_refs=lambda: _unit_refs(session)
                    )
                    self._history_notes(session, preview, package)
                    current = _current_key(session, package)
                    preview.first_key = current is None
                    if current is not None and current.public_key != package.public_key:
                        preview.known_fingerprint = current.fingerprint
                preview.counts = outcome.counts
                preview.refusals = outcome.refusals
            except PackageError as error:
                preview.error = str(error)
            previews.append(preview)
        return previews

    def apply(
        self,
        previews: Sequence[PackagePreview],
        *,
        by: str = "",
        accept_keys: Collection[str] = (),
    ) -> list[ApplyResult]:
        """Apply the good files: one backup first, then each file in its own transaction
        (all of a file or nothing of it). Refused files and files applied before are left.

        A file signed by another key than the one remembered for its unit is refused unless
        the unit's code is in `accept_keys` (a person checked the new fingerprint by phone);
        the first key of a unit is remembered."""
        by = by or self._installation.staff_name()
        this = self._this_ref()
        results: list[ApplyResult] = []
        backed_up = False
        done: set[str] = set()
        for preview in previews:
            if not preview.ok or preview.package is None:
                results.append(ApplyResult(preview, "refused", preview.error))
                continue
            if preview.already_imported is not None:
                results.append(ApplyResult(preview, "already", preview.notes[0]))
                continue
            if preview.sha256 in done:  # the same file picked twice (two folders, a copy)
                results.append(ApplyResult(preview, "already", "Tệp này vừa được nhập."))
                continue
            accept = preview.source_code in accept_keys
            if preview.key_changed and not accept:
                results.append(ApplyResult(preview, "refused", _key_refusal(preview)))
                continue
            if not backed_up:
                take_backup(self._db.path, backup_dir(self._db.path), BACKUP_REASON)
                backed_up = True
            package = preview.package
            try:
                with self._db.session() as session:
                    outcome = process(
                        session, package, this, write=True, unit_refs=lambda: _unit_refs(session)
                    )
                    _acknowledge(session, package, this)
                    _trust_key(session, package, this, by=by, accept=accept)
                    source = session.scalar(
                        select(Unit).where(
                            Unit.directory == package.source[0], Unit.code == package.source[1]
                        )
                    )
                    session.add(
                        PackageImport(
                            file_name=package.name,
                            sha256=package.sha256,
                            source_unit_id=source.id if source else None,
                            sequence=package.sequence,
                            package_created_at=package.created_at,
                            imported_at=utc_now(),
                            imported_by=by,
                            counts=json.dumps(outcome.counts, sort_keys=True),
                            status="applied",
                        )
                    )
                    audit.record_package(
                        session,
                        by=by,
                        file_name=package.name,
                        unit=f"{package.source_name} ({package.source[1]})",
                        counts=outcome.counts,
                        changed=outcome.changed,
                    )
            except PackageError as error:
                results.append(ApplyResult(preview, "refused", str(error)))
                continue
            done.add(preview.sha256)
            preview.counts = outcome.counts
            preview.refusals = outcome.refusals
            results.append(ApplyResult(preview, "applied"))
        return results

    def history(self) -> list[ImportEntry]:
        with self._db.session() as session:
            rows = session.execute(
                select(PackageImport, Unit)
                .outerjoin(Unit, Unit.id == PackageImport.source_unit_id)
                .order_by(PackageImport.imported_at.desc(), PackageImport.id.desc())
            ).all()
            return [
                ImportEntry(
                    file_name=row.file_name,
                    sha256=row.sha256,
                    source=f"{unit.name} ({unit.code})" if unit else "",
                    sequence=row.sequence,
                    package_created_at=row.package_created_at,
                    imported_at=row.imported_at,
                    imported_by=row.imported_by,
                    counts=json.loads(row.counts),
                    status=row.status,
                )
                for row, unit in rows
            ]

    def exports(self) -> list[ExportEntry]:
        with self._db.session() as session:
            rows = session.execute(
                select(PackageExport, Unit)
                .outerjoin(Unit, Unit.id == PackageExport.target_unit_id)
                .order_by(PackageExport.sequence.desc())
            ).all()
            return [
                ExportEntry(
                    file_name=row.file_name,
                    sha256=row.sha256,
                    sequence=row.sequence,
                    target=f"{unit.name} ({unit.code})" if unit else "",
                    created_at=row.created_at,
                    created_by=row.created_by,
                    counts=json.loads(row.counts),
                    acknowledged_at=row.acknowledged_at,
                )
                for row, unit in rows
            ]

    # -- helpers -----------------------------------------------------------------------------

    def _this_ref(self) -> UnitRef:
        unit = self._installation.get().unit
        return (unit.directory.value, unit.code)

    @staticmethod
    def _history_notes(session: Any, preview: PackagePreview, package: Package) -> None:
        done = session.scalar(
            select(PackageImport.imported_at)
            .where(PackageImport.sha256 == package.sha256, PackageImport.status == "applied")
            .order_by(PackageImport.imported_at)
            .limit(1)
        )
        preview.already_imported = done
        newest = session.scalar(
            select(func.max(PackageImport.sequence))
            .join(Unit, Unit.id == PackageImport.source_unit_id)
            .where(Unit.directory == package.source[0], Unit.code == package.source[1])
        )
        if newest is not None and newest > package.sequence:
            preview.newer_sequence = newest


def _current_key(session: Any, package: Package) -> UnitKey | None:
    """The key remembered for the file's sender (None: its first file)."""
    return session.scalar(  # type: ignore[no-any-return]
        select(UnitKey)
        .join(Unit, Unit.id == UnitKey.unit_id)
        .where(
            Unit.directory == package.source[0],
            Unit.code == package.source[1],
            UnitKey.replaced_at.is_(None),
        )
        .order_by(UnitKey.id.desc())
        .limit(1)
    )


def _key_refusal(preview: PackagePreview) -> str:
    return (
        f"Tệp “{preview.path.name}” chưa được nhập: {preview.key_note} Chỉ nhập tệp sau khi "
        "đã xác nhận và chấp nhận khoá mới."
    )


def _trust_key(session: Any, package: Package, this: UnitRef, *, by: str, accept: bool) -> None:
    """Trust on first use, inside the file's transaction: remember the sender's first key;
    the same key is fine; another key only when accepted (the old one is kept as replaced).
    Checked again here because an earlier file of the same batch may have set the key."""
    current = _current_key(session, package)
    if current is not None and current.public_key == package.public_key:
        return
    unit = check_units(session, package, this).ensure(package.source)
    name = f"{unit.name} ({unit.code})"
    fingerprint = package.fingerprint
    now = utc_now()
    if current is None:
        subject = f"Ghi nhận khoá của {name}, dấu vân tay {fingerprint}"
        details: dict[str, Any] = {"unit": unit.code, "fingerprint": fingerprint}
    elif accept:
        current.replaced_at = now
        subject = (
            f"Chấp nhận khoá mới của {name}: dấu vân tay cũ {current.fingerprint}, "
            f"mới {fingerprint}"
        )
        details = {
            "unit": unit.code,
            "old_fingerprint": current.fingerprint,
            "new_fingerprint": fingerprint,
        }
    else:
        raise PackageError(
            f"Tệp “{package.name}” chưa được nhập: khoá ký của {name} đã đổi (dấu vân tay đã "
            f"ghi nhận {current.fingerprint}, trong tệp {fingerprint}). Chỉ nhập tệp sau khi "
            "đã xác nhận và chấp nhận khoá mới."
        )
    session.add(
        UnitKey(
            unit_id=unit.id,
            public_key=package.public_key,
            fingerprint=fingerprint,
            accepted_at=now,
            accepted_by=by,
        )
    )
    details["file"] = package.name
    record(session, AuditAction.KEY, actor=by, subject=subject, details=details)


def _driver_rows(session: Any, sql: str) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql` as the sqlite3 driver gives them (plain tuples, stored text for dates
    and times), streamed: a row object each would cost more than the export's JSON."""
    cursor = session.connection().connection.cursor()
    try:
        yield from cursor.execute(sql)
    finally:
        cursor.close()


def _unit_refs(session: Any) -> dict[int, UnitRef]:
    # The sqlite3 driver's own tuples: even SQLAlchemy's plain rows cost more than the query
    # on 13,000 units (read for every file previewed and applied).
    cursor = session.connection().connection.cursor()
    try:
        rows = cursor.execute("SELECT id, directory, code FROM unit").fetchall()
    finally:
        cursor.close()
    return {unit_id: (directory, code) for unit_id, directory, code in rows}


def _acknowledge(session: Any, package: Package, this: UnitRef) -> None:
    """Mark this unit's own files the level above says it received."""
    for ack in package.acknowledgements:
        if (ack["unit"]["directory"], ack["unit"]["code"]) != this:
            continue
        row = session.scalar(select(PackageExport).where(PackageExport.sha256 == ack["sha256"]))
        if row is not None and row.acknowledged_at is None:
            row.acknowledged_at = parse_time(ack["imported_at"])


def _named(unit: UnitInfo) -> dict[str, str]:
    return {"directory": unit.directory.value, "code": unit.code, "name": unit.name}


def _decided_in(subtree: set[int], decider: int) -> Callable[[int, set[int]], bool]:
    """Models of `subtree` on which `decider` recorded decisions of its own."""

    def keep(unit_id: int, owners: set[int]) -> bool:
        return unit_id in subtree and decider in owners

    return keep


def _units_of(session: Any, ids: set[int], ref_by_id: dict[int, UnitRef]) -> list[dict[str, Any]]:
    """The units used, with the chain above the ones added by hand (so the receiver can place
    them), sorted by (list, code)."""
    wanted: dict[int, Unit] = {}
    pending = set(ids)
    while pending:  # once more for each level of units added by hand above those used
        found = []
        batch = list(pending)
        for start in range(0, len(batch), 500):  # one query per 500, not one per unit
            found += session.scalars(select(Unit).where(Unit.id.in_(batch[start : start + 500])))
        wanted.update((unit.id, unit) for unit in found)
        pending = {
            unit.parent_id
            for unit in found
            if unit.directory == "custom" and unit.parent_id is not None
        } - wanted.keys()
    rows = [
        unit_json(unit, ref_by_id.get(unit.parent_id) if unit.parent_id else None)
        for unit in wanted.values()
    ]
    return sorted(rows, key=lambda row: (row["directory"], row["code"]))


def ensure_own_key(db_path: Path) -> None:
    """Make the installation's key pair beside its database if it has none (first open)."""
    path = signing_key_path(db_path)
    try:
        ensure_key(path)
    except OSError as error:
        raise UserError(
            f"Không tạo được tệp khoá ký {path}: {error.strerror}. Hãy kiểm tra quyền ghi vào "
            "thư mục dữ liệu."
        ) from error


__all__ = [
    "ApplyResult",
    "ExportEntry",
    "ExportResult",
    "ImportEntry",
    "KeyInfo",
    "PackagePreview",
    "PackageService",
    "UnitKeyEntry",
    "ensure_own_key",
    "package_files",
]

