"""`danvan backup create|list|restore` and `danvan check`: backups and the database check
without a window.

These work on the database path, not on open services where they can: `check` and `restore`
are what one runs when the database cannot be opened.
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from danvan_desktop.db import backup as core
from danvan_desktop.paths import backup_dir, database_path
from danvan_desktop.services.errors import UserError

if TYPE_CHECKING:
    from danvan_desktop.services.backups import RestorePreview

YES = {"c", "có", "co", "y", "yes"}


def _db_path(args: argparse.Namespace) -> Path:
    return database_path(getattr(args, "db", None))


def _info_json(info: core.BackupInfo) -> dict[str, Any]:
    return {
        "file": str(info.path),
        "created_at": info.created_at.isoformat(timespec="seconds"),
        "reason": info.reason,
        "reason_label": info.reason_label,
        "unit_code": info.unit_code,
        "unit_name": info.unit_name,
        "models": info.models,
        "schema_revision": info.schema_revision,
        "app_version": info.app_version,
        "key": info.has_key,
        "size": info.size,
    }


def _when(info: core.BackupInfo) -> str:
    return info.created_at.astimezone().strftime("%d/%m/%Y %H:%M")


class BackupCommands:
    name = "backup"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        backup = commands.add_parser("backup", parents=[db], help="sao lưu và khôi phục dữ liệu")
        sub = backup.add_subparsers(dest="backup_command", required=True, metavar="LỆNH")
        create = sub.add_parser("create", parents=[db], help="tạo một bản sao lưu")
        create.add_argument(
            "--out",
            metavar="PATH",
            help="tệp hoặc thư mục để ghi bản sao lưu (ví dụ ổ USB); mặc định: thư mục "
            "backups cạnh tệp dữ liệu",
        )
        listing = sub.add_parser("list", parents=[db], help="các bản sao lưu tự động")
        listing.add_argument("--json", action="store_true", help="in dạng JSON")
        restore = sub.add_parser("restore", parents=[db], help="khôi phục từ một bản sao lưu")
        which = restore.add_mutually_exclusive_group(required=True)
        which.add_argument("file", nargs="?", metavar="FILE", help="tệp sao lưu (.dvbak)")
        which.add_argument(
            "--latest", action="store_true", help="bản sao lưu tự động mới nhất còn dùng được"
        )
        restore.add_argument("--yes", action="store_true", help="không hỏi xác nhận")
        restore.add_argument(
            "--allow-other-unit",
            action="store_true",
            help="cho phép khôi phục bản sao lưu của đơn vị khác",
        )

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        command = args.backup_command
        if command == "create":
            return _create(args, out)
        if command == "list":
            return _list(args, out)
        return _restore(args, out, stdin)


def _create(args: argparse.Namespace, out: TextIO) -> int:
    from danvan_desktop.commands import open_from_args

    services = open_from_args(args)
    try:
        if args.out:
            target = Path(args.out).expanduser()
            if target.is_dir():
                unit = (
                    services.installation.get().unit.name
                    if services.installation.is_set_up()
                    else "Dân vận khéo"
                )
                target = target / services.backups.suggested_name(unit)
            info = services.backups.save_to(target)
        else:
            info = core.read_backup(services.backups.take_automatic(core.REASON_MANUAL))
    finally:
        services.close()
    out.write(
        f"Đã sao lưu {info.models} mô hình của {info.unit_label} vào {info.path}"
        f" ({info.size / 1e6:.1f} MB).\n"
    )
    return 0


def _list(args: argparse.Namespace, out: TextIO) -> int:
    from danvan_desktop.cli import write_table
    from danvan_desktop.services.backups import list_backups

    listed = list_backups(_db_path(args))
    if args.json:
        rows = [
            _info_json(b.info) if b.info else {"file": str(b.path), "problem": b.problem}
            for b in listed
        ]
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not listed:
        out.write(f"Chưa có bản sao lưu tự động nào trong {backup_dir(_db_path(args))}.\n")
        return 0
    table = []
    for b in listed:
        if b.info is None:
            table.append([b.path.name, "", "tệp hỏng", "", ""])
        else:
            i = b.info
            table.append([i.path.name, _when(i), i.reason_label, i.unit_label, str(i.models)])
    write_table(out, ["Tệp", "Thời điểm", "Lý do", "Đơn vị", "Số mô hình"], table)
    out.write(f"{len(listed)} bản sao lưu trong {backup_dir(_db_path(args))}\n")
    return 0


def _restore(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from danvan_desktop.services.backups import latest_good_backup, preview_restore, restore

    db_path = _db_path(args)
    try:
        with core.hold_lock(db_path):  # the window must not open this file meanwhile
            if args.latest:
                preview = latest_good_backup(db_path)
                if preview is None:
                    raise UserError(
                        f"Không có bản sao lưu tự động nào dùng được trong {backup_dir(db_path)}."
                    )
            else:
                preview = preview_restore(db_path, Path(args.file).expanduser())
            out.write(f"Tệp: {preview.info.path}\n")
            for what, backed_up, now in preview.lines():
                out.write(f"  {what}: {backed_up}" + (f" (hiện nay: {now})" if now else "") + "\n")
            for warning in preview.warnings:
                out.write(f"Chú ý: {warning}\n")
            if preview.other_unit and not args.allow_other_unit:
                raise UserError(
                    "Bản sao lưu là dữ liệu của đơn vị khác; chưa khôi phục. Nếu đúng là muốn "
                    "vậy, chạy lại với --allow-other-unit."
                )
            if not args.yes:
                out.write("Khôi phục dữ liệu từ bản sao lưu này? Gõ “có” để đồng ý: ")
                out.flush()
                answer = stdin.readline().strip().lower()
                if answer not in YES:
                    out.write("Đã hủy, dữ liệu không thay đổi.\n")
                    return 1
            actor = _actor(preview)
            result = restore(
                db_path, preview.info.path, actor=actor, allow_other_unit=args.allow_other_unit
            )
            result.services.close()
    except core.DatabaseInUse as error:
        raise UserError(str(error)) from None
    if result.pre_restore_backup is not None:
        out.write(f"Dữ liệu trước khi khôi phục đã được sao lưu: {result.pre_restore_backup}\n")
    if result.moved_aside is not None:
        out.write(f"Tệp dữ liệu hỏng đã được đổi tên thành: {result.moved_aside}\n")
    out.write(f"Đã khôi phục: {result.preview.summary()}\n")
    return 0


def _actor(preview: RestorePreview) -> str:
    """Who restores: the staff member of the current data when it could be read (the preview
    has just read it), else the login name."""
    if preview.current is not None and preview.current.staff_name:
        return preview.current.staff_name
    return getpass.getuser()


class CheckCommand:
    name = "check"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        check = commands.add_parser(
            "check", parents=[db], help="kiểm tra tệp dữ liệu (PRAGMA integrity_check)"
        )
        check.add_argument("--json", action="store_true", help="in dạng JSON")

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        from danvan_desktop.services.backups import list_backups

        db_path = _db_path(args)
        if not db_path.is_file():
            raise UserError(f"Không có tệp dữ liệu {db_path}.")
        problems = core.check_database(db_path, full=True)
        facts = None
        if not problems:
            try:
                facts = core.database_facts(db_path)
            except Exception as error:  # a database, but not one of ours
                problems = [str(error)]
        latest = next((b.info for b in list_backups(db_path) if b.info is not None), None)
        if args.json:
            json.dump(
                {
                    "file": str(db_path),
                    "ok": not problems,
                    "problems": problems[:20],
                    "schema_revision": facts.schema_revision if facts else None,
                    "unit_code": facts.unit_code if facts else None,
                    "models": facts.models if facts else None,
                    "latest_backup": _info_json(latest) if latest else None,
                },
                out,
                ensure_ascii=False,
                indent=2,
            )
            out.write("\n")
        else:
            out.write(f"Tệp dữ liệu: {db_path} ({db_path.stat().st_size / 1e6:.1f} MB)\n")
            if facts is not None:
                unit = (
                    "(chưa thiết lập)"
                    if facts.unit_name is None
                    else f"{facts.unit_name} ({facts.unit_code})"
                )
                out.write(f"Đơn vị: {unit}\n")
                out.write(f"Lược đồ: {facts.schema_revision}\n")
                out.write(f"Số mô hình: {facts.models}\n")
            if latest is not None:
                out.write(
                    f"Bản sao lưu mới nhất: {latest.path.name} ({_when(latest)}, "
                    f"{latest.reason_label}, {latest.models} mô hình)\n"
                )
            else:
                out.write("Bản sao lưu mới nhất: (chưa có)\n")
            if not problems:
                out.write("Kết quả: tệp dữ liệu tốt.\n")
        if problems:
            how = (
                "Khôi phục bản sao lưu mới nhất: danvan backup restore --latest"
                if latest is not None
                else "Chưa có bản sao lưu tự động; nếu có bản sao lưu ở nơi khác (USB), chạy: "
                "danvan backup restore TỆP"
            )
            raise UserError(
                f"Tệp dữ liệu {db_path} bị hỏng ({core.short_problem(problems)}). {how}. "
                "Bản hiện tại sẽ được đổi tên để giữ lại, không bị ghi đè."
            )
        return 0
