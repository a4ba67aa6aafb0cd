"""Quitting the real app ends the process cleanly (no "deallocating None" abort at exit)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_desktop.services import Services

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

# Runs the real entry point (`main`: event loop, closing the database, interpreter exit) and
# chooses the menu item Tệp → Thoát once the main window is up, after a few repaints.
_DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from danvan_desktop import app
from danvan_desktop.ui.main_window import MainWindow

def quit_when_shown() -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            for _ in range(50):
                widget.table.viewport().repaint()
            widget.quit_action.trigger()
            return
    QTimer.singleShot(20, quit_when_shown)

QTimer.singleShot(0, quit_when_shown)
sys.exit(app.main(sys.argv[1:]))
"""


def test_quitting_from_the_menu_exits_with_code_zero(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    services.close()  # the app opens the file itself
    home = tmp_path / "home"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
    )
    out = subprocess.run(
        [sys.executable, "-c", _DRIVER, "--db", str(db_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Fatal Python error" not in out.stderr
    assert out.returncode == 0, out.stderr
    assert not list(home.rglob("errors.log"))  # nothing went to the error log either
