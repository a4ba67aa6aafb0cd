"""`danvan report`: the statistics report of the installation's unit, as a table or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from danvan_desktop.commands import open_from_args
from danvan_desktop.domain import YEAR_MAX, YEAR_MIN, Kind, Period, Status
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.reports import (
    COUNT_KEYS,
    COUNT_SHORT_LABELS,
    ReportFilter,
    Statistics,
)


def parse_period(text: str | None) -> Period | None:
    """ "2021-2025" (or one year, "2025") as a period."""
    if not text:
        return None
    parts = text.replace("–", "-").split("-")
    try:
        years = [int(part) for part in parts]
    except ValueError:
        years = []
    if len(years) == 1:
        years = years * 2
    if len(years) != 2 or not all(YEAR_MIN <= y <= YEAR_MAX for y in years) or years[1] < years[0]:
        raise UserError(f"--period: “{text}” phải có dạng YYYY-YYYY, ví dụ 2021-2025.")
    return Period(years[0], years[1])


def filter_from_args(args: argparse.Namespace) -> ReportFilter:
    year = args.year
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
        raise UserError(f"--year: năm {year} không hợp lệ (từ {YEAR_MIN} đến {YEAR_MAX}).")
    ethnic = {"yes": True, "no": False, None: None}[args.ethnic_minority]
    return ReportFilter(
        period=parse_period(args.period),
        year=year,
        status=Status(args.status) if args.status else None,
        kind=Kind(args.kind) if args.kind else None,
        ethnic_minority_area=ethnic,
    )


def write_statistics_table(out: TextIO, stats: Statistics) -> None:
    from danvan_desktop.cli import write_table

    title = f"Thống kê mô hình, điển hình “Dân vận khéo” — {stats.unit.name}"
    described = stats.filter.describe()
    out.write(title + (f" ({described})" if described else "") + "\n\n")
    headers = ["Mã", "Đơn vị", *(COUNT_SHORT_LABELS[k] for k in COUNT_KEYS)]
    rows = [
        [
            row.unit_code,
            "  " * row.depth + row.unit_name + (" (cộng)" if row.is_subtotal else ""),
            *(str(row.counts.get(k)) for k in COUNT_KEYS),
        ]
        for row in stats.rows
    ]
    rows.append(["", "Tổng cộng", *(str(stats.total.get(k)) for k in COUNT_KEYS)])
    write_table(out, headers, rows)


class ReportCommands:
    name = "report"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        parser = commands.add_parser(
            self.name,
            parents=[db],
            help="thống kê mô hình theo đơn vị, lĩnh vực, chủ thể, kết quả",
            description=(
                "In biểu thống kê mô hình, điển hình của đơn vị và các đơn vị trực thuộc. "
                "Mô hình đã xóa không được tính; cột công nhận/tiêu biểu/khen thưởng đếm các mô "
                "hình đã đạt bước đó (hoặc bước sau)."
            ),
        )
        parser.add_argument("--period", metavar="YYYY-YYYY", help="giai đoạn, ví dụ 2021-2025")
        parser.add_argument(
            "--year", type=int, metavar="YYYY", help="chỉ các mô hình có giai đoạn gồm năm này"
        )
        parser.add_argument(
            "--status", choices=[s.value for s in Status], help="trạng thái hiện tại"
        )
        parser.add_argument(
            "--kind", choices=[k.value for k in Kind], help="mô hình (model) hay điển hình"
        )
        parser.add_argument(
            "--ethnic-minority",
            choices=("yes", "no"),
            help="chỉ (yes) hoặc trừ (no) vùng đồng bào dân tộc thiểu số",
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        flt = filter_from_args(args)
        services = open_from_args(args)
        try:
            stats = services.reports.statistics(flt)
        finally:
            services.close()
        if args.format == "json":
            json.dump(stats.as_dict(), out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            write_statistics_table(out, stats)
        return 0
