"""`danvan audit list`: the audit log, newest first, filtered like the screen."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any, TextIO

from danvan_desktop.commands import open_from_args
from danvan_desktop.services import Services
from danvan_desktop.services.audit import ACTION_LABELS, AuditAction, AuditFilter, AuditInfo
from danvan_desktop.services.errors import UserError

# A table cell holds this many field changes; --json has them all.
CHANGES_IN_TABLE = 3


def parse_day(option: str, text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option}: “{text}” phải có dạng YYYY-MM-DD, ví dụ 2026-03-31.") from None


def model_uuid(services: Services, text: str | None) -> str | None:
    """--model takes the UUID, or the local id that `models list` prints."""
    if not text:
        return None
    text = text.strip()
    if text.isdigit():
        return services.models.get(int(text)).uuid
    return text


def _summary(entry: AuditInfo) -> str:
    lines = entry.detail_lines()
    shown = "; ".join(lines[:CHANGES_IN_TABLE])
    if len(lines) > CHANGES_IN_TABLE:
        shown += f"; … (+{len(lines) - CHANGES_IN_TABLE})"
    return shown


class AuditCommands:
    name = "audit"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        audit = commands.add_parser(self.name, parents=[db], help="nhật ký thay đổi dữ liệu")
        sub = audit.add_subparsers(dest="audit_command", required=True, metavar="LỆNH")
        listing = sub.add_parser(
            "list",
            parents=[db],
            help="các thay đổi, mới nhất trước",
            description=(
                "Liệt kê nhật ký thay đổi: ai, lúc nào, làm gì, với mô hình nào; với lần sửa "
                "là từng trường cũ → mới. Ngày theo giờ máy tính này, tính cả hai đầu."
            ),
        )
        listing.add_argument("--model", metavar="UUID", help="một mô hình (mã UUID hoặc số ID)")
        listing.add_argument("--actor", metavar="NAME", help="người thực hiện (đúng họ tên)")
        listing.add_argument("--since", metavar="YYYY-MM-DD", help="từ ngày")
        listing.add_argument("--until", metavar="YYYY-MM-DD", help="đến ngày")
        listing.add_argument(
            "--action",
            choices=[a.value for a in AuditAction],
            help="loại thao tác: "
            + ", ".join(f"{a.value} ({label})" for a, label in ACTION_LABELS.items()),
        )
        listing.add_argument("--search", default="", help="tìm trong đối tượng, người (không dấu)")
        listing.add_argument("--limit", type=int, metavar="N", help="chỉ N mục mới nhất")
        listing.add_argument("--json", action="store_true", help="in JSON thay cho bảng")

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        from danvan_desktop.cli import write_table

        since = parse_day("--since", args.since)
        until = parse_day("--until", args.until)
        if since is not None and until is not None and until < since:
            raise UserError("--until: ngày kết thúc phải sau hoặc bằng ngày bắt đầu (--since).")
        if args.limit is not None and args.limit < 1:
            raise UserError("--limit: phải là số dương.")
        services = open_from_args(args)
        try:
            flt = AuditFilter(
                model_uuid=model_uuid(services, args.model),
                actor=args.actor,
                since=since,
                until=until,
                action=AuditAction(args.action) if args.action else None,
                text=args.search,
            )
            entries = services.audit.entries(flt, limit=args.limit)
        finally:
            services.close()
        if args.json:
            json.dump([e.as_json() for e in entries], out, ensure_ascii=False, indent=2)
            out.write("\n")
            return 0
        if not entries:
            out.write("Không có mục nào trong nhật ký khớp điều kiện.\n")
            return 0
        rows = [
            [
                e.at.astimezone().strftime("%d/%m/%Y %H:%M"),
                e.actor,
                e.action_label,
                e.subject,
                _summary(e),
            ]
            for e in entries
        ]
        write_table(
            out, ["Thời gian", "Người thực hiện", "Thao tác", "Đối tượng", "Chi tiết"], rows
        )
        return 0
