"""The command line: `danvan …`. Everything the window does that is not a screen.

Errors are one Vietnamese line on stderr and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import io
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from danvan_desktop import __version__
from danvan_desktop.commands import CommandGroup, open_from_args
from danvan_desktop.domain import (
    DIRECTORY_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    Directory,
    EventData,
    Field,
    Period,
    Status,
    SubjectType,
    UnitLevel,
    ValidationError,
)
from danvan_desktop.services import Services, UserError
from danvan_desktop.services.model_json import JSON_KEYS, json_to_model, record_to_json
from danvan_desktop.services.models import ModelFilter
from danvan_desktop.services.units import UnitInfo

EXIT_USER_ERROR = 1
EXIT_USAGE = 2


class CliError(UserError):
    pass


class VietnameseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own messages are English; say ours
        self.exit(EXIT_USAGE, f"Lỗi cú pháp lệnh: {message}. Xem: {self.prog} --help\n")


def _db_option() -> VietnameseArgumentParser:
    parent = VietnameseArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="tệp cơ sở dữ liệu (mặc định: $DANVAN_DB hoặc thư mục dữ liệu người dùng)",
    )
    return parent


def build_parser(groups: Sequence[CommandGroup] = ()) -> argparse.ArgumentParser:
    db = _db_option()
    parser = VietnameseArgumentParser(
        prog="danvan",
        description="Quản lý mô hình, điển hình “Dân vận khéo” từ dòng lệnh.",
        parents=[db],
    )
    parser.add_argument("--version", action="version", version=f"danvan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")

    init = commands.add_parser("init", parents=[db], help="thiết lập cơ sở dữ liệu cho một đơn vị")
    init.add_argument("--unit", required=True, metavar="CODE", help="mã đơn vị (mã ĐVHC)")
    init.add_argument("--reports-to", metavar="CODE", help="mã đơn vị cấp trên nhận báo cáo")
    init.add_argument("--staff", metavar="NAME", help="họ tên cán bộ sử dụng phần mềm")
    init.add_argument("--position", metavar="TEXT", default="", help="chức vụ của cán bộ")
    init.add_argument(
        "--legacy",
        action="store_true",
        help="dùng danh mục đơn vị trước 1/7/2025 (mặc định: danh mục từ 1/7/2025)",
    )
    init.add_argument(
        "--force", action="store_true", help="thiết lập lại dù cơ sở dữ liệu đã có đơn vị"
    )

    units = commands.add_parser("units", parents=[db], help="danh mục đơn vị")
    unit_commands = units.add_subparsers(dest="units_command", required=True, metavar="LỆNH")
    search = unit_commands.add_parser("search", parents=[db], help="tìm đơn vị theo tên hoặc mã")
    search.add_argument("text", metavar="TEXT")
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--directory", choices=[d.value for d in Directory])
    add_unit = unit_commands.add_parser("add", parents=[db], help="thêm đơn vị ngoài danh mục")
    add_unit.add_argument("--code", required=True)
    add_unit.add_argument("--name", required=True)
    add_unit.add_argument("--parent", metavar="CODE", help="mã đơn vị cấp trên")
    add_unit.add_argument(
        "--level", choices=[lv.value for lv in UnitLevel], default=UnitLevel.OTHER.value
    )

    models = commands.add_parser("models", parents=[db], help="mô hình, điển hình")
    model_commands = models.add_subparsers(dest="models_command", required=True, metavar="LỆNH")
    listing = model_commands.add_parser("list", parents=[db], help="liệt kê mô hình")
    listing.add_argument("--format", choices=("table", "json", "csv"), default="table")
    listing.add_argument("--search", default="", help="tìm theo tên (không cần dấu)")
    listing.add_argument("--period", metavar="YYYY-YYYY", help="giai đoạn, ví dụ 2025-2030")
    listing.add_argument("--field", choices=[f.value for f in Field])
    listing.add_argument("--status", choices=[s.value for s in Status])
    listing.add_argument("--subject-type", choices=[s.value for s in SubjectType])
    add = model_commands.add_parser("add", parents=[db], help="thêm mô hình từ tệp JSON")
    add.add_argument("--json", required=True, metavar="FILE", help="tệp JSON (- là đầu vào chuẩn)")
    show = model_commands.add_parser("show", parents=[db], help="xem một mô hình (JSON)")
    show.add_argument("model_id", type=int, metavar="ID")
    delete = model_commands.add_parser("delete", parents=[db], help="xóa mô hình")
    delete.add_argument("model_ids", type=int, nargs="+", metavar="ID")
    status = model_commands.add_parser("status", parents=[db], help="ghi một bước trạng thái")
    status.add_argument("model_id", type=int, metavar="ID")
    status.add_argument("status", choices=[s.value for s in Status if s is not Status.REGISTERED])
    status.add_argument("--date", metavar="YYYY-MM-DD", help="ngày (mặc định: hôm nay)")
    status.add_argument("--body", default="", help="cơ quan quyết định")
    status.add_argument("--number", default="", help="số quyết định")
    status.add_argument("--decision-date", metavar="YYYY-MM-DD")
    status.add_argument("--form", default="", help="hình thức khen thưởng")
    status.add_argument("--level", default="", help="cấp khen thưởng")
    status.add_argument("--note", default="")

    demo = commands.add_parser("demo-data", parents=[db], help="thêm dữ liệu mẫu để dùng thử")
    demo.add_argument("--count", type=int, default=60)
    demo.add_argument("--seed", type=int, default=2026)
    for group in groups:
        group.register(commands, db)
    return parser


# ---------------------------------------------------------------------------------------------


_open = open_from_args


def _parse_date(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option}: “{text}” không phải ngày dạng YYYY-MM-DD.") from None


def _parse_period(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        start, end = (int(part) for part in text.split("-"))
    except ValueError:
        raise CliError(f"--period: “{text}” phải có dạng YYYY-YYYY, ví dụ 2025-2030.") from None
    return Period(start, end)


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    services = _open(args)
    try:
        if services.installation.is_set_up() and not args.force:
            current = services.installation.get()
            raise CliError(
                f"Cơ sở dữ liệu đã được thiết lập cho {current.unit.label}. "
                "Dùng --force để thiết lập lại."
            )
        directory = Directory.LEGACY if args.legacy else Directory.CURRENT
        unit = _find_unit(services, args.unit, directory)
        if args.reports_to:
            reports_to_id: int | None = _find_unit(services, args.reports_to, directory).id
        else:
            reports_to_id = unit.parent_id
        staff = args.staff if args.staff else getpass.getuser()
        installation = services.installation.save(
            unit_id=unit.id,
            reports_to_id=reports_to_id,
            staff_name=staff,
            staff_position=args.position,
        )
        upward = installation.reports_to.label if installation.reports_to else "(không có)"
        out.write(
            f"Đã thiết lập: {installation.unit.label}\n"
            f"Báo cáo lên: {upward}\n"
            f"Cán bộ: {installation.staff_name}\n"
            f"Tệp dữ liệu: {services.db_path}\n"
        )
        return 0
    finally:
        services.close()


def _find_unit(services: Services, code: str, directory: Directory) -> UnitInfo:
    """The unit with this code in the chosen list, else in any list (a unit added by hand, or
    a pre-2025 district that a 2025 commune reports to)."""
    try:
        return services.units.by_code(code, directory)
    except UserError:
        return services.units.by_code(code)


def cmd_units(args: argparse.Namespace, out: TextIO) -> int:
    services = _open(args)
    try:
        if args.units_command == "add":
            parent_id = services.units.by_code(args.parent).id if args.parent else None
            unit = services.units.add_custom(
                code=args.code, name=args.name, parent_id=parent_id, level=UnitLevel(args.level)
            )
            out.write(f"Đã thêm đơn vị: {unit.label}\n")
            return 0
        directory = Directory(args.directory) if args.directory else None
        found = services.units.search(args.text, directory=directory, limit=args.limit)
        if not found:
            raise CliError(f"Không tìm thấy đơn vị nào khớp “{args.text}”.")
        rows = [
            [u.code, u.name, LEVEL_LABELS[u.level], u.parent_name, DIRECTORY_LABELS[u.directory]]
            for u in found
        ]
        write_table(out, ["Mã", "Tên đơn vị", "Cấp", "Trực thuộc", "Danh mục"], rows)
        return 0
    finally:
        services.close()


def cmd_models(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    services = _open(args)
    try:
        command: Callable[[Services, argparse.Namespace, TextIO, TextIO], int] = {
            "list": _models_list,
            "add": _models_add,
            "show": _models_show,
            "delete": _models_delete,
            "status": _models_status,
        }[args.models_command]
        return command(services, args, out, stdin)
    finally:
        services.close()


LIST_COLUMNS = ("id", "name", "kind", "subject_type", "field", "unit_code", "period", "status")


def _models_list(services: Services, args: argparse.Namespace, out: TextIO, _: TextIO) -> int:
    flt = ModelFilter(
        text=args.search,
        period=_parse_period(args.period),
        field=Field(args.field) if args.field else None,
        status=Status(args.status) if args.status else None,
        subject_type=SubjectType(args.subject_type) if args.subject_type else None,
    )
    records = services.models.records(flt)
    if args.format == "json":
        json.dump([record_to_json(r) for r in records], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        objects = [record_to_json(r) for r in records]
        writer = csv.DictWriter(out, fieldnames=JSON_KEYS, lineterminator="\n")
        writer.writeheader()
        for obj in objects:
            writer.writerow({k: _csv_value(v) for k, v in obj.items()})
    else:
        rows = [
            [
                str(r.id),
                r.data.name,
                KIND_LABELS[r.data.kind],
                ("Cá nhân: " + r.data.person_name)
                if r.data.subject_type is SubjectType.INDIVIDUAL
                else "Tập thể",
                FIELD_LABELS[r.data.field],
                r.unit_code,
                f"{r.data.period_start}–{r.data.period_end}",
                STATUS_LABELS[r.status],
            ]
            for r in records
        ]
        headers = [
            "ID",
            "Tên mô hình",
            "Loại",
            "Tập thể/Cá nhân",
            "Lĩnh vực",
            "Đơn vị",
            "Giai đoạn",
            "Trạng thái",
        ]
        write_table(out, headers, rows)
        total = services.models.count()
        out.write(f"{len(records)} / {total} mô hình\n")
    return 0


def _models_add(services: Services, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    source = args.json
    try:
        text = stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"Không tìm thấy tệp {source}.") from None
    except UnicodeDecodeError:
        raise CliError(f"Tệp {source} không phải văn bản UTF-8.") from None
    except OSError as error:
        raise CliError(f"Không đọc được tệp {source}: {error.strerror}.") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(
            f"Tệp {source} không phải JSON hợp lệ (dòng {error.lineno}, cột {error.colno})."
        ) from None
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise CliError(f"Tệp {source} không có mô hình nào.")
    installation = services.installation.get()
    root = installation.unit.id

    def resolve(code: str) -> int:
        return services.units.resolve_below(code, root).id

    problems: list[str] = []
    data = []
    for index, item in enumerate(items, start=1):
        try:
            data.append(
                json_to_model(
                    item, where=f"Mục {index}", resolve_unit=resolve, default_unit_id=root
                )
            )
        except UserError as error:
            problems.append(str(error))
    if problems:
        raise CliError("Không thêm mô hình nào. " + " | ".join(problems))
    try:
        ids = services.models.create_many(data, by=installation.staff_name)
    except ValidationError as error:
        raise CliError(f"Không thêm mô hình nào. Mục 1: {error}") from None
    out.write(f"Đã thêm {len(ids)} mô hình: {', '.join(str(i) for i in ids)}\n")
    return 0


def _models_show(services: Services, args: argparse.Namespace, out: TextIO, _: TextIO) -> int:
    record = services.models.get(args.model_id)
    obj = record_to_json(record)
    obj["deleted"] = record.deleted
    obj["events"] = [
        {
            "status": e.status.value,
            "event_date": e.event_date.isoformat(),
            "recorded_by": e.recorded_by,
            "deciding_body": e.deciding_body,
            "decision_number": e.decision_number,
            "decision_date": e.decision_date.isoformat() if e.decision_date else None,
            "commendation_form": e.commendation_form,
            "commendation_level": e.commendation_level,
            "note": e.note,
            "void": e.is_void,
            "void_reason": e.void_reason,
        }
        for e in record.events
    ]
    json.dump(obj, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0


def _models_delete(services: Services, args: argparse.Namespace, out: TextIO, _: TextIO) -> int:
    by = services.installation.get().staff_name
    for model_id in args.model_ids:
        name = services.models.get(model_id).data.name
        services.models.delete(model_id, by=by)
        out.write(f"Đã xóa mô hình {model_id}: {name}\n")
    return 0


def _models_status(services: Services, args: argparse.Namespace, out: TextIO, _: TextIO) -> int:
    by = services.installation.get().staff_name
    event = EventData(
        status=Status(args.status),
        event_date=_parse_date(args.date, "--date") or dt.date.today(),
        deciding_body=args.body,
        decision_number=args.number,
        decision_date=_parse_date(args.decision_date, "--decision-date"),
        commendation_form=args.form,
        commendation_level=args.level,
        note=args.note,
    )
    status = services.models.add_event(args.model_id, event, by=by)
    out.write(f"Mô hình {args.model_id}: {STATUS_LABELS[status]}\n")
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from danvan_desktop.services.demo import fill_demo_data

    services = _open(args)
    try:
        added = fill_demo_data(services, count=args.count, seed=args.seed)
        out.write(f"Đã thêm {added} mô hình mẫu vào {services.db_path}\n")
        return 0
    finally:
        services.close()


# ---------------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_table(out: TextIO, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain aligned table; long cells are cut so a row fits a terminal line."""
    limit = 48
    cells = [[c if len(c) <= limit else c[: limit - 1] + "…" for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(row[i]) for row in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))

    out.write(line(headers).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row).rstrip() + "\n")


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
    groups: Sequence[CommandGroup] | None = None,
) -> int:
    """Run one command. `groups` are the command groups besides the built-in ones (default:
    the core's; the console script adds the printing commands, which need Qt)."""
    out = stdout or _utf8(sys.stdout)
    err = stderr or _utf8(sys.stderr)
    groups = core_groups() if groups is None else groups
    parser = build_parser(groups)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "init":
            return cmd_init(args, out)
        if args.command == "units":
            return cmd_units(args, out)
        if args.command == "models":
            return cmd_models(args, out, stdin or sys.stdin)
        if args.command == "demo-data":
            return cmd_demo(args, out)
        for group in groups:
            if args.command == group.name:
                return group.run(args, out, stdin or sys.stdin)
    except (UserError, ValidationError) as error:
        err.write(f"Lỗi: {_one_line(str(error))}\n")
        return EXIT_USER_ERROR
    except BrokenPipeError:  # `danvan models list | head`: the reader has all it wanted
        return 0
    except KeyboardInterrupt:
        err.write("Đã dừng theo yêu cầu.\n")
        return 130
    except Exception as error:  # the last guard: one line, never a traceback
        err.write(f"Lỗi không mong đợi ({error.__class__.__name__}): {_one_line(str(error))}\n")
        return 70
    return EXIT_USAGE


def core_groups() -> list[CommandGroup]:
    """Command groups of the core (no Qt)."""
    from danvan_desktop.commands.audit import AuditCommands
    from danvan_desktop.commands.backup import BackupCommands, CheckCommand
    from danvan_desktop.commands.excel import ExcelCommands
    from danvan_desktop.commands.package import PackageCommands
    from danvan_desktop.commands.report import ReportCommands

    return [
        ReportCommands(),
        ExcelCommands(),
        PackageCommands(),
        AuditCommands(),
        BackupCommands(),
        CheckCommand(),
    ]


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _utf8(stream: TextIO) -> TextIO:
    # Windows consoles default to a code page without Vietnamese letters.
    if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower() != "utf-8":
        stream.reconfigure(encoding="utf-8")
    return stream


if __name__ == "__main__":
    sys.exit(main())
