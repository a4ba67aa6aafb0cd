"""The package screens on real database files: a commune exports, the province previews and
imports a folder with a broken file in it, looks at the history, records a decision and sends
feedback; the commune sees the decision."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from danvan_desktop.domain import EventData, Status
from danvan_desktop.paths import signing_key_path
from danvan_desktop.services import open_services
from danvan_desktop.services.models import ModelFilter
from tests.core.test_package import Site, _site, add_models
from tests.helpers import sample_model
from tests.ui.conftest import ScriptedPrompter

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.model_form import ModelFormDialog
from danvan_desktop.ui.operations import OperationRunner
from danvan_desktop.ui.package_dialogs import (
    ExportPackageDialog,
    FeedbackDialog,
    ImportPackagesDialog,
    PackageHistoryDialog,
)
from danvan_desktop.ui.settings import UiSettings

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform cannot raise windows or propagate size hints; harmless here.
    pytest.mark.qt_log_ignore("This plugin does not support"),
]

# DANVAN_SHOTS=/some/folder saves what the tests show, to look at (pkg_*.png).
SHOTS = os.environ.get("DANVAN_SHOTS", "")


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text()


def shot(widget: Any, name: str) -> None:
    if SHOTS:
        assert widget.grab().save(str(Path(SHOTS) / f"pkg_{name}.png"))


@pytest.fixture
def sites(tmp_path: Path, template_db: Path) -> dict[str, Site]:
    return {
        "a": _site(tmp_path, template_db, "a", "03820", "Lò Thị Mai"),
        "b": _site(tmp_path, template_db, "b", "03808", "Cầm Văn Sơn"),
        "p": _site(tmp_path, template_db, "p", "14", "Nguyễn Thị Hoa"),
    }


def make_context(
    site: Site, prompter: ScriptedPrompter, settings: UiSettings, runner: OperationRunner
) -> Iterator[UiContext]:
    services = open_services(site.path)
    yield UiContext(services=services, prompter=prompter, settings=settings, runner=runner)
    services.close()


@pytest.fixture
def province(
    sites: dict[str, Site],
    prompter: ScriptedPrompter,
    ui_settings: UiSettings,
    runner: OperationRunner,
) -> Iterator[UiContext]:
    yield from make_context(sites["p"], prompter, ui_settings, runner)


@pytest.fixture
def inbox(sites: dict[str, Site], tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    add_models(sites["a"], 3)
    add_models(sites["b"], 2)
    sites["a"].export(folder)
    good = sites["b"].export(folder)
    data = good.read_bytes()
    (folder / "DVK_hong.dvk").write_bytes(data[: len(data) // 3])
    return folder


def test_export_dialog_writes_the_file(qtbot: Any, context: UiContext, tmp_path: Path) -> None:
    unit_id = context.services.installation.get().unit.id
    context.services.models.create(sample_model(unit_id), by="Lò Thị Mai")
    dialog = ExportPackageDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Xã Ngọc Chiến (03820)" in dialog.summary.text()
    assert "Tỉnh Sơn La (14)" in dialog.summary.text()
    assert "chưa xuất lần nào" in dialog.summary.text()
    dialog.folder_edit.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.exported):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    files = list(tmp_path.glob("DVK_03820_xa-ngoc-chien_*_001.dvk"))
    assert len(files) == 1 and files[0].name in dialog.result_label.text()
    shot(dialog, "export")


def test_export_to_a_missing_folder_says_so(
    qtbot: Any, context: UiContext, prompter: ScriptedPrompter, tmp_path: Path
) -> None:
    dialog = ExportPackageDialog(context)
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(tmp_path / "khong-co"))
    dialog.export()
    assert prompter.errors and "không tồn tại" in prompter.errors[0]
    assert dialog.export_button.isEnabled()


def test_batch_preview_apply_and_history(
    qtbot: Any, province: UiContext, inbox: Path, sites: dict[str, Site]
) -> None:
    dialog = ImportPackagesDialog(province, [inbox])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 3
    statuses = {
        cell(dialog.table, r, 0): cell(dialog.table, r, dialog.table.columnCount() - 1)
        for r in range(3)
    }
    assert statuses["DVK_hong.dvk"] == "Bị từ chối"
    assert sorted(statuses.values()) == ["Bị từ chối", "Hợp lệ", "Hợp lệ"]
    assert "bị hỏng" in dialog.details.toPlainText()  # the refused file is selected first
    assert "2 sẵn sàng nhập" in dialog.summary_label.text()
    assert dialog.apply_button.isEnabled()
    shot(dialog, "preview")
    before = sites["p"].path.read_bytes()
    with qtbot.waitSignal(dialog.applied):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert before != sites["p"].path.read_bytes() or province.services.models.count() == 5
    assert province.services.models.count() == 5
    assert "Đã nhập 2 tệp" in dialog.summary_label.text()
    assert not dialog.apply_button.isEnabled()
    shot(dialog, "batch_summary")

    # again: every file is reported as imported before, nothing to apply
    again = ImportPackagesDialog(province, [inbox])
    qtbot.addWidget(again)
    assert "2 đã nhập từ trước" in again.summary_label.text()
    assert not again.apply_button.isEnabled()

    history = PackageHistoryDialog(province)
    qtbot.addWidget(history)
    history.show()
    assert history.imports.rowCount() == 2
    sources = {cell(history.imports, r, 2) for r in range(2)}
    assert sources == {"Xã Ngọc Chiến (03820)", "Xã Mường La (03808)"}
    shot(history, "history")


def test_province_window_unit_tree_read_only_form_and_feedback(
    qtbot: Any,
    province: UiContext,
    inbox: Path,
    sites: dict[str, Site],
    tmp_path: Path,
    prompter: ScriptedPrompter,
    ui_settings: UiSettings,
    runner: OperationRunner,
) -> None:
    province.services.packages.apply(province.services.packages.preview([inbox]))
    window = MainWindow(province)
    qtbot.addWidget(window)
    window.show()
    labels = [window.unit_box.itemText(i) for i in range(window.unit_box.count())]
    assert labels[3:] == ["   └ Xã Mường La (03808)", "   └ Xã Ngọc Chiến (03820)"]
    with qtbot.waitSignal(window.filter_applied):
        window.unit_box.setCurrentIndex(4)
    assert window.model.rowCount() == 3
    shot(window, "province_window")

    record = province.services.models.records(ModelFilter())[0]
    form = ModelFormDialog(province, record.id)
    qtbot.addWidget(form)
    form.show()
    assert form.read_only and form.name_edit.isReadOnly()
    assert not form.save_button.isVisible()
    assert "nhận qua gói dữ liệu: chỉ xem" in form.info_label.text()
    shot(form, "read_only_form")
    form.close()

    chosen = next(
        r for r in province.services.models.records(ModelFilter()) if r.unit_code == "03820"
    )
    province.services.models.add_event(
        chosen.id,
        EventData(Status.RECOGNISED, dt.date(2026, 10, 5), deciding_body="Ban Dân vận Tỉnh ủy"),
        by="Nguyễn Thị Hoa",
    )
    feedback = FeedbackDialog(province)
    qtbot.addWidget(feedback)
    feedback.show()
    assert feedback.units.count() == 2
    feedback.units.item(0).setCheckState(Qt.CheckState.Unchecked)  # Mường La
    down = tmp_path / "down"
    down.mkdir()
    feedback.folder_edit.setText(str(down))
    qtbot.mouseClick(feedback.export_button, Qt.MouseButton.LeftButton)
    files = list(down.iterdir())
    assert len(files) == 1 and files[0].name.startswith("DVK_PH_03820_")
    assert files[0].name in feedback.result_label.text()
    shot(feedback, "feedback")

    # the commune imports the feedback through the same dialog and sees the decision
    gen = make_context(sites["a"], prompter, ui_settings, runner)
    commune = next(gen)
    try:
        dialog = ImportPackagesDialog(commune, files)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.applied):
            dialog.apply()
        model_id = commune.services.models.get_by_uuid(chosen.uuid).id
        form = ModelFormDialog(commune, model_id)
        qtbot.addWidget(form)
        form.show()
        form.tabs.setCurrentWidget(form.lifecycle_page)
        assert not form.read_only
        texts = [
            cell(form.events_table, r, c)
            for r in range(form.events_table.rowCount())
            for c in range(form.events_table.columnCount())
        ]
        assert any("Ban Dân vận Tỉnh ủy" in t for t in texts), texts
        shot(form, "commune_after_feedback")
        history = PackageHistoryDialog(commune)
        qtbot.addWidget(history)
        history.tabs.setCurrentIndex(1)
        history.show()
        last = history.exports.columnCount() - 1
        assert cell(history.exports, 0, last) != "chưa xác nhận"
        shot(history, "commune_exports")
        form.close()
    finally:
        next(gen, None)


def test_export_dialog_shows_the_key_fingerprint(
    qtbot: Any, context: UiContext, tmp_path: Path
) -> None:
    fingerprint = context.services.packages.own_key().fingerprint
    dialog = ExportPackageDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    assert f"Dấu vân tay khoá ký:</b> {fingerprint}" in dialog.summary.text()
    dialog.folder_edit.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.exported):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert f"dấu vân tay {fingerprint}" in dialog.result_label.text()


def _changed_key_file(sites: dict[str, Site], province: UiContext, tmp_path: Path) -> Path:
    """The province knows the commune's first key; the commune reinstalls and sends again."""
    first = tmp_path / "first"
    first.mkdir()
    add_models(sites["a"], 1)
    sites["a"].export(first)
    packages = province.services.packages
    assert [r.status for r in packages.apply(packages.preview([first]))] == ["applied"]
    signing_key_path(sites["a"].path).unlink()
    second = tmp_path / "second"
    second.mkdir()
    add_models(sites["a"], 1)
    return sites["a"].export(second)


def test_a_changed_key_is_asked_about_with_both_fingerprints_and_refused_when_declined(
    qtbot: Any,
    province: UiContext,
    sites: dict[str, Site],
    prompter: ScriptedPrompter,
    tmp_path: Path,
) -> None:
    package = _changed_key_file(sites, province, tmp_path)
    (old,) = [e.fingerprint for e in province.services.packages.unit_keys()]
    dialog = ImportPackagesDialog(province, [package])
    qtbot.addWidget(dialog)
    dialog.show()
    new = dialog.previews[0].fingerprint
    assert new != old
    table = dialog.table
    count = table.columnCount()
    headers = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(count)]
    assert cell(dialog.table, 0, headers.index("Dấu vân tay khoá")) == new
    assert cell(dialog.table, 0, len(headers) - 1) == "Khoá ký đã đổi, cần xác nhận"
    assert old in dialog.details.toPlainText() and new in dialog.details.toPlainText()
    assert "sẽ hỏi xác nhận" in dialog.summary_label.text()
    shot(dialog, "key_changed")
    before = sites["p"].path.read_bytes()
    prompter.answers = [False]
    with qtbot.waitSignal(dialog.applied):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    (question,) = prompter.asked
    assert old in question and new in question and "gọi điện" in question
    assert cell(dialog.table, 0, len(headers) - 1) == "Bị từ chối"
    assert "chưa được nhập" in dialog.details.toPlainText()
    assert province.services.models.count() == 1
    assert sites["p"].path.read_bytes() == before
    assert [e.fingerprint for e in province.services.packages.unit_keys()] == [old]


def test_a_changed_key_accepted_in_the_dialog_is_remembered_and_the_file_applied(
    qtbot: Any,
    province: UiContext,
    sites: dict[str, Site],
    prompter: ScriptedPrompter,
    tmp_path: Path,
) -> None:
    from danvan_desktop.db.schema import AuditEntry

    package = _changed_key_file(sites, province, tmp_path)
    (old,) = [e.fingerprint for e in province.services.packages.unit_keys()]
    dialog = ImportPackagesDialog(province, [package])
    qtbot.addWidget(dialog)
    new = dialog.previews[0].fingerprint
    prompter.answers = [True]
    with qtbot.waitSignal(dialog.applied):
        dialog.apply()
    assert len(prompter.asked) == 1
    assert cell(dialog.table, 0, dialog.table.columnCount() - 1) == "Đã nhập"
    assert province.services.models.count() == 2
    keys = province.services.packages.unit_keys()
    assert [(k.fingerprint, k.replaced_at is None) for k in keys] == [(new, True), (old, False)]
    with province.services.db.session() as session:
        subjects = [
            e.subject for e in session.query(AuditEntry).filter(AuditEntry.action == "key")
        ]
    assert subjects[-1] == (
        f"Chấp nhận khoá mới của Xã Ngọc Chiến (03820): dấu vân tay cũ {old}, mới {new}"
    )
