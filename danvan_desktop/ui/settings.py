"""Per-PC preferences (window geometry, column layout), declared once.

Facts about the installation (its unit, the staff member) live in the database instead, so they
travel with the data file.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from danvan_desktop.paths import APPLICATION, ORGANIZATION

# key -> default
KEYS: dict[str, object] = {
    "main_window/geometry": QByteArray(),
    "main_window/state": QByteArray(),
    "main_window/header": QByteArray(),
    "model_form/geometry": QByteArray(),
    "setup_dialog/geometry": QByteArray(),
}


class UiSettings:
    """A thin typed wrapper; tests pass a QSettings on a file in tmp_path."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings or QSettings(ORGANIZATION, APPLICATION)

    def bytes(self, key: str) -> QByteArray:
        if key not in KEYS:
            raise KeyError(key)
        value = self._q.value(key, KEYS[key])
        return value if isinstance(value, QByteArray) else QByteArray()

    def set_bytes(self, key: str, value: QByteArray) -> None:
        if key not in KEYS:
            raise KeyError(key)
        self._q.setValue(key, value)

    def sync(self) -> None:
        self._q.sync()
