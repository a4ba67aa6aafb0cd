"""The `danvan` command line, run in-process on real database files and as a real process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_desktop.cli import main
from danvan_desktop.domain import Directory
from danvan_desktop.services import open_services

REQUIRED_KEYS = {
    "id", "name", "kind", "unit_code", "subject_type", "person_name", "person_position",
    "field", "status", "period_start", "period_end", "is_new", "registered_on",
}  # fmt: skip


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(db_path: Path) -> str:
    code, out, err = run("init", "--db", str(db_path), "--unit", "03820", "--staff", "Lò Thị Mai")
    assert code == 0, err
    assert "Xã Ngọc Chiến (03820)" in out and "Tỉnh Sơn La (14)" in out
    return str(db_path)


def test_init_sets_up_unit_reports_to_and_staff(db: str) -> None:
    services = open_services(Path(db))
    installation = services.installation.get()
    services.close()
    assert installation.unit.directory is Directory.CURRENT
    assert installation.reports_to is not None and installation.reports_to.code == "14"
    assert installation.staff_name == "Lò Thị Mai"
    code, _, err = run("init", "--db", db, "--unit", "03820")
    assert code == 1 and "đã được thiết lập" in err


def test_init_legacy_reports_to_district(db_path: Path) -> None:
    code, out, _ = run("init", "--db", str(db_path), "--unit", "03820", "--legacy", "--staff", "A")
    assert code == 0
    assert "Huyện Mường La (120)" in out


def test_init_unknown_unit(db_path: Path) -> None:
    code, out, err = run("init", "--db", str(db_path), "--unit", "99999")
    assert code == 1 and out == ""
    assert err.startswith("Lỗi: ") and "99999" in err and err.count("\n") == 1


def test_units_search(db: str) -> None:
    code, out, _ = run("units", "search", "ngoc chien", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[2].startswith("03820") and "Xã Ngọc Chiến" in lines[2] and "Tỉnh Sơn La" in lines[2]
    )
    assert "Huyện Mường La" in out
    code, _, err = run("units", "search", "khong co dau ca", "--db", db)
    assert code == 1 and "Không tìm thấy" in err


def test_models_add_and_list_json(db: str, tmp_path: Path) -> None:
    items = [
        {
            "name": "Hiến đất làm đường giao thông nông thôn",
            "field": "economy",
            "period_start": 2025,
            "period_end": 2030,
            "registered_on": "2026-02-03",
            "village": "Bản Lướt",
            "lead_forces": "Chi bộ bản Lướt",
        },
        {
            "name": "Gương người có uy tín",
            "kind": "exemplar",
            "subject_type": "individual",
            "person_name": "Lò Văn Hặc",
            "person_position": "Trưởng bản",
            "field": "political_system",
            "unit_code": "03820",
            "period_start": 2025,
            "period_end": 2030,
            "is_new": False,
        },
    ]
    source = tmp_path / "models.json"
    source.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("models", "add", "--json", str(source), "--db", db)
    assert code == 0, err
    assert "Đã thêm 2 mô hình" in out
    code, out, _ = run("models", "list", "--format", "json", "--db", db)
    listed = json.loads(out)
    assert len(listed) == 2 and set(listed[0]) >= REQUIRED_KEYS
    by_name = {m["name"]: m for m in listed}
    road = by_name["Hiến đất làm đường giao thông nông thôn"]
    assert road["kind"] == "model" and road["subject_type"] == "collective"
    assert road["registered_on"] == "2026-02-03" and road["status"] == "registered"
    assert road["unit_code"] == "03820" and road["lead_forces"] == "Chi bộ bản Lướt"
    person = by_name["Gương người có uy tín"]
    assert (person["person_name"], person["is_new"]) == ("Lò Văn Hặc", False)
    # What a list prints can be added back (read-only keys are ignored).
    code, _, err = run("models", "add", "--json", "-", "--db", db, stdin=json.dumps(listed[0]))
    assert code == 0, err


def test_models_add_validates_like_the_form(db: str, tmp_path: Path) -> None:
    items = [
        {"name": "Tốt", "field": "economy", "period_start": 2025, "period_end": 2030},
        {"name": "", "field": "economy", "period_start": 2030, "period_end": 2025},
        {"name": "Cá nhân", "subject_type": "individual", "field": "other",
         "period_start": 2025, "period_end": 2030},
        {"name": "Sai", "field": "kinh te", "period_start": "2025", "registered_on": "3/2/2026"},
    ]  # fmt: skip
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("models", "add", "--json", str(source), "--db", db)
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "Mục 4" in err and "field" in err and "registered_on" in err
    # Form rules are checked once the values have the right form:
    source.write_text(json.dumps(items[:3], ensure_ascii=False), encoding="utf-8")
    code, _, err = run("models", "add", "--json", str(source), "--db", db)
    assert code == 1
    assert "Mục 2" in err and "Tên mô hình" in err and "Giai đoạn đến năm" in err
    assert "Mục 3" in err and "Họ tên cá nhân" in err
    code, out, _ = run("models", "list", "--format", "json", "--db", db)
    assert json.loads(out) == []  # nothing half-added


def test_models_add_bad_files(db: str, tmp_path: Path) -> None:
    code, _, err = run("models", "add", "--json", str(tmp_path / "none.json"), "--db", db)
    assert code == 1 and "Không tìm thấy tệp" in err
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    code, _, err = run("models", "add", "--json", str(broken), "--db", db)
    assert code == 1 and "không phải JSON hợp lệ" in err


def test_demo_data_status_delete_csv(db: str) -> None:
    code, out, _ = run("demo-data", "--count", "12", "--db", db)
    assert code == 0 and "12" in out
    code, out, _ = run("models", "list", "--format", "json", "--db", db)
    models = json.loads(out)
    assert len(models) == 12
    assert len({m["field"] for m in models}) >= 3
    assert {"collective", "individual"} <= {m["subject_type"] for m in models}
    target = next(m for m in models if m["status"] == "registered")
    code, out, err = run("models", "status", str(target["id"]), "implementing", "--db", db)
    assert code == 0, err
    assert "Đang triển khai" in out
    code, _, err = run("models", "status", str(target["id"]), "commended", "--db", db)
    assert code == 1 and "Cơ quan quyết định" in err
    code, _, _ = run("models", "delete", str(target["id"]), "--db", db)
    assert code == 0
    code, out, _ = run("models", "list", "--format", "csv", "--db", db)
    lines = out.splitlines()
    assert lines[0].startswith("id,uuid,name,kind,unit_code")
    assert len(lines) == 12  # header + 11 left
    code, out, _ = run("models", "show", str(target["id"]), "--db", db)
    shown = json.loads(out)
    assert shown["deleted"] is True and [e["status"] for e in shown["events"]][-1] == "implementing"


def test_real_process_uses_danvan_db_and_reports_errors_in_one_line(db: str) -> None:
    env = {**os.environ, "DANVAN_DB": db, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "danvan_desktop.cli"]
    ok = subprocess.run([*command, "models", "list"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "0 / 0 mô hình" in ok.stdout
    bad = subprocess.run(
        [*command, "models", "list", "--period", "abc"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "YYYY-YYYY" in bad.stderr
    assert "Traceback" not in bad.stderr
