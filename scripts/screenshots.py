"""Screenshots of every screen, in real X windows: `make screenshots` (starts Xvfb itself).

Builds a fresh database in a temporary folder, walks through first-run set-up, fills demo data,
and grabs what the X server shows for the main window, a search, the model form (both tabs), a
refused save and a status step. Writes screenshots/*.png.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from danvan_desktop.domain import Field, Status
from danvan_desktop.services import open_services
from danvan_desktop.services.demo import fill_demo_data
from danvan_desktop.services.models import ModelFilter

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.event_dialog import EventDialog
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.model_form import ModelFormDialog
from danvan_desktop.ui.prompts import Prompter
from danvan_desktop.ui.settings import UiSettings
from danvan_desktop.ui.setup_dialog import SetupDialog

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def shoot(name: str, settle_ms: int = 400) -> None:
    QTest.qWait(settle_ms)  # let the X server paint; this is a script, not a test
    screen = QGuiApplication.primaryScreen()
    screen.grabWindow(0).save(str(OUT / f"{name}.png"))
    print(f"screenshots/{name}.png")


def shoot_modal_then_close(name: str) -> None:
    """For message boxes run with exec(): grab, then close, from a timer."""

    def grab_and_close() -> None:
        shoot(name)
        widget = QApplication.activeModalWidget()
        if widget is not None:
            widget.close()

    QTimer.singleShot(600, grab_and_close)


def place(widget: QWidget) -> None:
    widget.show()
    widget.raise_()
    widget.activateWindow()


def main() -> int:
    if os.environ.get("QT_QPA_PLATFORM", "xcb") != "xcb" or not os.environ.get("DISPLAY"):
        print("Cần chạy trên màn hình X (DISPLAY), ví dụ trong Xvfb: make screenshots")
        return 1
    OUT.mkdir(exist_ok=True)
    app = QApplication(sys.argv)
    app.setApplicationDisplayName("Dân vận khéo")
    work = Path(tempfile.mkdtemp())
    services = open_services(work / "danvan.sqlite3")
    context = UiContext(
        services=services,
        prompter=Prompter(),
        settings=UiSettings(QSettings(str(work / "ui.ini"), QSettings.Format.IniFormat)),
    )

    setup = SetupDialog(context, first_run=True)
    place(setup)
    shoot("01-setup-empty")
    setup.unit_picker.line_edit().setText("ngoc chien")
    setup.unit_picker.search_now()
    shoot("02-setup-search")
    setup.unit_picker.set_unit(setup.unit_picker.results_model().unit_at(0))
    setup.staff_name_edit.setText("Nguyễn Thị Hoa")
    setup.staff_position_edit.setText("Phó Chủ tịch UBMTTQ xã")
    shoot("03-setup-filled")
    setup.accept()

    fill_demo_data(services, count=60)
    window = MainWindow(context)
    window.resize(1366, 740)
    place(window)
    shoot("04-main", 800)
    window.search_box.setText("dong bao")
    window.apply_filter()
    shoot("05-main-search")
    window.clear_filters()

    recognised = services.models.ids(ModelFilter(status=Status.COMMENDED))
    model_id = recognised[0] if recognised else services.models.ids()[0]
    # An edit by another staff member, so the history tab and the audit log have one to show.
    record = services.models.get(model_id)
    edited = dataclasses.replace(
        record.data, field=Field.CULTURE_SOCIETY, is_new=False, start_date=dt.date(2026, 3, 2)
    )
    services.models.update(model_id, edited, expected_revision=record.revision, by="Lò Văn Pọm")
    form = ModelFormDialog(context, model_id, window)
    place(form)
    shoot("06-form")
    form.tabs.setCurrentIndex(1)
    shoot("07-form-lifecycle")
    form.tabs.setCurrentWidget(form.history)
    form.history.table.selectRow(0)
    shoot("07b-form-history")
    form.close()

    window.table.select_ids([model_id], model_id)
    window.open_audit_log()
    audit = window._audit_window
    if audit is not None:
        audit.resize(1300, 700)
        place(audit)
        shoot("10-audit-log", 800)
        audit.close()

    empty = ModelFormDialog(context, None, window)
    place(empty)
    shoot_modal_then_close("08-form-refused")
    empty.save()  # shows the refusal naming every field at fault
    empty.done(0)

    step = EventDialog(
        context, model_id=services.models.ids()[0], status=Status.RECOGNISED, parent=window
    )
    place(step)
    shoot("09-status-step")
    step.done(0)

    from danvan_desktop.db.backup import REASON_DAILY, REASON_EXCEL

    from danvan_desktop.ui.backup_dialogs import RestoreDialog

    services.backups.take_automatic(REASON_DAILY)
    services.backups.take_automatic(REASON_EXCEL)
    restore = RestoreDialog(context, window)
    place(restore)
    restore.list.selectRow(1)
    for _ in range(100):  # the preview is checked on the worker
        if restore.preview is not None:
            break
        QTest.qWait(50)
    shoot("11-restore-preview")
    restore.done(0)
    window.close()
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
