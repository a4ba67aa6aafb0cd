"""A large package import through the real import screen on the real worker thread: the
window keeps handling events the whole time, the data arrives, and Hủy leaves the database
as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from danvan_desktop.services import Services, open_services
from tests.core.test_package import Site, _site, add_models
from tests.ui.conftest import ScriptedPrompter

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.operations import OperationRunner, Outcome
from danvan_desktop.ui.package_dialogs import ImportPackagesDialog
from danvan_desktop.ui.settings import UiSettings

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support"),
]

MODELS = 3_000


@pytest.fixture
def runner(threaded_runner: OperationRunner) -> OperationRunner:
    return threaded_runner


@pytest.fixture
def package(tmp_path: Path, template_db: Path) -> Path:
    commune = _site(tmp_path, template_db, "commune", "03820", "Lò Thị Mai")
    add_models(commune, MODELS)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    return commune.export(outbox)


@pytest.fixture
def province(tmp_path: Path, template_db: Path) -> Site:
    return _site(tmp_path, template_db, "province", "14", "Nguyễn Thị Hoa")


@pytest.fixture
def province_services(province: Site) -> Iterator[Services]:
    services = open_services(province.path)
    yield services
    services.close()


def test_gui_keeps_processing_events_while_a_large_import_runs(
    qtbot: QtBot,
    package: Path,
    province_services: Services,
    prompter: ScriptedPrompter,
    ui_settings: UiSettings,
    runner: OperationRunner,
) -> None:
    context = UiContext(
        services=province_services, prompter=prompter, settings=ui_settings, runner=runner
    )
    dialog = ImportPackagesDialog(context, [package])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=60_000)

    # Every tick of a GUI-thread timer notes whether the import was still running then.
    ticks_while_busy: list[bool] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks_while_busy.append(runner.is_busy()))
    timer.start()
    try:
        with qtbot.waitSignal(dialog.applied, timeout=120_000):
            QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
            assert runner.is_busy()  # the click returned at once: the work is on the worker
    finally:
        timer.stop()

    assert ticks_while_busy.count(True) >= 10, ticks_while_busy.count(True)
    assert not prompter.errors
    assert province_services.models.count() == MODELS


def test_cancelling_a_large_import_leaves_the_database_as_it_was(
    qtbot: QtBot,
    package: Path,
    province: Site,
    province_services: Services,
    prompter: ScriptedPrompter,
    ui_settings: UiSettings,
    runner: OperationRunner,
) -> None:
    context = UiContext(
        services=province_services, prompter=prompter, settings=ui_settings, runner=runner
    )
    dialog = ImportPackagesDialog(context, [package])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=60_000)
    before = table_rows(province.path)

    QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    operation = dialog.apply_operation
    assert operation is not None and operation.cancellable
    operation.progress.request_cancel()  # what Hủy in the progress window does
    qtbot.waitUntil(lambda: operation.done, timeout=120_000)
    assert operation.outcome is Outcome.CANCELLED

    assert table_rows(province.path) == before
    assert province_services.models.count() == 0
    assert prompter.infos and "Đã dừng nhập" in prompter.infos[-1]
    # the file is offered again, and importing it now brings everything
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=60_000)
    with qtbot.waitSignal(dialog.applied, timeout=120_000):
        QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert province_services.models.count() == MODELS


def table_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the file, read on a connection of its own."""
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"'), key=repr)
            for name in names
        }
    finally:
        connection.close()
