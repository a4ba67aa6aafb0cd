"""The real prompter's boxes: Vietnamese buttons, and a stray Enter never confirms."""

from __future__ import annotations

from typing import Any

import pytest

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from danvan_desktop.ui.prompts import Choice, Prompter

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def answer_when_shown(act: Any) -> list[list[str]]:
    """Once the modal box is up, record its button texts and let `act` answer it."""
    seen: list[list[str]] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, poll)
            return
        seen.append(sorted(b.text() for b in box.buttons()))
        act(box)

    QTimer.singleShot(0, poll)
    return seen


def click(text: str) -> Any:
    def act(box: QMessageBox) -> None:
        (button,) = [b for b in box.buttons() if b.text() == text]
        assert isinstance(button, QPushButton)
        button.click()

    return act


def test_confirm_enter_means_cancel(qtbot: Any) -> None:
    seen = answer_when_shown(lambda box: QTest.keyClick(box, Qt.Key.Key_Return))
    assert Prompter().confirm(None, "Xóa", "Xóa mô hình?", ok_text="Xóa") is False
    assert seen == [["Hủy", "Xóa"]]


def test_confirm_ok(qtbot: Any) -> None:
    answer_when_shown(click("Xóa"))
    assert Prompter().confirm(None, "Xóa", "Xóa mô hình?", ok_text="Xóa") is True


@pytest.mark.parametrize(
    ("text", "choice"),
    [("Lưu", Choice.SAVE), ("Không lưu", Choice.DISCARD), ("Quay lại", Choice.CANCEL)],
)
def test_save_discard_cancel(qtbot: Any, text: str, choice: Choice) -> None:
    seen = answer_when_shown(click(text))
    assert Prompter().save_discard_cancel(None, "Chưa lưu", "Lưu?") is choice
    assert seen == [["Không lưu", "Lưu", "Quay lại"]]


def test_error_box_says_dong(qtbot: Any) -> None:
    seen = answer_when_shown(click("Đóng"))
    Prompter().error(None, "Lỗi", "Không lưu được.")
    assert seen == [["Đóng"]]
