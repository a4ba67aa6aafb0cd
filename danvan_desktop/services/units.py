"""The unit directory: the official lists shipped in resources/, and units added by hand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import Unit
from danvan_desktop.directory import legacy_provinces_of, read_unit_file
from danvan_desktop.domain import (
    DIRECTORY_LABELS,
    LEVEL_LABELS,
    Directory,
    UnitLevel,
    fold,
    normalize_line,
    search_terms,
)
from danvan_desktop.services import audit
from danvan_desktop.services.errors import UserError

UNIT_FILES: dict[Directory, str] = {
    Directory.CURRENT: "units-2025.csv",
    Directory.LEGACY: "units-legacy.csv",
}


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    level: UnitLevel
    directory: Directory
    division_type: str
    parent_id: int | None
    parent_name: str

    @property
    def label(self) -> str:
        """ "Xã Ngọc Chiến (03820) — Tỉnh Sơn La", the way a person recognises a unit."""
        text = f"{self.name} ({self.code})"
        if self.parent_name:
            text += f" — {self.parent_name}"
        return text

    @property
    def directory_label(self) -> str:
        return DIRECTORY_LABELS[self.directory]


def load_directory(session: Session) -> int:
    """Insert the official lists when they are not in the database yet; returns rows added."""
    present = set(session.scalars(select(Unit.directory).distinct()))
    next_id = (session.scalar(select(func.max(Unit.id))) or 0) + 1
    added = 0
    for directory, file_name in UNIT_FILES.items():
        if directory.value in present:
            continue
        rows = list(read_unit_file(file_name))
        ids = {row["code"]: next_id + i for i, row in enumerate(rows)}
        next_id += len(rows)
        session.execute(
            insert(Unit),
            [
                {
                    "id": ids[row["code"]],
                    "directory": directory.value,
                    "code": row["code"],
                    "name": row["name"],
                    "name_folded": fold(row["name"]),
                    "division_type": row["division_type"],
                    "level": UnitLevel(row["level"]).value,
                    "parent_id": ids[row["parent_code"]] if row["parent_code"] else None,
                }
                for row in rows
            ],
        )
        added += len(rows)
    return added


# One alias for every query: a new alias per call gave every query a new cache key, so SQLAlchemy
# compiled the SQL again on each call (most of the time of `UnitService.get`).
_PARENT = aliased(Unit)


def unit_info_query() -> Select[Unit, str]:
    return select(Unit, _PARENT.name).outerjoin(_PARENT, Unit.parent_id == _PARENT.id)


def to_info(unit: Unit, parent_name: str | None) -> UnitInfo:
    return UnitInfo(
        id=unit.id,
        code=unit.code,
        name=unit.name,
        level=UnitLevel(unit.level),
        directory=Directory(unit.directory),
        division_type=unit.division_type,
        parent_id=unit.parent_id,
        parent_name=parent_name or "",
    )


_LEVEL_RANK = {
    UnitLevel.PROVINCE: 0,
    UnitLevel.DISTRICT: 1,
    UnitLevel.COMMUNE: 2,
    UnitLevel.OTHER: 3,
}
_DIRECTORY_RANK = {Directory.CURRENT: 0, Directory.CUSTOM: 1, Directory.LEGACY: 2}


class UnitService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def search(
        self, text: str, *, directory: Directory | None = None, limit: int = 50
    ) -> list[UnitInfo]:
        """Units whose name holds every word of `text` (case and diacritics ignored), or whose
        code starts with it. Units of the 2025 list come first, then bigger units first."""
        text = text.strip()
        query = unit_info_query()
        if text.isdigit():
            query = query.where(Unit.code.startswith(text))
            closeness = case((Unit.code == text, 0), else_=1)
        else:
            terms = search_terms(text)
            if not terms:
                return []
            words = " " + Unit.name_folded
            for term in terms:
                query = query.where(words.contains(" " + term, autoescape=True))
            # Exact hits first: the whole name, or the name after its division word
            # ("xa ngoc chien" for "ngoc chien").
            phrase = " ".join(terms)
            exact = or_(Unit.name_folded == phrase, words.endswith(" " + phrase, autoescape=True))
            closeness = case((exact, 0), else_=1)
        if directory is not None:
            query = query.where(Unit.directory == directory.value)
        query = query.order_by(
            closeness,
            case(
                *((Unit.directory == d.value, rank) for d, rank in _DIRECTORY_RANK.items()),
                else_=9,
            ),
            case(*((Unit.level == lv.value, rank) for lv, rank in _LEVEL_RANK.items()), else_=9),
            Unit.name_folded,
            Unit.code,
        ).limit(limit)
        with self._db.session() as session:
            return [to_info(unit, parent) for unit, parent in session.execute(query)]

    def get(self, unit_id: int) -> UnitInfo:
        with self._db.session() as session:
            row = session.execute(unit_info_query().where(Unit.id == unit_id)).first()
        if row is None:
            raise UserError(f"Không tìm thấy đơn vị số {unit_id}.")
        return to_info(row[0], row[1])

    def by_code(self, code: str, directory: Directory | None = None) -> UnitInfo:
        """The unit with this code; the 2025 list is preferred when the code is in both."""
        query = unit_info_query().where(Unit.code == code.strip())
        if directory is not None:
            query = query.where(Unit.directory == directory.value)
        with self._db.session() as session:
            rows = list(session.execute(query))
        if not rows:
            raise UserError(
                f"Không có đơn vị mã “{code}” trong danh mục. "
                "Tìm mã bằng lệnh: danvan units search TÊN"
            )
        unit, parent = min(rows, key=lambda r: _DIRECTORY_RANK[Directory(r[0].directory)])
        return to_info(unit, parent)

    def merged_provinces(self, unit_id: int) -> list[int]:
        """For a 2025 province: the ids of the pre-2025 provinces merged into it."""
        with self._db.session() as session:
            unit = session.get(Unit, unit_id)
            if unit is None or (unit.directory, unit.level) != (
                Directory.CURRENT.value,
                UnitLevel.PROVINCE.value,
            ):
                return []
            codes = legacy_provinces_of(unit.code)
            return list(
                session.scalars(
                    select(Unit.id).where(
                        Unit.directory == Directory.LEGACY.value,
                        Unit.level == UnitLevel.PROVINCE.value,
                        Unit.code.in_(codes),
                    )
                )
            )

    def resolve_below(self, code: str, root_id: int) -> UnitInfo:
        """The unit with this code among `root_id` and the units below it (a code can stand for
        a 2025 and a pre-2025 unit; only one of them is under a given unit)."""
        inside = set(self.subtree_ids(root_id))
        query = unit_info_query().where(Unit.code == code.strip(), Unit.id.in_(inside))
        with self._db.session() as session:
            row = session.execute(query).first()
        if row is None:
            root = self.get(root_id)
            raise UserError(f"Mã đơn vị “{code}” không phải {root.name} hay một đơn vị trực thuộc.")
        return to_info(row[0], row[1])

    def children(self, unit_id: int) -> list[UnitInfo]:
        query = unit_info_query().where(Unit.parent_id == unit_id).order_by(Unit.name_folded)
        with self._db.session() as session:
            return [to_info(unit, parent) for unit, parent in session.execute(query)]

    def subtree_ids(self, unit_id: int) -> list[int]:
        """The unit and every unit below it, at any depth. A 2025 province also holds the
        pre-2025 provinces merged into it, with their districts and communes, so records of
        the 2021–2025 period reach it."""
        roots = select(Unit.id).where(
            or_(Unit.id == unit_id, Unit.id.in_(self.merged_provinces(unit_id)))
        )
        tree = roots.cte("tree", recursive=True)
        tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
        with self._db.session() as session:
            return list(session.scalars(select(tree.c.id)))

    def add_custom(
        self,
        *,
        code: str,
        name: str,
        parent_id: int | None,
        level: UnitLevel = UnitLevel.OTHER,
        division_type: str = "",
        by: str | None = None,
    ) -> UnitInfo:
        """Add a body that is not in the official lists (e.g. "Đảng ủy Khối cơ quan").
        Logged as done by `by`, else by the installation's staff member."""
        code = normalize_line(code)
        name = normalize_line(name)
        problems = []
        if not code:
            problems.append("Mã đơn vị: bắt buộc nhập.")
        elif len(code) > 20 or not all(ch.isalnum() or ch in "-_." for ch in code):
            problems.append("Mã đơn vị: chỉ gồm chữ, số, dấu - _ . và tối đa 20 ký tự.")
        if not name:
            problems.append("Tên đơn vị: bắt buộc nhập.")
        elif len(name) > 255:
            problems.append("Tên đơn vị: dài quá 255 ký tự.")
        with self._db.session() as session:
            if parent_id is not None and session.get(Unit, parent_id) is None:
                problems.append("Đơn vị cấp trên: không có trong danh mục.")
            if code and session.scalar(
                select(Unit.id).where(Unit.code == code, Unit.directory == Directory.CUSTOM.value)
            ):
                problems.append(f"Mã đơn vị: mã “{code}” đã được dùng cho một đơn vị tự thêm khác.")
            elif code and session.scalar(
                select(Unit.id).where(Unit.code == code, Unit.directory == Directory.CURRENT.value)
            ):
                problems.append(
                    f"Mã đơn vị: “{code}” là mã của một đơn vị hành chính; hãy chọn mã khác."
                )
            if problems:
                raise UserError(" ".join(problems))
            unit = Unit(
                directory=Directory.CUSTOM.value,
                code=code,
                name=name,
                name_folded=fold(name),
                division_type=normalize_line(division_type),
                level=level.value,
                parent_id=parent_id,
            )
            session.add(unit)
            session.flush()
            unit_id = unit.id
            parent = session.get(Unit, parent_id) if parent_id is not None else None
            audit.record(
                session,
                audit.AuditAction.SETTINGS,
                actor=audit.staff_name(session) if by is None else by,
                subject=f"Thêm đơn vị {name} ({code})",
                details={
                    "facts": [
                        audit.fact("Mã đơn vị", code),
                        audit.fact("Tên đơn vị", name),
                        audit.fact("Cấp", LEVEL_LABELS[level]),
                        audit.fact(
                            "Đơn vị cấp trên",
                            f"{parent.name} ({parent.code})" if parent is not None else "",
                        ),
                    ]
                },
            )
        return self.get(unit_id)
