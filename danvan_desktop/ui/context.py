"""What every window is handed: the service API, the prompter, the per-PC settings,
the runner for slow work."""

from __future__ import annotations

from dataclasses import dataclass, field

from danvan_desktop.services import Services

from danvan_desktop.ui.operations import OperationRunner
from danvan_desktop.ui.prompts import Prompter
from danvan_desktop.ui.settings import UiSettings


@dataclass
class UiContext:
    services: Services
    prompter: Prompter
    settings: UiSettings
    # Slow work (files, imports) runs here, one operation at a time, off the GUI thread.
    runner: OperationRunner = field(default_factory=OperationRunner)
