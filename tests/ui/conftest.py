"""GUI fixtures: a UI context with scripted prompts and settings in tmp_path.

Slow work runs synchronously in most window tests (`runner` = SynchronousRunner); a module that
drives the real worker thread overrides `runner` with `threaded_runner` and waits on
`runner.finished`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from danvan_desktop.services import Services

from danvan_desktop.ui.context import UiContext
from danvan_desktop.ui.operations import OperationRunner, SynchronousRunner
from danvan_desktop.ui.prompts import Choice, Prompter
from danvan_desktop.ui.settings import UiSettings


class ScriptedPrompter(Prompter):
    """Answers questions from a queue and records every message shown."""

    def __init__(self) -> None:
        self.answers: list[bool | Choice] = []
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.paths: list[Path | None] = []  # answers to save_path / open_path, in order
        self.path_suggestions: list[Path] = []

    def _next(self, text: str) -> bool | Choice:
        self.asked.append(text)
        if not self.answers:
            raise AssertionError(f"unexpected question: {text}")
        return self.answers.pop(0)

    def confirm(
        self, parent: QWidget | None, title: str, text: str, *, ok_text: str = "Đồng ý"
    ) -> bool:
        answer = self._next(text)
        assert isinstance(answer, bool)
        return answer

    def save_discard_cancel(self, parent: QWidget | None, title: str, text: str) -> Choice:
        answer = self._next(text)
        assert isinstance(answer, Choice)
        return answer

    def save_path(
        self, parent: QWidget | None, title: str, suggested: Path, file_filter: str
    ) -> Path | None:
        self.path_suggestions.append(suggested)
        if not self.paths:
            raise AssertionError(f"unexpected file question: {title}")
        return self.paths.pop(0)

    def open_path(
        self, parent: QWidget | None, title: str, folder: Path, file_filter: str
    ) -> Path | None:
        return self.save_path(parent, title, folder, file_filter)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.errors.append(text)

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.infos.append(text)


@pytest.fixture
def prompter() -> ScriptedPrompter:
    return ScriptedPrompter()


@pytest.fixture
def ui_settings(tmp_path: Path) -> Iterator[UiSettings]:
    yield UiSettings(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def threaded_runner(qtbot: QtBot) -> Iterator[OperationRunner]:
    """The real runner: work on its worker thread, callbacks through the event loop."""
    runner = OperationRunner()
    yield runner
    assert runner.wait_for_done(10_000), "an operation was still running after the test"
    qtbot.waitUntil(lambda: not runner.is_busy())  # its callbacks delivered too


@pytest.fixture
def runner(qapp: object) -> OperationRunner:
    return SynchronousRunner()


@pytest.fixture
def context(
    services: Services, prompter: ScriptedPrompter, ui_settings: UiSettings, runner: OperationRunner
) -> UiContext:
    return UiContext(services=services, prompter=prompter, settings=ui_settings, runner=runner)


@pytest.fixture
def blank_context(
    blank_services: Services,
    prompter: ScriptedPrompter,
    ui_settings: UiSettings,
    runner: OperationRunner,
) -> UiContext:
    return UiContext(
        services=blank_services, prompter=prompter, settings=ui_settings, runner=runner
    )
