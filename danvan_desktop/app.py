"""Start the desktop application: `danvan-desktop [--db PATH]`.

The order matters for how fast it feels (DESIGN §6): Qt and a splash first (~0.3 s), then the
heavy imports (SQLAlchemy alone is ~0.5 s) and the database, then the window.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.resources
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QLockFile,
    Qt,
    QTranslator,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from danvan_desktop.paths import APPLICATION, ORGANIZATION, database_path, default_data_dir

from danvan_desktop.ui.prompts import Prompter
from danvan_desktop.ui.settings import UiSettings

if TYPE_CHECKING:  # imported for real only after the splash is up
    from danvan_desktop.ui.context import UiContext
    from danvan_desktop.ui.main_window import MainWindow

DISPLAY_NAME = "Dân vận khéo"
ERROR_LOG = "errors.log"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="danvan-desktop",
        description="Quản lý mô hình, điển hình “Dân vận khéo”.",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="tệp cơ sở dữ liệu (mặc định: $DANVAN_DB, hoặc danvan.sqlite3 trong thư mục dữ "
        "liệu của người dùng)",
    )
    # Qt's own options (-platform, -style …) are left for QApplication.
    args, _qt_args = parser.parse_known_args(list(argv))
    return args


def configure_application(app: QCoreApplication) -> None:
    """The names QSettings and QStandardPaths build paths from; paths.py mirrors them."""
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    if isinstance(app, QApplication):
        app.setApplicationDisplayName(DISPLAY_NAME)


def install_qt_translations(app: QCoreApplication) -> bool:
    """Qt's own Vietnamese strings (standard buttons, file dialogs), when a qtbase_vi.qm is
    found beside Qt or in resources/translations. Returns whether one was installed."""
    places = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    try:
        bundled = importlib.resources.files("danvan_desktop.resources").joinpath("translations")
        places.insert(0, str(bundled))
    except ModuleNotFoundError:
        pass
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    for place in places:
        translator = QTranslator(app)  # parented, so it lives as long as the app
        if translator.load("qtbase_vi", place):
            app.installTranslator(translator)
            return True
        translator.deleteLater()
    return False


def _splash() -> QLabel:
    pixmap = QPixmap(420, 140)
    pixmap.fill(QColor("#b71c1c"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPointSize(20)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(
        pixmap.rect().adjusted(0, 0, 0, -40), Qt.AlignmentFlag.AlignCenter, DISPLAY_NAME
    )
    font.setPointSize(10)
    font.setBold(False)
    painter.setFont(font)
    painter.drawText(
        pixmap.rect().adjusted(0, 60, 0, 0), Qt.AlignmentFlag.AlignCenter, "Đang mở dữ liệu…"
    )
    painter.end()
    # A plain label, not QSplashScreen: that one waits up to a second for the window system to
    # confirm the window is exposed (it never does offscreen), which is the delay a splash is
    # meant to hide.
    splash = QLabel()
    splash.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    splash.setPixmap(pixmap)
    splash.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return splash


# ---------------------------------------------------------------------------------------------
# Errors nobody caught


class ErrorReporter:
    """sys.excepthook: log the traceback to a file and tell the user in Vietnamese, instead of
    an exception vanishing into the event loop (PySide prints it and carries on)."""

    def __init__(self, log_path: Path, show: Callable[[str], None] | None = None) -> None:
        self.log_path = log_path
        self._show = show or self._message_box
        self._showing = False

    def __call__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        logged = self._log(text)
        sys.stderr.write(text)
        if self._showing:  # an error while showing the last one: do not stack boxes
            return
        from danvan_desktop.services.errors import UserError

        if isinstance(exc, UserError):
            message = str(exc)
        else:
            message = (
                "Phần mềm gặp một lỗi chưa lường trước, việc vừa làm có thể chưa hoàn tất.\n"
                "Hãy lưu công việc đang dở, rồi kiểm tra lại dữ liệu."
            )
            if logged:
                message += f"\n\nChi tiết lỗi đã được ghi vào tệp:\n{self.log_path}"
            message += f"\n\n{exc_type.__name__}: {exc}"
        self._showing = True
        try:
            self._show(message)
        finally:
            self._showing = False

    def _log(self, text: str) -> bool:
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}\n{text}\n")
        except OSError:
            return False
        return True

    @staticmethod
    def _message_box(message: str) -> None:
        if QApplication.instance() is not None:
            QMessageBox.critical(None, "Lỗi không mong muốn", message)


def install_excepthook(log_path: Path | None = None) -> ErrorReporter:
    reporter = ErrorReporter(log_path or default_data_dir() / ERROR_LOG)
    sys.excepthook = reporter
    return reporter


# ---------------------------------------------------------------------------------------------
# Start-up


def build_main_window(context: UiContext) -> MainWindow:
    """The window for an installation that is set up; no event loop needed (tests use it)."""
    from danvan_desktop.ui.main_window import MainWindow

    return MainWindow(context)


def _run_setup_dialog(context: UiContext) -> bool:
    from danvan_desktop.ui.setup_dialog import SetupDialog

    dialog = SetupDialog(context, None, first_run=True)
    return dialog.exec() == QDialog.DialogCode.Accepted


@dataclass
class Started:
    app: QApplication
    context: UiContext
    window: MainWindow
    # Held while the app runs: a second copy on the same database is refused.
    lock: QLockFile | None = None


def take_database_lock(path: Path) -> QLockFile | None:
    """The QLockFile `<db>.lock` beside the database, or None when another live copy of the app
    (or `danvan backup restore`) holds it. A lock left by a crashed copy is taken over."""
    from danvan_desktop.db.backup import lock_path

    lock = QLockFile(str(lock_path(path)))
    lock.setStaleLockTime(0)  # the app runs for hours: stale only when its process is gone
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return lock  # open_services explains why the folder cannot be used
    if lock.tryLock(0):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    return lock  # the lock file cannot be written (read-only folder): nothing to guard


def _follow_replacements(started: Started, window: MainWindow) -> None:
    """Keep `started.window` on the window shown (a restore opens a new one)."""

    def replaced(new: MainWindow) -> None:
        started.window = new
        _follow_replacements(started, new)

    window.replaced.connect(replaced)


def start(
    argv: Sequence[str],
    *,
    settings: UiSettings | None = None,
    prompter: Prompter | None = None,
    run_setup: Callable[[UiContext], bool] = _run_setup_dialog,
) -> Started | int:
    """Everything `main` does except running the event loop: returns the shown window, or an
    exit code when there is nothing to run (the database cannot be opened, setup cancelled).

    `argv` excludes the program name. Tests pass their own settings and prompter.
    """
    args = parse_args(argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["danvan-desktop"])
    configure_application(app)
    install_qt_translations(app)
    splash = _splash()
    splash.show()
    app.processEvents()  # paint the splash once before the slow part

    from danvan_desktop.db.backup import in_use_message
    from danvan_desktop.services import open_services
    from danvan_desktop.services.backups import DamagedDatabaseError
    from danvan_desktop.services.errors import UserError

    from danvan_desktop.ui.backup_dialogs import recover_at_start, schedule_daily_backup
    from danvan_desktop.ui.context import UiContext

    prompter = prompter or Prompter()
    path = database_path(args.db)
    lock = take_database_lock(path)
    if lock is None:  # another copy has the file open: leave it alone
        splash.close()
        prompter.error(None, "Phần mềm đang mở", in_use_message(path))
        return 1
    try:
        try:
            services = open_services(path)
        except DamagedDatabaseError as damaged:
            services = recover_at_start(prompter, damaged, before_asking=splash.close)
    except UserError as error:
        splash.close()
        prompter.error(None, "Không mở được dữ liệu", str(error))
        lock.unlock()
        return 1
    context = UiContext(services=services, prompter=prompter, settings=settings or UiSettings())
    try:
        if not services.installation.is_set_up():
            splash.close()
            if not run_setup(context) or not services.installation.is_set_up():
                services.close()
                lock.unlock()
                return 0
        window = build_main_window(context)
    except BaseException:
        services.close()
        lock.unlock()
        raise
    window.show()
    splash.close()
    schedule_daily_backup(context, window)
    started = Started(app=app, context=context, window=window, lock=lock)
    _follow_replacements(started, window)
    return started


def _run_event_loop(app: QApplication) -> int:
    """app.exec(), apart so that a test can drive `main` without ending the test's own
    QApplication (after exec() returns, Qt treats the application as closing)."""
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    install_excepthook(default_data_dir() / ERROR_LOG)
    del args  # parsed early only so that --help answers before any window appears
    existing = QApplication.instance()
    # Qt reads its own options (-platform, -style …) from the command line.
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication([sys.argv[0] if sys.argv else "danvan-desktop", *argv])
    )
    started = start(argv)
    if isinstance(started, int):
        return started
    try:
        return _run_event_loop(app)
    finally:
        started.context.services.close()
        if started.lock is not None:
            started.lock.unlock()


if __name__ == "__main__":
    sys.exit(main())
