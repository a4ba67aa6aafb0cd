"""Verifying a package file before anything touches the database: the zip itself, member
paths, size bounds, format version, the sender's signature, hashes, schema, text that could not
be stored or shown, duplicates. Unit checks and which keys are trusted need the database and
are in apply.py and services/packages.py."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from danvan_desktop.sync import format as fmt
from danvan_desktop.sync import signing
from danvan_desktop.sync.records import UnitRef, parse_time, ref_of
from danvan_desktop.sync.writer import file_sha256

_DRIVE = re.compile(r"^[A-Za-z]:")
# What the forms refuse when typed (domain._CONTROL), and halves of UTF-16 pairs that JSON's
# "\ud800" escapes can smuggle in and SQLite cannot store.
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# In the raw UTF-8 line: what could decode to one of _BAD_TEXT ("\\u…", "\\b", "\\f", DEL, a
# UTF-16 half, which json.loads lets through from bytes).
_MAYBE_BAD = re.compile(rb"\\[ubf]|\x7f|\xed[\xa0-\xbf]")
_JSON_ERRORS = (UnicodeDecodeError, ValueError, RecursionError)  # ValueError: JSONDecodeError too


class PackageError(Exception):
    """A refused file; the message is a full Vietnamese sentence naming the file."""


class ModelSummary(NamedTuple):
    """What the preview needs of a model the database does not have yet, kept while the file
    is verified so that the preview does not parse the file again (the models that do exist
    are read whole, by line number)."""

    line: int  # 1-based line of models.jsonl
    uuid: str
    unit: UnitRef
    revision: int
    deleted: bool
    name: str


def summary_of(obj: dict[str, Any], line: int, units: dict[UnitRef, UnitRef]) -> ModelSummary:
    """The summary of a checked model; `units` shares one tuple per unit among the models."""
    unit = (obj["unit"]["directory"], obj["unit"]["code"])
    unit = units.setdefault(unit, unit)
    name = obj["data"]["name"]
    return ModelSummary(line, obj["uuid"], unit, obj["revision"], obj["deleted"], name)


@dataclass
class Package:
    path: Path
    sha256: str
    manifest: dict[str, Any]
    units: list[dict[str, Any]]
    acknowledgements: list[dict[str, Any]]
    model_uuids: set[str] = field(default_factory=set)
    summaries: list[ModelSummary] = field(default_factory=list)  # in file order

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def source(self) -> UnitRef:
        ref = ref_of(self.manifest["source_unit"])
        assert ref is not None
        return ref

    @property
    def source_name(self) -> str:
        return str(self.manifest["source_unit"]["name"])

    @property
    def targets(self) -> list[UnitRef]:
        return [(str(t["directory"]), str(t["code"])) for t in self.manifest["target_units"]]

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def public_key(self) -> str:
        """The sender's public key (base64 of the raw Ed25519 key), verified to have signed."""
        return str(self.manifest[signing.PUBLIC_KEY])

    @property
    def fingerprint(self) -> str:
        return signing.fingerprint_of(self.public_key)

    @property
    def sequence(self) -> int:
        return int(self.manifest["sequence"])

    @property
    def created_at(self) -> Any:
        return parse_time(self.manifest["created_at"])

    def models(self) -> Iterator[dict[str, Any]]:
        """The models, read again from the file (a check that it did not change since)."""
        for line in self.model_lines():
            yield json.loads(line)

    def model_lines(self) -> Iterator[bytes]:
        """The lines of the models, read again from the file (checked not to have changed)."""
        if file_sha256(self.path) != self.sha256:
            raise PackageError(
                f"Tệp “{self.name}” đã thay đổi từ lúc kiểm tra. Hãy chọn lại tệp và thử lại."
            )
        with zipfile.ZipFile(self.path) as archive, archive.open(fmt.MODELS) as stream:
            yield from member_lines(stream)


class ModelsByLine:
    """Whole models of a verified package by line number, asked for in rising order: the file
    is opened on the first request and read forward once; only the lines asked for are
    parsed."""

    def __init__(self, package: Package) -> None:
        self._package = package
        self._lines: Iterator[bytes] | None = None
        self._at = 0  # lines read so far

    def read(self, numbers: list[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for number in sorted(numbers):
            assert number > self._at, "the lines are read forward only"
            if self._lines is None:
                self._lines = self._package.model_lines()
            line = b""
            while self._at < number:
                line = next(self._lines)
                self._at += 1
            found[number] = json.loads(line)
        return found


def member_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """The lines of a zip member, read in large blocks: a zip stream's own readline is several
    times slower than the JSON parsing of the line (100,000 models)."""
    rest = b""
    for block in iter(lambda: stream.read(1 << 20), b""):
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield line + b"\n"
    if rest:
        yield rest


def _refuse(path: Path, what: str, advice: str = "Hãy xin đơn vị gửi tệp xuất lại.") -> None:
    raise PackageError(f"Tệp “{path.name}” bị từ chối: {what}. {advice}")


def _check_names(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > fmt.MAX_MEMBERS:
        _refuse(path, f"có {len(infos)} thành phần, quá nhiều cho một gói")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
            _refuse(path, f"có thành phần với đường dẫn không an toàn “{name}”")
        if name in seen:
            _refuse(path, f"có hai thành phần cùng tên “{name}”")
        seen.add(name)
    total = sum(info.file_size for info in infos)
    if total > fmt.MAX_TOTAL_SIZE:
        _refuse(path, "dung lượng giải nén quá lớn (nghi là tệp nén độc hại)")
    for info in infos:
        if info.file_size > fmt.RATIO_FLOOR and info.file_size > fmt.MAX_RATIO * max(
            info.compress_size, 1
        ):
            _refuse(path, "tỷ lệ nén bất thường (nghi là tệp nén độc hại “zip bomb”)")
    missing = sorted(fmt.ALL_MEMBERS - seen)
    if missing:
        _refuse(path, f"thiếu thành phần {', '.join(missing)}")
    extra = sorted(seen - fmt.ALL_MEMBERS)
    if extra:
        _refuse(path, f"có thành phần lạ {', '.join(extra)}")


def _read_bounded(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with archive.open(name) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise PackageError(f"thành phần {name} quá lớn")
    return data


def _load_json(path: Path, data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except _JSON_ERRORS:
        _refuse(path, f"thành phần {name} không phải JSON UTF-8 hợp lệ")


def _check_schema(path: Path, value: Any, schema: dict[str, Any], name: str) -> None:
    problem = validate_quiet(value, schema)
    if problem:
        _refuse(path, f"{name} sai cấu trúc ({problem})")


def validate_quiet(value: Any, schema: dict[str, Any]) -> str | None:
    return fmt.validate(value, schema)


def read_package(path: Path) -> Package:
    """Open and verify `path`; raise PackageError with a Vietnamese sentence if refused."""
    try:
        sha256 = file_sha256(path)
    except OSError as error:
        raise PackageError(
            f"Không đọc được tệp “{path.name}”: {error.strerror}. Hãy kiểm tra lại đường dẫn."
        ) from error
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_archive(path, sha256, archive)
    except PackageError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,  # a compression method we do not write
        RuntimeError,  # an encrypted member
    ) as error:
        raise PackageError(
            f"Tệp “{path.name}” bị từ chối: không phải gói dữ liệu hoặc tệp bị hỏng, thiếu "
            f"(có thể chép hoặc tải về chưa hết) ({error.__class__.__name__}). "
            "Hãy chép lại tệp hoặc xin đơn vị gửi lại."
        ) from error


def _read_archive(path: Path, sha256: str, archive: zipfile.ZipFile) -> Package:
    infos = archive.infolist()
    _check_names(path, infos)
    manifest = _load_json(path, _read_bounded(archive, fmt.MANIFEST, fmt.MAX_MANIFEST_SIZE),
                          fmt.MANIFEST)  # fmt: skip
    if not isinstance(manifest, dict) or manifest.get("format") != fmt.FORMAT_NAME:
        _refuse(path, "không phải gói dữ liệu “Dân vận khéo”", "Hãy chọn đúng tệp .dvk.")
    version = manifest.get("format_version")
    if isinstance(version, int) and version > fmt.FORMAT_VERSION:
        _refuse(
            path,
            f"tệp được tạo bởi phiên bản mới hơn (định dạng {version})",
            "Tệp được tạo bởi phiên bản mới hơn, hãy cập nhật phần mềm rồi nhập lại.",
        )
    if signing.SIGNATURE not in manifest or signing.PUBLIC_KEY not in manifest:
        _refuse(
            path,
            "không có chữ ký số của đơn vị gửi (tệp do phiên bản cũ tạo ra, hoặc chữ ký đã "
            "bị gỡ)",
            "Hãy xin đơn vị gửi cập nhật phần mềm rồi xuất lại.",
        )
    _check_schema(path, manifest, fmt.MANIFEST_SCHEMA, fmt.MANIFEST)
    _check_signature(path, manifest)
    _check_text(path, manifest, fmt.MANIFEST)
    declared = {m["name"]: m for m in manifest["members"]}
    if set(declared) != set(fmt.DATA_MEMBERS):
        _refuse(path, "danh sách thành phần trong manifest không khớp")
    for name in fmt.DATA_MEMBERS:
        _check_hash(path, archive, name, declared[name])
    units = _load_json(path, archive.read(fmt.UNITS), fmt.UNITS)
    _check_schema(path, units, fmt.UNITS_SCHEMA, fmt.UNITS)
    _check_text(path, units, fmt.UNITS)
    _check_custom_units(path, units)
    acks = _load_json(path, archive.read(fmt.ACKS), fmt.ACKS)
    _check_schema(path, acks, fmt.ACKS_SCHEMA, fmt.ACKS)
    package = Package(path, sha256, manifest, units, acks)
    _check_models(path, archive, package)
    return package


def _check_signature(path: Path, manifest: dict[str, Any]) -> None:
    """The manifest (and through its hashes every member) was signed by the key it names."""
    public = signing.public_key_from_text(manifest[signing.PUBLIC_KEY])
    if public is None:
        _refuse(path, "khoá công khai ghi trong tệp không phải khoá Ed25519 hợp lệ")
    assert public is not None
    if not signing.signature_valid(
        public, manifest[signing.SIGNATURE], signing.manifest_bytes(manifest)
    ):
        _refuse(
            path,
            "chữ ký số không khớp với nội dung — tệp đã bị sửa sau khi ký, hoặc chữ ký bị giả",
        )


def _check_text(path: Path, value: Any, where: str) -> None:
    """Text the forms would refuse (control characters) or SQLite cannot store."""
    problem = _bad_text(value, "")
    if problem:
        _refuse(path, f"{where} có ký tự điều khiển hoặc ký tự hỏng ở {problem}")


def _bad_text(value: Any, where: str) -> str | None:
    """The path ("data.name", "events[0].note") of the first bad text in `value`, or None."""
    if isinstance(value, str):
        return (where or "(gốc)") if _BAD_TEXT.search(value) else None
    if isinstance(value, dict):
        paths = ((f"{where}.{key}" if where else str(key), item) for key, item in value.items())
    elif isinstance(value, list):
        paths = ((f"{where}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for at, item in paths:
        found = _bad_text(item, at)
        if found:
            return found
    return None


def _shown(text: str) -> str:
    """A name from a refused file, safe to print (first 60 characters, no control bytes)."""
    return _BAD_TEXT.sub("?", text[:60])


def _check_custom_units(path: Path, units: list[dict[str, Any]]) -> None:
    """Units added by hand arrive with the chain above them; the chain must be complete and
    must end (a loop would never end when the units are created)."""
    listed = {(u["directory"], u["code"]): u for u in units}
    for ref, item in listed.items():
        seen = {ref}
        current = item
        while current["directory"] == "custom" and current["parent"] is not None:
            parent = ref_of(current["parent"])
            assert parent is not None
            if parent in seen:
                _refuse(path, f"đơn vị {item['name']} ({ref[1]}) có cấp trên vòng quanh chính nó")
            if parent not in listed:
                _refuse(
                    path,
                    f"đơn vị {item['name']} ({ref[1]}) thiếu đơn vị cấp trên {parent[1]} trong "
                    f"{fmt.UNITS}",
                )
            seen.add(parent)
            current = listed[parent]


def _check_hash(path: Path, archive: zipfile.ZipFile, name: str, declared: dict[str, Any]) -> None:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            size += len(block)
            if size > declared["size"]:
                break
            digest.update(block)
    if size != declared["size"] or digest.hexdigest() != declared["sha256"]:
        _refuse(
            path,
            f"mã kiểm tra (SHA-256) của {name} không khớp — tệp đã bị sửa hoặc hỏng",
        )


def _check_models(path: Path, archive: zipfile.ZipFile, package: Package) -> None:
    seen: dict[str, str] = {}
    units: dict[UnitRef, UnitRef] = {}
    with archive.open(fmt.MODELS) as stream:
        for number, line in enumerate(member_lines(stream), start=1):
            try:
                obj = json.loads(line)
            except _JSON_ERRORS:
                _refuse(path, f"dòng {number} của {fmt.MODELS} không phải JSON UTF-8 hợp lệ")
            problem = fmt.validate(obj, fmt.MODEL_SCHEMA)
            if problem:
                _refuse(path, f"mô hình ở dòng {number} sai cấu trúc ({problem})")
            # Only a line with an escape or byte that can make such a character needs the walk.
            problem = _bad_text(obj, "") if _MAYBE_BAD.search(line) else None
            if problem:
                _refuse(
                    path,
                    f"mô hình ở dòng {number} (“{_shown(obj['data']['name'])}”) có ký tự điều "
                    f"khiển hoặc ký tự hỏng ở trường {problem}",
                )
            digest = hashlib.sha256(line.strip()).hexdigest()
            previous = seen.get(obj["uuid"])
            if previous is not None and previous != digest:
                _refuse(
                    path,
                    f"mã mô hình {obj['uuid']} xuất hiện hai lần với nội dung khác nhau "
                    f"(“{obj['data']['name'][:60]}”)",
                )
            seen[obj["uuid"]] = digest
            package.summaries.append(summary_of(obj, number, units))
    package.model_uuids = set(seen)
