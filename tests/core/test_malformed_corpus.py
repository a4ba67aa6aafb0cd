"""One place that shows every kind of bad input the offices may receive: packages and workbooks
built here from real good files, then damaged, each run through the real command line.

Each kind must be refused (or neutralised) with a Vietnamese message naming the file and what
is wrong, leave the database exactly as it was, and leave the software working: a good import
right after succeeds.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import random
import shutil
import sqlite3
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from danvan_desktop.cli import main
from danvan_desktop.paths import signing_key_path
from danvan_desktop.sync import format as fmt
from danvan_desktop.sync.records import dumps
from danvan_desktop.sync.signing import ensure_key, load_key, sign_manifest
from tests.core.test_excel_import import good_row, write_rows
from tests.core.test_package import Site, add_models

STAFF = "Nguyễn Thị Hoa"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


def copy_db(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite file (WAL included) and its signing key."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    shutil.copyfile(signing_key_path(source), signing_key_path(target))
    return target


def content_digest(db: Path) -> str:
    """Every row of every table, as SQL text: equal digests mean an unchanged database."""
    connection = sqlite3.connect(db)
    try:
        text = "\n".join(connection.iterdump())
    finally:
        connection.close()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the good files everything is made from -----------------------------------------------------


@dataclass
class World:
    root: Path
    base_db: Path  # the province, having imported `first` (so it knows the commune's key)
    commune: Site
    first: Path  # applied in base_db
    next_good: Path  # the commune's next file, not yet applied: the good import after
    reinstalled: Path  # the same commune after a reinstall: a new key
    foreign: Path  # a commune of another province (Hà Nội)
    own: Path  # the province's own export
    workbook: Path  # a good workbook for the province

    @property
    def commune_key(self) -> Path:
        return signing_key_path(self.commune.path)


def _site(root: Path, template_db: Path, name: str, unit: str, staff: str) -> Site:
    path = root / name / "danvan.sqlite3"
    path.parent.mkdir(parents=True)
    shutil.copyfile(template_db, path)
    return Site(path, unit, staff)


def _export(db: Path, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    code, text, err = run("package", "export", "--db", str(db), "--out", str(out))
    assert code == 0, err
    return Path(text.split("Đã xuất ", 1)[1].split(" (số", 1)[0])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> World:
    root = tmp_path_factory.mktemp("corpus")
    good = root / "good"
    good.mkdir()
    commune = _site(root, template_db, "ngoc-chien", "03820", "Lò Thị Mai")
    province = _site(root, template_db, "son-la", "14", STAFF)
    add_models(commune, 2)
    first = _export(commune.path, good)
    code, out, err = province.cli("package", "import", str(first), "--yes")
    assert code == 0, err + out
    base_db = copy_db(province.path, root / "base" / "danvan.sqlite3")
    add_models(commune, 1)
    next_good = _export(commune.path, good)

    again = copy_db(commune.path, root / "reinstalled" / "danvan.sqlite3")
    signing_key_path(again).unlink()  # the PC was reinstalled: the unit's data, a new key
    reinstalled_file = _export(again, root / "reinstalled")

    hanoi = _site(root, template_db, "ha-noi", "00004", "Trần Văn Hùng")
    add_models(hanoi, 1)
    foreign = _export(hanoi.path, good)
    own = _export(province.path, root / "son-la-out")  # from the province after base_db
    workbook = write_rows(root / "good.xlsx", [good_row(**{"Tên mô hình": "Mô hình nhập sau"})])
    return World(root, base_db, commune, first, next_good, reinstalled_file, foreign, own,
                 workbook)  # fmt: skip


# -- ways of damaging a package -----------------------------------------------------------------


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(target: Path, members: list[tuple[str, bytes]] | dict[str, bytes]) -> Path:
    items = list(members.items()) if isinstance(members, dict) else members
    with warnings.catch_warnings(), zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # zipfile warns about a duplicated name: that is the point
        for name, data in items:
            zf.writestr(name, data)
    return target


def manifest_of(members: dict[str, bytes]) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(members[fmt.MANIFEST])
    return value


def resigned(members: dict[str, bytes], key: Path, **changes: Any) -> dict[str, bytes]:
    """Members with the manifest re-hashed, changed and signed by the key file `key`: a sender
    (or someone with a key) that signs whatever it wrote."""
    manifest = manifest_of(members)
    manifest.update(changes)
    manifest["members"] = [
        {"name": n, "sha256": hashlib.sha256(members[n]).hexdigest(), "size": len(members[n])}
        for n in fmt.DATA_MEMBERS
    ]
    sign_manifest(manifest, load_key(key))
    return {**members, fmt.MANIFEST: dumps(manifest).encode()}


def model_lines(members: dict[str, bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in members[fmt.MODELS].splitlines()]


Models = list[dict[str, Any]]


def with_models(members: dict[str, bytes], models: Models | bytes) -> dict[str, bytes]:
    if not isinstance(models, bytes):
        models = b"".join(dumps(m).encode() + b"\n" for m in models)
    return {**members, fmt.MODELS: models}


Builder = Callable[[World, Path], Path]


def _signed_models(change: Callable[[Models], Models | bytes]) -> Builder:
    """A package whose models were changed and then properly signed by the commune's key."""

    def build(w: World, out: Path) -> Path:
        members = members_of(w.first)
        changed = with_models(members, change(model_lines(members)))
        return write_zip(out, resigned(changed, w.commune_key))

    return build


def _edit_first(**data: Any) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    def change(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
        models[0]["data"].update(data)
        return models

    return change


def truncated(w: World, out: Path) -> Path:
    data = w.first.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    return out


def flipped_byte(w: World, out: Path) -> Path:
    """One byte flipped inside the compressed models (a bad USB stick)."""
    data = bytearray(w.first.read_bytes())
    with zipfile.ZipFile(w.first) as archive:
        info = archive.getinfo(fmt.MODELS)
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(data[header + 28 : header + 30], "little")
    start = header + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    return out


def empty(w: World, out: Path) -> Path:
    out.write_bytes(b"")
    return out


def not_a_zip(w: World, out: Path) -> Path:
    out.write_text("Đây là thư gửi kèm, không phải gói dữ liệu.\n", "utf-8")
    return out


def workbook_as_package(w: World, out: Path) -> Path:
    shutil.copyfile(w.workbook, out)
    return out


def hash_mismatch(w: World, out: Path) -> Path:
    members = members_of(w.first)
    members[fmt.MODELS] = members[fmt.MODELS].replace("Pá Khoang".encode(), "Pá Kh0ang".encode())
    return write_zip(out, members)


def forged_manifest(w: World, out: Path) -> Path:
    """The manifest edited after signing (the signature kept)."""
    members = members_of(w.first)
    manifest = manifest_of(members)
    manifest["sequence"] = 99
    return write_zip(out, {**members, fmt.MANIFEST: dumps(manifest).encode()})


def forged_member(w: World, out: Path) -> Path:
    """A member edited and its hash fixed in the manifest, the signature left as it was."""
    members = members_of(w.first)
    members[fmt.MODELS] = members[fmt.MODELS].replace("Pá Khoang".encode(), "Pá Kh0ang".encode())
    manifest = manifest_of(members)
    manifest["members"][1]["sha256"] = hashlib.sha256(members[fmt.MODELS]).hexdigest()
    return write_zip(out, {**members, fmt.MANIFEST: dumps(manifest).encode()})


def _manifest_change(**changes: Any) -> Builder:
    def build(w: World, out: Path) -> Path:
        members = members_of(w.first)
        manifest = manifest_of(members)
        manifest.update(changes)
        for key in [k for k, v in changes.items() if v is None]:
            del manifest[key]
        return write_zip(out, {**members, fmt.MANIFEST: dumps(manifest).encode()})

    return build


def other_signer(w: World, out: Path) -> Path:
    """The commune's data signed by someone else's key (all of it verifies)."""
    key = w.root / "stranger.key"
    ensure_key(key)
    return write_zip(out, resigned(members_of(w.next_good), key))


def reinstalled(w: World, out: Path) -> Path:
    shutil.copyfile(w.reinstalled, out)
    return out


def _extra_members(extra: list[tuple[str, bytes]]) -> Builder:
    def build(w: World, out: Path) -> Path:
        return write_zip(out, [*members_of(w.first).items(), *extra])

    return build


def missing_member(w: World, out: Path) -> Path:
    members = members_of(w.first)
    del members[fmt.ACKS]
    return write_zip(out, members)


def duplicated_member(w: World, out: Path) -> Path:
    members = members_of(w.first)
    return write_zip(out, [*members.items(), (fmt.MODELS, b"")])


def zip_bomb(w: World, out: Path) -> Path:
    members = members_of(w.first)
    members[fmt.ACKS] = b"[" + b" " * (300 << 20) + b"]"  # 300 MiB of spaces, ~300 KiB packed
    return write_zip(out, resigned(members, w.commune_key))


def future_version(w: World, out: Path) -> Path:
    members = members_of(w.first)
    return write_zip(out, resigned(members, w.commune_key, format_version=fmt.FORMAT_VERSION + 1))


def copy_of(attribute: str) -> Builder:
    def build(w: World, out: Path) -> Path:
        shutil.copyfile(getattr(w, attribute), out)
        return out

    return build


def feedback_from_below(w: World, out: Path) -> Path:
    """The commune's file relabelled as a decision of the level above (signed by the commune)."""
    return write_zip(out, resigned(members_of(w.first), w.commune_key, kind=fmt.KIND_FEEDBACK))


def duplicated_uuid(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    twin = json.loads(json.dumps(models[0]))
    twin["data"]["notes"] = "Cùng mã, nội dung khác"
    return [*models, twin]


def wrong_types(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    models[0]["revision"] = "một"
    return models


def invalid_utf8(models: list[dict[str, Any]]) -> bytes:
    lines = [dumps(m).encode() + b"\n" for m in models]
    lines[1] = lines[1].replace("Pá Khoang".encode(), b"P\xe1 Khoang", 1)  # Latin-1, not UTF-8
    return b"".join(lines)


def lone_surrogate(models: list[dict[str, Any]]) -> bytes:
    lines = [dumps(m).encode() + b"\n" for m in models]
    lines[0] = lines[0].replace("Pá Khoang".encode(), b"P\\ud800 Khoang", 1)
    return b"".join(lines)


def deep_nesting(models: list[dict[str, Any]]) -> bytes:
    return b"[" * 200_000 + b"]" * 200_000 + b"\n"


def unknown_unit(w: World, out: Path) -> Path:
    members = members_of(w.first)
    units = json.loads(members[fmt.UNITS])
    units.append({"directory": "2025", "code": "99999", "name": "Xã Không Có",
                  "level": "commune", "division_type": "Xã",
                  "parent": {"directory": "2025", "code": "14"}})  # fmt: skip
    members[fmt.UNITS] = json.dumps(units, ensure_ascii=False).encode()
    return write_zip(out, resigned(members, w.commune_key))


def custom_unit_loop(w: World, out: Path) -> Path:
    members = members_of(w.first)
    units = json.loads(members[fmt.UNITS])
    for code, parent in (("X1", "X2"), ("X2", "X1")):
        units.append({"directory": "custom", "code": code, "name": f"Tổ {code}",
                      "level": "other", "division_type": "Tổ",
                      "parent": {"directory": "custom", "code": parent}})  # fmt: skip
    members[fmt.UNITS] = json.dumps(units, ensure_ascii=False).encode()
    return write_zip(out, resigned(members, w.commune_key))


def someone_elses_model(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    models[0]["unit"] = {"directory": "2025", "code": "03808"}  # Xã Mường La, not below 03820
    return models


# -- ways of damaging a workbook -----------------------------------------------------------------


def text_as_workbook(w: World, out: Path) -> Path:
    out.write_text("Tên mô hình;Lĩnh vực\nDu lịch cộng đồng;Kinh tế\n", "utf-8")
    return out


def truncated_workbook(w: World, out: Path) -> Path:
    data = w.workbook.read_bytes()
    out.write_bytes(data[: len(data) * 2 // 3])
    return out


def package_as_workbook(w: World, out: Path) -> Path:
    shutil.copyfile(w.first, out)
    return out


def _rows(*rows: dict[str, Any], **options: Any) -> Builder:
    def build(w: World, out: Path) -> Path:
        return write_rows(out, list(rows), **options)

    return build


def _sheet_xml(change: Callable[[bytes], bytes]) -> Builder:
    """A good workbook with its sheet's XML changed inside the zip."""

    def build(w: World, out: Path) -> Path:
        members = members_of(w.workbook)
        name = "xl/worksheets/sheet1.xml"
        members[name] = change(members[name])
        return write_zip(out, members)

    return build


# -- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    build: Builder
    message: str  # what the user reads, besides the file's name
    tool: str = "package"  # or "excel"
    suffix: str = ""


@functools.cache
def ten_mb_text() -> str:
    """10 MiB of Vietnamese-looking text that does not compress like zeros (a real long paste,
    not a zip bomb)."""
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệốồổỗộớờởỡợúùủũụ "
    return "".join(random.Random(6).choices(letters, k=10 << 20))


def _ten_mb(change: Callable[[str], Any]) -> Builder:
    """A builder made when the test runs, so collecting the tests stays fast."""
    return lambda w, out: change(ten_mb_text())(w, out)

CORPUS: dict[str, Case] = {
    # the file itself
    "truncated": Case(truncated, "tệp bị hỏng, thiếu"),
    "flipped-byte": Case(flipped_byte, "tệp bị hỏng, thiếu"),
    "empty": Case(empty, "không phải gói dữ liệu hoặc tệp bị hỏng"),
    "not-a-zip": Case(not_a_zip, "không phải gói dữ liệu hoặc tệp bị hỏng"),
    "workbook-renamed": Case(workbook_as_package, "thiếu thành phần"),
    # hashes and signatures
    "hash-mismatch": Case(hash_mismatch, "mã kiểm tra (SHA-256) của models.jsonl không khớp"),
    "forged-manifest": Case(forged_manifest, "chữ ký số không khớp với nội dung"),
    "forged-member": Case(forged_member, "chữ ký số không khớp với nội dung"),
    "missing-signature": Case(_manifest_change(signature=None), "không có chữ ký số"),
    "unsigned-version-1": Case(
        _manifest_change(signature=None, public_key=None, format_version=1), "không có chữ ký số"
    ),
    "bad-signature-text": Case(_manifest_change(signature="@@@"), "chữ ký số không khớp"),
    "public-key-too-short": Case(
        _manifest_change(public_key="AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=="),
        "không phải khoá Ed25519 hợp lệ",
    ),
    "public-key-not-base64": Case(
        _manifest_change(public_key="khoá-giả"), "không phải khoá Ed25519 hợp lệ"
    ),
    "signed-by-a-stranger": Case(other_signer, "đã đổi: dấu vân tay đã ghi nhận"),
    "key-change-reinstall": Case(reinstalled, "đã đổi: dấu vân tay đã ghi nhận"),
    # zip structure
    "zip-slip": Case(_extra_members([("../../evil.txt", b"x")]), "đường dẫn không an toàn"),
    "absolute-path": Case(_extra_members([("/etc/evil", b"x")]), "đường dẫn không an toàn"),
    "drive-letter": Case(_extra_members([("C:/Windows/evil", b"x")]), "đường dẫn không an toàn"),
    "zip-bomb": Case(zip_bomb, "zip bomb"),
    "too-many-members": Case(
        _extra_members([(f"x{i}.txt", b"x") for i in range(20)]), "quá nhiều cho một gói"
    ),
    "duplicated-member": Case(duplicated_member, "hai thành phần cùng tên"),
    "extra-member": Case(_extra_members([("readme.txt", b"x")]), "thành phần lạ readme.txt"),
    "missing-member": Case(missing_member, "thiếu thành phần acknowledgements.json"),
    "manifest-not-json": Case(
        lambda w, out: write_zip(out, {**members_of(w.first), fmt.MANIFEST: b"{not json"}),
        "manifest.json không phải JSON UTF-8 hợp lệ",
    ),
    "not-our-format": Case(_manifest_change(format="other-app"), "không phải gói dữ liệu"),
    "future-version": Case(future_version, "hãy cập nhật phần mềm rồi nhập lại"),
    # who sent it, to whom
    "wrong-target-unit": Case(copy_of("foreign"), "không phải đơn vị cấp dưới"),
    "own-unit": Case(copy_of("own"), "tệp do chính đơn vị này xuất ra"),
    "feedback-from-below": Case(feedback_from_below, "không phải cấp trên của đơn vị này"),
    "unknown-unit": Case(unknown_unit, "không có trong danh mục"),
    "custom-unit-loop": Case(custom_unit_loop, "có cấp trên vòng quanh chính nó"),
    "someone-elses-model": Case(
        _signed_models(someone_elses_model), "không phải đơn vị gửi hay đơn vị trực thuộc"
    ),
    # the data (each properly signed by the sender: the checks do not rely on the signature)
    "duplicated-uuid": Case(_signed_models(duplicated_uuid), "xuất hiện hai lần với nội dung khác"),
    "wrong-json-type": Case(_signed_models(wrong_types), "revision: sai kiểu"),
    "ten-mb-text": Case(
        _ten_mb(lambda text: _signed_models(_edit_first(notes=text))), "data.notes: dài quá 20000"
    ),
    "invalid-utf8": Case(_signed_models(invalid_utf8), "không phải JSON UTF-8 hợp lệ"),
    "lone-surrogate": Case(_signed_models(lone_surrogate), "ký tự hỏng ở trường data.name"),
    "control-characters": Case(
        _signed_models(_edit_first(village="Bản\x1b[2J\x00Pá")), "ký tự điều khiển"
    ),
    "impossible-date": Case(
        _signed_models(_edit_first(registered_on="2026-02-30")), "không có ngày giờ này trong lịch"
    ),
    "huge-number": Case(_signed_models(_edit_first(period_end=10**30)), "lớn hơn 2100"),
    "deep-nesting": Case(_signed_models(deep_nesting), "dòng 1 của models.jsonl không phải JSON"),
    # workbooks
    "xlsx-not-a-workbook": Case(text_as_workbook, "không phải bảng tính Excel", "excel"),
    "xlsx-truncated": Case(truncated_workbook, "không phải bảng tính Excel", "excel"),
    "xlsx-package-renamed": Case(package_as_workbook, "không phải bảng tính Excel", "excel"),
    "xlsx-no-header": Case(
        _rows(good_row(), titles=["Cột A", "Cột B"]), "không có dòng tiêu đề", "excel"
    ),
    "xlsx-wrong-type": Case(
        _rows(good_row(**{"Giai đoạn từ năm": "hai nghìn"})),
        "Dòng 2, cột “Giai đoạn từ năm” (giá trị “hai nghìn”): năm phải là số",
        "excel",
    ),
    "xlsx-real-formula": Case(
        _rows(good_row(), formulas={(2, "Ghi chú"): '=HYPERLINK("http://x","Bấm")'}),
        "ô chứa công thức",
        "excel",
    ),
    "xlsx-ten-mb-text": Case(
        _ten_mb(lambda text: _rows(good_row(**{"Ghi chú": text}))),
        "cột “Ghi chú”",
        "excel",
    ),
    "xlsx-control-characters": Case(
        _rows(good_row(**{"Thôn/Bản/Tổ dân phố": "Bản_x001B_Pá"})), "ký tự điều khiển", "excel"
    ),
    "xlsx-impossible-date": Case(
        _rows(good_row(**{"Ngày đăng ký": "31/02/2026"})), "không có ngày 31/02/2026", "excel"
    ),
    "xlsx-unit-not-below": Case(
        _rows(good_row(**{"Mã đơn vị": "00004"})), "cột “Mã đơn vị”", "excel"
    ),
    "xlsx-invalid-utf8": Case(
        _sheet_xml(lambda xml: xml.replace("Mô hình".encode(), b"M\xf4 h\xecnh", 1)),
        "không phải bảng tính Excel",
        "excel",
    ),
    "xlsx-broken-xml": Case(
        _sheet_xml(lambda xml: xml[: len(xml) // 2]), "không phải bảng tính Excel", "excel"
    ),
}


@pytest.fixture
def province_copy(world: World, tmp_path: Path) -> Path:
    return copy_db(world.base_db, tmp_path / "province" / "danvan.sqlite3")


def _import(tool: str, db: Path, path: Path) -> tuple[int, str, str]:
    if tool == "excel":
        return run("excel", "import", "--db", str(db), str(path))
    return run("package", "import", "--db", str(db), str(path), "--yes")


def test_the_corpus_has_at_least_thirty_kinds() -> None:
    assert len(CORPUS) >= 30
    assert sum(1 for c in CORPUS.values() if c.tool == "excel") >= 10


@pytest.mark.parametrize("kind", list(CORPUS))
def test_each_kind_is_refused_cleanly_and_changes_nothing(
    kind: str, world: World, province_copy: Path, tmp_path: Path
) -> None:
    case = CORPUS[kind]
    suffix = ".xlsx" if case.tool == "excel" else fmt.EXTENSION
    bad = case.build(world, tmp_path / f"hong-{kind}{suffix}")
    before = content_digest(province_copy)
    raw_before = province_copy.read_bytes()

    code, out, err = _import(case.tool, province_copy, bad)

    said = out + err
    assert code == 1, said
    assert "Traceback" not in said
    assert bad.name in said, said  # the message names the file
    assert case.message in said, said
    assert content_digest(province_copy) == before
    assert province_copy.read_bytes() == raw_before
    backups = province_copy.parent / "backups"
    assert not backups.exists() or not any("truoc-nhap" in p.name for p in backups.iterdir())

    # the software keeps working: a good file right after is imported
    good = world.next_good if case.tool == "package" else world.workbook
    code, out, err = _import(case.tool, province_copy, good)
    assert code == 0, out + err
    assert content_digest(province_copy) != before


# -- neutralised, not refused: text that a spreadsheet would run as a formula ---------------


INJECTIONS = {
    "Tên mô hình": '=HYPERLINK("http://lua-dao.example","Bấm vào đây")',
    "Thực trạng, lý do": "+84 912 345 678 gọi trưởng bản",
    "Mục tiêu, tiêu chí": "-Giảm 5% hộ nghèo",
    "Nội dung, cách thức thực hiện": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def test_formula_like_text_is_kept_as_text_from_excel_and_from_packages_back_to_excel(
    world: World, province_copy: Path, tmp_path: Path
) -> None:
    # typed text in a workbook (quote prefix, as Excel stores '=…): imported as text
    workbook = write_rows(tmp_path / "cong-thuc.xlsx", [good_row(**INJECTIONS)])
    code, out, err = run("excel", "import", "--db", str(province_copy), str(workbook))
    assert code == 0, out + err
    # the same kind of text arriving from below in a package, signed by the commune
    members = members_of(world.next_good)
    models = model_lines(members)
    known = {m["uuid"] for m in model_lines(members_of(world.first))}
    (new,) = [m for m in models if m["uuid"] not in known]  # the one the province lacks
    new["data"]["notes"] = "=1+2"
    new["data"]["village"] = "@Bản Pá Khoang"
    package = write_zip(
        tmp_path / "cong-thuc.dvk", resigned(with_models(members, models), world.commune_key)
    )
    code, out, err = run("package", "import", "--db", str(province_copy), str(package), "--yes")
    assert code == 0, out + err

    listing = tmp_path / "danh-sach.xlsx"
    code, out, err = run("excel", "export-list", "--db", str(province_copy), "--out", str(listing))
    assert code == 0, out + err
    ws = load_workbook(listing).active
    found: dict[str, Any] = {}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                found[cell.value] = cell
    expected = {*INJECTIONS.values(), "=1+2", "@Bản Pá Khoang"}
    assert expected <= set(found), sorted(found)
    for text in expected:
        cell = found[text]
        assert cell.data_type == "s" and cell.quotePrefix, text  # text, never a formula
    # and the workbook exported from the database reads back as the same text
    code, out, err = run("excel", "import", "--db", str(province_copy), str(listing), "--dry-run")
    assert "ô chứa công thức" not in out + err
