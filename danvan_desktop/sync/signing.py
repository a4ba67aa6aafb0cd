"""The installation's Ed25519 key pair and the signature every package carries.

Each installation makes its key pair the first time its database is opened. The private key is
kept beside the database (`paths.signing_key_path`) as an unencrypted PKCS#8 PEM file that only
its owner may read: an office PC has nobody to type a passphrase at export time, and the file is
exactly as protected as the database beside it. It is never replaced once it exists.

A package's manifest carries the sender's public key (raw 32 bytes, base64) and a signature
over the manifest's canonical bytes without the signature itself (see `manifest_bytes` and
docs/PACKAGE_FORMAT.md); the manifest holds the SHA-256 of every other member, so the
signature covers the whole file.

A fingerprint is what people compare over the phone: the first 80 bits of the SHA-256 of the
raw public key, as five groups of four upper-case hex digits ("3F2A-91BC-0D4E-77A1-5B20").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from danvan_desktop.sync.records import dumps

SIGNATURE = "signature"
PUBLIC_KEY = "public_key"
FINGERPRINT_BYTES = 10  # 80 bits: 20 hex digits, read aloud in five groups of four
MAX_KEY_FILE = 16 << 10
OWNER_ONLY = 0o600


class KeyFileError(Exception):
    """The installation's key file exists but cannot be used; a Vietnamese sentence."""


@dataclass(frozen=True)
class SigningKey:
    """The installation's private key, with what others see of it."""

    private: Ed25519PrivateKey
    path: Path

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_key(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.private.sign(data)).decode("ascii")


def fingerprint(public_raw: bytes) -> str:
    """ "3F2A-91BC-0D4E-77A1-5B20": the first 80 bits of SHA-256 of the raw public key."""
    digits = hashlib.sha256(public_raw).hexdigest()[: FINGERPRINT_BYTES * 2].upper()
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def fingerprint_of(public_key: str) -> str:
    """The fingerprint of a base64 public key (as stored and as carried in manifests)."""
    return fingerprint(base64.b64decode(public_key))


def ensure_key(path: Path) -> bool:
    """Create the key file if there is none (True when created). An existing file, even a
    damaged one, is left alone: replacing it would silently change this unit's identity."""
    if path.exists():
        return False
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    # mkstemp creates the file with mode 0o600 from the start: the key is never readable by
    # others, not even for a moment. The name appears only once the content is complete.
    handle, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pem)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temp, path)  # atomic, and fails rather than replace an existing key
        except FileExistsError:
            return False  # another process made it a moment ago: keep that one
        except OSError:
            # A file system without hard links (FAT on a USB stick): exclusive create instead.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            try:
                fd = os.open(path, flags, OWNER_ONLY)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as stream:
                stream.write(pem)
                stream.flush()
                os.fsync(stream.fileno())
    finally:
        Path(temp).unlink(missing_ok=True)
    return True


def load_key(path: Path) -> SigningKey:
    """The installation's key; KeyFileError (a Vietnamese sentence) if it cannot be used."""
    advice = (
        "Khoá này xác nhận các gói dữ liệu đơn vị gửi đi. Hãy khôi phục tệp khoá từ bản sao lưu "
        "(khôi phục bản sao lưu gần nhất). Nếu khoá đã mất hẳn, hãy đổi tên tệp hỏng để phần "
        "mềm tạo khoá mới, rồi gọi điện báo cấp trên dấu vân tay mới."
    )
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise ValueError("tệp quá lớn")
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(
            f"Không tìm thấy tệp khoá ký của đơn vị ({path}). {advice}"
        ) from None
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise KeyFileError(f"Không đọc được tệp khoá ký {path}: {reason}. {advice}") from error
    try:
        private = load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyFileError(
            f"Tệp khoá ký {path} bị hỏng hoặc không phải khoá của phần mềm này. {advice}"
        ) from error
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"Tệp khoá ký {path} không phải khoá Ed25519. {advice}")
    _owner_only(path)
    return SigningKey(private, path)


def _owner_only(path: Path) -> None:
    """A key copied back by hand may have lost its mode: take away group and other access."""
    if sys.platform == "win32":
        return  # NTFS permissions are the user profile's; mode bits mean nothing there
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(OWNER_ONLY)
    except OSError:
        pass  # not ours to change (a read-only copy): the key still works


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """What is signed: the manifest without "signature", as canonical JSON (keys sorted, no
    spaces, UTF-8 text as is) encoded in UTF-8. The reader verifies the manifest it parsed, so
    what is checked is exactly what is used."""
    return dumps({k: v for k, v in manifest.items() if k != SIGNATURE}).encode("utf-8")


def sign_manifest(manifest: dict[str, Any], key: SigningKey) -> None:
    """Add the public key and the signature over everything else to `manifest`."""
    manifest.pop(SIGNATURE, None)
    manifest[PUBLIC_KEY] = key.public_key
    manifest[SIGNATURE] = key.sign(manifest_bytes(manifest))


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def public_key_from_text(text: str) -> Ed25519PublicKey | None:
    """The Ed25519 key a manifest names, or None when it is not one."""
    raw = _b64(text)
    if raw is None or len(raw) != 32:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, UnsupportedAlgorithm):
        return None


def signature_valid(public: Ed25519PublicKey, signature: str, data: bytes) -> bool:
    raw = _b64(signature)
    if raw is None or len(raw) != 64:
        return False
    try:
        public.verify(raw, data)
    except InvalidSignature:
        return False
    return True
