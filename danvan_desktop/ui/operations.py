"""Slow work off the GUI thread: one helper every slow action goes through.

`OperationRunner.submit(work, on_success, ...)` runs `work(progress)` on ONE worker thread, so
two operations never overlap and database writes never interleave; `on_success` /
`on_failure` / `on_cancelled` / `on_finished` run afterwards on the GUI thread.

- A UserError raised by the work is shown as it is (its text is already a Vietnamese sentence),
  or handed to `on_failure`; any other exception goes to `sys.excepthook` (the app's
  ErrorReporter logs it and shows a Vietnamese message), never as a raw traceback in a box.
- Nothing appears for fast work: a busy cursor after BUSY_CURSOR_MS, a progress window after
  PROGRESS_DIALOG_MS, which then stays up at least MIN_DIALOG_MS so it does not blink.
- `progress.update(done, total, text)` from the work gives a determinate bar; the GUI polls
  the thread-safe Progress object, so the worker never touches a widget.
- Cancel is offered only when the work says where stopping is safe (`cancellable=True`): the
  button sets a flag, and `progress.check_cancelled()` raises Cancelled at the points the work
  chose. For cancellable work every database commit on the worker checks the flag first (a
  SQLAlchemy before_commit hook), so a cancelled write rolls back and leaves the database as it
  was: cancellable=True promises the work writes in one transaction, or checks between its
  transactions itself.

The work must not touch widgets; it may use services: each service call opens its own session,
SQLAlchemy pools a SQLite file with QueuePool (since 2.0) and turns pysqlite's same-thread check
off for it, so a session on the worker checks out a connection of its own; with one worker,
writes never overlap (WAL lets the GUI thread read meanwhile).

Garbage: Python's cycle collector runs in whichever thread allocates, and Qt objects must die
on their own thread, so automatic collection pauses while the worker runs (see _hold_gc).
"""

from __future__ import annotations

import enum
import gc
import itertools
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.services.errors import UserError

from danvan_desktop.ui.prompts import Prompter

if TYPE_CHECKING:  # context.py imports this module for its default runner
    from danvan_desktop.ui.context import UiContext

T = TypeVar("T")

BUSY_CURSOR_MS = 300
PROGRESS_DIALOG_MS = 600
MIN_DIALOG_MS = 400  # once shown, the progress window stays this long: no blink
POLL_MS = 100  # how often the progress window reads the work's Progress


class Cancelled(Exception):
    """The user pressed Hủy and the work stopped at a point where stopping is safe."""


# The Progress of the cancellable operation running on this thread, if any.
_running = threading.local()


@event.listens_for(Session, "before_commit")
def _refuse_commit_when_cancelled(session: Session) -> None:
    # Raising here makes Database.session() roll the transaction back: nothing is written.
    progress: Progress | None = getattr(_running, "progress", None)
    if progress is not None:
        progress.check_cancelled()


@dataclass(frozen=True)
class ProgressState:
    done: int
    total: int  # 0 = unknown: a moving bar without numbers
    text: str | None


class Progress:
    """What the work tells the progress window, and the cancel flag it checks. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = ProgressState(0, 0, None)
        self._cancel = threading.Event()

    def update(self, done: int, total: int, text: str | None = None) -> None:
        with self._lock:
            self._state = ProgressState(done, total, text if text is not None else self._state.text)

    def set_text(self, text: str) -> None:
        with self._lock:
            self._state = ProgressState(self._state.done, self._state.total, text)

    def state(self) -> ProgressState:
        with self._lock:
            return self._state

    def request_cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise Cancelled if the user asked to stop; call it only where stopping is safe."""
        if self._cancel.is_set():
            raise Cancelled()


class Outcome(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a UserError
    CANCELLED = "cancelled"
    CRASHED = "crashed"  # anything else: a bug, reported through sys.excepthook


class ProgressDialog(QDialog):
    """Text, a bar and, for cancellable work, “Hủy”. Closing it never hides running work: the
    window closes when the work ends."""

    def __init__(self, parent: QWidget | None, title: str, text: str, cancellable: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(380)
        self.cancel_requested: Callable[[], None] = lambda: None
        layout = QVBoxLayout(self)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # moving bar until the work reports numbers
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.cancel_button: QPushButton | None = None
        if cancellable:
            row = QHBoxLayout()
            row.addStretch(1)
            self.cancel_button = QPushButton("Hủy")
            self.cancel_button.setAutoDefault(False)
            self.cancel_button.clicked.connect(self._cancel)
            row.addWidget(self.cancel_button)
            layout.addLayout(row)

    def show_state(self, state: ProgressState, default_text: str) -> None:
        if self.cancel_button is not None and not self.cancel_button.isEnabled():
            return  # keep “Đang dừng…” once asked to stop
        self.label.setText(state.text or default_text)
        if state.total > 0:
            self.bar.setRange(0, state.total)
            self.bar.setValue(min(state.done, state.total))
        else:
            self.bar.setRange(0, 0)

    def _cancel(self) -> None:
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(False)
        self.label.setText("Đang dừng, xin chờ một chút…")
        self.cancel_requested()

    def reject(self) -> None:  # Esc: cancel if allowed, never just hide the window
        if self.cancel_button is not None and self.cancel_button.isEnabled():
            self._cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.reject()
            return
        super().keyPressEvent(event)


class Operation(Generic[T]):
    """One submitted piece of work and, once finished, how it ended."""

    def __init__(
        self,
        work: Callable[[Progress], T],
        on_success: Callable[[T], None] | None,
        *,
        parent: QWidget | None,
        title: str,
        text: str,
        cancellable: bool,
        on_failure: Callable[[UserError], None] | None,
        on_cancelled: Callable[[], None] | None,
        on_finished: Callable[[], None] | None,
    ) -> None:
        self.work = work
        self.on_success = on_success
        self.parent = parent
        self.title = title
        self.text = text
        self.cancellable = cancellable
        self.on_failure = on_failure
        self.on_cancelled = on_cancelled
        self.on_finished = on_finished
        self.progress = Progress()
        self.outcome: Outcome | None = None
        self.result: T | None = None
        self.error: BaseException | None = None
        self._ended = Outcome.CRASHED  # set on the worker; published as `outcome` on the GUI
        self.dialog: ProgressDialog | None = None
        self.dialog_was_shown = False
        self._busy_cursor = False
        self._dialog_shown_at = 0.0
        self._timers: list[QTimer] = []
        self._task: QRunnable | None = None
        self._holds_gc = False

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def execute(self) -> None:
        """Run the work here (the worker thread) and record how it ended; never raises."""
        if self.cancellable:
            _running.progress = self.progress
        try:
            self.progress.check_cancelled()  # cancelled while still waiting its turn
            self.result = self.work(self.progress)
            outcome = Outcome.SUCCEEDED
        except Cancelled as error:
            # No traceback kept: its frames hold the work's objects, which must die here.
            self.error, outcome = error.with_traceback(None), Outcome.CANCELLED
        except UserError as error:
            self.error, outcome = error.with_traceback(None), Outcome.FAILED
        except BaseException as error:  # reported on the GUI thread, not lost in the worker
            self.error, outcome = error, Outcome.CRASHED
        finally:
            _running.progress = None
        self._ended = outcome


class _Task(QRunnable):
    # Not auto-deleted: the operation keeps it, so the Python object is released on the GUI
    # thread; and only the operation's number crosses threads (Signal(int)), no Python object.
    def __init__(self, operation: Operation[Any], number: int, done: Callable[[int], None]) -> None:
        super().__init__()
        self._operation = operation
        self._number = number
        self._done = done
        self.setAutoDelete(False)

    def run(self) -> None:
        self._operation.execute()
        # Let this thread's own Qt events run (a QTextDocument finishes its lazy layout and
        # stops its timer), so Qt objects the work left in reference cycles hold no timers
        # when Python's collector frees them later on the GUI thread.
        QCoreApplication.processEvents()
        self._done(self._number)


class OperationRunner(QObject):
    """Runs operations one at a time on a worker thread; everything else on the GUI thread.

    `finished` is emitted (on the GUI thread) with the Operation after its callbacks ran; tests
    wait on it. `report_unexpected` receives exceptions that are not UserError (default:
    sys.excepthook, which the app replaces with its logging ErrorReporter).
    """

    started = Signal(object)
    finished = Signal(object)
    _work_done = Signal(int)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        prompter: Prompter | None = None,
        report_unexpected: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._prompter = prompter
        self._report = report_unexpected or _to_excepthook
        self._pending: list[Operation[Any]] = []
        self._running: dict[int, Operation[Any]] = {}
        self._numbers = itertools.count(1)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one worker: database writes never overlap
        self._pool.setExpiryTimeout(-1)  # keep the one thread; no restart cost per operation
        self._work_done.connect(self._on_work_done, Qt.ConnectionType.QueuedConnection)
        app = QCoreApplication.instance()
        if app is not None:  # never let Python shut down under a running worker
            app.aboutToQuit.connect(self.wait_for_done)

    # -- public ---------------------------------------------------------------------------------

    def submit(
        self,
        work: Callable[[Progress], T],
        on_success: Callable[[T], None] | None = None,
        *,
        parent: QWidget | None = None,
        title: str = "Đang xử lý",
        text: str = "Đang xử lý, xin chờ…",
        cancellable: bool = False,
        on_failure: Callable[[UserError], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> Operation[T]:
        operation = Operation(
            work,
            on_success,
            parent=parent,
            title=title,
            text=text,
            cancellable=cancellable,
            on_failure=on_failure,
            on_cancelled=on_cancelled,
            on_finished=on_finished,
        )
        self._pending.append(operation)
        self.started.emit(operation)
        self._start(operation)
        return operation

    def is_busy(self) -> bool:
        return bool(self._pending)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the worker is idle (for quitting); callbacks still come by the loop."""
        return bool(self._pool.waitForDone(msecs))

    # -- how the work runs ------------------------------------------------------------------------

    def _start(self, operation: Operation[Any]) -> None:
        _hold_gc()
        operation._holds_gc = True
        self._arm_feedback(operation)
        number = next(self._numbers)
        self._running[number] = operation
        operation._task = _Task(operation, number, self._work_done.emit)
        self._pool.start(operation._task)

    def _arm_feedback(self, operation: Operation[Any]) -> None:
        def timer(ms: int, action: Callable[[], None], repeat: bool = False) -> None:
            t = QTimer(self)
            t.setSingleShot(not repeat)
            t.timeout.connect(action)
            t.start(ms)
            operation._timers.append(t)

        timer(BUSY_CURSOR_MS, lambda: self._set_busy_cursor(operation))
        timer(PROGRESS_DIALOG_MS, lambda: self._show_dialog(operation))
        timer(POLL_MS, lambda: self._poll(operation), repeat=True)

    def _set_busy_cursor(self, operation: Operation[Any]) -> None:
        if not operation.done and not operation._busy_cursor:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            operation._busy_cursor = True

    def _show_dialog(self, operation: Operation[Any]) -> None:
        if operation.done or operation.dialog is not None:
            return
        dialog = ProgressDialog(
            operation.parent, operation.title, operation.text, operation.cancellable
        )
        dialog.cancel_requested = operation.progress.request_cancel
        dialog.show_state(operation.progress.state(), operation.text)
        operation.dialog = dialog
        operation.dialog_was_shown = True
        operation._dialog_shown_at = time.monotonic()
        dialog.show()

    def _poll(self, operation: Operation[Any]) -> None:
        if operation.dialog is not None:
            operation.dialog.show_state(operation.progress.state(), operation.text)

    def _on_work_done(self, number: int) -> None:
        operation = self._running.pop(number)
        operation._task = None
        for t in operation._timers:
            t.stop()
            t.deleteLater()
        operation._timers.clear()
        if operation._busy_cursor:
            QGuiApplication.restoreOverrideCursor()
            operation._busy_cursor = False
        if operation.dialog is not None:
            shown_ms = (time.monotonic() - operation._dialog_shown_at) * 1000
            if shown_ms < MIN_DIALOG_MS:
                QTimer.singleShot(
                    int(MIN_DIALOG_MS - shown_ms) + 1, self, lambda: self._finish(operation)
                )
                return
        self._finish(operation)

    def _finish(self, operation: Operation[Any]) -> None:
        if operation._holds_gc:
            operation._holds_gc = False
            _release_gc()
        if operation.dialog is not None:
            operation.dialog.hide()
            operation.dialog.deleteLater()
            operation.dialog = None
        operation.outcome = operation._ended
        try:
            self._deliver(operation)
        finally:
            self._pending.remove(operation)
            self.finished.emit(operation)

    def _deliver(self, operation: Operation[Any]) -> None:
        try:
            outcome = operation.outcome
            error = operation.error
            if outcome is Outcome.SUCCEEDED:
                if operation.on_success is not None:
                    operation.on_success(operation.result)
            elif outcome is Outcome.CANCELLED:
                if operation.on_cancelled is not None:
                    operation.on_cancelled()
            elif outcome is Outcome.FAILED:
                assert isinstance(error, UserError)
                if operation.on_failure is not None:
                    operation.on_failure(error)
                else:
                    (self._prompter or Prompter()).error(
                        operation.parent, operation.title, str(error)
                    )
            else:
                assert error is not None
                self._report(error)
        finally:
            if operation.on_finished is not None:
                operation.on_finished()


class SynchronousRunner(OperationRunner):
    """Runs the work at once on the calling (GUI) thread; callbacks before submit returns.

    For tests of windows that only need the result, and for scripts without an event loop."""

    def _start(self, operation: Operation[Any]) -> None:
        operation.execute()
        self._finish(operation)


def run_operation(
    context: UiContext,
    parent: QWidget | None,
    work: Callable[[Progress], T],
    on_success: Callable[[T], None] | None = None,
    *,
    title: str,
    text: str = "Đang xử lý, xin chờ…",
    cancellable: bool = False,
    on_failure: Callable[[UserError], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_finished: Callable[[], None] | None = None,
) -> Operation[T]:
    """Run `work` on the context's runner; a UserError goes to the context's prompter (titled
    `title`) unless `on_failure` takes it."""

    def show(error: UserError) -> None:
        context.prompter.error(parent, title, str(error))

    return context.runner.submit(
        work,
        on_success,
        parent=parent,
        title=title,
        text=text,
        cancellable=cancellable,
        on_failure=on_failure or show,
        on_cancelled=on_cancelled,
        on_finished=on_finished,
    )


# Python's cycle collector runs in whichever thread happens to allocate. Run by the worker, it
# could free a widget the GUI dropped (Qt objects must die on their own thread). So while any
# operation is on the worker, automatic collection is off; it resumes, on the GUI thread, when
# the worker is idle. The worker's leftovers are collected then; their timers were stopped by
# the worker's last processEvents (see _Task).
_gc_holds = 0


def _hold_gc() -> None:
    global _gc_holds
    if _gc_holds == 0:
        gc.disable()
    _gc_holds += 1


def _release_gc() -> None:
    global _gc_holds
    _gc_holds -= 1
    if _gc_holds == 0:
        gc.enable()


def _to_excepthook(error: BaseException) -> None:
    sys.excepthook(type(error), error, error.__traceback__)
