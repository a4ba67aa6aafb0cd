"""The audit log: every kind of change writes the right entry, in the change's own transaction;
the reader's filters; `danvan audit list`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from danvan_desktop.cli import main
from danvan_desktop.db.schema import AuditEntry
from danvan_desktop.domain import (
    Directory,
    EventData,
    EventError,
    Field,
    Kind,
    Status,
    SubjectType,
    ValidationError,
)
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.audit import (
    AuditAction,
    AuditFilter,
    AuditInfo,
    AuditRow,
    FieldChange,
    record_many,
)
from danvan_desktop.services.errors import ConflictError, UserError
from danvan_desktop.services.excel.importer import apply_import, preview_import
from danvan_desktop.services.print_settings import HeaderProfile, PrintSettingsService
from tests.conftest import STAFF
from tests.helpers import sample_model

TODAY = dt.date(2026, 5, 1)


def entries(services: Services, **filters: object) -> list[AuditInfo]:
    return services.audit.entries(AuditFilter(**filters))  # type: ignore[arg-type]


def model_entries(services: Services) -> list[AuditInfo]:
    """Entries about models (the fixture's set-up writes a settings entry first)."""
    return [e for e in services.audit.entries() if e.model_uuid is not None]


def changes_of(entry: AuditInfo) -> dict[str, tuple[str, str]]:
    return {c.label: (c.old, c.new) for c in entry.changes}


def test_create_edit_delete_name_the_person_and_the_model(services: Services) -> None:
    unit_id = services.installation.get().unit.id
    model_id = services.models.create(sample_model(unit_id), by=STAFF, today=TODAY)
    record = services.models.get(model_id)
    [created] = model_entries(services)
    assert (created.action, created.actor, created.model_uuid) == ("create", STAFF, record.uuid)
    assert created.subject == "Du lịch cộng đồng ở bản Pá Khoang"

    edited = dataclasses.replace(
        record.data,
        name="Du lịch cộng đồng bản Pá Khoang",
        field=Field.CULTURE_SOCIETY,
        kind=Kind.EXEMPLAR,
        ethnic_minority_area=False,
        is_new=False,
        registered_on=dt.date(2026, 3, 9),
        start_date=dt.date(2026, 4, 1),
        goals="",
    )
    services.models.update(model_id, edited, expected_revision=1, by="Lò Văn Pọm", today=TODAY)
    edit = model_entries(services)[0]
    assert (edit.action, edit.actor, edit.action_label) == ("edit", "Lò Văn Pọm", "Sửa")
    # Exactly the changed fields, in the order of the paper form, as a person reads them.
    assert [c.label for c in edit.changes] == [
        "Tên mô hình",
        "Loại hình",
        "Lĩnh vực",
        "Vùng đồng bào dân tộc thiểu số",
        "Mới/Duy trì",
        "Ngày đăng ký",
        "Mục tiêu, tiêu chí",
        "Ngày bắt đầu",
    ]
    assert changes_of(edit) == {
        "Tên mô hình": ("Du lịch cộng đồng ở bản Pá Khoang", "Du lịch cộng đồng bản Pá Khoang"),
        "Loại hình": ("Mô hình", "Điển hình"),
        "Lĩnh vực": ("Kinh tế", "Văn hóa – xã hội"),
        "Vùng đồng bào dân tộc thiểu số": ("Có", "Không"),
        "Mới/Duy trì": ("Mới", "Duy trì"),
        "Ngày đăng ký": ("02/03/2026", "09/03/2026"),
        "Mục tiêu, tiêu chí": ("Tăng thu nhập cho 30 hộ; giữ gìn văn hóa dân tộc Thái.", ""),
        "Ngày bắt đầu": ("", "01/04/2026"),
    }
    assert edit.details["revision"] == {"old": 1, "new": 2}
    assert "Ngày đăng ký: 02/03/2026 → 09/03/2026" in edit.detail_lines()
    assert "Ngày bắt đầu: (trống) → 01/04/2026" in edit.detail_lines()

    # Saving with nothing changed writes nothing, in the log as in the model.
    services.models.update(model_id, edited, expected_revision=2, by=STAFF, today=TODAY)
    assert len(model_entries(services)) == 2

    services.models.delete(model_id, by=STAFF)
    deleted = model_entries(services)[0]
    assert (deleted.action, deleted.model_uuid, deleted.subject) == (
        "delete",
        record.uuid,
        "Du lịch cộng đồng bản Pá Khoang",
    )
    assert [e.action for e in services.audit.history(record.uuid)] == ["delete", "edit", "create"]


def test_a_unit_change_shows_both_units_by_name(services: Services) -> None:
    this = services.installation.get().unit
    below = services.units.add_custom(code="DU-NC", name="Đoàn Thanh niên xã", parent_id=this.id)
    model_id = services.models.create(sample_model(this.id), by=STAFF, today=TODAY)
    data = dataclasses.replace(services.models.get(model_id).data, unit_id=below.id)
    services.models.update(model_id, data, expected_revision=1, by=STAFF, today=TODAY)
    assert changes_of(model_entries(services)[0]) == {
        "Đơn vị đăng ký": ("Xã Ngọc Chiến (03820)", "Đoàn Thanh niên xã (DU-NC)")
    }


def test_refused_or_failed_changes_write_no_entry(services: Services) -> None:
    unit_id = services.installation.get().unit.id
    before = services.audit.count()
    with pytest.raises(ValidationError):
        services.models.create(sample_model(unit_id, name=""), by=STAFF, today=TODAY)
    with pytest.raises(UserError):  # one bad item: none of the batch is saved, nor logged
        services.models.create_many(
            [sample_model(unit_id), sample_model(unit_id, period_start=1990)], by=STAFF
        )
    assert services.audit.count() == before

    model_id = services.models.create(sample_model(unit_id), by=STAFF, today=TODAY)
    logged = services.audit.count()
    data = dataclasses.replace(services.models.get(model_id).data, name="Tên khác")
    with pytest.raises(ConflictError):  # the model changed since the form opened
        services.models.update(model_id, data, expected_revision=7, by=STAFF, today=TODAY)
    with pytest.raises(EventError):  # a step that is not allowed from here
        services.models.add_event(
            model_id, EventData(Status.REGISTERED, TODAY), by=STAFF, today=TODAY
        )
    with pytest.raises(EventError):  # recognition needs the deciding body
        services.models.add_event(
            model_id, EventData(Status.RECOGNISED, TODAY), by=STAFF, today=TODAY
        )
    with pytest.raises(UserError):  # the only step left cannot be cancelled
        event_id = services.models.get(model_id).events[0].id
        services.models.correct_event(event_id, None, reason="nhầm", by=STAFF, today=TODAY)
    with pytest.raises(UserError):
        services.units.add_custom(code="03820", name="Trùng mã", parent_id=unit_id)
    with pytest.raises(UserError):
        services.installation.save(unit_id=unit_id, reports_to_id=unit_id, staff_name="Ai đó")
    assert services.audit.count() == logged


def test_status_steps_and_corrections(services: Services) -> None:
    unit_id = services.installation.get().unit.id
    model_id = services.models.create(sample_model(unit_id), by=STAFF, today=TODAY)
    services.models.add_event(
        model_id, EventData(Status.IMPLEMENTING, dt.date(2026, 3, 10)), by=STAFF, today=TODAY
    )
    services.models.add_event(
        model_id,
        EventData(
            Status.RECOGNISED,
            dt.date(2026, 4, 20),
            deciding_body="Đảng ủy xã Ngọc Chiến",
            decision_number="15/QĐ-ĐU",
            decision_date=dt.date(2026, 4, 18),
        ),
        by="Lò Văn Pọm",
        today=TODAY,
    )
    step = model_entries(services)[0]
    assert (step.action, step.actor, step.action_label) == (
        "status",
        "Lò Văn Pọm",
        "Đổi trạng thái",
    )
    assert step.changes == [
        FieldChange("status", "Trạng thái", "Đang triển khai", "Được công nhận")
    ]
    assert dict(step.facts) == {
        "Ngày": "20/04/2026",
        "Cơ quan quyết định": "Đảng ủy xã Ngọc Chiến",
        "Số quyết định": "15/QĐ-ĐU",
        "Ngày quyết định": "18/04/2026",
    }

    recognised = services.models.get(model_id).events[-1]
    services.models.correct_event(
        recognised.id, None, reason="Quyết định bị thu hồi", by=STAFF, today=TODAY
    )
    correction = model_entries(services)[0]
    assert correction.changes == [
        FieldChange("status", "Trạng thái", "Được công nhận", "Đang triển khai")
    ]
    assert dict(correction.facts) == {
        "Bước bị hủy": "Được công nhận ngày 20/04/2026",
        "Lý do sửa": "Quyết định bị thu hồi",
    }

    # A corrected date keeps the status: no status change, the facts say what happened.
    implementing = services.models.get(model_id).events[1]
    services.models.correct_event(
        implementing.id,
        EventData(Status.IMPLEMENTING, dt.date(2026, 3, 12)),
        reason="Sai ngày",
        by=STAFF,
        today=TODAY,
    )
    fixed = model_entries(services)[0]
    assert fixed.changes == []
    assert ("Lý do sửa", "Sai ngày") in fixed.facts
    assert ("Ngày", "12/03/2026") in fixed.facts


def test_settings_changes_and_the_new_staff_name_on_later_entries(services: Services) -> None:
    installation = services.installation.get()
    [setup] = entries(services, action=AuditAction.SETTINGS)
    assert (setup.actor, setup.subject) == (STAFF, "Cài đặt đơn vị")
    assert changes_of(setup)["Đơn vị"] == ("", "Xã Ngọc Chiến (03820)")
    assert changes_of(setup)["Đơn vị cấp trên"] == ("", "Tỉnh Sơn La (14)")

    services.installation.save(
        unit_id=installation.unit.id,
        reports_to_id=installation.reports_to.id if installation.reports_to else None,
        staff_name="Lò Văn Pọm",
        staff_position="Cán bộ",
    )
    change = entries(services, action=AuditAction.SETTINGS)[0]
    assert change.actor == "Lò Văn Pọm"
    assert changes_of(change) == {"Họ tên cán bộ": (STAFF, "Lò Văn Pọm")}

    # The same values again: nothing changed, nothing logged.
    services.installation.save(
        unit_id=installation.unit.id,
        reports_to_id=installation.reports_to.id if installation.reports_to else None,
        staff_name="Lò Văn Pọm",
        staff_position="Cán bộ",
    )
    assert len(entries(services, action=AuditAction.SETTINGS)) == 2

    # Later changes carry the new name: where the caller gives none it is read from the setting.
    unit = services.units.add_custom(
        code="HPN-NC", name="Hội Phụ nữ xã Ngọc Chiến", parent_id=installation.unit.id
    )
    added = entries(services, action=AuditAction.SETTINGS)[0]
    assert (added.actor, added.subject) == (
        "Lò Văn Pọm",
        "Thêm đơn vị Hội Phụ nữ xã Ngọc Chiến (HPN-NC)",
    )
    assert ("Đơn vị cấp trên", "Xã Ngọc Chiến (03820)") in added.facts
    model_id = services.models.create(
        sample_model(unit.id), by=services.installation.staff_name(), today=TODAY
    )
    assert services.audit.history(services.models.get(model_id).uuid)[0].actor == "Lò Văn Pọm"

    print_settings = PrintSettingsService(services.db, services.installation)
    current = print_settings.get()
    print_settings.save(
        dataclasses.replace(
            current, header_profile=HeaderProfile.STATE, approver_name="Hà Văn Khánh"
        )
    )
    printed = entries(services, action=AuditAction.SETTINGS)[0]
    assert (printed.actor, printed.subject) == ("Lò Văn Pọm", "Thiết lập in ấn")
    assert changes_of(printed) == {
        "Mẫu tiêu đề": (
            "Văn bản của Đảng (ĐẢNG CỘNG SẢN VIỆT NAM)",
            "Văn bản hành chính (Quốc hiệu, tiêu ngữ)",
        ),
        "Họ tên người ký xác nhận": ("", "Hà Văn Khánh"),
    }


def test_excel_import_logs_the_file_and_each_model(services: Services, tmp_path: Path) -> None:
    unit_id = services.installation.get().unit.id
    services.models.create(
        sample_model(unit_id, name="Thu gom rác thải tại nguồn"), by=STAFF, today=TODAY
    )
    path = tmp_path / "Danh sách mô hình.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Mô hình"
    ws.append(
        ["Tên mô hình", "Tập thể/Cá nhân", "Lĩnh vực", "Giai đoạn từ năm", "Giai đoạn đến năm"]
    )
    ws.append(["Camera an ninh khu dân cư", "Tập thể", "Quốc phòng – an ninh", 2025, 2030])
    ws.append(["Khuyến học khuyến tài", "Tập thể", "Văn hóa – xã hội", 2025, 2030])
    ws.append(["Thu gom rác thải tại nguồn", "Tập thể", "Kinh tế", 2025, 2030])  # duplicate
    ws.append(["", "Tập thể", "Kinh tế", 2025, 2030])  # no name: an error row
    wb.save(path)

    preview = preview_import(services, path)
    result = apply_import(services, preview, valid_only=True, by="Cầm Văn Sơn", today=TODAY)
    assert len(result.added_ids) == 2
    [imported] = entries(services, action=AuditAction.IMPORT)
    assert (imported.actor, imported.subject) == (
        "Cầm Văn Sơn",
        "Nhập Excel: Danh sách mô hình.xlsx",
    )
    assert dict(imported.facts) == {
        "Tệp": "Danh sách mô hình.xlsx",
        "Trang tính": "Mô hình",
        "Số mô hình thêm": "2",
        "Dòng trùng bỏ qua": "1",
        "Dòng lỗi bỏ qua": "1",
    }
    for model_id in result.added_ids:
        [created] = services.audit.history(services.models.get(model_id).uuid)
        assert (created.action, created.actor) == ("create", "Cầm Văn Sơn")
        assert created.details["source"] == "Nhập Excel: Danh sách mô hình.xlsx"
        assert "Nguồn: Nhập Excel: Danh sách mô hình.xlsx" in created.detail_lines()


def test_package_apply_logs_the_file_and_each_model_with_its_revision(
    services: Services, tmp_path: Path, template_db: Path
) -> None:
    commune = services
    unit_id = commune.installation.get().unit.id
    kept = commune.models.create(sample_model(unit_id, name="Nhóm liên gia tự quản"), by=STAFF)
    gone = commune.models.create(sample_model(unit_id, name="Tổ tự quản đường điện"), by=STAFF)
    first = commune.packages.export_package(tmp_path / "out1")

    province_path = tmp_path / "province" / "danvan.sqlite3"
    province_path.parent.mkdir()
    shutil.copyfile(template_db, province_path)
    province = open_services(province_path)
    try:
        tinh = province.units.by_code("14", Directory.CURRENT)
        province.installation.save(unit_id=tinh.id, reports_to_id=None, staff_name="Phạm Văn Nam")
        [result] = province.packages.apply(province.packages.preview([first.path]))
        assert result.status == "applied"
        [imported] = entries(province, action=AuditAction.IMPORT)
        assert imported.actor == "Phạm Văn Nam"
        assert imported.subject == f"Nhập gói: {first.path.name}"
        assert imported.details["unit"] == "Xã Ngọc Chiến (03820)"
        assert ("Thêm mới", "2") in imported.facts
        created = entries(province, action=AuditAction.CREATE)
        assert {e.subject for e in created} == {"Nhóm liên gia tự quản", "Tổ tự quản đường điện"}
        assert all(e.details["revision"] == {"old": None, "new": 1} for e in created)

        # The next file edits one model and deletes the other.
        data = dataclasses.replace(commune.models.get(kept).data, village="Bản Nà Luông")
        commune.models.update(kept, data, expected_revision=1, by=STAFF)
        commune.models.delete(gone, by=STAFF)
        second = commune.packages.export_package(tmp_path / "out2")
        province.packages.apply(province.packages.preview([second.path]))
        kept_uuid = commune.models.get(kept).uuid
        edit = province.audit.history(kept_uuid)[0]
        assert (edit.action, edit.details["revision"]) == ("edit", {"old": 1, "new": 2})
        assert ("Phiên bản", "1 → 2") in edit.facts
        assert edit.details["source"] == f"Nhập gói: {second.path.name}"
        delete = province.audit.history(commune.models.get(gone).uuid)[0]
        assert (delete.action, delete.details["revision"]) == ("delete", {"old": 1, "new": 2})
        assert len(entries(province, action=AuditAction.IMPORT)) == 2

        # The same file again changes nothing and logs nothing.
        logged = province.audit.count()
        province.packages.apply(province.packages.preview([second.path]))
        assert province.audit.count() == logged
    finally:
        province.close()


def test_filters_paging_and_actors(services: Services) -> None:
    unit_id = services.installation.get().unit.id
    first = services.models.create(
        sample_model(unit_id, name="Dân vận khéo trong đồng bào Thái"), by="Lò Văn Pọm"
    )
    services.models.create(sample_model(unit_id, name="Camera an ninh"), by=STAFF)
    uuid = services.models.get(first).uuid
    services.models.delete(first, by=STAFF)

    assert services.audit.actors() == ["Lò Văn Pọm", STAFF]
    assert [e.subject for e in entries(services, actor="Lò Văn Pọm")] == [
        "Dân vận khéo trong đồng bào Thái"
    ]
    assert [e.action for e in entries(services, model_uuid=uuid)] == ["delete", "create"]
    assert [e.action for e in entries(services, action=AuditAction.DELETE)] == ["delete"]
    # Free text is folded like the rest of the app: no diacritics, đ → d, word starts.
    assert len(entries(services, text="dan van kheo")) == 2
    assert len(entries(services, text="dong bao")) == 2
    assert entries(services, text="an ninh")[0].subject == "Camera an ninh"
    assert entries(services, text="hoa nguyen")[0].actor == STAFF
    assert entries(services, text="ao") == []  # "ao" starts no word

    # Dates are local calendar days, both ends included.
    today = dt.date.today()
    assert len(entries(services, since=today, until=today)) == services.audit.count()
    assert entries(services, until=today - dt.timedelta(days=1)) == []
    assert entries(services, since=today + dt.timedelta(days=1)) == []

    # Newest first; pages follow by id.
    everything = services.audit.entries()
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    page1 = services.audit.entries(limit=2)
    page2 = services.audit.entries(limit=2, before_id=page1[-1].id)
    assert [e.id for e in page1 + page2] == [e.id for e in everything[:4]]
    assert services.audit.ids(AuditFilter(actor=STAFF)) == [
        e.id for e in everything if e.actor == STAFF
    ]
    rows = services.audit.rows(services.audit.ids())
    assert rows[everything[0].id] == everything[0]


def test_record_many_writes_every_row_in_the_callers_transaction(services: Services) -> None:
    before = services.audit.count()
    rows = [
        AuditRow(AuditAction.CREATE, STAFF, f"Mô hình {i}", model_uuid=f"uuid-{i}")
        for i in range(4_500)  # more than one insert block
    ]
    with pytest.raises(RuntimeError), services.db.session() as session:
        assert record_many(session, rows) == 4_500
        raise RuntimeError("the change failed after its entries were added")
    assert services.audit.count() == before
    with services.db.session() as session:
        record_many(session, rows)
        session.add(AuditEntry(actor=STAFF, action="future-kind", subject="x", details="{bad"))
    assert services.audit.count() == before + 4_501
    odd = services.audit.entries(limit=1)[0]  # a kind and details this version does not know
    assert (odd.action_label, odd.details, odd.changes) == ("future-kind", {}, [])


# ---------------------------------------------------------------------------------------------
# The command line


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


def test_cli_audit_list_table_and_json(services: Services, db_path: Path) -> None:
    unit_id = services.installation.get().unit.id
    model_id = services.models.create(
        sample_model(unit_id, subject_type=SubjectType.COLLECTIVE), by=STAFF, today=TODAY
    )
    data = dataclasses.replace(services.models.get(model_id).data, field=Field.DEFENSE_SECURITY)
    services.models.update(model_id, data, expected_revision=1, by="Lò Văn Pọm", today=TODAY)
    uuid = services.models.get(model_id).uuid
    db = ("--db", str(db_path))

    code, out, err = run("audit", "list", *db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [
        "Thời",
        "gian",
        "Người",
        "thực",
        "hiện",
        "Thao",
        "tác",
        "Đối",
        "tượng",
        "Chi",
        "tiết",
    ]
    assert "Lò Văn Pọm" in lines[2] and "Sửa" in lines[2]
    assert "Lĩnh vực: Kinh tế → Quốc phòng – an ninh" in lines[2]

    code, out, err = run("audit", "list", *db, "--model", uuid, "--json")
    assert code == 0, err
    items = json.loads(out)
    assert [item["action"] for item in items] == ["edit", "create"]
    assert set(items[0]) == {
        "id",
        "at",
        "actor",
        "action",
        "action_label",
        "model_uuid",
        "subject",
        "changes",
        "details",
    }
    assert items[0]["changes"] == [
        {"field": "field", "label": "Lĩnh vực", "old": "Kinh tế", "new": "Quốc phòng – an ninh"}
    ]
    assert items[0]["details"] == {"revision": {"old": 1, "new": 2}}
    assert items[0]["at"].endswith("Z")

    # The local id that `models list` prints works too; filters combine.
    code, out, _ = run("audit", "list", *db, "--model", str(model_id), "--actor", STAFF, "--json")
    assert [item["action"] for item in json.loads(out)] == ["create"]
    today = dt.date.today().isoformat()
    code, out, _ = run("audit", "list", *db, "--since", today, "--until", today, "--action", "edit")
    assert code == 0 and "Lò Văn Pọm" in out and "Thêm mới" not in out
    code, out, _ = run("audit", "list", *db, "--search", "khong co dau nao", "--json")
    assert json.loads(out) == []
    code, out, _ = run("audit", "list", *db, "--actor", "Không ai")
    assert out == "Không có mục nào trong nhật ký khớp điều kiện.\n"

    code, _, err = run("audit", "list", *db, "--since", "31/12/2026")
    assert code == 1 and "--since" in err and "YYYY-MM-DD" in err
    code, _, err = run("audit", "list", *db, "--since", "2026-05-02", "--until", "2026-05-01")
    assert code == 1 and "--until" in err
    code, _, err = run("audit", "list", *db, "--action", "nope")
    assert code == 2
