"""The imports survive being killed: `danvan package import` and `danvan excel import` run as
real processes on a real database file and are killed with SIGKILL at moments spread over a
whole run (start-up, preview, backup, apply, commit). After every kill the file passes
`PRAGMA integrity_check` and holds exactly the state before the import or exactly the state
after a clean run, never a mix.

The receiving database is a province (Tỉnh Sơn La) that holds its own models and an earlier
package from Xã Ngọc Chiến; the package brings that commune's next file (new, changed and
deleted models, new steps), the workbook a few thousand new rows. "The state" is every row of
every table — models, events, units, import history, audit log, signing keys — except the
columns that differ between two clean runs by nature (times of the run, and for the workbook
the UUIDs it makes); two clean runs are checked to give the same state, so that list is
complete.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from danvan_desktop.domain import Directory, EventData, Status
from danvan_desktop.paths import backup_dir
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.excel.common import TEMPLATE_COLUMNS
from tests.db_state import Rows, digest, integrity, table_rows
from tests.helpers import sample_model

KILLS = 50  # per command
TOP_UPS, TOP_UP_KILLS = 3, 10  # when the load changed under the kills and they missed
PARALLEL = 2  # processes at a time (the machines have two cores)
SEED = 20260406
DB_NAME = "danvan.sqlite3"
STAFF = "Lò Thị Mai"

# Columns whose values differ between two clean runs of the same import: when it happened, and
# the UUIDs and times the workbook import gives its new models. Nothing else is left out.
RUN_TIMES = {"package_import": {"imported_at"}, "audit_entry": {"at"}}
VOLATILE: dict[str, dict[str, set[str]]] = {
    "package": RUN_TIMES,
    "excel": {
        **RUN_TIMES,
        "model": {"uuid", "created_at", "updated_at"},
        "model_event": {"uuid", "recorded_at"},
        "audit_entry": {"at", "model_uuid"},
    },
}


# -- the prepared databases ------------------------------------------------------------------


def _copy_site(template_db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copyfile(template_db, folder / DB_NAME)
    return folder / DB_NAME


def _set_up(path: Path, code: str, reports_to: str | None) -> Services:
    services = open_services(path)
    unit = services.units.by_code(code, Directory.CURRENT)
    above = services.units.by_code(reports_to, Directory.CURRENT) if reports_to else None
    services.installation.save(
        unit_id=unit.id,
        reports_to_id=above.id if above else None,
        staff_name=STAFF,
        staff_position="Cán bộ",
    )
    return services


def _add(services: Services, count: int, prefix: str) -> list[int]:
    unit_id = services.installation.get().unit.id
    items = [
        sample_model(unit_id, name=f"{prefix} {i}", notes="Ghi chú " * 20) for i in range(count)
    ]
    return services.models.create_many(items, by=STAFF)


def _checkpoint(services: Services) -> None:
    with services.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    services.close()


def _workbook(path: Path, count: int) -> Path:
    """Rows of the import template for the province and its communes, all valid and new."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Mô hình")
    titles = [c.title for c in TEMPLATE_COLUMNS]
    ws.append(titles)
    communes = ["03820", "03808", "", "03823"]
    for i in range(count):
        values = {
            "STT": i + 1,
            "Tên mô hình": f"Tổ tự quản đường điện số {i}",
            "Tập thể/Cá nhân": "Tập thể",
            "Lĩnh vực": ["Kinh tế", "Văn hóa – xã hội"][i % 2],
            "Mã đơn vị": communes[i % len(communes)],
            "Giai đoạn từ năm": 2025,
            "Giai đoạn đến năm": 2030,
            "Thực trạng, lý do": "Đường điện qua bản dài, hay sự cố; đồng bào tự quản. " * 3,
        }
        ws.append([values.get(title) for title in titles])
    wb.save(path)
    return path


@dataclasses.dataclass(frozen=True)
class Command:
    name: str
    args: list[str]  # after `danvan`, with {db} for the database path


@dataclasses.dataclass
class Prepared:
    before: Path  # folder of the province's database before the import
    commands: dict[str, Command]
    before_state: dict[str, str]  # digest per command (each leaves out its own columns)


@dataclasses.dataclass(frozen=True)
class Run:
    delay: float
    finished: bool  # the process ended before the kill
    phase: str
    state: str  # "before", "after" or "neither"


def _run(command: Command, folder: Path, *, delay: float | None) -> tuple[int, str, float]:
    """Start the command on the database in `folder`; kill it after `delay` seconds (None: let
    it finish). Returns its exit status (-9 when killed), what it printed, and how long it ran.
    """
    db = folder / DB_NAME
    args = [a.replace("{db}", str(db)) for a in command.args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"}
    with (folder / "stdout.txt").open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "danvan_desktop.console", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        elapsed = time.perf_counter() - started
    return process.returncode, (folder / "stdout.txt").read_text("utf-8", "replace"), elapsed


def _state(folder: Path, volatile: dict[str, set[str]]) -> tuple[str, Rows]:
    rows = table_rows(folder / DB_NAME, volatile)
    return digest(rows), rows


def _differing_columns(a: Rows, b: Rows) -> list[str]:
    """(table.column) whose values differ between two states with the same rows."""
    found = []
    for table in sorted(set(a) | set(b)):
        left, right = a.get(table, []), b.get(table, [])
        if len(left) != len(right):
            found.append(f"{table}: {len(left)} ≠ {len(right)} rows")
            continue
        width = len(left[0]) if left else 0
        for column in range(width):
            if sorted(repr(r[column]) for r in left) != sorted(repr(r[column]) for r in right):
                found.append(f"{table} column {column}")
    return found


@pytest.fixture(scope="module")
def prepared(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = tmp_path_factory.mktemp("crash")
    # The commune: 1,500 models sent up earlier; since then 300 edited, 100 deleted, 50 with a
    # new step, and 1,500 new ones.
    commune = _set_up(_copy_site(template_db, root / "commune"), "03820", "14")
    first = _add(commune, 1500, "Mô hình đã gửi")
    outbox = root / "outbox"
    outbox.mkdir()
    earlier = commune.packages.export_package(outbox).path
    for model_id in first[:300]:
        record = commune.models.get(model_id)
        data = dataclasses.replace(record.data, notes="Đã cập nhật kết quả năm 2026")
        commune.models.update(model_id, data, expected_revision=record.revision, by=STAFF)
    for model_id in first[300:400]:
        commune.models.delete(model_id, by=STAFF)
    for model_id in first[400:450]:
        step = EventData(Status.IMPLEMENTING, dt.date.today(), note="Bắt đầu triển khai")
        commune.models.add_event(model_id, step, by=STAFF)
    _add(commune, 1500, "Mô hình mới")
    package = commune.packages.export_package(outbox).path
    _checkpoint(commune)

    # The province: its own models, and the commune's earlier file.
    province = _set_up(_copy_site(template_db, root / "before"), "14", None)
    _add(province, 30, "Mô hình của tỉnh")
    previews = province.packages.preview([earlier])
    assert [r.status for r in province.packages.apply(previews)] == ["applied"]
    _checkpoint(province)
    shutil.rmtree(backup_dir(root / "before" / DB_NAME), ignore_errors=True)
    workbook = _workbook(root / "mo-hinh.xlsx", 2500)

    commands = {
        "package": Command("package", ["package", "import", "--db", "{db}", str(package), "--yes"]),
        "excel": Command("excel", ["excel", "import", "--db", "{db}", str(workbook)]),
    }
    before_state = {name: _state(root / "before", VOLATILE[name])[0] for name in commands}
    return Prepared(root / "before", commands, before_state)


def _clean_runs(prepared: Prepared, name: str, tag: str) -> tuple[str, float]:
    """Run the import to its end twice side by side, as the kills do: the state after it, and
    how long a run takes on this machine now."""
    folders = [prepared.before.parent / f"{name}-{tag}-{i}" for i in range(PARALLEL)]
    for folder in folders:
        shutil.copytree(prepared.before, folder)
    run = functools.partial(_run, prepared.commands[name], delay=None)
    with ThreadPoolExecutor(PARALLEL) as pool:
        ended = list(pool.map(run, folders))
    for code, out, _ in ended:
        assert code == 0, out
    states = [_state(folder, VOLATILE[name]) for folder in folders]
    for folder in folders:
        shutil.rmtree(folder)
    assert states[0][0] == states[1][0], (
        "two clean runs left different states; these columns differ and must be listed "
        f"in VOLATILE: {_differing_columns(states[0][1], states[1][1])}"
    )
    assert states[0][0] != prepared.before_state[name]
    return states[0][0], sum(elapsed for _, _, elapsed in ended) / len(ended)


# -- the kills -------------------------------------------------------------------------------


def _phase(folder: Path, out: str, finished: bool, state: str, reason: str) -> str:
    """Where the run was when it was killed, from what it left behind: its output (printed once
    the preview is done), the backup file (".part" while it is written) and the state."""
    if finished:
        return "ended"
    backups = list(backup_dir(folder / DB_NAME).glob(f"*{reason}*"))
    if any(p.name.endswith(".part") for p in backups):
        return "backup"
    if backups:
        return "apply" if state == "before" else "commit or exit"
    return "after preview" if out.strip() else "start-up or preview"


def _kill_runs(
    prepared: Prepared, name: str, reason: str, after: str, delays: list[float]
) -> list[Run]:
    command = prepared.commands[name]
    volatile = VOLATILE[name]
    states = {prepared.before_state[name]: "before", after: "after"}

    def one(delay: float) -> Run:
        folder = Path(tempfile.mkdtemp(dir=prepared.before.parent)) / "site"
        shutil.copytree(prepared.before, folder)
        try:
            code, out, _ = _run(command, folder, delay=delay)
            finished = code != -signal.SIGKILL
            check = integrity(folder / DB_NAME)
            assert check == "ok", f"killed after {delay:.2f} s: {check}"
            state = states.get(_state(folder, volatile)[0], "neither")
            return Run(delay, finished, _phase(folder, out, finished, state, reason), state)
        finally:
            shutil.rmtree(folder.parent, ignore_errors=True)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(one, delays))


def _spread(runs: list[Run]) -> bool:
    """The kills hit before the commit, after it, and inside the import proper (the backup
    taken, the data not yet committed)."""
    return {"before", "after"} <= {run.state for run in runs} and any(
        run.phase == "apply" for run in runs
    )


@pytest.mark.parametrize(("name", "reason"), [("package", "nhap-goi"), ("excel", "nhap-excel")])
def test_killed_import_leaves_the_state_before_or_after(
    prepared: Prepared, name: str, reason: str, record_property: Callable[[str, object], None]
) -> None:
    started = time.perf_counter()
    rng = random.Random(f"{SEED}-{name}")
    runs: list[Run] = []
    durations: list[float] = []
    while len(durations) <= TOP_UPS:
        # Measured just before the kills, since the machine's load changes: the delays are
        # spread over a whole clean run and a little past it, so some kills come after the end.
        after, duration = _clean_runs(prepared, name, f"clean-{len(durations)}")
        durations.append(duration)
        count = KILLS if len(runs) == 0 else TOP_UP_KILLS
        delays = [rng.uniform(0.0, duration * 1.05) for _ in range(count)]
        runs += _kill_runs(prepared, name, reason, after, delays)
        if _spread(runs):
            break  # else the load changed under the kills: measure again, kill some more
    seconds = time.perf_counter() - started
    phases = Counter(f"{run.phase} → {run.state}" for run in runs)
    summary = ", ".join(f"{key}: {n}" for key, n in sorted(phases.items()))
    clean = ", ".join(f"{d:.1f}" for d in durations)
    record_property("phases", summary)
    record_property("clean_run_seconds", clean)
    record_property("seconds", round(seconds, 1))
    print(f"\n{name}: clean run {clean} s, {len(runs)} kills, {seconds:.0f} s; {summary}")

    assert len(runs) >= KILLS
    mixed = [run for run in runs if run.state not in ("before", "after")]
    assert not mixed, f"killed imports left a state that is neither before nor after: {mixed}"
    assert _spread(runs), f"the kills missed the import ({summary})"
