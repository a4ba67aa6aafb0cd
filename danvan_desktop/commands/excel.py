"""`danvan excel …`: the import template, importing a workbook, exporting the list and the
statistics report."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, TextIO

from danvan_desktop.domain import Field, Period, Status
from danvan_desktop.services import Services
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.models import ModelFilter

EXIT_IMPORT_ERRORS = 1
# The command line names at most this many problems; the error workbook has them all.
SHOWN_ISSUES = 200


def parse_period(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        start, end = (int(part) for part in text.split("-"))
    except ValueError:
        raise UserError(f"--period: “{text}” phải có dạng YYYY-YYYY, ví dụ 2025-2030.") from None
    return Period(start, end)


class ExcelCommands:
    name = "excel"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        excel = commands.add_parser("excel", parents=[db], help="nhập, xuất bảng tính Excel")
        sub = excel.add_subparsers(dest="excel_command", required=True, metavar="LỆNH")

        template = sub.add_parser("template", parents=[db], help="tạo mẫu Excel để nhập mô hình")
        template.add_argument("--out", required=True, metavar="FILE.xlsx")

        importing = sub.add_parser("import", parents=[db], help="nhập mô hình từ tệp Excel")
        importing.add_argument("file", metavar="FILE.xlsx")
        importing.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra và xem trước, không ghi gì"
        )
        importing.add_argument(
            "--valid-only", action="store_true", help="chỉ nhập các dòng hợp lệ, bỏ dòng lỗi"
        )
        importing.add_argument(
            "--allow-duplicates", action="store_true", help="vẫn thêm các dòng trùng"
        )
        importing.add_argument(
            "--errors-out", metavar="FILE.xlsx", help="lưu danh sách lỗi thành tệp Excel"
        )

        listing = sub.add_parser("export-list", parents=[db], help="xuất danh sách mô hình")
        listing.add_argument("--out", required=True, metavar="FILE.xlsx")
        listing.add_argument("--search", default="", help="tìm theo tên (không cần dấu)")
        listing.add_argument("--period", metavar="YYYY-YYYY", help="giai đoạn, ví dụ 2025-2030")
        listing.add_argument("--field", choices=[f.value for f in Field])
        listing.add_argument("--status", choices=[s.value for s in Status])

        report = sub.add_parser("export-report", parents=[db], help="xuất biểu thống kê")
        report.add_argument("--out", required=True, metavar="FILE.xlsx")
        report.add_argument("--period", metavar="YYYY-YYYY", help="giai đoạn, ví dụ 2025-2030")
        report.add_argument("--year", type=int, help="năm")
        report.add_argument("--status", choices=[s.value for s in Status])

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        from danvan_desktop.commands import open_from_args

        services = open_from_args(args)
        try:
            command = args.excel_command
            if command == "template":
                return _template(services, args, out)
            if command == "import":
                return _import(services, args, out)
            if command == "export-list":
                return _export_list(services, args, out)
            return _export_report(services, args, out)
        finally:
            services.close()


def _template(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    from danvan_desktop.services.excel.template import write_template

    path = write_template(services, Path(args.out))
    out.write(f"Đã tạo mẫu nhập: {path}\n")
    return 0


def _import(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    from danvan_desktop.services.excel.importer import (
        apply_import,
        preview_import,
        write_error_workbook,
    )

    started = time.perf_counter()
    preview = preview_import(services, Path(args.file))
    out.write(f"Tệp {preview.path.name}, trang “{preview.sheet}”: {preview.summary()}.\n")
    if preview.after_total_rows:
        out.write(f"Bỏ qua {preview.after_total_rows} dòng dưới dòng “Tổng cộng”.\n")
    for row in preview.duplicates[:SHOWN_ISSUES]:
        out.write(f"Dòng {row.row}: trùng — “{row.data.name}” {row.duplicate_of}.\n")
    if len(preview.duplicates) > SHOWN_ISSUES:
        out.write(f"… và {len(preview.duplicates) - SHOWN_ISSUES} dòng trùng khác.\n")
    for issue in preview.errors[:SHOWN_ISSUES]:
        out.write(f"{issue}\n")
    if len(preview.errors) > SHOWN_ISSUES:
        out.write(f"… và {len(preview.errors) - SHOWN_ISSUES} lỗi khác (xem --errors-out).\n")
    if args.errors_out and preview.errors:
        saved = write_error_workbook(preview, Path(args.errors_out))
        out.write(f"Đã lưu danh sách lỗi: {saved}\n")
    if args.dry_run:
        out.write("Chạy thử: chưa ghi gì vào cơ sở dữ liệu.\n")
        return EXIT_IMPORT_ERRORS if preview.errors and not args.valid_only else 0
    if preview.errors and not args.valid_only:
        rows = ", ".join(str(r) for r in preview.error_rows[:50])
        raise UserError(
            f"Không nhập dòng nào vì {len(preview.error_rows)} dòng có lỗi (dòng {rows}"
            f"{'…' if len(preview.error_rows) > 50 else ''}). Hãy sửa tệp, hoặc dùng "
            "--valid-only để chỉ nhập các dòng hợp lệ."
        )
    result = apply_import(
        services,
        preview,
        valid_only=args.valid_only,
        allow_duplicates=args.allow_duplicates,
    )
    elapsed = time.perf_counter() - started
    out.write(f"Đã nhập {len(result.added_ids)} mô hình ({elapsed:.1f} giây).\n")
    if result.backup is not None:
        out.write(f"Bản sao lưu trước khi nhập: {result.backup}\n")
    return 0


def _export_list(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    from danvan_desktop.services.excel.export_list import export_list_xlsx

    flt = ModelFilter(
        text=args.search,
        period=parse_period(args.period),
        field=Field(args.field) if args.field else None,
        status=Status(args.status) if args.status else None,
    )
    count = export_list_xlsx(services, flt, Path(args.out))
    out.write(f"Đã xuất {count} mô hình ra {args.out}\n")
    return 0


def _export_report(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    from danvan_desktop.services.excel.export_report import export_report_xlsx
    from danvan_desktop.services.reports import ReportFilter

    flt = ReportFilter(
        period=parse_period(args.period),
        year=args.year,
        status=Status(args.status) if args.status else None,
    )
    path = export_report_xlsx(services, flt, Path(args.out))
    out.write(f"Đã xuất biểu thống kê ra {path}\n")
    return 0
