"""`danvan print …`: the printed documents as PDF files, without a window.

register() only adds argparse options (no Qt is imported until a print command runs), so
`danvan --help` and the other commands stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from danvan_desktop.commands import open_from_args
from danvan_desktop.commands.report import filter_from_args
from danvan_desktop.domain import Kind, Status
from danvan_desktop.services.errors import UserError


def _add_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE.pdf", help="tệp PDF sẽ ghi")


def _add_report_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", metavar="YYYY-YYYY", help="giai đoạn, ví dụ 2021-2025")
    parser.add_argument("--year", type=int, metavar="YYYY", help="chỉ các mô hình có năm này")
    parser.add_argument("--status", choices=[s.value for s in Status], help="trạng thái hiện tại")
    parser.add_argument("--kind", choices=[k.value for k in Kind], help="mô hình hay điển hình")
    parser.add_argument(
        "--ethnic-minority",
        choices=("yes", "no"),
        help="chỉ (yes) hoặc trừ (no) vùng đồng bào dân tộc thiểu số",
    )


def ensure_gui_application() -> None:
    """Qt needs an application object to lay out text; without a display use the offscreen
    platform so the command works over SSH and in scheduled jobs."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        return
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Kept referenced by Qt itself; a module-level name keeps Python from collecting it.
    global _application
    _application = QApplication(["danvan"])


_application: Any = None


class PrintCommands:
    name = "print"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        parser = commands.add_parser(
            self.name, parents=[db], help="in bản đăng ký, mẫu trống, biểu thống kê ra tệp PDF"
        )
        sub = parser.add_subparsers(dest="print_command", required=True, metavar="LỆNH")
        form = sub.add_parser("form", parents=[db], help="bản đăng ký của một hay nhiều mô hình")
        form.add_argument("model_ids", type=int, nargs="+", metavar="MODEL_ID")
        _add_out(form)
        blank = sub.add_parser("blank-form", parents=[db], help="mẫu bản đăng ký để điền tay")
        _add_out(blank)
        report = sub.add_parser("report", parents=[db], help="biểu thống kê (A4 ngang)")
        _add_report_filters(report)
        _add_out(report)

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        path = Path(args.out)
        if path.suffix.lower() != ".pdf":
            raise UserError(f"--out: “{args.out}” phải là tệp .pdf.")
        flt = filter_from_args(args) if args.print_command == "report" else None
        services = open_from_args(args)
        try:
            ensure_gui_application()
            from danvan_desktop.ui.printing import preview

            if args.print_command == "form":
                pages = preview.export_forms_pdf(services, args.model_ids, path)
            elif args.print_command == "blank-form":
                services.installation.get()  # the header needs the unit: say so if unset
                pages = preview.export_blank_form_pdf(services, path)
            else:
                statistics = services.reports.statistics(flt)
                pages = preview.export_report_pdf(services, statistics, path)
        finally:
            services.close()
        out.write(f"Đã ghi {path} ({pages} trang)\n")
        return 0
