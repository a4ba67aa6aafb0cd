"""The statistics report against hand-counted fixtures, and a province shaped like the seed."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import insert

from danvan_desktop.cli import main
from danvan_desktop.db.schema import Model
from danvan_desktop.domain import (
    Directory,
    EventData,
    Field,
    Kind,
    Period,
    Status,
    SubjectType,
    fold,
)
from danvan_desktop.services import Services
from danvan_desktop.services.reports import COUNT_KEYS, ReportFilter, StatCounts
from tests.conftest import STAFF
from tests.helpers import sample_model

TODAY = dt.date.today()


def step(services: Services, model_id: int, status: Status) -> None:
    services.models.add_event(
        model_id,
        EventData(
            status=status,
            event_date=TODAY,
            deciding_body="Đảng ủy xã" if status is not Status.STOPPED else "",
            commendation_form="Giấy khen" if status is Status.COMMENDED else "",
        ),
        by=STAFF,
    )


def set_up(services: Services, code: str, directory: Directory) -> int:
    unit = services.units.by_code(code, directory)
    services.installation.save(unit_id=unit.id, reports_to_id=None, staff_name=STAFF)
    return unit.id


# ---------------------------------------------------------------------------------------------
# A commune with a model of every field, type and status


@dataclass
class Commune:
    unit_id: int
    m1: int  # economy, collective, model, new, DTTS, 2025–2030, commended
    m2: int  # culture, individual, exemplar, continued, not DTTS, 2021–2025, exemplary
    m3: int  # defence, collective, model, new, DTTS, 2025–2030, recognised then voided
    m4: int  # political system, collective, new, DTTS, 2025–2030, recognised then stopped
    m5: int  # other, individual, exemplar, new, not DTTS, 2021–2025, implementing
    deleted: int  # economy, commended, deleted


@pytest.fixture
def commune(services: Services) -> Commune:
    unit_id = services.installation.get().unit.id
    old = {"period_start": 2021, "period_end": 2025}
    person = {"subject_type": SubjectType.INDIVIDUAL, "person_name": "Lò Văn Pấng"}
    ids = services.models.create_many(
        [
            sample_model(unit_id, name="Một", field=Field.ECONOMY),
            sample_model(
                unit_id,
                name="Hai",
                field=Field.CULTURE_SOCIETY,
                kind=Kind.EXEMPLAR,
                is_new=False,
                ethnic_minority_area=False,
                **old,
                **person,
            ),
            sample_model(unit_id, name="Ba", field=Field.DEFENSE_SECURITY),
            sample_model(unit_id, name="Bốn", field=Field.POLITICAL_SYSTEM),
            sample_model(
                unit_id,
                name="Năm",
                field=Field.OTHER,
                kind=Kind.EXEMPLAR,
                ethnic_minority_area=False,
                **old,
                **person,
            ),
            sample_model(unit_id, name="Sáu", field=Field.ECONOMY),
        ],
        by=STAFF,
    )
    m1, m2, m3, m4, m5, gone = ids
    step(services, m1, Status.RECOGNISED)
    step(services, m1, Status.COMMENDED)  # skipping "exemplary" still counts it as reached
    step(services, m2, Status.EXEMPLARY)
    step(services, m3, Status.RECOGNISED)
    voided = services.models.get(m3).events[-1]
    services.models.correct_event(voided.id, None, reason="Nhập nhầm", by=STAFF)
    step(services, m4, Status.RECOGNISED)
    step(services, m4, Status.STOPPED)
    step(services, m5, Status.IMPLEMENTING)
    step(services, gone, Status.COMMENDED)
    services.models.delete(gone, by=STAFF)
    return Commune(unit_id, m1, m2, m3, m4, m5, gone)


def test_commune_counts_by_hand(services: Services, commune: Commune) -> None:
    stats = services.reports.statistics(ReportFilter())
    expected = StatCounts(
        models=5,
        collective=3,
        individual=2,
        economy=1,
        culture_society=1,
        defense_security=1,
        political_system=1,
        other=1,
        new=4,
        continued=1,
        recognised=3,  # m1 (commended), m2 (exemplary), m4 (recognised, then stopped)
        exemplary=2,  # m1, m2
        commended=1,  # m1; the deleted one and m3's voided event never count
    )
    assert stats.total == expected
    assert stats.unit.code == "03820"
    [row] = stats.rows
    assert (row.unit_code, row.depth, row.is_subtotal, row.counts) == ("03820", 0, False, expected)


def test_models_behind_a_count(services: Services, commune: Commune) -> None:
    flt = ReportFilter()
    reports = services.reports
    c = commune
    assert set(reports.model_ids(flt, None, "recognised")) == {c.m1, c.m2, c.m4}
    assert set(reports.model_ids(flt, c.unit_id, "recognised")) == {c.m1, c.m2, c.m4}
    assert reports.model_ids(flt, None, "commended") == [c.m1]
    assert set(reports.model_ids(flt, None, "individual")) == {c.m2, c.m5}
    assert set(reports.model_ids(flt, None, "models")) == {c.m1, c.m2, c.m3, c.m4, c.m5}
    assert reports.model_ids(flt, None, "continued") == [c.m2]
    assert reports.model_ids(ReportFilter(kind=Kind.MODEL), None, "other") == []
    # Every count of the report is exactly the number of models a click shows.
    stats = reports.statistics(flt)
    for key in COUNT_KEYS:
        assert len(reports.model_ids(flt, None, key)) == stats.total.get(key), key


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (ReportFilter(period=Period(2021, 2025)), {"m2", "m5"}),
        (ReportFilter(period=Period(2025, 2030)), {"m1", "m3", "m4"}),
        (ReportFilter(period=Period(2021, 2030)), set()),
        (ReportFilter(year=2025), {"m1", "m2", "m3", "m4", "m5"}),
        (ReportFilter(year=2026), {"m1", "m3", "m4"}),
        (ReportFilter(year=2021), {"m2", "m5"}),
        (ReportFilter(year=2031), set()),
        (ReportFilter(status=Status.COMMENDED), {"m1"}),
        (ReportFilter(status=Status.STOPPED), {"m4"}),
        (ReportFilter(status=Status.REGISTERED), {"m3"}),
        (ReportFilter(kind=Kind.EXEMPLAR), {"m2", "m5"}),
        (ReportFilter(kind=Kind.MODEL), {"m1", "m3", "m4"}),
        (ReportFilter(ethnic_minority_area=True), {"m1", "m3", "m4"}),
        (ReportFilter(ethnic_minority_area=False), {"m2", "m5"}),
        (ReportFilter(year=2025, kind=Kind.EXEMPLAR, ethnic_minority_area=False), {"m2", "m5"}),
    ],
)
def test_each_filter(
    services: Services, commune: Commune, flt: ReportFilter, expected: set[str]
) -> None:
    stats = services.reports.statistics(flt)
    ids = {getattr(commune, name) for name in expected}
    assert stats.total.models == len(expected)
    assert set(services.reports.model_ids(flt, None, "models")) == ids
    assert stats.filter == flt


def test_status_filter_still_counts_reached_steps(services: Services, commune: Commune) -> None:
    stats = services.reports.statistics(ReportFilter(status=Status.STOPPED))
    assert (stats.total.recognised, stats.total.exemplary) == (1, 0)


# ---------------------------------------------------------------------------------------------
# Units below the installation's unit


def test_pre_2025_district_with_models_in_two_communes(services: Services) -> None:
    district_id = set_up(services, "120", Directory.LEGACY)
    communes = services.units.children(district_id)
    first, second = communes[0], communes[1]
    elsewhere = services.units.by_code("03820", Directory.CURRENT)
    services.models.create_many(
        [
            sample_model(district_id, name="Của huyện"),
            sample_model(first.id, name="A1"),
            sample_model(first.id, name="A2", subject_type=SubjectType.INDIVIDUAL, person_name="B"),
            sample_model(second.id, name="B1", field=Field.CULTURE_SOCIETY),
            sample_model(elsewhere.id, name="Ngoài huyện"),  # not below the district
        ],
        by=STAFF,
    )
    stats = services.reports.statistics()
    shape = [(r.unit_code, r.depth, r.is_subtotal, r.counts.models) for r in stats.rows]
    in_order = sorted([first, second], key=lambda u: int(u.code))
    expected_counts = {first.code: 2, second.code: 1}
    assert shape == [
        ("120", 0, False, 1),
        *((u.code, 1, False, expected_counts[u.code]) for u in in_order),
    ]
    assert (stats.total.models, stats.total.individual, stats.total.culture_society) == (4, 1, 1)
    assert stats.rows[0].level == "district"
    assert len(services.reports.model_ids(ReportFilter(), first.id, "models")) == 2
    assert len(services.reports.model_ids(ReportFilter(), district_id, "models")) == 1
    assert len(services.reports.model_ids(ReportFilter(), elsewhere.id, "models")) == 0


def test_province_with_a_legacy_district_subtotal(services: Services) -> None:
    province_id = set_up(services, "14", Directory.LEGACY)
    district = services.units.by_code("120", Directory.LEGACY)
    other_district = next(u for u in services.units.children(province_id) if u.id != district.id)
    a, b = services.units.children(district.id)[:2]
    c = services.units.children(other_district.id)[0]
    created = services.models.create_many(
        [
            sample_model(province_id, name="Của tỉnh"),
            sample_model(district.id, name="Của huyện", field=Field.DEFENSE_SECURITY),
            sample_model(a.id, name="A1"),
            sample_model(a.id, name="A2", is_new=False),
            sample_model(b.id, name="B1", kind=Kind.EXEMPLAR),
            sample_model(c.id, name="C1", field=Field.OTHER),
            sample_model(c.id, name="C2 (đã xóa)"),
        ],
        by=STAFF,
    )
    services.models.delete(created[-1], by=STAFF)
    stats = services.reports.statistics()
    by_code = {r.unit_code: r for r in stats.rows}
    assert stats.rows[0].unit_code == "14" and stats.rows[0].counts.models == 1
    assert not stats.rows[0].is_subtotal
    subtotal = by_code["120"]
    assert (subtotal.is_subtotal, subtotal.depth, subtotal.level) == (True, 1, "district")
    # The district row counts its own model and everything below it.
    assert (subtotal.counts.models, subtotal.counts.defense_security) == (4, 1)
    assert (subtotal.counts.continued, subtotal.counts.economy) == (1, 3)
    assert (by_code[a.code].depth, by_code[a.code].counts.models) == (2, 2)
    assert not by_code[a.code].is_subtotal
    assert by_code[b.code].counts.models == 1
    assert by_code[other_district.code].is_subtotal
    assert by_code[other_district.code].counts.models == 1
    assert by_code[c.code].counts.other == 1
    # Children come right after their subtotal row.
    codes = [r.unit_code for r in stats.rows]
    after_district = stats.rows[codes.index("120") + 1]
    assert after_district.unit_code in {a.code, b.code} and after_district.depth == 2
    assert stats.total.models == 6
    assert stats.total == sum((r.counts for r in stats.rows if r.depth == 1), stats.rows[0].counts)
    district_ids = services.reports.model_ids(ReportFilter(), district.id, "models")
    assert len(district_ids) == 4
    assert len(services.reports.model_ids(ReportFilter(), province_id, "models")) == 1
    assert len(services.reports.model_ids(ReportFilter(), None, "models")) == 6


# ---------------------------------------------------------------------------------------------
# A province shaped like the seed: Sơn La, 2,665 models


SEED = {
    "models": 2665,
    "collective": 1921,
    "individual": 744,
    "economy": 1032,
    "culture_society": 815,
    "defense_security": 440,
    "political_system": 378,
    "other": 0,
}


def _seed_rows(unit_ids: list[int]) -> list[dict[str, object]]:
    now = dt.datetime.now(dt.UTC)
    fields = (
        [Field.ECONOMY] * 1032
        + [Field.CULTURE_SOCIETY] * 815
        + [Field.DEFENSE_SECURITY] * 440
        + [Field.POLITICAL_SYSTEM] * 378
    )
    rows: list[dict[str, object]] = []
    for i in range(2665 + 40):
        deleted = i >= 2665  # tombstones that must not count
        # A stride coprime with 2665 mixes fields and subject types across communes.
        field = fields[(i * 7) % 2665] if not deleted else Field.OTHER
        name = f"Mô hình số {i + 1}"
        rows.append(
            {
                "uuid": f"00000000-0000-4000-8000-{i:012d}",
                "unit_id": unit_ids[i % len(unit_ids)],
                "revision": 1,
                "created_at": now,
                "updated_at": now,
                "created_by": STAFF,
                "updated_by": STAFF,
                "deleted": deleted,
                "deleted_at": now if deleted else None,
                "kind": Kind.MODEL.value,
                "subject_type": (
                    SubjectType.COLLECTIVE if i < 1921 else SubjectType.INDIVIDUAL
                ).value,
                "person_name": "" if i < 1921 else f"Người thứ {i}",
                "person_position": "",
                "person_unit": "",
                "field": field.value,
                "name": name,
                "village": "",
                "ethnic_minority_area": i % 3 == 0,
                "period_start": 2021,
                "period_end": 2025,
                "is_new": i % 2 == 0,
                "registered_on": None,
                "situation": "",
                "goals": "",
                "content": "",
                "target_area": "",
                "lead_forces": "",
                "coordinating_forces": "",
                "participating_forces": "",
                "resources": "",
                "start_date": None,
                "schedule": "",
                "evaluation_date": None,
                "outputs": "",
                "sustainability": "",
                "notes": "",
                "status": Status.REGISTERED.value,
                "sort_name": fold(name),
                "search_text": " " + fold(name),
            }
        )
    return rows


def test_seed_shaped_province_reproduces_the_seed_totals(services: Services, db_path: Path) -> None:
    province_id = set_up(services, "14", Directory.CURRENT)
    communes = [u.id for u in services.units.children(province_id)]
    assert len(communes) > 50
    with services.db.session() as session:
        session.execute(insert(Model), _seed_rows(communes))

    stats = services.reports.statistics()
    assert {k: stats.total.get(k) for k in SEED} == SEED
    assert stats.total == sum((r.counts for r in stats.rows), StatCounts())
    assert len(stats.rows) == 1 + len(communes)
    assert all(r.depth == 1 and not r.is_subtotal for r in stats.rows[1:])

    out, err = io.StringIO(), io.StringIO()
    code = main(["report", "--db", str(db_path), "--format", "json"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    report = json.loads(out.getvalue())
    assert {k: report["total"][k] for k in SEED} == SEED
    assert set(report["total"]) == set(COUNT_KEYS)
    assert report["unit"]["code"] == "14"
    first = report["rows"][1]
    assert {"unit_code", "unit_name", "level", "depth", "is_subtotal", *COUNT_KEYS} <= set(first)
    assert sum(row["models"] for row in report["rows"]) == 2665

    out = io.StringIO()
    code = main(
        ["report", "--db", str(db_path), "--period", "2025-2030", "--format", "json"],
        stdout=out,
        stderr=err,
    )
    assert code == 0 and json.loads(out.getvalue())["total"]["models"] == 0


# ---------------------------------------------------------------------------------------------
# The command line


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_report_table_and_filters(commune: Commune, db_path: Path) -> None:
    code, out, err = run("report", "--db", str(db_path))
    assert code == 0, err
    lines = out.splitlines()
    assert "Xã Ngọc Chiến" in lines[0]
    header = lines[2].split()
    assert header[:5] == ["Mã", "Đơn", "vị", "Tổng", "Tập"]
    total = lines[-1].split()
    assert total[:4] == ["Tổng", "cộng", "5", "3"]

    code, out, err = run(
        "report", "--db", str(db_path), "--kind", "exemplar", "--ethnic-minority", "no",
        "--year", "2024", "--status", "exemplary", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["total"]["models"] == 1 and report["total"]["culture_society"] == 1
    assert report["filter"] == {
        "period": None,
        "year": 2024,
        "status": "exemplary",
        "kind": "exemplar",
        "ethnic_minority_area": False,
    }

    code, out, err = run(
        "report", "--db", str(db_path), "--period", "2021-2025", "--format", "json"
    )
    assert json.loads(out)["total"]["models"] == 2


def test_report_bad_input_is_one_vietnamese_line(services: Services, db_path: Path) -> None:
    code, _out, err = run("report", "--db", str(db_path), "--period", "2025/2030")
    assert code == 1 and err.startswith("Lỗi: --period") and err.count("\n") == 1
    code, _out, err = run("report", "--db", str(db_path), "--year", "1990")
    assert code == 1 and "năm 1990" in err


def test_report_before_set_up_says_what_to_do(blank_services: Services, db_path: Path) -> None:
    code, _out, err = run("report", "--db", str(db_path))
    assert code == 1 and "danvan init" in err


def test_status_counts_use_the_current_status(services: Services, commune: Commune) -> None:
    counts = services.reports.status_counts(ReportFilter())
    assert counts == {
        Status.REGISTERED: 1,
        Status.IMPLEMENTING: 1,
        Status.RECOGNISED: 0,
        Status.EXEMPLARY: 1,
        Status.COMMENDED: 1,
        Status.RETURNED: 0,
        Status.STOPPED: 1,
    }
    assert sum(services.reports.status_counts(ReportFilter(kind=Kind.EXEMPLAR)).values()) == 2
