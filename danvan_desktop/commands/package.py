"""`danvan package`: export this unit's package, import packages from units below (verify →
preview → apply), the import history, and the signing keys (this unit's and those remembered
for other units)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from danvan_desktop.commands import open_from_args
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.packages import PackagePreview
from danvan_desktop.sync.apply import COUNT_KEYS, COUNT_LABELS

_YES = {"c", "co", "có", "y", "yes"}


def _when(preview: PackagePreview) -> str:
    return preview.created_at.astimezone().strftime("%d/%m/%Y") if preview.created_at else ""


def write_summary(out: TextIO, previews: list[PackagePreview]) -> None:
    from danvan_desktop.cli import write_table

    headers = ["Tệp", "Đơn vị", "Số", "Ngày", "Dấu vân tay khoá",
               *(COUNT_LABELS[k] for k in COUNT_KEYS), "Ghi chú"]  # fmt: skip
    rows = []
    for p in previews:
        if not p.ok:
            rows.append([p.path.name, "", "", "", "", *([""] * len(COUNT_KEYS)), "BỊ TỪ CHỐI"])
            continue
        notes = p.notes
        if p.key_changed:
            notes = ["KHOÁ KÝ ĐÃ ĐỔI", *notes]
        elif p.first_key:
            notes = ["khoá mới, sẽ ghi nhận", *notes]
        rows.append(
            [
                p.path.name,
                f"{p.source_name} ({p.source_code})",
                str(p.sequence),
                _when(p),
                p.fingerprint,
                *(str(p.counts[k]) for k in COUNT_KEYS),
                " ".join(notes),
            ]
        )
    write_table(out, headers, rows)
    for p in previews:
        if not p.ok:
            out.write(f"\n{p.error}\n")
        elif p.key_changed:
            out.write(f"\n{p.path.name}: {p.key_note}\n")
        for name, reason in p.refusals:
            out.write(f"\n{p.path.name}: mô hình “{name}” bị từ chối: {reason}.\n")


class PackageCommands:
    name = "package"

    def register(
        self, commands: argparse._SubParsersAction[Any], db: argparse.ArgumentParser
    ) -> None:
        parser = commands.add_parser(
            self.name,
            parents=[db],
            help="gói dữ liệu gửi cấp trên và nhận từ cấp dưới",
            description="Xuất gói gửi cấp trên; nhập (kiểm tra, xem trước, áp dụng) gói từ "
            "cấp dưới; xem lịch sử nhận gói.",
        )
        sub = parser.add_subparsers(dest="package_command", required=True, metavar="LỆNH")
        export = sub.add_parser(
            "export",
            parents=[db],
            help="xuất gói gửi cấp trên",
            description="Xuất mọi mô hình đơn vị đang giữ (của mình và đã nhận từ cấp dưới) "
            "thành một tệp .dvk để gửi cấp trên.",
        )
        export.add_argument(
            "--out",
            required=True,
            metavar="ĐƯỜNG_DẪN",
            help="tệp cần ghi, hoặc thư mục (tên tệp được đặt tự động)",
        )
        imp = sub.add_parser(
            "import",
            parents=[db],
            help="nhập gói từ cấp dưới",
            description="Kiểm tra từng tệp, in bảng xem trước rồi áp dụng các tệp hợp lệ "
            "(sau khi tự sao lưu). Mã thoát khác 0 khi có tệp bị từ chối.",
        )
        imp.add_argument("paths", nargs="+", metavar="TỆP", help="tệp .dvk hoặc thư mục")
        imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
        imp.add_argument(
            "--yes",
            action="store_true",
            help="áp dụng không cần hỏi lại (không bao giờ chấp nhận khoá ký đã đổi)",
        )
        imp.add_argument(
            "--accept-new-key",
            action="append",
            default=[],
            metavar="MÃ_ĐƠN_VỊ",
            help="chấp nhận khoá ký mới của đơn vị này (lặp lại được), chỉ sau khi đã gọi điện "
            "xác nhận dấu vân tay với đơn vị đó",
        )
        feedback = sub.add_parser(
            "feedback",
            parents=[db],
            help="gửi phản hồi xuống cơ sở",
            description="Xuất cho mỗi đơn vị cấp dưới một tệp mang các quyết định của đơn vị "
            "này (công nhận, tiêu biểu, khen thưởng) và xác nhận các tệp đã nhận của đơn vị đó.",
        )
        feedback.add_argument("--out", required=True, metavar="THƯ_MỤC", help="thư mục ghi tệp")
        feedback.add_argument(
            "--unit",
            action="append",
            metavar="MÃ",
            help="mã đơn vị cấp dưới (lặp lại được); mặc định: mọi đơn vị đã gửi gói lên",
        )
        sub.add_parser("history", parents=[db], help="lịch sử nhận gói và xuất gói")
        sub.add_parser(
            "key",
            parents=[db],
            help="dấu vân tay khoá ký của đơn vị này và các khoá đã ghi nhận",
            description="In dấu vân tay khoá ký của đơn vị này (đọc cho cấp trên qua điện "
            "thoại khi họ hỏi) và các khoá đã ghi nhận của các đơn vị gửi tệp đến.",
        )

    def run(self, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        services = open_from_args(args)
        try:
            if args.package_command == "export":
                result = services.packages.export_package(Path(args.out))
                c = result.counts
                out.write(
                    f"Đã xuất {result.path} (số {result.sequence}): {c['models']} mô hình, "
                    f"{c['tombstones']} mô hình đã xóa, {c['events']} sự kiện.\n"
                    f"Tệp được ký bằng khoá có dấu vân tay {result.fingerprint}.\n"
                )
                return 0
            if args.package_command == "key":
                return self._keys(services, out)
            if args.package_command == "history":
                self._history(services.packages.history(), out)
                self._exports(services.packages.exports(), out)
                return 0
            if args.package_command == "feedback":
                return self._feedback(services, args, out)
            return self._import(services, args, out, stdin)
        finally:
            services.close()

    @staticmethod
    def _history(entries: list[Any], out: TextIO) -> None:
        from danvan_desktop.cli import write_table

        headers = ["Lúc nhập", "Người nhập", "Đơn vị gửi", "Số", "Tệp",
                   *(COUNT_LABELS[k] for k in COUNT_KEYS)]  # fmt: skip
        rows = [
            [
                e.imported_at.astimezone().strftime("%d/%m/%Y %H:%M"),
                e.imported_by,
                e.source,
                str(e.sequence),
                e.file_name,
                *(str(e.counts.get(k, 0)) for k in COUNT_KEYS),
            ]
            for e in entries
        ]
        if not rows:
            out.write("Chưa nhận gói nào.\n")
            return
        out.write("Gói đã nhận:\n")
        write_table(out, headers, rows)

    @staticmethod
    def _keys(services: Any, out: TextIO) -> int:
        from danvan_desktop.cli import write_table

        own = services.packages.own_key()
        unit = services.installation.get().unit if services.installation.is_set_up() else None
        whose = f" của {unit.name} ({unit.code})" if unit else ""
        out.write(
            f"Dấu vân tay khoá ký{whose}: {own.fingerprint}\n"
            "Đọc dấu vân tay này cho cấp trên khi họ gọi điện xác nhận khoá.\n"
            f"Khoá công khai: {own.public_key}\nTệp khoá: {own.path}\n"
        )
        entries = services.packages.unit_keys()
        if not entries:
            out.write("\nChưa ghi nhận khoá của đơn vị nào.\n")
            return 0
        out.write("\nKhoá đã ghi nhận của các đơn vị:\n")
        rows = [
            [
                e.unit,
                e.fingerprint,
                e.accepted_at.astimezone().strftime("%d/%m/%Y %H:%M"),
                e.accepted_by,
                "đang dùng"
                if e.replaced_at is None
                else "đã thay lúc " + e.replaced_at.astimezone().strftime("%d/%m/%Y %H:%M"),
            ]
            for e in entries
        ]
        write_table(out, ["Đơn vị", "Dấu vân tay", "Ghi nhận lúc", "Người ghi nhận",
                          "Tình trạng"], rows)  # fmt: skip
        return 0

    @staticmethod
    def _feedback(services: Any, args: argparse.Namespace, out: TextIO) -> int:
        this = services.installation.get().unit
        if args.unit:
            units = [services.units.resolve_below(code, this.id) for code in args.unit]
        else:
            units = services.packages.feedback_targets()
        if not units:
            raise UserError(
                "Chưa có đơn vị cấp dưới nào gửi gói lên; hãy chỉ rõ đơn vị bằng --unit MÃ."
            )
        for result in services.packages.export_feedback(Path(args.out), [u.id for u in units]):
            c = result.counts
            out.write(
                f"Đã xuất {result.path}: quyết định trên {c['models']} mô hình, "
                f"xác nhận {c['acknowledgements']} tệp đã nhận.\n"
            )
        return 0

    @staticmethod
    def _exports(entries: list[Any], out: TextIO) -> None:
        from danvan_desktop.cli import write_table

        if not entries:
            return
        out.write("\nGói đã xuất:\n")
        rows = [
            [
                e.created_at.astimezone().strftime("%d/%m/%Y %H:%M"),
                str(e.sequence),
                e.file_name,
                e.target,
                e.acknowledged_at.astimezone().strftime("%d/%m/%Y %H:%M")
                if e.acknowledged_at
                else "chưa",
            ]
            for e in entries
        ]
        write_table(out, ["Lúc xuất", "Số", "Tệp", "Gửi", "Cấp trên đã nhận"], rows)

    @staticmethod
    def _import(services: Any, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
        previews = services.packages.preview([Path(p) for p in args.paths])
        if not previews:
            out.write("Không có tệp .dvk nào để nhập.\n")
            return 1
        write_summary(out, previews)
        accept = {code.strip() for code in args.accept_new_key}
        changed = {p.source_code for p in previews if p.ok and p.key_changed}
        for code in sorted(accept - changed):
            out.write(
                f"\n--accept-new-key {code}: không có tệp nào của đơn vị {code} mang khoá ký "
                "mới; không đổi khoá nào.\n"
            )
        # --yes answers "apply?", never "trust this new key?": that needs the unit's code.
        blocked = [p for p in previews if p.ok and p.key_changed and p.source_code not in accept]
        for p in blocked:
            out.write(
                f"\nTệp {p.path.name} sẽ không được nhập vì khoá ký đã đổi. Sau khi gọi điện "
                f"xác nhận dấu vân tay {p.fingerprint} với {p.source_name}, chạy lại với "
                f"--accept-new-key {p.source_code}.\n"
            )
        held = {id(p) for p in blocked}
        refused = any(not p.ok for p in previews) or bool(blocked)
        todo = [p for p in previews if p.ok and p.already_imported is None and id(p) not in held]
        if args.dry_run:
            out.write("\nChạy thử (--dry-run): không có gì được ghi vào cơ sở dữ liệu.\n")
            return 1 if refused else 0
        if not todo:
            out.write("\nKhông có tệp mới nào cần nhập.\n")
            return 1 if refused else 0
        if not args.yes:
            out.write(f"\nÁp dụng {len(todo)} tệp hợp lệ? [c/K] ")
            out.flush()
            if stdin.readline().strip().lower() not in _YES:
                out.write("Đã hủy, không có gì được ghi.\n")
                return 1
        results = services.packages.apply(previews, accept_keys=accept)
        applied = [r for r in results if r.status == "applied"]
        late = [
            r
            for r in results
            if r.status == "refused" and r.preview.ok and id(r.preview) not in held
        ]
        out.write(f"\nĐã nhập {len(applied)} tệp (đã sao lưu cơ sở dữ liệu trước khi nhập).\n")
        for result in late:
            out.write(f"{result.message}\n")
        return 1 if refused or late else 0
