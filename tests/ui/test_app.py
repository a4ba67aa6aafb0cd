"""Start-up: paths agree with Qt, the window is built, first run, errors nobody caught."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import QLocale, QStandardPaths
from PySide6.QtWidgets import QApplication

from danvan_desktop import app as app_module
from danvan_desktop import paths
from danvan_desktop.domain import Directory
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.errors import UserError
from tests.conftest import STAFF
from tests.ui.conftest import ScriptedPrompter

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.settings import UiSettings

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support"),
]


@pytest.fixture
def app_names(qapp: QApplication) -> Iterator[QApplication]:
    """Let a test set the application's names and locale as app.py does, then put them back."""
    saved = (
        qapp.organizationName(),
        qapp.applicationName(),
        qapp.applicationDisplayName(),
        QLocale(),
    )
    yield qapp
    qapp.setOrganizationName(saved[0])
    qapp.setApplicationName(saved[1])
    qapp.setApplicationDisplayName(saved[2])
    QLocale.setDefault(saved[3])


def test_default_data_dir_is_qt_app_data_location(
    app_names: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    app_module.configure_application(app_names)
    assert app_names.applicationDisplayName() == "Dân vận khéo"
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    assert Path(location) == paths.default_data_dir()
    assert paths.default_data_dir() == tmp_path / "xdg" / "danvan" / "danvan-desktop"


def _close(started: app_module.Started | int) -> None:
    if isinstance(started, app_module.Started):
        started.window.close()
        started.window.deleteLater()
        started.context.services.close()


def test_start_builds_the_window_for_a_set_up_database(
    app_names: QApplication,
    services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
) -> None:
    started = app_module.start(["--db", str(db_path)], settings=ui_settings, prompter=prompter)
    try:
        assert isinstance(started, app_module.Started)
        assert isinstance(started.window, MainWindow)
        assert started.window.isVisible()
        assert started.context.services.db_path == db_path.resolve()
        assert str(db_path.resolve()) in started.window.db_label.text()
        assert "Xã Ngọc Chiến" in started.window.unit_label.text()
        assert started.app is app_names
        assert app_names.applicationName() == "danvan-desktop"
    finally:
        _close(started)


def test_start_uses_danvan_db_when_no_option(
    app_names: QApplication,
    services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(paths.DB_ENV, str(db_path))
    started = app_module.start([], settings=ui_settings, prompter=prompter)
    try:
        assert isinstance(started, app_module.Started)
        assert started.context.services.db_path == db_path.resolve()
    finally:
        _close(started)


def test_first_run_cancelled_quits_without_setting_up(
    app_names: QApplication,
    blank_services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
) -> None:
    asked: list[UiContext] = []

    def cancel(context: UiContext) -> bool:
        asked.append(context)
        return False

    result = app_module.start(
        ["--db", str(db_path)], settings=ui_settings, prompter=prompter, run_setup=cancel
    )
    assert result == 0
    assert len(asked) == 1
    assert not blank_services.installation.is_set_up()
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert not any(isinstance(w, MainWindow) for w in shown)


def test_first_run_accepted_shows_the_window(
    app_names: QApplication,
    blank_services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
) -> None:
    def set_up(context: UiContext) -> bool:
        units = context.services.units
        context.services.installation.save(
            unit_id=units.by_code("03820", Directory.CURRENT).id,
            reports_to_id=None,
            staff_name=STAFF,
        )
        return True

    started = app_module.start(
        ["--db", str(db_path)], settings=ui_settings, prompter=prompter, run_setup=set_up
    )
    try:
        assert isinstance(started, app_module.Started)
        assert "Xã Ngọc Chiến" in started.window.unit_label.text()
    finally:
        _close(started)


def test_first_run_dialog_is_the_setup_dialog(
    qtbot: Any, blank_context: UiContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from danvan_desktop.ui import setup_dialog

    made: list[setup_dialog.SetupDialog] = []

    def fake_exec(self: setup_dialog.SetupDialog) -> int:
        made.append(self)
        return 0  # rejected, as if the user pressed Cancel

    monkeypatch.setattr(setup_dialog.SetupDialog, "exec", fake_exec)
    assert app_module._run_setup_dialog(blank_context) is False
    assert len(made) == 1 and made[0].windowTitle() == "Thiết lập đơn vị"
    made[0].deleteLater()


def test_main_shows_the_window_and_installs_the_error_hook(
    app_names: QApplication,
    services: Services,
    db_path: Path,
    ui_settings: UiSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main installs its own
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(app_module, "UiSettings", lambda: ui_settings)
    windows: list[MainWindow] = []

    def fake_exec(app: QApplication) -> int:
        assert app is app_names
        windows.extend(
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(app_module, "_run_event_loop", fake_exec)
    assert app_module.main(["--db", str(db_path)]) == 0
    assert len(windows) == 1
    assert isinstance(sys.excepthook, app_module.ErrorReporter)
    assert sys.excepthook.log_path == tmp_path / "xdg" / "danvan" / "danvan-desktop" / "errors.log"
    assert not ui_settings.bytes("main_window/geometry").isEmpty()  # saved on close
    windows[0].deleteLater()


def test_unopenable_database_says_why_and_exits_1(
    app_names: QApplication,
    tmp_path: Path,
    ui_settings: UiSettings,
    prompter: ScriptedPrompter,
) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    result = app_module.start(["--db", str(folder)], settings=ui_settings, prompter=prompter)
    assert result == 1
    assert len(prompter.errors) == 1 and "là một thư mục" in prompter.errors[0]


def test_open_services_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        open_services(tmp_path)


def test_error_reporter_logs_and_tells_the_user(tmp_path: Path) -> None:
    shown: list[str] = []
    log = tmp_path / "data" / "errors.log"
    reporter = app_module.ErrorReporter(log, show=shown.append)
    try:
        raise RuntimeError("hỏng")
    except RuntimeError as error:
        reporter(RuntimeError, error, error.__traceback__)
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert "RuntimeError: hỏng" in log.read_text(encoding="utf-8")
    assert len(shown) == 1
    assert "lỗi chưa lường trước" in shown[0] and str(log) in shown[0]
    # A UserError that slipped through is shown as its own sentence.
    slipped = UserError("Không tìm thấy mô hình này; có thể nó đã bị xóa.")
    reporter(UserError, slipped, None)
    assert shown[1] == "Không tìm thấy mô hình này; có thể nó đã bị xóa."


def test_install_excepthook(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    reporter = app_module.install_excepthook(tmp_path / "errors.log")
    assert sys.excepthook is reporter
    assert reporter.log_path == tmp_path / "errors.log"


def test_qt_translations_are_optional(app_names: QApplication) -> None:
    # Debian's PySide6 wheel ships no qtbase_vi; loading must then quietly do nothing.
    assert app_module.install_qt_translations(app_names) in (True, False)
    assert QLocale().language() == QLocale.Language.Vietnamese


def test_parse_args() -> None:
    assert app_module.parse_args(["--db", "x.sqlite3"]).db == "x.sqlite3"
    assert app_module.parse_args([]).db is None
    assert app_module.parse_args(["-platform", "offscreen"]).db is None  # Qt's own options


def test_importing_the_app_leaves_sqlalchemy_for_later() -> None:
    """The splash must not wait for SQLAlchemy (DESIGN §6)."""
    code = "import sys, danvan_desktop.app; print('sqlalchemy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
