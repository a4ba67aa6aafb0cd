"""Questions and messages to the user, behind one small object the window is given.

Tests hand in a scripted replacement instead of clicking modal boxes.
"""

from __future__ import annotations

import enum
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class Choice(enum.Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class Prompter:
    def confirm(
        self, parent: QWidget | None, title: str, text: str, *, ok_text: str = "Đồng ý"
    ) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
        )
        ok = box.addButton(ok_text, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("Hủy", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)  # a stray Enter must not delete anything
        box.exec()
        return box.clickedButton() is ok

    def save_discard_cancel(self, parent: QWidget | None, title: str, text: str) -> Choice:
        box = QMessageBox(
            QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
        )
        save = box.addButton("Lưu", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Không lưu", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Quay lại", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            return Choice.SAVE
        if clicked is discard:
            return Choice.DISCARD
        return Choice.CANCEL

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self._tell(QMessageBox.Icon.Warning, parent, title, text)

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self._tell(QMessageBox.Icon.Information, parent, title, text)

    def save_path(
        self, parent: QWidget | None, title: str, suggested: Path, file_filter: str
    ) -> Path | None:
        """Where to write a file; None when the user cancels."""
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
        return Path(name) if name else None

    def open_path(
        self, parent: QWidget | None, title: str, folder: Path, file_filter: str
    ) -> Path | None:
        """Which file to read; None when the user cancels."""
        name, _ = QFileDialog.getOpenFileName(parent, title, str(folder), file_filter)
        return Path(name) if name else None

    @staticmethod
    def _tell(icon: QMessageBox.Icon, parent: QWidget | None, title: str, text: str) -> None:
        # Qt has no Vietnamese translation of its stock "OK" button here; name ours.
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
        box.addButton("Đóng", QMessageBox.ButtonRole.AcceptRole)
        box.exec()
