"""The operation helper on its real worker thread: callbacks on the GUI thread, errors shown,
progress only for slow work, cancel before commit, one operation at a time, a live GUI."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QCoreApplication, Qt, QThread, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from danvan_desktop.app import ErrorReporter
from danvan_desktop.db.schema import Setting
from danvan_desktop.services import Services
from danvan_desktop.services.errors import UserError
from danvan_desktop.services.models import ModelFilter
from tests.conftest import STAFF
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.operations import (
    PROGRESS_DIALOG_MS,
    Cancelled,
    Operation,
    OperationRunner,
    Outcome,
    Progress,
    ProgressDialog,
    SynchronousRunner,
    run_operation,
)

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

WAIT_MS = 10_000


@pytest.fixture
def runner(threaded_runner: OperationRunner) -> OperationRunner:
    return threaded_runner


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    widget.resize(500, 300)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """What slow work waits on; always opened at the end so no worker is left hanging."""
    event = threading.Event()
    yield event
    event.set()


def blocked_until(gate: threading.Event) -> None:
    assert gate.wait(WAIT_MS / 1000), "the test never released the work"


def finish(qtbot: QtBot, runner: OperationRunner, operation: Operation[Any]) -> None:
    if not operation.done:
        qtbot.waitUntil(lambda: operation.done, timeout=WAIT_MS)


def test_work_on_worker_success_on_gui_thread(
    qtbot: QtBot, context: UiContext, window: QWidget, prompter: ScriptedPrompter
) -> None:
    seen: dict[str, Any] = {}

    def work(progress: Progress) -> int:
        seen["work"] = QThread.currentThread()
        return 42

    def success(value: int) -> None:
        seen["success"] = QThread.currentThread()
        seen["value"] = value

    with qtbot.waitSignal(context.runner.finished, timeout=WAIT_MS) as signal:
        operation = run_operation(context, window, work, success, title="Thử")
    assert signal.args == [operation]
    gui = QCoreApplication.instance()
    assert gui is not None
    assert seen["success"] is gui.thread()
    assert seen["work"] is not gui.thread()
    assert seen["value"] == 42 and operation.outcome is Outcome.SUCCEEDED
    assert not operation.dialog_was_shown  # fast work: no window
    assert prompter.errors == [] and not context.runner.is_busy()


def test_user_error_shown_by_prompter_and_bug_goes_to_excepthook(
    qtbot: QtBot,
    context: UiContext,
    window: QWidget,
    prompter: ScriptedPrompter,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    called: list[str] = []

    def refuse(progress: Progress) -> None:
        raise UserError("Tệp đang mở trong Excel; hãy đóng tệp rồi thử lại.")

    with qtbot.waitSignal(context.runner.finished, timeout=WAIT_MS):
        failed = run_operation(
            context,
            window,
            refuse,
            lambda _: called.append("success"),
            title="Xuất",
            on_finished=lambda: called.append("finished"),
        )
    assert failed.outcome is Outcome.FAILED
    assert prompter.errors == ["Tệp đang mở trong Excel; hãy đóng tệp rồi thử lại."]
    assert called == ["finished"]

    # Anything else is a bug: the app's ErrorReporter (sys.excepthook) logs the traceback and
    # tells the user in Vietnamese.
    shown: list[str] = []
    log = tmp_path / "errors.log"
    monkeypatch.setattr(sys, "excepthook", ErrorReporter(log, show=shown.append))

    def crash(progress: Progress) -> None:
        raise KeyError("bug")

    with qtbot.waitSignal(context.runner.finished, timeout=WAIT_MS):
        crashed = run_operation(context, window, crash, title="Xuất")
    assert crashed.outcome is Outcome.CRASHED
    assert len(shown) == 1 and shown[0].startswith("Phần mềm gặp một lỗi chưa lường trước")
    assert "in crash" in log.read_text(encoding="utf-8")  # the worker's frame, in the log only
    assert len(prompter.errors) == 1  # a bug is the reporter's job, not a plain warning


def test_progress_window_only_for_slow_work(
    qtbot: QtBot, context: UiContext, window: QWidget, gate: threading.Event
) -> None:
    def slow(progress: Progress) -> str:
        progress.update(3, 10, "Đang ghi dòng 3 trên 10…")
        blocked_until(gate)
        return "xong"

    operation = run_operation(
        context, window, slow, title="Xuất danh sách ra Excel", text="Đang xuất…"
    )
    qtbot.waitUntil(lambda: operation.dialog is not None, timeout=WAIT_MS)
    dialog = operation.dialog
    assert isinstance(dialog, ProgressDialog)
    assert dialog.isVisible() and dialog.windowTitle() == "Xuất danh sách ra Excel"
    assert QGuiApplication.overrideCursor() is not None  # busy cursor came first
    qtbot.waitUntil(lambda: dialog.bar.value() == 3, timeout=WAIT_MS)
    assert dialog.bar.maximum() == 10
    assert dialog.label.text() == "Đang ghi dòng 3 trên 10…"
    assert dialog.cancel_button is None  # not cancellable: no Hủy
    dialog.grab().save("/tmp/op_progress.png")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # Esc does not hide running work
    assert dialog.isVisible()

    gate.set()
    finish(qtbot, context.runner, operation)
    assert operation.outcome is Outcome.SUCCEEDED
    assert operation.dialog is None
    assert not [w for w in window.findChildren(ProgressDialog) if w.isVisible()]
    assert QGuiApplication.overrideCursor() is None

    fast = run_operation(context, window, lambda progress: 1, title="Nhanh")
    finish(qtbot, context.runner, fast)
    qtbot.wait(PROGRESS_DIALOG_MS + 200)  # the event loop runs on: no late window either
    assert not fast.dialog_was_shown
    assert not [w for w in window.findChildren(ProgressDialog) if w.isVisible()]
    assert QGuiApplication.overrideCursor() is None


def _insert_then_wait(services: Services, gate: threading.Event, progress: Progress) -> None:
    with services.db.session() as session:
        session.add(Setting(key="thử_hủy", value="1"))
        session.flush()
        progress.set_text("Sắp lưu…")
        blocked_until(gate)
        progress.check_cancelled()  # the last safe point: before the commit


def _stored(services: Services) -> list[str]:
    with services.db.session() as session:
        return list(session.scalars(select(Setting.value).where(Setting.key == "thử_hủy")))


def test_cancel_before_commit_leaves_database_unchanged(
    qtbot: QtBot, context: UiContext, window: QWidget, gate: threading.Event
) -> None:
    services = context.services
    cancelled: list[bool] = []
    operation = run_operation(
        context,
        window,
        lambda progress: _insert_then_wait(services, gate, progress),
        title="Nhập mô hình từ Excel",
        text="Đang nhập…",
        cancellable=True,
        on_cancelled=lambda: cancelled.append(True),
    )
    qtbot.waitUntil(lambda: operation.dialog is not None, timeout=WAIT_MS)
    dialog = operation.dialog
    assert dialog is not None and dialog.cancel_button is not None
    assert dialog.cancel_button.text() == "Hủy"
    dialog.grab().save("/tmp/op_cancellable.png")
    QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.label.text() == "Đang dừng, xin chờ một chút…"
    assert dialog.isVisible()  # stays until the work has really stopped
    gate.set()
    finish(qtbot, context.runner, operation)
    assert operation.outcome is Outcome.CANCELLED
    assert isinstance(operation.error, Cancelled)
    assert cancelled == [True]
    assert _stored(services) == []

    # Not cancelled, the same work commits: the check above is what kept the row out.
    ok = run_operation(
        context,
        window,
        lambda progress: _insert_then_wait(services, gate, progress),
        title="Nhập",
        cancellable=True,
    )
    finish(qtbot, context.runner, ok)
    assert ok.outcome is Outcome.SUCCEEDED
    assert _stored(services) == ["1"]


def test_cancel_refuses_the_commit_of_a_service_write(
    qtbot: QtBot, context: UiContext, window: QWidget, gate: threading.Event
) -> None:
    """A cancellable work that calls a service (no cancel checks of its own) still writes
    nothing once Hủy is pressed: the runner refuses its commit, the session rolls back."""
    services = context.services
    unit_id = services.installation.get().unit.id

    def write(progress: Progress) -> list[int]:
        blocked_until(gate)
        items = [sample_model(unit_id, name=f"Mô hình số {i}") for i in range(20)]
        return services.models.create_many(items, by=STAFF)

    operation = run_operation(context, window, write, title="Nhập", cancellable=True)
    qtbot.waitUntil(lambda: operation.dialog is not None, timeout=WAIT_MS)
    assert operation.dialog is not None and operation.dialog.cancel_button is not None
    operation.dialog.cancel_button.click()
    gate.set()
    finish(qtbot, context.runner, operation)
    assert operation.outcome is Outcome.CANCELLED
    assert services.models.count(ModelFilter()) == 0

    # The guard belongs to that operation only: the next one writes.
    again = run_operation(context, window, write, title="Nhập", cancellable=True)
    finish(qtbot, context.runner, again)
    assert again.outcome is Outcome.SUCCEEDED
    assert services.models.count(ModelFilter()) == 20


def test_operations_run_one_at_a_time_in_order(
    qtbot: QtBot, context: UiContext, window: QWidget, gate: threading.Event
) -> None:
    log: list[str] = []
    lock = threading.Lock()
    threads: set[int] = set()

    def step(name: str, wait: bool) -> None:
        with lock:
            log.append(f"start {name}")
            threads.add(threading.get_ident())
        if wait:
            blocked_until(gate)
        with lock:
            log.append(f"end {name}")

    first = run_operation(context, window, lambda p: step("a", True), title="A")
    second = run_operation(context, window, lambda p: step("b", False), title="B")
    # Give a second worker every chance to exist: until A's progress window is up (600 ms).
    qtbot.waitUntil(lambda: first.dialog is not None, timeout=WAIT_MS)
    with lock:
        assert log == ["start a"]
    assert context.runner.is_busy() and not second.done
    gate.set()
    finish(qtbot, context.runner, first)
    finish(qtbot, context.runner, second)
    assert log == ["start a", "end a", "start b", "end b"]
    assert len(threads) == 1


def test_gui_keeps_running_while_work_runs(
    qtbot: QtBot, context: UiContext, window: QWidget, gate: threading.Event
) -> None:
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    operation = run_operation(context, window, lambda p: blocked_until(gate), title="Chờ")
    timer.start()
    try:
        qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=WAIT_MS)
        assert not operation.done  # the GUI thread ticked while the work was still running
        # and no cycle collection meanwhile: it could free a GUI object on the worker
        assert not gc.isenabled()
        window.setWindowTitle("vẫn dùng được")  # and widgets answer
        assert window.windowTitle() == "vẫn dùng được"
    finally:
        timer.stop()
        gate.set()
    finish(qtbot, context.runner, operation)
    assert operation.outcome is Outcome.SUCCEEDED
    assert gc.isenabled()


def test_worker_writes_a_real_database_file(
    qtbot: QtBot, context: UiContext, window: QWidget, db_path: Path
) -> None:
    services = context.services
    assert services.db_path == db_path and db_path.exists()
    unit_id = services.installation.get().unit.id
    threads: list[QThread] = []

    def write(progress: Progress) -> list[int]:
        threads.append(QThread.currentThread())
        items = [sample_model(unit_id, name=f"Mô hình số {i}") for i in range(50)]
        return services.models.create_many(items, by=STAFF)

    added: list[int] = []
    with qtbot.waitSignal(context.runner.finished, timeout=WAIT_MS):
        run_operation(context, window, write, added.extend, title="Ghi")
    assert len(added) == 50
    app = QCoreApplication.instance()
    assert app is not None and threads[0] is not app.thread()
    # Read back on the GUI thread, and from a fresh connection to the same file.
    assert services.models.count(ModelFilter()) == 50
    from danvan_desktop.services import open_services

    other = open_services(db_path)
    try:
        assert other.models.count(ModelFilter()) == 50
    finally:
        other.close()


def test_synchronous_runner_calls_back_before_returning(
    qtbot: QtBot, context: UiContext, window: QWidget
) -> None:
    sync = SynchronousRunner()
    got: list[int] = []
    operation = sync.submit(lambda p: 7, got.append, parent=window)
    assert got == [7] and operation.outcome is Outcome.SUCCEEDED
    assert not sync.is_busy()
