"""National-scale benchmark: `make bench` (`ARGS="--models 20000"` for a quick run).

What it builds: the 34 provinces and 3,321 communes of the 2025 directory, and N models
(default 100,000) with realistic Vietnamese texts spread over those communes. The setting is the
one where the level above imports the most at once: a national installation (“Ban Dân vận Trung
ương”, a unit added by hand above the provinces) imports one folder holding the 34 provinces'
packages (each province's file carries its communes' models, as a province export does). That is
the same verify → preview → apply path a province runs on its communes' files, at 100,000 rows.

What it measures, each against a baseline timed in the same run on the same rows:

- package import (verify + preview + apply, one backup, one transaction per file), in a child
  process whose peak RSS is reported — against reading the same zip members, `json.loads` of
  every line and raw `sqlite3.executemany` of the models and events into the same tables;
- package export of the 100,000 models — against canonical `json.dumps` of the same objects
  into a zip member at the same (default) deflate level;
- Excel list export of every model — against bare openpyxl write-only of the same cells;
- search latency p50/p95 over 200 queries (half typed with diacritics, half without) through the
  calls the search box makes (the list's first page of ids in name order, the first block of
  rows, the count of matches and the count of every model);
- the time to show the main window on the database (a fresh process, offscreen, from process
  start until the window is shown with its first rows painted).

Nothing here is a pass/fail test; the table says which targets are met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from danvan_desktop import __version__
from danvan_desktop.domain import MODEL_FIELD_NAMES, Directory, ModelData, Status, UnitLevel, fold
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.demo import demo_models, person_name, village_names
from danvan_desktop.services.models import ModelFilter, SortKey
from danvan_desktop.sync import format as fmt
from danvan_desktop.sync.records import dumps, time_text
from danvan_desktop.sync.signing import SigningKey
from danvan_desktop.sync.writer import write_package

NATIONAL_CODE = "TW"
NATIONAL_NAME = "Ban Dân vận Trung ương"
STAFF = "Nguyễn Thị Benchmark"
SEARCHES = 200
_DATA_KEYS = tuple(name for name in MODEL_FIELD_NAMES if name != "unit_id")
_DATES = ("registered_on", "start_date", "evaluation_date")

# name: (target, unit, lower is better)
TARGETS: dict[str, tuple[float, str]] = {
    "import": (2.0, "×"),
    "export": (1.5, "×"),
    "excel": (1.2, "×"),
    "search_p95": (30.0, "ms"),
    "window": (1.5, "s"),
    "import_rss": (400.0, "MB"),
}


# ---------------------------------------------------------------------------------------------
# The dataset


def _units(db: Path) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Provinces by code, and the communes of each province, from the 2025 directory."""
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    rows = connection.execute(
        "SELECT u.id, u.code, u.name, u.level, u.division_type, p.code AS parent "
        "FROM unit u LEFT JOIN unit p ON p.id = u.parent_id WHERE u.directory = ?",
        (Directory.CURRENT.value,),
    ).fetchall()
    connection.close()
    provinces = {r["code"]: dict(r) for r in rows if r["level"] == UnitLevel.PROVINCE.value}
    communes: dict[str, list[dict[str, Any]]] = {code: [] for code in provinces}
    for r in rows:
        if r["level"] == UnitLevel.COMMUNE.value:
            communes[r["parent"]].append(dict(r))
    return provinces, communes


def _unit_json(row: dict[str, Any], directory: str, parent: str | None) -> dict[str, Any]:
    return {
        "directory": directory,
        "code": row["code"],
        "name": row["name"],
        "level": row["level"],
        "division_type": row["division_type"],
        "parent": None if parent is None else {"directory": directory, "code": parent},
    }


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(1, 10), rng.randint(0, 59)), dt.UTC)


def _model_json(data: ModelData, code: str, rng: random.Random) -> dict[str, Any]:
    """A model as a commune's installation would send it: data, history of steps, revision."""
    values: dict[str, Any] = {}
    for name in _DATA_KEYS:
        value = getattr(data, name)
        if name in _DATES:
            value = value.isoformat() if value else None
        elif hasattr(value, "value"):
            value = value.value
        values[name] = value
    registered = data.registered_on or dt.date(2025, 1, 1)
    staff = person_name(rng)
    events = []
    day = registered
    later = (Status.IMPLEMENTING, Status.RECOGNISED, Status.EXEMPLARY)
    steps = [Status.REGISTERED, *later[: rng.choice((0, 1, 1, 2, 2, 3))]]
    for step in steps:
        decided = step in (Status.RECOGNISED, Status.EXEMPLARY)
        events.append(
            {
                "uuid": _uuid(rng),
                "status": step.value,
                "event_date": day.isoformat(),
                "recorded_by": staff,
                "recorded_at": time_text(_moment(day, rng)),
                "deciding_body": "Ban Thường vụ Đảng ủy xã" if decided else "",
                "decision_number": f"{rng.randint(10, 250)}-QĐ/ĐU" if decided else "",
                "decision_date": day.isoformat() if decided else None,
                "commendation_form": "",
                "commendation_level": "",
                "note": "",
                "replaces": None,
                "voided_at": None,
                "voided_by": "",
                "void_reason": "",
                "owner_unit": None,
            }
        )
        day = min(day + dt.timedelta(days=rng.randint(60, 200)), dt.date(2026, 11, 1))
    events.sort(key=lambda e: (e["recorded_at"], e["uuid"]))
    created = _moment(registered, rng)
    deleted = rng.random() < 0.01
    return {
        "uuid": _uuid(rng),
        "unit": {"directory": Directory.CURRENT.value, "code": code},
        "revision": len(steps) + (1 if deleted else 0),
        "created_at": time_text(created),
        "updated_at": time_text(_moment(day, rng)),
        "created_by": staff,
        "updated_by": staff,
        "deleted": deleted,
        "deleted_at": time_text(_moment(day, rng)) if deleted else None,
        "data": values,
        "events": events,
    }


def make_packages(template: Path, folder: Path, count: int, seed: int = 2026) -> list[str]:
    """One upward package per province (its communes' models), addressed to the national
    installation; returns search words that occur in the data (for the queries)."""
    provinces, communes = _units(template)
    total_communes = sum(len(c) for c in communes.values())
    rng = random.Random(seed)
    villages = village_names(rng, 400)
    national = {
        "directory": Directory.CUSTOM.value,
        "code": NATIONAL_CODE,
        "name": NATIONAL_NAME,
        "level": UnitLevel.OTHER.value,
        "division_type": "",
        "parent": None,
    }
    now = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
    done = 0
    words: set[str] = set()
    for index, (code, province) in enumerate(sorted(provinces.items())):
        below = communes[code]
        share = (
            count - done
            if index == len(provinces) - 1
            else round(count * len(below) / total_communes)
        )
        done += share
        by_id = {c["id"]: c for c in below}
        items = demo_models(list(by_id), share, rng, villages)
        models = sorted(
            (_model_json(item, by_id[item.unit_id]["code"], rng) for item in items),
            key=lambda m: m["uuid"],
        )
        used = sorted({m["unit"]["code"] for m in models})
        units = [_unit_json(province, Directory.CURRENT.value, None), national]
        units += [_unit_json(by_code, Directory.CURRENT.value, code) for by_code in below
                  if by_code["code"] in used]  # fmt: skip
        units.sort(key=lambda u: (u["directory"], u["code"]))
        for model in models[:: max(1, len(models) // 20)]:
            words.add(model["data"]["name"])
            words.add(model["data"]["village"])
            if model["data"]["person_name"]:
                words.add(model["data"]["person_name"])
        words.update(c["name"] for c in below[:5])
        manifest = {
            "format": fmt.FORMAT_NAME,
            "format_version": fmt.FORMAT_VERSION,
            "app_version": __version__,
            "kind": fmt.KIND_UPWARD,
            "source_unit": {"directory": Directory.CURRENT.value, "code": code,
                            "name": province["name"]},
            "target_units": [{"directory": Directory.CUSTOM.value, "code": NATIONAL_CODE,
                              "name": NATIONAL_NAME}],
            "created_at": time_text(now),
            "created_by": STAFF,
            "sequence": 1,
            "counts": {
                "units": len(units),
                "models": sum(not m["deleted"] for m in models),
                "tombstones": sum(m["deleted"] for m in models),
                "events": sum(len(m["events"]) for m in models),
                "acknowledgements": 0,
            },
        }  # fmt: skip
        name = f"DVK_{code}_tinh-{index:02d}_2026-11-25_001{fmt.EXTENSION}"
        # Each province signs with its own key; the national level records it on first use.
        key = SigningKey(Ed25519PrivateKey.generate(), folder / f"{code}.pem")
        write_package(folder / name, manifest, units, iter(models), [], key)
    return sorted(words)


def make_template(path: Path) -> None:
    """A national installation: the directory, the national body added by hand, set up."""
    services = open_services(path)
    national = services.units.add_custom(code=NATIONAL_CODE, name=NATIONAL_NAME, parent_id=None)
    services.installation.save(unit_id=national.id, reports_to_id=None, staff_name=STAFF)
    services.close()
    # The national body's directory places the provinces under it, so that they are "below"
    # (their files are received from below, and its own export carries every model).
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE unit SET parent_id = ? WHERE directory = ? AND level = ?",
            (national.id, Directory.CURRENT.value, UnitLevel.PROVINCE.value),
        )
    connection.close()


# ---------------------------------------------------------------------------------------------
# Children: measured in their own process, so that peak memory is theirs alone


def child_import(db: Path, files: Path) -> dict[str, Any]:
    services = open_services(db)
    start = time.perf_counter()
    previews = services.packages.preview([files])
    verified = time.perf_counter()
    results = services.packages.apply(previews, by=STAFF)
    applied = time.perf_counter()
    services.close()
    refused = [r.message for r in results if r.status != "applied"]
    counts: dict[str, int] = {}
    for result in results:
        for key, value in result.preview.counts.items():
            counts[key] = counts.get(key, 0) + value
    return {
        "preview": verified - start,
        "apply": applied - verified,
        "seconds": applied - start,
        "refused": refused,
        "counts": counts,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


_MODEL_COLUMNS = (
    "uuid", "unit_id", "revision", "created_at", "updated_at", "created_by", "updated_by",
    "deleted", "deleted_at", *_DATA_KEYS,
)  # fmt: skip
_EVENT_COLUMNS = (
    "uuid", "model_id", "status", "event_date", "recorded_by", "recorded_at", "deciding_body",
    "decision_number", "decision_date", "commendation_form", "commendation_level", "note",
    "voided_at", "voided_by", "void_reason",
)  # fmt: skip


def child_import_baseline(template: Path, db: Path, files: Path) -> dict[str, Any]:
    """Raw: the same zip members read, every line json.loads'ed, executemany into the same
    model and model_event tables (same indexes, same PRAGMAs), one transaction."""
    source = sqlite3.connect(template)
    ddl = [
        sql
        for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('model', 'model_event') "
            "AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC"
        )
    ]
    unit_ids = {
        (d, c): i for i, d, c in source.execute("SELECT id, directory, code FROM unit")
    }
    source.close()
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    for sql in ddl:
        connection.execute(sql)
    model_sql = (
        f"INSERT INTO model (id, {', '.join(_MODEL_COLUMNS)}, status, sort_name, search_text) "
        f"VALUES (?, {', '.join('?' * len(_MODEL_COLUMNS))}, 'registered', '', '')"
    )
    event_sql = (
        f"INSERT INTO model_event ({', '.join(_EVENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"
    )
    start = time.perf_counter()
    connection.execute("BEGIN")
    model_id = 0
    for path in sorted(files.iterdir()):
        models: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        with zipfile.ZipFile(path) as archive, archive.open(fmt.MODELS) as stream:
            for line in stream:
                obj = json.loads(line)
                model_id += 1
                unit = obj["unit"]
                data = obj["data"]
                models.append(
                    (
                        model_id,
                        obj["uuid"],
                        unit_ids[(unit["directory"], unit["code"])],
                        *(obj[k] for k in _MODEL_COLUMNS[2:9]),
                        *(data[k] for k in _DATA_KEYS),
                    )
                )
                for event in obj["events"]:
                    events.append(
                        (event["uuid"], model_id, *(event[k] for k in _EVENT_COLUMNS[2:]))
                    )
        connection.executemany(model_sql, models)
        connection.executemany(event_sql, events)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return {
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


_WINDOW_SCRIPT = """
import os, sys
from PySide6.QtWidgets import QApplication
from danvan_desktop.app import start
started = start(["--db", sys.argv[1]])
window = started.window
window.table.viewport().repaint()  # the first rows are fetched and painted
QApplication.processEvents()
shown = window.isVisible() and window.model.rowCount() > 0
print("SHOWN" if shown else "NOT-SHOWN", window.model.rowCount(), flush=True)
started.context.services.close()
os._exit(0)  # measured already; Qt's teardown at interpreter exit is not part of it
"""


def window_seconds(db: Path, home: Path) -> float:
    """From launching a fresh interpreter to the window shown with its first rows."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))  # fmt: skip
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _WINDOW_SCRIPT, str(db)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    if "SHOWN" not in out.stdout.split():
        raise RuntimeError(f"the window did not show its rows: {out.stdout} {out.stderr}")
    return seconds


def _run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------------------------
# In-process measurements


def export_baseline(package: Path, out: Path) -> float:
    """Canonical json.dumps of the same model objects into a zip member, default level."""
    with zipfile.ZipFile(package) as archive, archive.open(fmt.MODELS) as stream:
        objects = [json.loads(line) for line in stream]
    start = time.perf_counter()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo(fmt.MODELS, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            for obj in objects:
                member.write((dumps(obj) + "\n").encode("utf-8"))
    return time.perf_counter() - start


def excel_baseline(rows: list[list[Any]], out: Path) -> float:
    """Bare openpyxl write-only of the same cell values."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in rows:
        ws.append(row)
    wb.save(out)
    return time.perf_counter() - start


def search_queries(words: list[str], count: int, seed: int = 7) -> list[str]:
    """What people type: one to three words of a name, village, person or commune, half of
    them with diacritics, half without."""
    rng = random.Random(seed)
    queries = []
    for index in range(count):
        parts = rng.choice(words).split()
        take = rng.randint(1, min(3, len(parts)))
        first = rng.randint(0, len(parts) - take)
        text = " ".join(parts[first : first + take])
        queries.append(fold(text) if index % 2 else text.lower())
    return queries


def search_times(services: Services, queries: list[str]) -> list[float]:
    """Each query as the search box costs it: the list's first page of ids in name order
    (`PAGE_SIZE`), the snapshots of its first block of rows (`BLOCK_SIZE`, what is painted),
    and the two counts of “Hiển thị N / M” (the matches, every model)."""
    from danvan_desktop.ui.model_table import BLOCK_SIZE, PAGE_SIZE

    times = []
    for text in queries:
        start = time.perf_counter()
        flt = ModelFilter(text=text)
        ids = services.models.ids(flt, SortKey.NAME, limit=PAGE_SIZE)
        services.models.rows(ids[:BLOCK_SIZE])
        services.models.count(flt)
        services.models.count(ModelFilter())
        times.append(time.perf_counter() - start)
    return times


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        memory = int(info.readline().split()[1]) / 2**20
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Python "
        f"{sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--work", type=Path, help="folder for the files (default: temporary)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=("export", "excel", "search", "window"),
        help="leave these measurements out (quicker runs while working)",
    )  # fmt: skip
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *paths = args.child
        if kind == "import":
            print(json.dumps(child_import(Path(paths[0]), Path(paths[1]))))
        else:
            print(json.dumps(child_import_baseline(*(Path(p) for p in paths))))
        return 0

    work = args.work or Path(tempfile.mkdtemp(prefix="danvan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"files in {work}")
    template = work / "template.sqlite3"
    db = work / "national.sqlite3"
    files = work / "tinh"
    for old in (template, db, work / "baseline.sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{old}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(files, ignore_errors=True)
    shutil.rmtree(work / "backups", ignore_errors=True)
    files.mkdir()
    make_template(template)
    start = time.perf_counter()
    words = make_packages(template, files, args.models)
    size = sum(p.stat().st_size for p in files.iterdir()) / 2**20
    print(
        f"dataset: {args.models:,} models over 3,321 communes in 34 province files "
        f"({size:.0f} MiB) in {time.perf_counter() - start:.1f} s"
    )
    shutil.copy(template, db)

    figures: dict[str, Any] = {"machine": machine(), "models": args.models}
    rows: list[tuple[str, str, str, float, str]] = []  # label, measured, baseline, value, key

    def ratio(label: str, key: str, measured: float, base: float) -> None:
        figures[key] = {"seconds": measured, "baseline": base, "ratio": measured / base}
        rows.append((label, f"{measured:.2f} s", f"{base:.2f} s", measured / base, key))
        print(f"  {label}: {measured:.2f} s vs {base:.2f} s")

    imported = _run_child("import", str(db), str(files))
    if imported["refused"]:
        raise RuntimeError(f"refused: {imported['refused']}")
    baseline = _run_child("baseline", str(template), str(work / "baseline.sqlite3"), str(files))
    print(f"  import counts: {imported['counts']}")
    print(f"  import: verify + preview {imported['preview']:.2f} s, "
          f"apply {imported['apply']:.2f} s")  # fmt: skip
    ratio("package import (verify+preview+apply)", "import", imported["seconds"],
          baseline["seconds"])  # fmt: skip
    figures["import_rss"] = {"mb": imported["rss_mb"], "baseline_mb": baseline["rss_mb"]}
    rows.append(("import peak memory (RSS)", f"{imported['rss_mb']:.0f} MB",
                 f"{baseline['rss_mb']:.0f} MB", imported["rss_mb"], "import_rss"))  # fmt: skip

    services = open_services(db)
    try:
        out = work / "export"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        result = None

        def export() -> None:
            nonlocal result
            result = services.packages.export_package(out)

        if "export" not in args.skip:
            measured = timed(export)
            assert result is not None
            base = export_baseline(result.path, work / "raw.zip")
            ratio("package export", "export", measured, base)

        from danvan_desktop.services.excel.export_list import export_list_xlsx, list_rows

        everything = ModelFilter()
        if "excel" not in args.skip:
            measured = timed(lambda: export_list_xlsx(services, everything, work / "list.xlsx"))
            cells = list_rows(services, everything)
            base = excel_baseline(cells, work / "raw.xlsx")
            ratio("Excel list export", "excel", measured, base)

        queries = search_queries(words, SEARCHES if "search" not in args.skip else 10)
        search_times(services, queries[:10])  # warm the page cache like a running app
        times = search_times(services, queries)
        p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
        figures["search"] = {"p50_ms": p50, "p95_ms": p95, "queries": len(queries)}
        rows.append((f"search p50 / p95 ({len(queries)} queries)", f"{p50:.1f} / {p95:.1f} ms",
                     "", p95, "search_p95"))  # fmt: skip
        extra = {
            "count all": lambda: services.models.count(everything),
            "ids by name": lambda: services.models.ids(everything, SortKey.NAME),
            "ids by unit": lambda: services.models.ids(everything, SortKey.UNIT),
            "ids by updated": lambda: services.models.ids(everything, SortKey.UPDATED_AT),
        }
        for label, action in extra.items():
            figures[label] = min(timed(action) for _ in range(3))
            print(f"  {label}: {figures[label] * 1000:.0f} ms")
    finally:
        services.close()

    if "window" not in args.skip:
        window = min(window_seconds(db, work / "home") for _ in range(3))
        figures["window"] = {"seconds": window}
        rows.append(("main window shown (cold process)", f"{window:.2f} s", "", window, "window"))

    print()
    print(f"{'measurement':<42}{'measured':>16}{'baseline':>12}{'ratio':>8}{'target':>10}  result")
    for label, measured_text, base_text, value, key in rows:
        target, unit = TARGETS[key]
        ratio_text = f"{value:.2f}" if unit == "×" else ""
        met = value <= target
        miss = "" if met else f" (by {value / target - 1:.0%})"
        print(
            f"{label:<42}{measured_text:>16}{base_text:>12}{ratio_text:>8}"
            f"{'≤ ' + format(target, 'g') + (' ' + unit if unit != '×' else '×'):>10}  "
            f"{'met' if met else 'MISSED' + miss}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
