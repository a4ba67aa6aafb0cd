"""The audit log: every change to the data, recorded in the same transaction as the change.

`record` is the one way to write an entry; every service that changes something calls it with
the session it writes in, so an entry exists exactly when its change was committed.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from danvan_desktop.db.schema import AuditEntry


class AuditAction(enum.StrEnum):
    CREATE = "create"
    EDIT = "edit"
    STATUS = "status"
    DELETE = "delete"
    IMPORT = "import"
    RESTORE = "restore"
    SETTINGS = "settings"
    KEY = "key"  # a unit's signing key accepted or changed
    BACKUP = "backup"


ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.CREATE: "Thêm mới",
    AuditAction.EDIT: "Sửa",
    AuditAction.STATUS: "Đổi trạng thái",
    AuditAction.DELETE: "Xoá",
    AuditAction.IMPORT: "Nhập dữ liệu",
    AuditAction.RESTORE: "Khôi phục",
    AuditAction.SETTINGS: "Thiết lập",
    AuditAction.KEY: "Khoá ký",
    AuditAction.BACKUP: "Sao lưu",
}


@dataclass(frozen=True)
class FieldChange:
    """One field of an edit: its Vietnamese label and the values before and after, as shown."""

    field: str
    label: str
    old: str
    new: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: str,
    subject: str,
    model_uuid: str | None = None,
    changes: Sequence[FieldChange] = (),
    details: Mapping[str, Any] | None = None,
) -> None:
    """Add one entry to the log inside the caller's transaction."""
    payload: dict[str, Any] = dict(details or {})
    if changes:
        payload["changes"] = [change.as_json() for change in changes]
    session.add(
        AuditEntry(
            actor=actor,
            action=action.value,
            model_uuid=model_uuid,
            subject=subject,
            details=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        )
    )
