"""Sync packages between real database files: two communes of Tỉnh Sơn La and the province,
driven through the command line and the services."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from danvan_desktop.cli import main
from danvan_desktop.domain import Directory, EventData, EventError, Status
from danvan_desktop.paths import signing_key_path
from danvan_desktop.services import Services, UserError, open_services
from danvan_desktop.services.models import ModelFilter
from danvan_desktop.sync import format as fmt
from danvan_desktop.sync import signing
from danvan_desktop.sync.records import dumps
from danvan_desktop.sync.signing import load_key, sign_manifest
from tests.helpers import sample_model

TEXT = "Mô hình “Dân vận khéo” ở bản Pá Khoang — đồng bào Thái; Ngọc Chiến\nDòng hai: ươ ỹ Đ"


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


class Site:
    """One installation: its database file, opened on demand."""

    def __init__(self, path: Path, unit: str, staff: str) -> None:
        self.path = path
        code, _, err = run("init", "--db", str(path), "--unit", unit, "--staff", staff)
        assert code == 0, err

    def open(self) -> Services:
        return open_services(self.path)

    def cli(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        return run(*args[:2], "--db", str(self.path), *args[2:], stdin=stdin)

    def export(self, out: Path) -> Path:
        code, text, err = self.cli("package", "export", "--out", str(out))
        assert code == 0, err
        return Path(text.split("Đã xuất ", 1)[1].split(" (số", 1)[0])

    def dump(self) -> dict[str, dict[str, object]]:
        """Every model (tombstones too) by UUID, as the package writes it, without local ids."""
        services = self.open()
        try:
            from danvan_desktop.db.schema import Model
            from danvan_desktop.services.packages import _unit_refs
            from danvan_desktop.sync.records import model_json

            with services.db.session() as session:
                refs = _unit_refs(session)
                return {
                    m.uuid: model_json(m, refs) for m in session.query(Model).order_by(Model.uuid)
                }
        finally:
            services.close()


def _site(tmp_path: Path, template_db: Path, name: str, unit: str, staff: str) -> Site:
    path = tmp_path / name / "danvan.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(template_db, path)
    return Site(path, unit, staff)


@pytest.fixture
def commune(tmp_path: Path, template_db: Path) -> Site:
    return _site(tmp_path, template_db, "ngoc-chien", "03820", "Lò Thị Mai")


@pytest.fixture
def commune_b(tmp_path: Path, template_db: Path) -> Site:
    return _site(tmp_path, template_db, "muong-la", "03808", "Cầm Văn Sơn")


@pytest.fixture
def province(tmp_path: Path, template_db: Path) -> Site:
    return _site(tmp_path, template_db, "son-la", "14", "Nguyễn Thị Hoa")


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    path = tmp_path / "outbox"
    path.mkdir()
    return path


def _fresh_province(root: Path) -> Site:
    path = root / "province-2" / "danvan.sqlite3"
    path.parent.mkdir()
    return Site(path, "14", "Phạm Văn Nam")


def add_models(site: Site, count: int = 3, **overrides: object) -> list[int]:
    services = site.open()
    try:
        unit_id = services.installation.get().unit.id
        items = [
            sample_model(unit_id, name=f"{TEXT} {i}", situation=TEXT, **overrides)
            for i in range(count)
        ]
        return services.models.create_many(items, by="Lò Thị Mai")
    finally:
        services.close()


def file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_export_names_the_file_and_writes_a_valid_package(commune: Site, outbox: Path) -> None:
    add_models(commune, 2)
    today = dt.date.today().isoformat()
    first = commune.export(outbox)
    second = commune.export(outbox)
    assert first.name == f"DVK_03820_xa-ngoc-chien_{today}_001.dvk"
    assert second.name.endswith("_002.dvk")
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == [*fmt.DATA_MEMBERS, fmt.MANIFEST]
        manifest = json.loads(archive.read(fmt.MANIFEST))
        assert fmt.validate(manifest, fmt.MANIFEST_SCHEMA) is None
        assert manifest["source_unit"] == {"directory": "2025", "code": "03820",
                                           "name": "Xã Ngọc Chiến"}  # fmt: skip
        assert manifest["target_units"][0]["code"] == "14"
        assert manifest["counts"]["models"] == 2 and manifest["sequence"] == 1
        for member in manifest["members"]:
            data = archive.read(member["name"])
            assert hashlib.sha256(data).hexdigest() == member["sha256"]
        lines = archive.read(fmt.MODELS).decode("utf-8").splitlines()
        assert all(fmt.validate(json.loads(line), fmt.MODEL_SCHEMA) is None for line in lines)
        assert TEXT.split("\n")[0] in archive.read(fmt.MODELS).decode("utf-8")
    # deterministic: the data members are the same bytes; only time and sequence differ
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        for name in fmt.DATA_MEMBERS:
            assert a.read(name) == b.read(name)
            assert a.getinfo(name).date_time == (1980, 1, 1, 0, 0, 0)


def test_round_trip_field_by_field_and_idempotence(
    commune: Site, province: Site, outbox: Path
) -> None:
    ids = add_models(commune, 3)
    services = commune.open()
    services.models.add_event(
        ids[0],
        EventData(Status.RECOGNISED, dt.date(2026, 6, 1), deciding_body="UBND xã Ngọc Chiến"),
        by="Lò Thị Mai",
    )
    services.models.delete(ids[2], by="Lò Thị Mai")
    services.close()
    package = commune.export(outbox)

    code, out, err = province.cli("package", "import", str(package), "--yes")
    assert code == 0, err + out
    assert "Đã nhập 1 tệp" in out
    assert province.dump() == commune.dump()  # every field, events and tombstone included
    services = province.open()
    records = services.models.records(ModelFilter())
    assert {r.unit_code for r in records} == {"03820"} and len(records) == 2
    assert {r.status for r in records} == {Status.RECOGNISED, Status.REGISTERED}
    assert records[0].data.situation == TEXT
    history = services.packages.history()
    services.close()
    assert len(history) == 1 and history[0].counts["created"] == 2
    assert history[0].counts["deleted"] == 1 and history[0].sequence == 1

    before = province.dump()
    code, out, _ = province.cli("package", "import", str(package), "--yes")
    assert code == 0 and "đã được nhập" in out and "Không có tệp mới" in out
    assert province.dump() == before
    code, out, _ = province.cli("package", "history")
    assert code == 0 and "Xã Ngọc Chiến (03820)" in out and package.name in out

    # the same file twice in one batch (a copy in another folder) is applied once
    copy = outbox.parent / "copy.dvk"
    copy.write_bytes(package.read_bytes())
    fresh = _fresh_province(outbox.parent)
    code, out, _ = fresh.cli("package", "import", str(package), str(copy), "--yes")
    assert code == 0 and "Đã nhập 1 tệp" in out
    services = fresh.open()
    assert len(services.packages.history()) == 1
    services.close()


def test_dry_run_changes_nothing(commune: Site, province: Site, outbox: Path) -> None:
    add_models(commune, 2)
    package = commune.export(outbox)
    before = file_bytes(province.path)
    code, out, _ = province.cli("package", "import", str(package), "--dry-run")
    assert code == 0 and "--dry-run" in out and "2" in out
    assert file_bytes(province.path) == before
    code, out, _ = province.cli("package", "import", str(package), stdin="k\n")
    assert code == 1 and "Đã hủy" in out
    assert province.dump() == {}


def test_stale_file_and_order_independence(
    commune: Site, province: Site, tmp_path: Path, outbox: Path
) -> None:
    ids = add_models(commune, 2)
    old = commune.export(outbox)
    services = commune.open()
    record = services.models.get(ids[0])
    data = record.data.__class__(**{**record.data.__dict__, "notes": "Đã sửa lần hai"})
    services.models.update(ids[0], data, expected_revision=record.revision, by="Lò Thị Mai")
    services.models.delete(ids[1], by="Lò Thị Mai")
    services.close()
    new = commune.export(outbox)

    # new then old: the old file is stale for both models, nothing is revived
    code, _, err = province.cli("package", "import", str(new), "--yes")
    assert code == 0, err
    after_new = province.dump()
    services = province.open()
    previews = services.packages.preview([old])
    services.close()
    assert previews[0].counts["stale"] == 2 and previews[0].newer_sequence == 2
    code, _, _ = province.cli("package", "import", str(old), "--yes")
    assert code == 0
    assert province.dump() == after_new

    # old then new on a fresh province gives the same result
    fresh = _fresh_province(tmp_path)
    code, _, _ = fresh.cli("package", "import", str(old), str(new), "--yes")
    assert code == 0
    assert fresh.dump() == after_new
    assert after_new[record.uuid]["data"]["notes"] == "Đã sửa lần hai"  # type: ignore[index]
    assert sum(1 for m in after_new.values() if m["deleted"]) == 1


def test_two_communes_as_a_folder_then_the_province_sends_upward(
    commune: Site, commune_b: Site, province: Site, outbox: Path, tmp_path: Path
) -> None:
    add_models(commune, 2)
    add_models(commune_b, 3)
    commune.export(outbox)
    commune_b.export(outbox)
    code, out, err = province.cli("package", "import", str(outbox), "--yes")
    assert code == 0, err + out
    assert "Xã Mường La (03808)" in out and "Đã nhập 2 tệp" in out
    services = province.open()
    try:
        assert len(services.models.records(ModelFilter())) == 5
        province_id = services.installation.get().unit.id
        services.models.create(sample_model(province_id, name="Mô hình của tỉnh"), by="Hoa")
    finally:
        services.close()
    up = tmp_path / "up"
    up.mkdir()
    package = province.export(up)
    assert package.name.startswith("DVK_14_tinh-son-la_")
    with zipfile.ZipFile(package) as archive:
        assert json.loads(archive.read(fmt.MANIFEST))["counts"]["models"] == 6
        assert json.loads(archive.read(fmt.MANIFEST))["target_units"] == []


def test_ownership_a_file_from_below_never_changes_this_units_records(
    commune: Site, province: Site, outbox: Path
) -> None:
    add_models(commune, 1)
    package = commune.export(outbox)
    assert province.cli("package", "import", str(package), "--yes")[0] == 0
    # the province records its own decision on the commune's model
    services = province.open()
    record = services.models.records(ModelFilter())[0]
    services.models.add_event(
        record.id,
        EventData(Status.EXEMPLARY, dt.date(2026, 9, 2), deciding_body="Ban Dân vận Tỉnh ủy"),
        by="Nguyễn Thị Hoa",
    )  # recorded above: the province's own event; the commune's revision is kept
    assert services.models.get(record.id).revision == record.revision
    with pytest.raises(UserError, match="chỉ đơn vị đó sửa được"):
        services.models.update(record.id, record.data, expected_revision=1, by="Hoa")
    with pytest.raises(UserError, match="chỉ đơn vị đó sửa được"):
        services.models.delete(record.id, by="Hoa")
    registered = services.models.get(record.id).events[0]
    with pytest.raises(UserError, match="chỉ đơn vị đó sửa"):
        services.models.correct_event(registered.id, None, reason="nhầm", by="Hoa")
    services.close()
    # the commune edits its model and sends a newer file
    services = commune.open()
    mine = services.models.records(ModelFilter())[0]
    data = mine.data.__class__(**{**mine.data.__dict__, "goals": "Mục tiêu mới"})
    services.models.update(mine.id, data, expected_revision=mine.revision, by="Lò Thị Mai")
    services.close()
    newer = commune.export(outbox)
    assert province.cli("package", "import", str(newer), "--yes")[0] == 0
    services = province.open()
    record = services.models.get(record.id)
    services.close()
    assert record.data.goals == "Mục tiêu mới"
    assert [e.status for e in record.events if not e.is_void][-1] is Status.EXEMPLARY
    assert record.status is Status.EXEMPLARY


def _rezip(
    source: Path,
    target: Path,
    change: dict[str, bytes],
    *,
    rehash: bool,
    key: Path | None = None,
) -> None:
    """A copy of a package with members replaced (and, if asked, the manifest re-hashed and
    signed again with the key file `key`: a sender that signs whatever it wrote)."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(change)
    if rehash:
        manifest = json.loads(members[fmt.MANIFEST])
        manifest["members"] = [
            {"name": n, "sha256": hashlib.sha256(members[n]).hexdigest(), "size": len(members[n])}
            for n in fmt.DATA_MEMBERS
        ]
        if key is not None:
            sign_manifest(manifest, load_key(key))
        members[fmt.MANIFEST] = dumps(manifest).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.fixture
def corpus(
    commune: Site, province: Site, outbox: Path, tmp_path: Path, template_db: Path
) -> Iterator[dict[str, Path]]:
    add_models(commune, 2)
    good = commune.export(outbox)
    bad = tmp_path / "bad"
    bad.mkdir()
    files: dict[str, Path] = {}

    def make(name: str) -> Path:
        files[name] = bad / f"{name}.dvk"
        return files[name]

    data = good.read_bytes()
    signed_by = signing_key_path(commune.path)
    make("truncated").write_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[60] ^= 0xFF
    make("flipped").write_bytes(bytes(flipped))
    with zipfile.ZipFile(good) as archive:
        models = archive.read(fmt.MODELS)
        manifest = json.loads(archive.read(fmt.MANIFEST))
    tampered = models.replace("Pá Khoang".encode(), "Pá Khoang!".encode(), 1)
    _rezip(good, make("hash-mismatch"), {fmt.MODELS: tampered}, rehash=False)
    _rezip(good, make("climbing"), {"../../evil.txt": b"x"}, rehash=False)
    _rezip(good, make("zip-bomb"), {fmt.ACKS: b"[" + b" " * (30 << 20) + b"]"}, rehash=True)
    future = {**manifest, "format_version": fmt.FORMAT_VERSION + 1}
    _rezip(good, make("future"), {fmt.MANIFEST: dumps(future).encode()}, rehash=False)
    wrong = models.replace(b'"revision":1', b'"revision":"mot"', 1)
    _rezip(good, make("wrong-shape"), {fmt.MODELS: wrong}, rehash=True, key=signed_by)
    lines = models.splitlines(keepends=True)
    twin = json.loads(lines[0])
    twin["data"]["notes"] = "khác"
    _rezip(good, make("duplicate"), {fmt.MODELS: models + dumps(twin).encode() + b"\n"},
           rehash=True, key=signed_by)  # fmt: skip
    # the province's own file, then one from a commune of another province
    files["own"] = province.export(bad)
    other = _site(tmp_path, template_db, "ha-noi", "00004", "Trần Văn Hùng")
    add_models(other, 1)
    files["not-below"] = other.export(bad)
    yield files


EXPECTED = {
    "truncated": "tệp bị hỏng",
    "flipped": "",  # either broken zip or a hash mismatch, whichever the byte hits
    "hash-mismatch": "SHA-256",
    "climbing": "đường dẫn không an toàn",
    "zip-bomb": "zip bomb",
    "future": "cập nhật phần mềm",
    "wrong-shape": "sai cấu trúc",
    "duplicate": "xuất hiện hai lần",
    "own": "chính đơn vị này",
    "not-below": "không phải đơn vị cấp dưới",
}


def test_broken_file_corpus_each_refused_and_db_untouched(
    corpus: dict[str, Path], province: Site
) -> None:
    before = file_bytes(province.path)
    messages = {}
    for name, path in corpus.items():
        code, out, _ = province.cli("package", "import", str(path), "--yes")
        assert code == 1, name
        assert "bị từ chối" in out and path.name in out, (name, out)
        messages[name] = out.split("\n\n", 1)[1]
        assert EXPECTED[name] in out, (name, out)
    assert len(set(messages.values())) == len(messages)  # each its own message
    assert file_bytes(province.path) == before
    assert not (province.path.parent / "backups").exists() or not any(
        "truoc-nhap-goi" in p.name for p in (province.path.parent / "backups").iterdir()
    )


def test_batch_with_a_refused_file_applies_the_good_one_and_exits_non_zero(
    corpus: dict[str, Path], commune: Site, province: Site, outbox: Path
) -> None:
    good = sorted(outbox.iterdir())[0]
    code, out, _ = province.cli("package", "import", str(good), str(corpus["own"]), "--yes")
    assert code == 1 and "Đã nhập 1 tệp" in out
    assert len(province.dump()) == 2
    backups = list((province.path.parent / "backups").iterdir())
    assert any("truoc-nhap-goi" in p.name for p in backups)


def test_decisions_flow_down_and_files_are_acknowledged(
    commune: Site, commune_b: Site, province: Site, outbox: Path, tmp_path: Path
) -> None:
    add_models(commune, 2)
    add_models(commune_b, 1)
    sent = commune.export(outbox)
    commune_b.export(outbox)
    assert province.cli("package", "import", str(outbox), "--yes")[0] == 0
    services = province.open()
    province_id = services.installation.get().unit.id
    chosen = next(r for r in services.models.records(ModelFilter()) if r.unit_code == "03820")
    services.models.add_event(
        chosen.id,
        EventData(Status.RECOGNISED, dt.date(2026, 10, 5), deciding_body="Ban Dân vận Tỉnh ủy",
                  decision_number="125-QĐ/BDVTU"),
        by="Nguyễn Thị Hoa",
        owner_unit_id=province_id,
    )  # fmt: skip
    services.close()

    down = tmp_path / "down"
    down.mkdir()
    code, out, err = province.cli("package", "feedback", "--out", str(down))
    assert code == 0, err
    files = sorted(down.iterdir())
    assert [f.name.split("_")[2] for f in files] == ["03808", "03820"]
    assert all(f.name.startswith("DVK_PH_") for f in files)

    # each commune takes only its own feedback; the other commune's file is refused
    code, out, _ = commune.cli("package", "import", str(files[0]), "--yes")
    assert code == 1 and "gửi cho đơn vị khác" in out
    code, out, err = commune.cli("package", "import", str(files[1]), "--dry-run")
    assert code == 0 and "Cập nhật" in out
    code, out, err = commune.cli("package", "import", str(files[1]), "--yes")
    assert code == 0, err + out
    services = commune.open()
    record = services.models.get_by_uuid(chosen.uuid)
    exports = services.packages.exports()
    services.close()
    assert record.status is Status.RECOGNISED
    decision = next(e for e in record.events if e.status is Status.RECOGNISED)
    assert decision.decision_number == "125-QĐ/BDVTU"
    assert record.revision == 1  # the commune's own data did not change
    services = commune.open()
    with pytest.raises(UserError, match="chỉ cấp trên sửa được"):
        services.models.correct_event(decision.id, None, reason="nhầm", by="Mai")
    services.close()
    acknowledged = {e.file_name: e.acknowledged_at for e in exports}
    assert acknowledged[sent.name] is not None
    code, out, _ = commune.cli("package", "history")
    assert "Cấp trên đã nhận" in out and "chưa" not in out

    # the decision travels back up with the commune's next file and stays the province's
    again = commune.export(outbox)
    before = province.dump()
    code, out, _ = province.cli("package", "import", str(again), "--yes")
    assert code == 0
    assert province.dump() == before


def test_documented_schemas_are_the_ones_validated() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "PACKAGE_FORMAT.md").read_text("utf-8")
    blocks = [json.loads(b.split("```", 1)[0]) for b in doc.split("```json\n")[1:]]
    assert blocks == json.loads(
        json.dumps([fmt.MANIFEST_SCHEMA, fmt.UNITS_SCHEMA, fmt.MODEL_SCHEMA, fmt.ACKS_SCHEMA])
    )


def test_same_revision_different_content_refuses_that_model_only(
    commune: Site, province: Site, outbox: Path, tmp_path: Path
) -> None:
    add_models(commune, 2)
    good = commune.export(outbox)
    assert province.cli("package", "import", str(good), "--yes")[0] == 0
    with zipfile.ZipFile(good) as archive:
        lines = archive.read(fmt.MODELS).splitlines(keepends=True)
    first = json.loads(lines[0])
    first["data"]["notes"] = "Sửa lén, không tăng phiên bản"
    forged = tmp_path / "forged.dvk"
    _rezip(
        good,
        forged,
        {fmt.MODELS: dumps(first).encode() + b"\n" + lines[1]},
        rehash=True,
        key=signing_key_path(commune.path),
    )
    code, out, _ = province.cli("package", "import", str(forged), "--dry-run")
    assert code == 0
    assert "cùng phiên bản nhưng nội dung khác" in out and first["data"]["name"][:20] in out
    services = province.open()
    preview = services.packages.preview([forged])[0]
    services.close()
    assert preview.counts["refused"] == 1 and preview.counts["unchanged"] == 1


def test_level_above_only_decides_or_returns_and_a_return_flows_down(
    commune: Site, province: Site, outbox: Path, tmp_path: Path
) -> None:
    add_models(commune, 1)
    commune.export(outbox)
    assert province.cli("package", "import", str(outbox), "--yes")[0] == 0
    services = province.open()
    (received,) = services.models.records(ModelFilter())
    # On a model received from below the province only decides or returns it.
    assert services.models.allowed_steps(received.id) == [
        Status.RECOGNISED,
        Status.EXEMPLARY,
        Status.COMMENDED,
        Status.RETURNED,
    ]
    with pytest.raises(EventError, match="không thể chuyển"):
        services.models.add_event(
            received.id, EventData(Status.STOPPED, dt.date(2026, 10, 1)), by="Nguyễn Thị Hoa"
        )
    with pytest.raises(EventError, match="nội dung cần sửa"):
        services.models.add_event(
            received.id, EventData(Status.RETURNED, dt.date(2026, 10, 1)), by="Nguyễn Thị Hoa"
        )
    remark = "Bổ sung kinh phí và lực lượng phối hợp"
    services.models.add_event(
        received.id,
        EventData(Status.RETURNED, dt.date(2026, 10, 1), note=remark),
        by="Nguyễn Thị Hoa",
    )
    services.close()
    down = tmp_path / "down"
    down.mkdir()
    assert province.cli("package", "feedback", "--out", str(down))[0] == 0
    (feedback,) = down.iterdir()
    code, out, err = commune.cli("package", "import", str(feedback), "--yes")
    assert code == 0, err + out
    services = commune.open()
    record = services.models.get_by_uuid(received.uuid)
    assert record.status is Status.RETURNED
    assert next(e for e in record.events if e.status is Status.RETURNED).note == remark
    # The commune corrects its model and goes on; every step is its own again.
    assert Status.IMPLEMENTING in services.models.allowed_steps(record.id)
    services.close()


def test_a_pre_2025_district_reports_to_the_2025_province(
    province: Site, outbox: Path, tmp_path: Path, template_db: Path
) -> None:
    """Mường La district (120, pre-2025 list) sends its 2021–2025 models to Tỉnh Sơn La as it
    is since 1 July 2025; the province counts them."""
    district = _site(tmp_path, template_db, "muong-la-district", "120", "Quàng Văn Bình")
    add_models(district, 2, period_start=2021, period_end=2025)
    sent = district.export(outbox)
    code, out, err = province.cli("package", "import", str(sent), "--yes")
    assert code == 0, err + out
    services = province.open()
    try:
        assert services.models.count() == 2
        stats = services.reports.statistics()
        assert stats.total.models == 2
        assert any(row.unit_code == "120" and row.counts.models == 2 for row in stats.rows)
        assert services.units.resolve_below("120", services.installation.get().unit.id)
    finally:
        services.close()


def test_a_province_merged_in_2025_counts_under_its_successor(blank_services: Services) -> None:
    from danvan_desktop.directory import province_successors

    assert province_successors()["02"] == "08"  # Hà Giang became part of Tuyên Quang
    tuyen_quang = blank_services.units.by_code("08", Directory.CURRENT)
    ha_giang_district = blank_services.units.by_code("024", Directory.LEGACY)
    assert ha_giang_district.id in blank_services.units.subtree_ids(tuyen_quang.id)
    son_la = blank_services.units.by_code("14", Directory.CURRENT)
    assert ha_giang_district.id not in blank_services.units.subtree_ids(son_la.id)


# -- signatures and trust on first use ---------------------------------------------------------


def _keys_of(site: Site) -> list[tuple[str, str, bool]]:
    """(unit, fingerprint, current) of every key the site remembers."""
    services = site.open()
    try:
        entries = services.packages.unit_keys()
        return [(e.unit, e.fingerprint, e.replaced_at is None) for e in entries]
    finally:
        services.close()


def _key_audit(site: Site) -> list[tuple[str, str, dict[str, str]]]:
    from danvan_desktop.db.schema import AuditEntry

    services = site.open()
    try:
        with services.db.session() as session:
            rows = session.query(AuditEntry).filter(AuditEntry.action == "key")
            rows = rows.order_by(AuditEntry.id)
            return [(e.actor, e.subject, json.loads(e.details)) for e in rows]
    finally:
        services.close()


def _fingerprint(site: Site) -> str:
    code, out, err = site.cli("package", "key")
    assert code == 0, err
    return out.split("Dấu vân tay khoá ký của ", 1)[1].split(": ", 1)[1].split("\n", 1)[0]


def test_key_is_made_at_first_open_owner_only_and_kept(commune: Site, outbox: Path) -> None:
    key_file = signing_key_path(commune.path)
    assert key_file.is_file()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    fingerprint = _fingerprint(commune)
    assert re.fullmatch(r"([0-9A-F]{4}-){4}[0-9A-F]{4}", fingerprint)
    before = key_file.read_bytes()
    commune.open().close()  # reopening never makes another key
    assert key_file.read_bytes() == before and _fingerprint(commune) == fingerprint
    code, out, _ = commune.cli("package", "key")
    assert "Xã Ngọc Chiến (03820)" in out and "Chưa ghi nhận khoá của đơn vị nào" in out

    add_models(commune, 1)
    code, out, err = commune.cli("package", "export", "--out", str(outbox))
    assert code == 0, err
    assert f"ký bằng khoá có dấu vân tay {fingerprint}" in out
    (package,) = outbox.iterdir()
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read(fmt.MANIFEST))
    assert manifest["format_version"] == 2
    public = signing.public_key_from_text(manifest["public_key"])
    assert public is not None
    assert signing.fingerprint_of(manifest["public_key"]) == fingerprint
    assert signing.signature_valid(
        public, manifest["signature"], signing.manifest_bytes(manifest)
    )
    # the documented recipe of the signed bytes
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    recipe = json.dumps(unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert signing.manifest_bytes(manifest) == recipe.encode("utf-8")


def test_a_damaged_key_file_is_a_clear_message_and_is_never_replaced(
    commune: Site, outbox: Path
) -> None:
    key_file = signing_key_path(commune.path)
    key_file.write_bytes(b"not a key")
    code, out, err = commune.cli("package", "export", "--out", str(outbox))
    assert code == 1 and out == ""
    assert f"Tệp khoá ký {key_file} bị hỏng" in err and "khôi phục" in err
    assert err.count("\n") == 1  # one line, no traceback
    assert list(outbox.iterdir()) == []
    assert key_file.read_bytes() == b"not a key"  # never silently replaced
    services = commune.open()  # the rest of the software still opens
    services.close()
    assert key_file.read_bytes() == b"not a key"


def test_unsigned_forged_and_badly_keyed_files_are_refused(
    commune: Site, province: Site, outbox: Path, tmp_path: Path
) -> None:
    add_models(commune, 2)
    good = commune.export(outbox)
    with zipfile.ZipFile(good) as archive:
        manifest = json.loads(archive.read(fmt.MANIFEST))
        models = archive.read(fmt.MODELS)
    bad = tmp_path / "bad"
    bad.mkdir()
    unsigned = {k: v for k, v in manifest.items() if k not in ("signature", "public_key")}
    _rezip(good, bad / "unsigned.dvk", {fmt.MANIFEST: dumps(unsigned).encode()}, rehash=False)
    forged = {**manifest, "sequence": 99}
    _rezip(good, bad / "forged.dvk", {fmt.MANIFEST: dumps(forged).encode()}, rehash=False)
    tampered = models.replace("Pá Khoang".encode(), "Pá Khoang!".encode(), 1)
    # the hashes fixed, the signature not
    _rezip(good, bad / "member.dvk", {fmt.MODELS: tampered}, rehash=True)
    not_a_key = {**manifest, "public_key": base64.b64encode(b"\x01" * 31).decode()}
    _rezip(good, bad / "key.dvk", {fmt.MANIFEST: dumps(not_a_key).encode()}, rehash=False)
    expected = {
        "unsigned.dvk": "không có chữ ký số",
        "forged.dvk": "chữ ký số không khớp",
        "member.dvk": "chữ ký số không khớp",
        "key.dvk": "khoá công khai ghi trong tệp không phải khoá Ed25519 hợp lệ",
    }
    before = file_bytes(province.path)
    for name, message in expected.items():
        code, out, _ = province.cli("package", "import", str(bad / name), "--yes")
        assert code == 1, name
        assert f"Tệp “{name}” bị từ chối: {message}" in out, (name, out)
    assert file_bytes(province.path) == before
    assert _keys_of(province) == []


def test_first_file_remembers_the_key_and_a_new_key_needs_the_unit_code(
    commune: Site, province: Site, outbox: Path
) -> None:
    add_models(commune, 1)
    first = commune.export(outbox)
    old = _fingerprint(commune)
    code, out, _ = province.cli("package", "import", str(first), "--dry-run")
    assert code == 0 and old in out and "khoá mới, sẽ ghi nhận" in out
    assert _keys_of(province) == []  # a dry run remembers nothing
    code, out, err = province.cli("package", "import", str(first), "--yes")
    assert code == 0, err + out
    assert _keys_of(province) == [("Xã Ngọc Chiến (03820)", old, True)]
    assert _key_audit(province) == [
        (
            "Nguyễn Thị Hoa",
            f"Ghi nhận khoá của Xã Ngọc Chiến (03820), dấu vân tay {old}",
            {"unit": "03820", "fingerprint": old, "file": first.name},
        )
    ]
    # the same key again: nothing to confirm
    add_models(commune, 1)
    second = commune.export(outbox)
    code, out, _ = province.cli("package", "import", str(second), "--yes")
    assert code == 0 and "KHOÁ KÝ ĐÃ ĐỔI" not in out and "khoá mới" not in out
    assert len(_key_audit(province)) == 1

    # the commune's PC is reinstalled: a new key pair, the same unit
    signing_key_path(commune.path).unlink()
    add_models(commune, 1)
    third = commune.export(outbox)
    new = _fingerprint(commune)
    assert new != old
    before = file_bytes(province.path)
    code, out, _ = province.cli("package", "import", str(third), "--yes")
    assert code == 1
    assert "KHOÁ KÝ ĐÃ ĐỔI" in out and old in out and new in out and "gọi điện" in out
    assert "--accept-new-key 03820" in out
    assert file_bytes(province.path) == before  # --yes never accepts a key change
    code, out, _ = province.cli("package", "import", str(third), "--accept-new-key", "03808",
                                "--yes")  # fmt: skip
    assert code == 1 and "không có tệp nào của đơn vị 03808 mang khoá ký mới" in out
    assert file_bytes(province.path) == before

    code, out, err = province.cli("package", "import", str(third), "--accept-new-key", "03820",
                                  "--yes")  # fmt: skip
    assert code == 0, err + out
    assert "Đã nhập 1 tệp" in out
    services = province.open()
    assert services.models.count() == 3
    services.close()
    assert _keys_of(province) == [
        ("Xã Ngọc Chiến (03820)", new, True),
        ("Xã Ngọc Chiến (03820)", old, False),
    ]
    actor, subject, details = _key_audit(province)[-1]
    assert actor == "Nguyễn Thị Hoa"
    assert subject == (
        f"Chấp nhận khoá mới của Xã Ngọc Chiến (03820): dấu vân tay cũ {old}, mới {new}"
    )
    assert details == {"unit": "03820", "old_fingerprint": old, "new_fingerprint": new,
                       "file": third.name}  # fmt: skip
    code, out, _ = province.cli("package", "key")
    assert new in out and old in out and "đang dùng" in out and "đã thay lúc" in out
    # a file still signed by the old key is now the odd one out
    old_file = outbox.parent / "old-key.dvk"
    _rezip(second, old_file, {}, rehash=False)
    code, out, _ = province.cli("package", "import", str(old_file), "--dry-run")
    assert code == 1 and "KHOÁ KÝ ĐÃ ĐỔI" in out


def test_feedback_is_signed_and_the_commune_trusts_the_level_above_on_first_use(
    commune: Site, province: Site, outbox: Path, tmp_path: Path
) -> None:
    add_models(commune, 1)
    assert province.cli("package", "import", str(commune.export(outbox)), "--yes")[0] == 0
    down = tmp_path / "down"
    down.mkdir()
    assert province.cli("package", "feedback", "--out", str(down))[0] == 0
    (feedback,) = down.iterdir()
    code, out, err = commune.cli("package", "import", str(feedback), "--yes")
    assert code == 0, err + out
    above = _fingerprint(province)
    assert _keys_of(commune) == [("Tỉnh Sơn La (14)", above, True)]
    # the province reinstalls; its next feedback is held until the commune accepts the key
    signing_key_path(province.path).unlink()
    again = tmp_path / "again"
    again.mkdir()
    assert province.cli("package", "feedback", "--out", str(again))[0] == 0
    (second,) = again.iterdir()
    code, out, _ = commune.cli("package", "import", str(second), "--yes")
    assert code == 1 and "KHOÁ KÝ ĐÃ ĐỔI" in out and above in out
    code, out, err = commune.cli("package", "import", str(second), "--yes", "--accept-new-key",
                                 "14")  # fmt: skip
    assert code == 0, err + out
    assert _keys_of(commune)[0] == ("Tỉnh Sơn La (14)", _fingerprint(province), True)


def test_unit_filter_lists_the_units_below_that_still_have_live_models(
    commune: Site, commune_b: Site, province: Site, tmp_path: Path
) -> None:
    add_models(commune, 2)
    gone = add_models(commune_b, 2)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    commune.export(first)
    commune_b.export(first)
    assert province.cli("package", "import", str(first), "--yes")[0] == 0

    def listed() -> list[str]:
        services = province.open()
        try:
            return [unit.code for unit, _depth in services.packages.units_below_with_models()]
        finally:
            services.close()

    assert set(listed()) == {"03820", "03808"}
    services = commune_b.open()
    try:
        for model_id in gone:
            services.models.delete(model_id, by="Cầm Văn Sơn")
    finally:
        services.close()
    commune_b.export(second)
    assert province.cli("package", "import", str(second), "--yes")[0] == 0
    assert listed() == ["03820"]  # its tombstones alone do not keep Xã Mường La in the list
