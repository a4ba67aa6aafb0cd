"""Import models from a workbook: read every row, check it, preview; then apply in one
transaction after a backup.

Nothing is written by `preview_import`. `apply_import` refuses while there are errors unless the
user chose to import only the valid rows, and never adds a row that duplicates a model already
stored (same unit, same name once case, spaces and diacritics are set aside, same period) unless
told to.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.comments import Comment  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]
from sqlalchemy import select

from danvan_desktop.db.backup import take_backup
from danvan_desktop.db.schema import Model
from danvan_desktop.domain import (
    Field,
    Kind,
    ModelData,
    SubjectType,
    ValidationError,
    fold,
    validate_model,
)
from danvan_desktop.paths import backup_dir
from danvan_desktop.services import Services
from danvan_desktop.services.audit import ImportOrigin, fact
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.excel.common import (
    DATE_ATTRS,
    ERROR_FILL,
    IMPORT_COLUMNS,
    TEMPLATE_COLUMNS,
    YEAR_ATTRS,
    Column,
    save_workbook,
)

# The header row is looked for in the first rows: the template has it on row 1, an exported
# list under its title block.
HEADER_SEARCH_ROWS = 20
MODELS_SHEET_KEY = "mo hinh"


@dataclass(frozen=True)
class ImportIssue:
    """One bad cell (or a bad row, when `column_index` is None)."""

    row: int
    column: str
    value: str
    message: str
    column_index: int | None = None

    def __str__(self) -> str:
        found = f" (giá trị “{self.value}”)" if self.value else ""
        return f"Dòng {self.row}, cột “{self.column}”{found}: {self.message}"


@dataclass(frozen=True)
class ImportRow:
    row: int
    data: ModelData
    unit_code: str
    duplicate_of: str = ""  # why it is a duplicate, for the preview


@dataclass
class ImportPreview:
    path: Path
    sheet: str
    header_row: int
    to_add: list[ImportRow] = field(default_factory=list)
    duplicates: list[ImportRow] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    blank_rows: int = 0
    skipped_total_rows: int = 0
    after_total_rows: int = 0  # rows under the total (signatures, notes), not read

    @property
    def error_rows(self) -> list[int]:
        return sorted({issue.row for issue in self.errors})

    @property
    def checked_rows(self) -> int:
        return len(self.to_add) + len(self.duplicates) + len(self.error_rows)

    def models(self, *, allow_duplicates: bool = False) -> list[ModelData]:
        rows = self.to_add + (self.duplicates if allow_duplicates else [])
        return [r.data for r in sorted(rows, key=lambda r: r.row)]

    def summary(self) -> str:
        return (
            f"{len(self.to_add)} dòng sẽ thêm, {len(self.duplicates)} dòng trùng, "
            f"{len(self.error_rows)} dòng lỗi"
        )


@dataclass(frozen=True)
class ImportResult:
    added_ids: list[int]
    backup: Path | None


# ---------------------------------------------------------------------------------------------
# Reading values

_WORDS = re.compile(r"[^a-z0-9]+")


def _key(value: str) -> str:
    """Folded, punctuation as spaces: "Văn hóa – xã hội" → "van hoa xa hoi"."""
    return _WORDS.sub(" ", fold(value)).strip()


def _choices(table: dict[Any, Iterable[str]]) -> dict[str, Any]:
    return {_key(text): value for value, texts in table.items() for text in texts}


KIND_WORDS = _choices(
    {Kind.MODEL: ("Mô hình", "model", "MH"), Kind.EXEMPLAR: ("Điển hình", "exemplar", "ĐH")}
)
SUBJECT_WORDS = _choices(
    {
        SubjectType.COLLECTIVE: ("Tập thể", "collective", "TT"),
        SubjectType.INDIVIDUAL: ("Cá nhân", "individual", "CN"),
    }
)
FIELD_WORDS = _choices(
    {
        Field.ECONOMY: ("Kinh tế", "Phát triển kinh tế", "economy"),
        Field.CULTURE_SOCIETY: (
            "Văn hóa – xã hội",
            "Văn hóa, xã hội",
            "Văn hóa xã hội",
            "Văn hóa",
            "Xã hội",
            "culture_society",
        ),
        Field.DEFENSE_SECURITY: (
            "Quốc phòng – an ninh",
            "Quốc phòng, an ninh",
            "An ninh – quốc phòng",
            "Quốc phòng",
            "An ninh",
            "QP-AN",
            "defense_security",
        ),
        Field.POLITICAL_SYSTEM: (
            "Xây dựng Đảng và hệ thống chính trị",
            "Xây dựng Đảng, hệ thống chính trị",
            "Xây dựng hệ thống chính trị",
            "Hệ thống chính trị",
            "Xây dựng Đảng",
            "political_system",
        ),
        Field.OTHER: ("Khác", "Lĩnh vực khác", "other"),
    }
)
YES_WORDS = _choices(
    {True: ("Có", "x", "1", "yes", "true", "đúng"), False: ("Không", "0", "no", "false", "sai")}
)
NEW_WORDS = _choices(
    {True: ("Mới", "new", "1", "đăng ký mới"), False: ("Duy trì", "continued", "0", "tiếp tục")}
)
TOTAL_WORDS = {"tong cong", "tong", "cong", "tong so", "total", "cong tong"}
DATE_TEXT = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class _Bad(Exception):
    """A cell that cannot be read; the message says how to fix it."""


# How Excel stores characters XML cannot hold (control characters) inside a text cell.
EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _choice(value: Any, words: dict[str, Any], allowed: str) -> Any:
    key = _key(_text(value))
    if key in words:
        return words[key]
    raise _Bad(f"không hiểu giá trị này; hãy ghi một trong: {allowed}.")


def _year(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("năm phải là số có 4 chữ số, ví dụ 2025.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).strip()
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        return int(float(text))
    raise _Bad("năm phải là số có 4 chữ số, ví dụ 2025.")


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = DATE_TEXT.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = ISO_DATE.match(text)
        if not match:
            raise _Bad("không phải ngày; hãy ghi ngày dạng dd/mm/yyyy, ví dụ 02/03/2026.")
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Bad(
            f"không có ngày {day:02d}/{month:02d}/{year} trong lịch; hãy kiểm tra ngày, tháng."
        ) from None


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value).strip()


# ---------------------------------------------------------------------------------------------
# Finding the sheet and the columns


def _title_matches(text: str, column: Column) -> bool:
    key = _key(text)
    if not key:
        return False
    names = (column.title, column.title.split("(")[0], *column.aliases)
    return key in {_key(name) for name in names}


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]] | None:
    """The first row that holds the name column, with the position of every known column."""
    for row_index, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        texts = [_text(v) if isinstance(v, str) else "" for v in row]
        if not any(_title_matches(t, TEMPLATE_COLUMNS[1]) for t in texts):
            continue
        positions: dict[str, int] = {}
        for position, text in enumerate(texts):
            for column in IMPORT_COLUMNS:
                if column.title not in positions and _title_matches(text, column):
                    positions[column.title] = position
                    break
        return row_index, positions
    return None


@dataclass(frozen=True)
class _Cell:
    value: Any
    is_formula: bool


def _read_rows(path: Path) -> tuple[str, list[list[_Cell]]]:
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except FileNotFoundError:
        raise UserError(f"Không tìm thấy tệp {path}.") from None
    except _UNREADABLE as error:
        raise _unreadable(path, error) from error
    try:
        sheets = list(wb.worksheets)
        chosen = next((ws for ws in sheets if _key(ws.title) == MODELS_SHEET_KEY), sheets[0])
        rows = [
            [_Cell(cell.value, getattr(cell, "data_type", None) == "f") for cell in row]
            for row in chosen.iter_rows()
        ]
        return str(chosen.title), rows
    except _UNREADABLE as error:
        # Read-only mode parses a sheet while its rows are read: broken XML shows up here.
        raise _unreadable(path, error) from error
    finally:
        wb.close()


# SyntaxError: the XML parsers' errors (ElementTree's ParseError, lxml's XMLSyntaxError).
_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError,
               ValueError, SyntaxError)  # fmt: skip


def _unreadable(path: Path, error: BaseException) -> UserError:
    return UserError(
        f"Không đọc được tệp {path.name}: không phải bảng tính Excel .xlsx hợp lệ hoặc tệp bị "
        f"hỏng ({error.__class__.__name__}). Nếu là tệp .xls cũ, hãy mở bằng Excel và lưu lại "
        "dạng .xlsx; nếu tệp bị hỏng, hãy chép lại tệp."
    )


# ---------------------------------------------------------------------------------------------
# The preview


def _is_blank(cells: Sequence[_Cell], positions: dict[str, int]) -> bool:
    """Blank, or holding nothing but a row number."""
    stt = positions.get("STT")
    for index, cell in enumerate(cells):
        if index == stt:
            continue
        if cell.value is not None and _text(cell.value).strip():
            return False
    return True


def _is_total(cells: Sequence[_Cell], positions: dict[str, int]) -> bool:
    """A "Tổng cộng" row: the first filled cell says so, and no model name is beside it."""
    name_at = positions["Tên mô hình"]
    name = cells[name_at].value if name_at < len(cells) else None
    name_key = _key(_text(name).rstrip(":")) if name is not None else ""
    if name_key and name_key not in TOTAL_WORDS:
        return False
    first = next((c.value for c in cells if c.value is not None and _text(c.value).strip()), None)
    return isinstance(first, str) and _key(first.rstrip(":")) in TOTAL_WORDS


def preview_import(
    services: Services, path: Path, *, today: dt.date | None = None
) -> ImportPreview:
    """Read and check every row of the workbook at `path`; write nothing."""
    path = Path(path)
    today = today or dt.date.today()
    sheet, rows = _read_rows(path)
    found = _find_header([[c.value for c in row] for row in rows])
    if found is None:
        raise UserError(
            f"Trang “{sheet}” của tệp {path.name} không có dòng tiêu đề với cột “Tên mô hình”. "
            "Hãy dùng mẫu nhập của phần mềm (Tải mẫu Excel)."
        )
    header_row, positions = found
    preview = ImportPreview(path=path, sheet=sheet, header_row=header_row)
    missing = [c for c in TEMPLATE_COLUMNS if c.required and c.title not in positions]
    for column in missing:
        preview.errors.append(
            ImportIssue(
                header_row,
                column.title,
                "",
                "thiếu cột này ở dòng tiêu đề; hãy dùng mẫu nhập của phần mềm.",
            )
        )
    if missing:
        return preview

    body = rows[header_row:]
    # The table ends at a "Tổng cộng" row: what follows it (signatures, notes) is not data.
    end = next((i for i, cells in enumerate(body) if _is_total(cells, positions)), len(body))
    if end < len(body):
        preview.skipped_total_rows = 1
        preview.after_total_rows = sum(
            1 for cells in body[end + 1 :] if not _is_blank(cells, positions)
        )

    home = services.installation.get().unit
    code_cache: dict[str, tuple[int, str] | str] = {}
    checked: list[ImportRow] = []
    for offset, cells in enumerate(body[:end]):
        row_number = header_row + 1 + offset
        if _is_blank(cells, positions):
            preview.blank_rows += 1
            continue
        result = _check_row(
            services, row_number, cells, positions, (home.id, home.code), code_cache, today
        )
        if isinstance(result, ImportRow):
            checked.append(result)
        else:
            preview.errors.extend(result)
    # Row by row, left to right: the order the user reads the sheet in.
    preview.errors.sort(key=lambda i: (i.row, -1 if i.column_index is None else i.column_index))
    _split_duplicates(services, checked, preview)
    return preview


def _resolve_code(
    services: Services, raw: str, home_id: int, cache: dict[str, tuple[int, str] | str]
) -> tuple[int, str] | str:
    """(unit id, code) of a unit at or below this one, or the message saying why not.

    Codes typed as numbers lose their leading zeros: 3820 is tried as 03820 (commune),
    and short codes as district (3 digits) and province (2 digits) codes."""
    if raw in cache:
        return cache[raw]
    candidates = [raw]
    if raw.isdigit():
        candidates += [raw.zfill(width) for width in (5, 3, 2) if raw.zfill(width) != raw]
    answer: tuple[int, str] | str = ""
    for code in candidates:
        try:
            unit = services.units.resolve_below(code, home_id)
        except UserError as error:
            # The message about the code as typed, not about a padded guess.
            answer = answer or str(error) + " Xem trang “Mã đơn vị” của mẫu nhập."
            continue
        answer = (unit.id, unit.code)
        break
    cache[raw] = answer
    return answer


def _check_row(
    services: Services,
    row_number: int,
    cells: Sequence[_Cell],
    positions: dict[str, int],
    home: tuple[int, str],
    code_cache: dict[str, tuple[int, str] | str],
    today: dt.date,
) -> ImportRow | list[ImportIssue]:
    home_id, home_code = home
    issues: list[ImportIssue] = []
    values: dict[str, Any] = {}
    unit_code = ""

    def issue(column: Column, raw: Any, message: str) -> None:
        issues.append(
            ImportIssue(row_number, column.title, _text(raw), message, positions.get(column.title))
        )

    for column in IMPORT_COLUMNS:
        if not column.attr or column.title not in positions:
            continue
        position = positions[column.title]
        cell = cells[position] if position < len(cells) else _Cell(None, False)
        raw = cell.value
        attr = column.attr
        if cell.is_formula:
            # Never evaluated: the import reads what was typed, not what a formula computes.
            issue(
                column,
                raw,
                "ô chứa công thức; hãy chép ô và dán dạng giá trị (Paste Values) "
                "hoặc gõ lại nội dung.",
            )
            continue
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        try:
            if attr == "kind":
                values[attr] = (
                    Kind.MODEL if blank else _choice(raw, KIND_WORDS, "Mô hình, Điển hình")
                )
            elif attr == "subject_type":
                if blank:
                    raise _Bad("bắt buộc nhập: ghi “Tập thể” hoặc “Cá nhân”.")
                values[attr] = _choice(raw, SUBJECT_WORDS, "Tập thể, Cá nhân")
            elif attr == "field":
                if blank:
                    raise _Bad("bắt buộc nhập lĩnh vực, ví dụ “Kinh tế”.")
                values[attr] = _choice(
                    raw,
                    FIELD_WORDS,
                    "Kinh tế; Văn hóa – xã hội; Quốc phòng – an ninh; "
                    "Xây dựng Đảng và hệ thống chính trị; Khác",
                )
            elif attr == "ethnic_minority_area":
                values[attr] = False if blank else _choice(raw, YES_WORDS, "Có, Không")
            elif attr == "is_new":
                values[attr] = True if blank else _choice(raw, NEW_WORDS, "Mới, Duy trì")
            elif attr in YEAR_ATTRS:
                if blank:
                    raise _Bad("bắt buộc nhập năm, ví dụ 2025.")
                values[attr] = _year(raw)
            elif attr in DATE_ATTRS:
                values[attr] = _date(raw)
            elif attr == "unit_id":
                if blank:
                    values[attr] = home_id
                    continue
                resolved = _resolve_code(services, _code(raw), home_id, code_cache)
                if isinstance(resolved, str):
                    raise _Bad(resolved)
                values[attr], unit_code = resolved
            else:
                values[attr] = "" if blank else _text(raw)
        except _Bad as bad:
            issue(column, raw, str(bad))
    if "unit_id" not in values and not any(i.column == "Mã đơn vị" for i in issues):
        values["unit_id"] = home_id

    failed = {i.column for i in issues}
    try:
        data = validate_model(ModelData(**values), today=today)
    except ValidationError as error:
        for fault in error.errors:
            column = _column_for(fault.field)
            if column.title in failed:
                continue  # already reported with a better message
            at = positions.get(column.title)
            found = cells[at].value if at is not None and at < len(cells) else ""
            issue(column, found, _fix_hint(fault.field, fault.message))
    if issues:
        return issues
    return ImportRow(row_number, data, unit_code or home_code)


def _column_for(attr: str) -> Column:
    return next(c for c in IMPORT_COLUMNS if c.attr == attr)


def _fix_hint(attr: str, message: str) -> str:
    if message == "bắt buộc nhập.":
        return "bắt buộc nhập; ô này đang trống."
    return message


def _dup_key(data: ModelData) -> tuple[int | None, str, int | None, int | None]:
    return (data.unit_id, fold(data.name), data.period_start, data.period_end)


def _split_duplicates(services: Services, checked: list[ImportRow], preview: ImportPreview) -> None:
    unit_ids = sorted({r.data.unit_id for r in checked if r.data.unit_id is not None})
    stored: set[tuple[int | None, str, int | None, int | None]] = set()
    with services.db.session() as session:
        for start in range(0, len(unit_ids), 500):
            query = select(Model.unit_id, Model.name, Model.period_start, Model.period_end).where(
                Model.deleted.is_(False), Model.unit_id.in_(unit_ids[start : start + 500])
            )
            stored.update(
                (unit_id, fold(name), first, last)
                for unit_id, name, first, last in session.execute(query)
            )
    seen: dict[tuple[int | None, str, int | None, int | None], int] = {}
    for row in checked:
        key = _dup_key(row.data)
        if key in stored:
            preview.duplicates.append(
                ImportRow(row.row, row.data, row.unit_code, "đã có trong cơ sở dữ liệu")
            )
        elif key in seen:
            preview.duplicates.append(
                ImportRow(row.row, row.data, row.unit_code, f"trùng dòng {seen[key]} của tệp")
            )
        else:
            seen[key] = row.row
            preview.to_add.append(row)


# ---------------------------------------------------------------------------------------------
# Apply


def apply_import(
    services: Services,
    preview: ImportPreview,
    *,
    valid_only: bool = False,
    allow_duplicates: bool = False,
    by: str | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Add the previewed rows: a backup first, then one transaction."""
    if preview.errors and not valid_only:
        raise UserError(
            f"Tệp {preview.path.name} có {len(preview.error_rows)} dòng lỗi nên chưa nhập dòng "
            "nào. Hãy sửa các dòng lỗi, hoặc chọn chỉ nhập các dòng hợp lệ."
        )
    rows = preview.to_add
    if not allow_duplicates:
        # The database may have changed since the preview (another window, another import):
        # check again, so that the same rows are never added twice.
        fresh = ImportPreview(preview.path, preview.sheet, preview.header_row)
        _split_duplicates(services, rows, fresh)
        rows = fresh.to_add
    else:
        rows = rows + preview.duplicates
    items = [r.data for r in sorted(rows, key=lambda r: r.row)]
    if not items:
        return ImportResult([], None)
    backup = take_backup(services.db_path, backup_dir(services.db_path), "truoc-nhap-excel")
    skipped_duplicates = (
        0 if allow_duplicates else len(preview.duplicates) + (len(preview.to_add) - len(rows))
    )
    origin = ImportOrigin(
        subject=f"Nhập Excel: {preview.path.name}",
        details={
            "file": preview.path.name,
            "facts": [
                fact("Tệp", preview.path.name),
                fact("Trang tính", preview.sheet),
                fact("Số mô hình thêm", len(items)),
                fact("Dòng trùng bỏ qua", skipped_duplicates),
                fact("Dòng lỗi bỏ qua", len(preview.error_rows)),
            ],
        },
    )
    ids = services.models.create_many(
        items,
        by=by or services.installation.staff_name() or "nhập Excel",
        today=today,
        origin=origin,
    )
    return ImportResult(ids, backup)


# ---------------------------------------------------------------------------------------------
# The error workbook


def write_error_workbook(preview: ImportPreview, out: Path) -> Path:
    """A copy of the imported workbook with every bad cell filled red and a comment saying what
    is wrong and how to fix it. Row-wide problems mark the first cell of the row."""
    try:
        wb = load_workbook(preview.path)
    except _UNREADABLE as error:
        raise UserError(f"Không đọc lại được tệp {preview.path.name}: {error}.") from error
    ws = wb[preview.sheet]
    by_cell: dict[tuple[int, int], list[ImportIssue]] = {}
    for item in preview.errors:
        column = (item.column_index or 0) + 1
        by_cell.setdefault((item.row, column), []).append(item)
    for (row, column), items in by_cell.items():
        cell = ws.cell(row=row, column=column)
        cell.fill = ERROR_FILL
        text = "\n".join(f"{i.column}: {i.message}" for i in items)
        comment = Comment(text, "Dân vận khéo")
        comment.width = 320
        comment.height = 40 + 20 * len(items) + len(text) // 2
        cell.comment = comment
    return save_workbook(wb, Path(out))
