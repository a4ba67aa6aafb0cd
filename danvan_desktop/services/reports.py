"""The statistics report: counts of models per unit, with subtotals and a total.

Counting happens in SQL (one GROUP BY over the models of the installation's subtree); the
roll-up through intermediate levels (pre-2025 districts, custom bodies) is done here in Python
over the few hundred units of that subtree, so the report stays fast at 100,000 models.

What the counts mean:
- every count leaves out deleted models and models of units outside the reported unit's tree;
- "recognised", "exemplary", "commended" count the models that *reached* that step: a live
  (not voided) event of that step or of a later step of the main line. A commended model is
  therefore also counted as recognised and exemplary, and a model stopped after being
  recognised still counts as recognised (it was recognised in the period);
- "new" / "continued" come from the model's own is_new flag;
- the status filter uses the model's current status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, or_, select, true
from sqlalchemy.sql.selectable import CTE

from danvan_desktop.db.engine import Database
from danvan_desktop.db.schema import Model, ModelEvent, Unit
from danvan_desktop.domain import (
    KIND_LABELS,
    STATUS_LABELS,
    Directory,
    Field,
    Kind,
    Period,
    Status,
    SubjectType,
    UnitLevel,
)
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.installation import InstallationService
from danvan_desktop.services.units import UnitInfo, UnitService

COUNT_KEYS: tuple[str, ...] = (
    "models",
    "collective",
    "individual",
    "economy",
    "culture_society",
    "defense_security",
    "political_system",
    "other",
    "new",
    "continued",
    "recognised",
    "exemplary",
    "commended",
)

# Column titles, as on the official table.
COUNT_LABELS: dict[str, str] = {
    "models": "Tổng số",
    "collective": "Tập thể",
    "individual": "Cá nhân",
    "economy": "Kinh tế",
    "culture_society": "Văn hóa – xã hội",
    "defense_security": "Quốc phòng – an ninh",
    "political_system": "Xây dựng Đảng và hệ thống chính trị",
    "other": "Khác",
    "new": "Mới",
    "continued": "Duy trì",
    "recognised": "Được công nhận",
    "exemplary": "Tiêu biểu",
    "commended": "Được khen thưởng",
}

# Short titles for narrow places (the terminal table, chart axes).
COUNT_SHORT_LABELS: dict[str, str] = {
    "models": "Tổng",
    "collective": "Tập thể",
    "individual": "Cá nhân",
    "economy": "KT",
    "culture_society": "VH-XH",
    "defense_security": "QP-AN",
    "political_system": "XDĐ-HTCT",
    "other": "Khác",
    "new": "Mới",
    "continued": "Duy trì",
    "recognised": "C.nhận",
    "exemplary": "T.biểu",
    "commended": "K.thưởng",
}

# The upper line of a two-level header: (group title, keys under it). "models" stands alone.
COUNT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tổng số", ("models",)),
    ("Chủ thể", ("collective", "individual")),
    (
        "Lĩnh vực",
        ("economy", "culture_society", "defense_security", "political_system", "other"),
    ),
    ("Tính chất", ("new", "continued")),
    ("Kết quả", ("recognised", "exemplary", "commended")),
)

FIELD_KEYS: dict[Field, str] = {f: f.value for f in Field}

# Rank of a step on the main line; a model "reached" a step when its best live event is at
# least that rank.
_STEP_RANK: dict[Status, int] = {
    Status.RECOGNISED: 1,
    Status.EXEMPLARY: 2,
    Status.COMMENDED: 3,
}


@dataclass(frozen=True)
class ReportFilter:
    """What the report counts. None means "any"."""

    period: Period | None = None
    year: int | None = None
    status: Status | None = None
    kind: Kind | None = None
    ethnic_minority_area: bool | None = None

    def describe(self) -> str:
        """The filter in words, for headers and titles ("" when nothing is filtered)."""
        parts: list[str] = []
        if self.period is not None:
            parts.append(f"giai đoạn {self.period.label}")
        if self.year is not None:
            parts.append(f"năm {self.year}")
        if self.kind is not None:
            parts.append(KIND_LABELS[self.kind].lower())
        if self.status is not None:
            parts.append(f"trạng thái “{STATUS_LABELS[self.status]}”")
        if self.ethnic_minority_area is True:
            parts.append("vùng đồng bào dân tộc thiểu số")
        elif self.ethnic_minority_area is False:
            parts.append("ngoài vùng đồng bào dân tộc thiểu số")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": None
            if self.period is None
            else {"start": self.period.start, "end": self.period.end},
            "year": self.year,
            "status": None if self.status is None else self.status.value,
            "kind": None if self.kind is None else self.kind.value,
            "ethnic_minority_area": self.ethnic_minority_area,
        }


@dataclass(frozen=True)
class StatCounts:
    models: int = 0
    collective: int = 0
    individual: int = 0
    economy: int = 0
    culture_society: int = 0
    defense_security: int = 0
    political_system: int = 0
    other: int = 0
    new: int = 0
    continued: int = 0
    recognised: int = 0
    exemplary: int = 0
    commended: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def get(self, key: str) -> int:
        if key not in COUNT_KEYS:
            raise KeyError(key)
        value: int = getattr(self, key)
        return value

    def __add__(self, other: StatCounts) -> StatCounts:
        return StatCounts(**{k: self.get(k) + other.get(k) for k in COUNT_KEYS})


@dataclass(frozen=True)
class StatRow:
    unit_id: int
    unit_code: str
    unit_name: str
    level: str
    depth: int
    is_subtotal: bool
    counts: StatCounts


@dataclass(frozen=True)
class Statistics:
    unit: UnitInfo
    filter: ReportFilter
    rows: list[StatRow]
    total: StatCounts
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())

    def as_dict(self) -> dict[str, Any]:
        """The shape `danvan report --format json` prints."""
        return {
            "unit": {
                "id": self.unit.id,
                "code": self.unit.code,
                "name": self.unit.name,
                "level": self.unit.level.value,
                "directory": self.unit.directory.value,
            },
            "filter": self.filter.as_dict(),
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "total": self.total.as_dict(),
            "rows": [
                {
                    "unit_code": row.unit_code,
                    "unit_name": row.unit_name,
                    "level": row.level,
                    "depth": row.depth,
                    "is_subtotal": row.is_subtotal,
                    **row.counts.as_dict(),
                }
                for row in self.rows
            ],
        }


@dataclass
class _Node:
    id: int
    code: str
    name: str
    level: str
    directory: str
    name_folded: str
    parent_id: int | None
    children: list[_Node] = field(default_factory=list)


def _reached_step() -> Any:
    """Per model: the highest main-line step among its live events (0 = none)."""
    rank = case(
        *((ModelEvent.status == status.value, value) for status, value in _STEP_RANK.items()),
        else_=0,
    )
    return (
        select(ModelEvent.model_id.label("model_id"), func.max(rank).label("step"))
        .where(ModelEvent.voided_at.is_(None))
        .group_by(ModelEvent.model_id)
        .subquery("reached")
    )


def _key_conditions(step: Any) -> dict[str, ColumnElement[bool]]:
    reached = func.coalesce(step, 0)
    conditions: dict[str, ColumnElement[bool]] = {
        "models": true(),
        "collective": Model.subject_type == SubjectType.COLLECTIVE.value,
        "individual": Model.subject_type == SubjectType.INDIVIDUAL.value,
        "new": Model.is_new.is_(True),
        "continued": Model.is_new.is_(False),
        "recognised": reached >= _STEP_RANK[Status.RECOGNISED],
        "exemplary": reached >= _STEP_RANK[Status.EXEMPLARY],
        "commended": reached >= _STEP_RANK[Status.COMMENDED],
    }
    for value, key in FIELD_KEYS.items():
        conditions[key] = Model.field == value.value
    return conditions


def _filter_conditions(flt: ReportFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Model.deleted.is_(False)]
    if flt.period is not None:
        conditions.append(
            and_(Model.period_start == flt.period.start, Model.period_end == flt.period.end)
        )
    if flt.year is not None:
        conditions.append(and_(Model.period_start <= flt.year, Model.period_end >= flt.year))
    if flt.status is not None:
        conditions.append(Model.status == flt.status.value)
    if flt.kind is not None:
        conditions.append(Model.kind == flt.kind.value)
    if flt.ethnic_minority_area is not None:
        conditions.append(Model.ethnic_minority_area.is_(flt.ethnic_minority_area))
    return conditions


def _subtree_cte(root_id: int, name: str = "report_tree", merged: Sequence[int] = ()) -> CTE:
    """`root_id` and every unit below it; `merged` are further roots counted under it (the
    pre-2025 provinces merged into a 2025 province)."""
    roots = select(Unit.id.label("id")).where(or_(Unit.id == root_id, Unit.id.in_(merged)))
    tree = roots.cte(name, recursive=True)
    return tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))


def _child_order(node: _Node) -> tuple[int, int, int, str, str]:
    """Official units in the order of the official list (by code), then bodies added by hand."""
    level_rank = {
        UnitLevel.PROVINCE.value: 0,
        UnitLevel.DISTRICT.value: 1,
        UnitLevel.COMMUNE.value: 2,
    }.get(node.level, 3)
    custom = 1 if node.directory == Directory.CUSTOM.value else 0
    number = int(node.code) if node.code.isdigit() and not custom else 0
    return (custom, level_rank, number, node.name_folded, node.code)


class ReportService:
    def __init__(self, db: Database, units: UnitService) -> None:
        self._db = db
        self._units = units
        self._installation = InstallationService(db, units)

    def _tree(self, root_id: int) -> CTE:
        return _subtree_cte(root_id, merged=self._units.merged_provinces(root_id))

    def _root(self, unit_id: int | None) -> UnitInfo:
        if unit_id is not None:
            return self._units.get(unit_id)
        return self._installation.get().unit

    def statistics(
        self, flt: ReportFilter | None = None, *, unit_id: int | None = None
    ) -> Statistics:
        """The report for the installation's unit (or `unit_id`) and the units below it."""
        flt = flt or ReportFilter()
        root = self._root(unit_id)
        merged = self._units.merged_provinces(root.id)
        tree = self._tree(root.id)
        reached = _reached_step()
        conditions = _key_conditions(reached.c.step)
        sums = [
            func.sum(case((condition, 1), else_=0)).cast(Integer).label(key)
            for key, condition in conditions.items()
        ]
        query = (
            select(Model.unit_id, *sums)
            .outerjoin(reached, reached.c.model_id == Model.id)
            .where(Model.unit_id.in_(select(tree.c.id)), *_filter_conditions(flt))
            .group_by(Model.unit_id)
        )
        with self._db.session() as session:
            counted: dict[int, StatCounts] = {}
            for row in session.execute(query):
                mapping = row._mapping
                counted[int(mapping["unit_id"])] = StatCounts(
                    **{key: int(mapping[key] or 0) for key in COUNT_KEYS}
                )
            nodes = self._nodes(session, tree, counted, root.id, merged)
        rows = self._rows(nodes, root.id, counted)
        total = sum(counted.values(), StatCounts())
        return Statistics(unit=root, filter=flt, rows=rows, total=total)

    @staticmethod
    def _nodes(
        session: Any,
        tree: CTE,
        counted: dict[int, StatCounts],
        root_id: int,
        merged: Sequence[int] = (),
    ) -> dict[int, _Node]:
        """The units that appear: the root, the units with models and every unit between."""
        wanted = set(counted) | {root_id}
        # Parents of the whole subtree are few (hundreds); load them once and walk up.
        parent_of: dict[int, int | None] = dict(
            session.execute(
                select(Unit.id, Unit.parent_id).where(Unit.id.in_(select(tree.c.id)))
            ).all()
        )
        parent_of.update(dict.fromkeys(merged, root_id))  # old provinces sit under the new one
        keep: set[int] = set()
        for unit_id in wanted:
            current: int | None = unit_id
            while current is not None and current not in keep:
                keep.add(current)
                if current == root_id:
                    break
                current = parent_of.get(current)
        nodes: dict[int, _Node] = {}
        for unit in session.scalars(select(Unit).where(Unit.id.in_(keep))):
            nodes[unit.id] = _Node(
                id=unit.id,
                code=unit.code,
                name=unit.name,
                level=unit.level,
                directory=unit.directory,
                name_folded=unit.name_folded,
                parent_id=parent_of.get(unit.id, unit.parent_id),
            )
        for node in nodes.values():
            if node.id != root_id and node.parent_id in nodes:
                nodes[node.parent_id].children.append(node)
        return nodes

    @staticmethod
    def _rows(
        nodes: dict[int, _Node], root_id: int, counted: dict[int, StatCounts]
    ) -> list[StatRow]:
        rows: list[StatRow] = []

        def subtree_counts(node: _Node) -> StatCounts:
            own = counted.get(node.id, StatCounts())
            return sum((subtree_counts(child) for child in node.children), own)

        def visit(node: _Node, depth: int) -> None:
            is_subtotal = bool(node.children) and node.id != root_id
            counts = subtree_counts(node) if is_subtotal else counted.get(node.id, StatCounts())
            rows.append(
                StatRow(
                    unit_id=node.id,
                    unit_code=node.code,
                    unit_name=node.name,
                    level=node.level,
                    depth=depth,
                    is_subtotal=is_subtotal,
                    counts=counts,
                )
            )
            for child in sorted(node.children, key=_child_order):
                visit(child, depth + 1)

        visit(nodes[root_id], 0)
        return rows

    def status_counts(
        self, flt: ReportFilter | None = None, *, root_id: int | None = None
    ) -> dict[Status, int]:
        """How many counted models are at each current status (for the chart "by status")."""
        flt = flt or ReportFilter()
        root = self._root(root_id)
        inside = Model.unit_id.in_(select(self._tree(root.id).c.id))
        query = (
            select(Model.status, func.count(Model.id))
            .where(inside, *_filter_conditions(flt))
            .group_by(Model.status)
        )
        counts = dict.fromkeys(Status, 0)
        with self._db.session() as session:
            for status, count in session.execute(query):
                counts[Status(status)] = int(count)
        return counts

    def model_ids(
        self,
        flt: ReportFilter | None,
        unit_id: int | None,
        key: str,
        *,
        root_id: int | None = None,
    ) -> list[int]:
        """The models behind one count of the report, by name.

        `unit_id` None is the total row; the reported unit's own row holds only its own models;
        any other row holds its unit and every unit below it (a subtotal row sums them, a
        plain row has nothing below it with models).
        """
        if key not in COUNT_KEYS:
            raise UserError(f"Không có cột thống kê “{key}”.")
        flt = flt or ReportFilter()
        root = self._root(root_id)
        reached = _reached_step()
        condition = _key_conditions(reached.c.step)[key]
        scope: ColumnElement[bool]
        if unit_id is None:
            scope = Model.unit_id.in_(select(self._tree(root.id).c.id))
        elif unit_id == root.id:
            scope = Model.unit_id == root.id
        else:
            scope = and_(
                Model.unit_id.in_(select(self._tree(root.id).c.id)),
                Model.unit_id.in_(select(_subtree_cte(unit_id, "row_tree").c.id)),
            )
        query = (
            select(Model.id)
            .outerjoin(reached, reached.c.model_id == Model.id)
            .where(scope, condition, *_filter_conditions(flt))
            .order_by(Model.sort_name, Model.id)
        )
        with self._db.session() as session:
            return list(session.scalars(query))
