"""Facts of the official unit lists that are not a parent link: which 2025 province each
pre-2025 province was merged into (derived from the official conversion table shipped in
resources/units/commune-changes-2025.csv). Pure data, no database."""

from __future__ import annotations

import csv
import importlib.resources
import io
from collections import defaultdict
from collections.abc import Iterator
from functools import cache


def read_unit_file(name: str) -> Iterator[dict[str, str]]:
    data = importlib.resources.files("danvan_desktop.resources").joinpath("units", name)
    with io.StringIO(data.read_text(encoding="utf-8")) as handle:
        yield from csv.DictReader(handle)


@cache
def province_successors() -> dict[str, str]:
    """Pre-2025 province code -> the 2025 province that took it over ("02" Hà Giang -> "08"
    Tuyên Quang; "14" Sơn La -> "14"). Every old province maps to exactly one new one."""
    legacy_parent = {r["code"]: r["parent_code"] for r in read_unit_file("units-legacy.csv")}
    current_parent = {r["code"]: r["parent_code"] for r in read_unit_file("units-2025.csv")}
    found: dict[str, set[str]] = defaultdict(set)
    for row in read_unit_file("commune-changes-2025.csv"):
        old_province = legacy_parent[row["old_district_code"]]
        found[old_province].add(current_parent[row["new_code"]])
    return {old: min(new) for old, new in found.items()}


def legacy_provinces_of(code: str) -> list[str]:
    """The pre-2025 provinces now part of the 2025 province `code`."""
    return sorted(old for old, new in province_successors().items() if new == code)
