"""Writing a package: deterministic bytes for the same data (sorted keys, members in a fixed
order, fixed zip timestamps), models streamed in blocks rather than held in memory."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from danvan_desktop.sync import format as fmt
from danvan_desktop.sync.records import dumps
from danvan_desktop.sync.signing import SigningKey, sign_manifest

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BLOCK_CHARS = 1 << 20


@dataclass
class MemberInfo:
    name: str
    sha256: str
    size: int


class _HashingWriter:
    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._target.write(data)
        self.hash.update(data)
        self.size += len(data)


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # always "Unix": the same bytes from Windows and Linux
    return info


def _blocks(chunks: Iterable[str]) -> Iterator[bytes]:
    """The chunks joined into blocks of about 1 MiB: encoding, hashing and compressing cost per
    call as well as per byte (a line per model, 100,000 of them); the bytes are the same."""
    block: list[str] = []
    size = 0
    for chunk in chunks:
        block.append(chunk)
        size += len(chunk)
        if size >= _BLOCK_CHARS:
            yield "".join(block).encode("utf-8")
            block.clear()
            size = 0
    if block:
        yield "".join(block).encode("utf-8")


def _write_member(archive: zipfile.ZipFile, name: str, chunks: Iterable[str]) -> MemberInfo:
    with archive.open(_zip_info(name), "w", force_zip64=True) as raw:
        out = _HashingWriter(raw)
        # One thread hashes and compresses a block while the caller makes the next one (the
        # JSON of the models): hashing and compressing let go of the interpreter lock, so the
        # two run at once. Blocks go to it one at a time, in order.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending: Future[None] | None = None
            for block in _blocks(chunks):
                if pending is not None:
                    pending.result()  # one block in flight: memory stays at two blocks
                pending = pool.submit(out.write, block)
            if pending is not None:
                pending.result()
    return MemberInfo(name, out.hash.hexdigest(), out.size)


def json_array_lines(items: Iterable[Any]) -> Iterator[str]:
    """A JSON array written one element per line (readable, diff-able, streamable)."""
    yield "["
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + dumps(item)
        first = False
    yield "\n]\n"


def json_lines(items: Iterable[Any]) -> Iterator[str]:
    for item in items:
        yield dumps(item) + "\n"


def write_package(
    path: Path,
    manifest: dict[str, Any],
    units: Iterable[dict[str, Any]],
    models: Iterable[dict[str, Any]],
    acknowledgements: Iterable[dict[str, Any]],
    key: SigningKey,
) -> str:
    """Write the package to `path` (through a temporary file, so a failure never leaves half a
    package under the real name); returns the SHA-256 of the file. `manifest` gets "members",
    then the sender's public key and the signature by `key` over all of it."""
    partial = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            members = [
                _write_member(archive, fmt.UNITS, json_array_lines(units)),
                _write_member(archive, fmt.MODELS, json_lines(models)),
                _write_member(archive, fmt.ACKS, json_array_lines(acknowledgements)),
            ]
            manifest["members"] = [
                {"name": m.name, "sha256": m.sha256, "size": m.size} for m in members
            ]
            sign_manifest(manifest, key)
            text = dumps(manifest)
            archive.writestr(_zip_info(fmt.MANIFEST), text.encode("utf-8"))
        digest = file_sha256(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return digest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
