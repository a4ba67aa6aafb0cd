"""Laws of sync packages over generated data, 1,000 cases in all (see CASES):

- export → import is the identity: every column of every model and event (tombstones, voided
  and corrected steps, edits included) arrives equal;
- importing again changes nothing: not a row of any table;
- the order of files does not matter: files of two communes, imported in the order they were
  made or in any order (with repeats, one by one or as one batch), give the same models,
  exactly what the communes' newest files hold; an older file applied after a newer one of
  the same unit adds, changes and deletes nothing.

Every case works on real database files put back to a prepared state (installation set up)
and calls the services directly, so a case costs tens of milliseconds. The prepared files keep
only Sơn La's part of the unit directory (both lists): which other provinces exist plays no part
in these laws, and a full directory makes every case several times slower.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danvan_desktop.domain import (
    COMMENDATION_FORMS,
    DECIDED_STATUSES,
    Directory,
    EventData,
    Field,
    Kind,
    ModelData,
    Status,
    SubjectType,
    next_statuses,
)
from danvan_desktop.paths import backup_dir
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.packages import ApplyResult, PackagePreview
from tests.db_state import models_state, table_rows
from tests.helpers import sample_model

# Generated cases per law; together at least 1,000 (checked below, and visible in the output of
# `pytest --hypothesis-show-statistics`).
CASES = {"identity": 600, "idempotence": 200, "order": 200}
assert sum(CASES.values()) >= 1000

TODAY = dt.date(2026, 6, 30)  # fixed, so the generated dates are valid on any day
FIRST_DAY = dt.date(2020, 1, 1)
STAFF = "Người thử"
PLACES = {"commune_a": "03820", "commune_b": "03808", "province": "14"}
DB_NAME = "danvan.sqlite3"

LAW = settings(
    derandomize=True,  # the same cases on every run: CI stays deterministic
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# -- prepared databases ----------------------------------------------------------------------


def _keep_son_la_only(path: Path) -> None:
    """Delete every unit outside Tỉnh Sơn La (the 2025 province and the pre-2025 one)."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT id, parent_id, code FROM unit").fetchall()
        parent = {row[0]: row[1] for row in rows}
        roots = {row[0] for row in rows if row[2] == "14" and row[1] is None}
        keep = set()
        for unit_id in parent:
            current: int | None = unit_id
            while current is not None and current not in roots:
                current = parent[current]
            if current is not None:
                keep.add(unit_id)
        connection.executemany(
            "DELETE FROM unit WHERE id = ?", [(i,) for i in parent if i not in keep]
        )
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def prepared(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A folder per installation (the database and whatever lives beside it), set up."""
    root = tmp_path_factory.mktemp("prepared")
    base = root / "base.sqlite3"
    shutil.copyfile(template_db, base)
    _keep_son_la_only(base)
    folders = {}
    for name, code in PLACES.items():
        folder = root / name
        folder.mkdir()
        shutil.copyfile(base, folder / DB_NAME)
        services = open_services(folder / DB_NAME)
        try:
            unit = services.units.by_code(code, Directory.CURRENT)
            above = services.units.by_code("14", Directory.CURRENT)
            services.installation.save(
                unit_id=unit.id,
                reports_to_id=None if code == "14" else above.id,
                staff_name=STAFF,
                staff_position="Cán bộ",
            )
            with services.db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            services.close()
        folders[name] = folder
    return folders


@dataclasses.dataclass
class Place:
    """An installation whose database stays open for the whole module and is put back to its
    prepared state before every case (SQLite's backup API writes the prepared file into it)."""

    path: Path
    prepared: Path
    services: Services = dataclasses.field(repr=False)
    unit_id: int

    def reset(self) -> None:
        source, target = sqlite3.connect(self.prepared), sqlite3.connect(self.path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        shutil.rmtree(backup_dir(self.path), ignore_errors=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the cases run: in memory (tmpfs) where there is one, since every import syncs the
    disk; the laws do not depend on the medium (test_crash_kill.py runs on the disk)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        path = Path(tempfile.mkdtemp(prefix="danvan-laws-", dir=shm))
        yield path
        shutil.rmtree(path, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("laws")


@pytest.fixture(scope="module")
def places(prepared: dict[str, Path], workspace: Path) -> Iterator[dict[str, Place]]:
    opened: dict[str, Place] = {}
    try:
        for name in (*PLACES, "province_2"):
            source = prepared["province" if name == "province_2" else name]
            folder = workspace / name
            shutil.copytree(source, folder)
            services = open_services(folder / DB_NAME)
            unit_id = services.installation.get().unit.id
            opened[name] = Place(folder / DB_NAME, source / DB_NAME, services, unit_id)
        yield opened
    finally:
        for place in opened.values():
            place.services.close()


@contextmanager
def new_case(workspace: Path, *used: Place) -> Iterator[Path]:
    """The installations a case uses back to their prepared state; yields an empty outbox."""
    for place in used:
        place.reset()
    outbox = workspace / "outbox"
    shutil.rmtree(outbox, ignore_errors=True)
    outbox.mkdir()
    yield outbox


# -- generated models ------------------------------------------------------------------------

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹ"
    "ềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯƠÂÊÔ"
)
_letters = st.one_of(
    st.sampled_from(VIETNAMESE + "  “”–—'\"&<>"),
    st.characters(exclude_categories=("Cs", "Cc")),  # any printable character, NFD marks too
)
LINE = st.text(_letters, max_size=12)
LONG = st.one_of(st.just(""), st.text(st.one_of(_letters, st.sampled_from("\n\t\r")), max_size=40))
NAMES = st.sampled_from(
    [
        "Du lịch cộng đồng ở bản",
        "Nhóm liên gia tự quản",
        "Bản cam kết “5 có, 5 không”",
        "Trồng cây ăn quả trên đất dốc",
        "Hiến đất làm đường giao thông nông thôn",
        "Gương người có uy tín trong đồng bào dân tộc thiểu số",
    ]
)
DATES = st.dates(FIRST_DAY, TODAY)


@st.composite
def model_data(draw: st.DrawFn) -> ModelData:
    subject = draw(st.sampled_from(SubjectType))
    start_year = draw(st.integers(2000, 2100))
    start_date, evaluation_date = draw(st.none() | DATES), draw(st.none() | DATES)
    if start_date and evaluation_date and evaluation_date < start_date:
        start_date, evaluation_date = evaluation_date, start_date
    values: dict[str, Any] = {
        "name": f"{draw(NAMES)} {draw(LINE)}",
        "kind": draw(st.sampled_from(Kind)),
        "subject_type": subject,
        "field": draw(st.sampled_from(Field)),
        "village": draw(LINE),
        "ethnic_minority_area": draw(st.booleans()),
        "period_start": start_year,
        "period_end": draw(st.integers(start_year, 2100)),
        "is_new": draw(st.booleans()),
        "registered_on": draw(st.none() | DATES),
        "start_date": start_date,
        "evaluation_date": evaluation_date,
    }
    if subject is SubjectType.INDIVIDUAL:
        values["person_name"] = f"Lò Văn {draw(LINE)}"
        values["person_position"] = draw(LINE)
        values["person_unit"] = draw(LINE)
    # Long texts: a few drawn, the rest empty; which ones varies from case to case.
    for name in draw(st.sets(st.sampled_from(_LONG_FIELDS), max_size=4)):
        values[name] = draw(LONG)
    return ModelData(**values)


_LONG_FIELDS = (
    "situation", "goals", "content", "target_area", "lead_forces", "coordinating_forces",
    "participating_forces", "resources", "schedule", "outputs", "sustainability", "notes",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A model's life at its commune: created, maybe edited, steps, a step voided or
    corrected, maybe deleted."""

    data: ModelData
    edit: ModelData | None
    steps: list[tuple[int, int, str]]  # (which allowed status, days after the last, a text)
    void: str | None  # "void" the last step, "correct" it, or nothing
    delete: bool


MODEL_SPECS = st.builds(
    ModelSpec,
    data=model_data(),
    edit=st.none() | model_data(),
    steps=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 400), LINE), max_size=2),
    void=st.sampled_from([None, "void", "correct"]),
    delete=st.booleans(),
)


def _add_step(place: Place, model_id: int, choice: int, days: int, text: str) -> None:
    models = place.services.models
    record = models.get(model_id)
    allowed = next_statuses(record.status)
    status = allowed[choice % len(allowed)]
    live = [e for e in record.events if not e.is_void]
    day = min(TODAY, max(e.event_date for e in live) + dt.timedelta(days=days))
    models.add_event(
        model_id,
        EventData(
            status,
            day,
            deciding_body=f"UBND xã {text}" if status in DECIDED_STATUSES else text,
            decision_number=text,
            commendation_form=COMMENDATION_FORMS[choice % len(COMMENDATION_FORMS)]
            if status is Status.COMMENDED
            else "",
            note=text,
        ),
        by=STAFF,
        today=TODAY,
    )


def _change_last_step(place: Place, model_id: int, how: str) -> None:
    models = place.services.models
    live = [e for e in models.get(model_id).events if not e.is_void]
    last = max(live, key=lambda e: (e.event_date, e.id))
    if how == "void" and len(live) > 1:
        models.correct_event(last.id, None, reason="Ghi nhầm", by=STAFF, today=TODAY)
    elif how == "correct":
        replacement = EventData(
            last.status,
            last.event_date,
            deciding_body=last.deciding_body,
            decision_number=f"{last.decision_number} (sửa)",
            decision_date=last.decision_date,
            commendation_form=last.commendation_form,
            commendation_level=last.commendation_level,
            note="Đã sửa lại số quyết định",
        )
        models.correct_event(last.id, replacement, reason="Sai số", by=STAFF, today=TODAY)


def play_spec(place: Place, spec: ModelSpec) -> None:
    models = place.services.models
    unit_id = place.unit_id
    model_id = models.create(dataclasses.replace(spec.data, unit_id=unit_id), by=STAFF, today=TODAY)
    if spec.edit is not None:
        revision = models.get(model_id).revision
        models.update(
            model_id,
            dataclasses.replace(spec.edit, unit_id=unit_id),
            expected_revision=revision,
            by="Người sửa",
            today=TODAY,
        )
    for choice, days, text in spec.steps:
        _add_step(place, model_id, choice, days, text)
    if spec.void:
        _change_last_step(place, model_id, spec.void)
    if spec.delete:
        models.delete(model_id, by=STAFF)


# -- generated histories ---------------------------------------------------------------------

Op = tuple[str, int]
OP = st.one_of(
    st.just(("create", 0)),
    st.tuples(st.sampled_from(["edit", "step", "void", "delete", "export"]), st.integers(0, 3)),
)
OPS = st.lists(OP, min_size=1, max_size=6)
SHORT_OPS = st.lists(OP, min_size=1, max_size=3)


def play_history(place: Place, ops: list[Op], outbox: Path) -> list[Path]:
    """Play the operations, exporting where asked and once at the end; the files in order."""
    models = place.services.models
    files: list[Path] = []
    for op, index in [*ops, ("export", 0)]:
        ids = sorted(models.ids())
        if op == "create":
            models.create(sample_model(place.unit_id, name=f"Mô hình {len(ids) + 1}"), by=STAFF)
        elif op == "export":
            files.append(place.services.packages.export_package(outbox).path)
        elif ids:
            model_id = ids[index % len(ids)]
            if op == "delete":
                models.delete(model_id, by=STAFF)
            elif op == "edit":
                record = models.get(model_id)
                data = dataclasses.replace(record.data, notes=f"Sửa lần {record.revision}")
                models.update(model_id, data, expected_revision=record.revision, by=STAFF)
            elif op == "step":
                _add_step(place, model_id, index, index * 30, f"Bước {index}")
            else:
                _change_last_step(place, model_id, "void" if index % 2 else "correct")
    return files


def import_files(place: Place, paths: list[Path]) -> tuple[list[PackagePreview], list[ApplyResult]]:
    """What the import window and `danvan package import --yes` do: preview, then apply."""
    previews = place.services.packages.preview(paths)
    assert all(p.ok for p in previews), [p.error for p in previews]
    return previews, place.services.packages.apply(previews)


# -- the laws --------------------------------------------------------------------------------


@settings(LAW, max_examples=CASES["identity"])
@given(specs=st.lists(MODEL_SPECS, min_size=1, max_size=2))
def test_export_then_import_is_the_identity(
    places: dict[str, Place], workspace: Path, specs: list[ModelSpec]
) -> None:
    commune, province = places["commune_a"], places["province"]
    with new_case(workspace, commune, province) as outbox:
        for spec in specs:
            play_spec(commune, spec)
        package = commune.services.packages.export_package(outbox)
        previews, results = import_files(province, [package.path])
        assert [r.status for r in results] == ["applied"]
        sent = models_state(commune.path)
        assert models_state(province.path) == sent
        counts = previews[0].counts
        tombstones = sum(1 for m in sent.values() if m["deleted"])
        assert (counts["created"], counts["deleted"]) == (len(sent) - tombstones, tombstones)


@settings(LAW, max_examples=CASES["idempotence"])
@given(ops=OPS)
def test_importing_again_changes_nothing(
    places: dict[str, Place], workspace: Path, ops: list[Op]
) -> None:
    commune, province = places["commune_a"], places["province"]
    with new_case(workspace, commune, province) as outbox:
        files = play_history(commune, ops, outbox)
        import_files(province, files)
        before = table_rows(province.path)
        # the same files again: one by one, then all at once
        for batch in [*([path] for path in files), files]:
            previews, results = import_files(province, batch)
            assert all(p.already_imported is not None for p in previews)
            assert {r.status for r in results} == {"already"}
        assert table_rows(province.path) == before  # not a row of any table changed
        # a new file with the same content: recorded as received, no model changes
        again = commune.services.packages.export_package(outbox).path
        previews, results = import_files(province, [again])
        counts = previews[0].counts
        assert counts["unchanged"] == len(models_state(commune.path)) == sum(counts.values())
        assert [r.status for r in results] == ["applied"]
        assert models_state(province.path) == models_state(commune.path)


@settings(LAW, max_examples=CASES["order"])
@given(ops_a=OPS, ops_b=SHORT_OPS, data=st.data())
def test_the_order_of_files_does_not_matter(
    places: dict[str, Place],
    workspace: Path,
    ops_a: list[Op],
    ops_b: list[Op],
    data: st.DataObject,
) -> None:
    commune_a, commune_b = places["commune_a"], places["commune_b"]
    in_order, shuffled = places["province"], places["province_2"]
    with new_case(workspace, commune_a, commune_b, in_order, shuffled) as outbox:
        files = play_history(commune_a, ops_a, outbox)
        files += play_history(commune_b, ops_b, outbox)
        newest = models_state(commune_a.path) | models_state(commune_b.path)

        import_files(in_order, files)  # one batch, applied in the order the files were made
        assert models_state(in_order.path) == newest

        order = data.draw(st.permutations(files), label="order")
        order += data.draw(st.lists(st.sampled_from(files), max_size=3), label="repeats")
        if data.draw(st.booleans(), label="as one batch"):
            import_files(shuffled, order)
        else:
            newest_sequence: dict[str, int] = {}
            for path in order:
                [preview], _ = import_files(shuffled, [path])
                unit = preview.source_code
                if preview.sequence < newest_sequence.get(unit, 0):
                    # an older file after a newer one of the same unit: it is stale throughout
                    assert preview.newer_sequence is not None
                    assert preview.counts["created"] == preview.counts["updated"] == 0
                    assert preview.counts["deleted"] == 0
                newest_sequence[unit] = max(newest_sequence.get(unit, 0), preview.sequence)
        assert models_state(shuffled.path) == newest
