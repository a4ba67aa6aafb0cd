"""Benchmark the list at national scale: `make bench` (N models, default 100,000).

Builds a real database file with N demo models through the service API, then times what the
main window asks for: counting, ordered ids for each sort, a filtered and a searched list, and a
page of row snapshots. Prints one line per measurement; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from danvan_desktop.domain import Directory, Field, Period, Status
from danvan_desktop.services import open_services
from danvan_desktop.services.demo import demo_models
from danvan_desktop.services.models import ModelFilter, SortKey


def timed(label: str, action: Callable[[], object], repeat: int = 5) -> None:
    times = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    size = len(result) if isinstance(result, list | dict) else result
    print(f"{label:<48} median {statistics.median(times) * 1000:8.1f} ms   ({size})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench.sqlite3"
    services = open_services(path)
    if not services.installation.is_set_up():
        district = services.units.by_code("120", Directory.LEGACY)
        services.installation.save(
            unit_id=district.id, reports_to_id=district.parent_id, staff_name="Benchmark"
        )
    have = services.models.count()
    if have < args.models:
        root = services.installation.get().unit.id
        unit_ids = [root] + [u.id for u in services.units.children(root)]
        rng = random.Random(1)
        start = time.perf_counter()
        chunk = 5_000
        for offset in range(have, args.models, chunk):
            items = demo_models(unit_ids, min(chunk, args.models - offset), rng)
            services.models.create_many(items, by="Benchmark", today=dt.date(2026, 11, 25))
        took = time.perf_counter() - start
        print(
            f"{'create_many (validated, with events)':<48} {args.models - have} models "
            f"in {took:.1f} s ({(args.models - have) / took:,.0f}/s)"
        )
    print(f"database: {path} ({path.stat().st_size / 2**20:.0f} MiB)")
    models = services.models
    everything = ModelFilter()
    timed("count all", lambda: models.count(everything))
    for key in (SortKey.NAME, SortKey.UNIT, SortKey.STATUS, SortKey.UPDATED_AT):
        timed(f"ids sorted by {key.value}", lambda key=key: models.ids(everything, key))
    timed("ids sorted by name, descending", lambda: models.ids(everything, SortKey.NAME, True))
    narrow = ModelFilter(field=Field.ECONOMY, status=Status.REGISTERED, period=Period(2025, 2030))
    timed("ids filtered (field+status+period)", lambda: models.ids(narrow))
    timed("ids searched 'dan van kheo'", lambda: models.ids(ModelFilter(text="dan van kheo")))
    timed("ids searched 'dong bao'", lambda: models.ids(ModelFilter(text="dong bao")))
    timed("count searched 'ho'", lambda: models.count(ModelFilter(text="ho")))
    ids = models.ids(everything)
    timed("rows: one page of 200 snapshots", lambda: models.rows(ids[5000:5200]))
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
